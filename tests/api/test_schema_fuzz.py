"""Property-based fuzzing of /api/v1 with schemathesis, against the live server.

One test item per operation of the served OpenAPI document (a new endpoint is picked up by
itself). Each item sends requests generated from the schema (valid and invalid ones, plus
schemathesis' coverage boundary cases) as alice, admin of company A, and checks that:

- no answer is a 5xx (not_a_server_error),
- every status code is documented (status_code_conformance): django-ninja answers 422 for
  bad input, so every operation must declare it (chantier.api.errors.responses),
- every body matches its documented schema (response_schema_conformance),
- every Content-Type is the documented one (content_type_conformance),
- and, as API.md requires, another company's object never answers 2xx.

Both companies hold every app's demo rows (chantier.core.demo.DEMO_APPS). Random ids would
only ever meet 404s, so small generated ids are mapped onto real rows: for a path parameter
`<model>_id` (`client_id` → parties.Client), the values 0..n+m-1 become the ids of company
A's n rows and company B's m rows, alternately; other values (negative, huge) are sent as
generated.

Bounded: 25 generated examples per operation, no deadline, derandomized (the same inputs on
every run, so a failure reproduces), no example database written to disk. Negative cases
include requests without the Authorization header: those answer 401, which is documented.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chantier.core import services
from chantier.core.demo import DEMO_APPS
from tests.api import openapi
from tests.conftest import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
        "request-timeout": 30,
    }
)

schema = schemathesis.openapi.from_dict(openapi.document(), config=CONFIG)

# The live server runs in another thread: it sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Fixture:
    token: str
    company_a: Any
    company_b: Any
    foreign: set[tuple[str, int]] = field(default_factory=set)

    def pool(self, parameter: str) -> list[int]:
        """Ids of company A's and company B's rows, for `<model>_id` parameters."""
        model = openapi.model_for_parameter(parameter)
        if model is None:
            return []
        own = list(
            model.objects.filter(company=self.company_a).order_by("pk").values_list("pk", flat=True)
        )
        other = list(
            model.objects.filter(company=self.company_b).order_by("pk").values_list("pk", flat=True)
        )
        self.foreign.update((parameter, pk) for pk in other)
        # Interleaved (A, B, A, B, ...): the small values the fuzzer draws most reach both.
        pool = [pk for pair in zip(own, other, strict=False) for pk in pair]
        shorter = min(len(own), len(other))
        return pool + own[shorter:] + other[shorter:]


@pytest.fixture
def api(world: World) -> Fixture:
    """alice's token; both companies hold the demo rows of every app."""
    for user, company in ((world.alice, world.company_a), (world.charlie, world.company_b)):
        for app in DEMO_APPS:
            importlib.import_module(f"chantier.{app}.demo").load(company, user)
    token = services.api_token_create(user=world.alice, name="schemathesis")
    return Fixture(token=token, company_a=world.company_a, company_b=world.company_b)


@pytest.fixture
def http() -> Any:
    with requests.Session() as session:
        yield session


if openapi.operations():

    @schema.parametrize()
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        # The fixtures (live server, token, demo rows) are shared by all the inputs of one
        # operation on purpose: the requests do not need a fresh database each.
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    def test_api_fuzz(case: Any, live_server: Any, api: Fixture, http: Any) -> None:
        foreign = []
        for name, value in dict(case.path_parameters or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                pool = api.pool(name)
                if 0 <= value < len(pool):
                    case.path_parameters[name] = pool[value]
                    if (name, pool[value]) in api.foreign:
                        foreign.append(f"{name}={pool[value]}")
        response = case.call_and_validate(
            base_url=live_server.url,
            session=http,
            headers={"Authorization": f"Bearer {api.token}"},
            checks=CHECKS,
        )
        if foreign and "Authorization" in response.request.headers:
            assert response.status_code >= 400, (
                f"{case.operation.label} with company B's {', '.join(foreign)} answered "
                f"{response.status_code} to company A's user: {response.text[:300]}"
            )

else:

    def test_api_fuzz() -> None:
        raise AssertionError("the API schema has no operation: nothing to fuzz")
