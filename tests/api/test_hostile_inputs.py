"""Known-nasty parameter values, sent deterministically to every operation of /api/v1.

The fuzzer (test_schema_fuzz) has a bounded budget and may never draw, say, a NUL byte for
one given query parameter; these classics are cheap to send every time:

- strings: NUL bytes (PostgreSQL text cannot hold them: DataError, a 500, unless refused
  earlier), a 5,000-character value, LIKE wildcards, quotes, non-BMP characters;
- integers: 0, -1, past 32 and 64 bits.

Each query parameter gets each value alone; each path parameter gets the integers (the other
path parameters point at one of alice's rows). The answer must not be a 5xx and its status
must be documented; a 4xx must carry the error shape of API.md.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from chantier.core.demo import DEMO_APPS
from tests.api import openapi
from tests.conftest import World

HOSTILE_STRINGS = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    "🏗️ chantier 𝔘",
    " ",
]
HOSTILE_INTEGERS = ["0", "-1", str(2**31), str(2**63), str(-(2**63) - 1), str(10**30)]

# Operations that take a query or path parameter (a body alone is the fuzzer's job).
_WITH_PARAMETERS = [
    (i, op)
    for i, op in enumerate(openapi.operations())
    if any(p.get("in") in ("query", "path") for p in op[2].get("parameters", []))
]
OPERATIONS = [op for _, op in _WITH_PARAMETERS]
IDS = [openapi.operation_ids()[i] for i, _ in _WITH_PARAMETERS]


def _parameters(operation: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if p.get("in") == where]


def _values(parameter: dict[str, Any]) -> list[str]:
    kind = openapi.resolve(parameter.get("schema", {})).get("type")
    return HOSTILE_INTEGERS + HOSTILE_STRINGS if kind == "integer" else HOSTILE_STRINGS


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_hostile_parameters(
    method: str, path: str, operation: dict[str, Any], world: World, alice_api: Any
) -> None:
    for app in DEMO_APPS:
        importlib.import_module(f"chantier.{app}.demo").load(world.company_a, world.alice)
    own = {}
    for name in openapi.path_parameters(path):
        model = openapi.model_for_parameter(name)
        row = (
            model.objects.filter(company=world.company_a).order_by("pk").first() if model else None
        )
        own[name] = row.pk if row else 1

    requests: list[tuple[str, str]] = []
    for parameter in _parameters(operation, "query"):
        for value in _values(parameter):
            query = urlencode({parameter["name"]: value})
            requests.append((f"{parameter['name']}={value[:20]!r}", f"{path}?{query}"))
    for parameter in _parameters(operation, "path"):
        for value in HOSTILE_INTEGERS:
            requests.append(
                (
                    f"{parameter['name']}={value}",
                    openapi.sample_path(path, {**own, parameter["name"]: value}),
                )
            )
    assert requests

    client = HttpClient(raise_request_exception=False)
    documented = set(operation.get("responses", {}))
    problems = []
    for label, url in requests:
        url = openapi.sample_path(url, own)
        response = client.generic(
            method,
            url,
            data="{}" if method in ("POST", "PUT", "PATCH") else "",
            content_type="application/json",
            headers=alice_api.headers,
        )
        status = response.status_code
        if status >= 500 or str(status) not in documented:
            problems.append(f"{method} {path} {label} → {status} {response.content[:120]!r}")
        elif status >= 400:
            body = response.json()
            if set(body) != {"detail", "errors"}:
                problems.append(
                    f"{method} {path} {label} → {status} without the error shape: {body}"
                )
    assert not problems, "\n".join(problems)
