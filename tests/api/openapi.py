"""The OpenAPI document of /api/v1, as the application serves it, for collection-time parametrizing.

Fetched with Django's test client at import (no database needed: the document is public and
LoginRequiredMiddleware lets /api/ through), so each operation becomes its own pytest item and
a new endpoint is picked up without touching the tests.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.test import Client as HttpClient

OPENAPI_URL = "/api/v1/openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ERROR_STATUSES = ("400", "401", "403", "404", "422")


@functools.cache
def document() -> dict[str, Any]:
    response = HttpClient().get(OPENAPI_URL)
    assert response.status_code == 200, f"{OPENAPI_URL} answered {response.status_code}"
    return response.json()


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation object) for every operation of the document."""
    return [
        (method.upper(), path, operation)
        for path, item in document().get("paths", {}).items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def operation_ids() -> list[str]:
    return [f"{method} {path}" for method, path, _ in operations()]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s (`#/components/...`) until a concrete schema."""
    seen = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), f"non-local $ref {ref}"
        assert ref not in seen, f"$ref cycle at {ref}"
        seen.add(ref)
        node: Any = document()
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def sample_path(path: str, values: dict[str, Any] | None = None) -> str:
    """The path with each `{param}` replaced by values[param], else 1."""
    values = values or {}
    return re.sub(r"\{([^}]+)\}", lambda m: str(values.get(m[1], 1)), path)


def path_parameters(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


def model_for_parameter(parameter: str) -> Any:
    """`change_order_id` → the chantier model ChangeOrder (one with a `company`), else None."""
    from django.apps import apps

    if not parameter.endswith("_id"):
        return None
    wanted = parameter[: -len("_id")]
    for model in apps.get_models():
        if (
            model.__module__.startswith("chantier.")
            and re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower() == wanted
            and any(f.name == "company" for f in model._meta.get_fields())
        ):
            return model
    return None
