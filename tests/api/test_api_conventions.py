"""The conventions of shared/API.md, checked on the OpenAPI document and on the wire.

Every operation of /api/v1 (picked up from the served document, one test item each):
- requires the bearer token (no anonymous alternative);
- declares 400/401/403/404/422 with the error shape {detail, errors: [{field, message}]};
- answers 401 with that shape without a token and with a bad token;
- keeps decimals as strings (no JSON `number` anywhere) and wraps lists in {items, count}.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from tests.api import openapi
from tests.conftest import ApiClient, World

OPERATIONS = openapi.operations()
IDS = openapi.operation_ids()
NO_OPERATION_YET = "the API has no operation yet"


def _security_schemes() -> dict[str, Any]:
    return openapi.document().get("components", {}).get("securitySchemes", {})


def _assert_error_schema(schema: dict[str, Any], where: str) -> None:
    """{detail: str (required), errors: [{field: str|null, message: str (required)}]}."""
    schema = openapi.resolve(schema)
    assert schema.get("type") == "object", f"{where}: not an object: {schema}"
    props = schema.get("properties", {})
    assert set(props) >= {"detail", "errors"}, f"{where}: properties {sorted(props)}"
    assert "detail" in schema.get("required", []), f"{where}: detail not required"
    assert openapi.resolve(props["detail"]).get("type") == "string", f"{where}: detail"
    errors = openapi.resolve(props["errors"])
    assert errors.get("type") == "array", f"{where}: errors is not an array: {errors}"
    item = openapi.resolve(errors["items"])
    assert set(item.get("properties", {})) >= {"field", "message"}, f"{where}: error item {item}"
    assert "message" in item.get("required", []), f"{where}: message not required"


def _assert_error_body(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["errors"], list), body
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, body
        assert isinstance(error["message"], str), body
    return body


def _walk(node: Any, trail: str = "") -> Any:
    """Every (trail, schema-like dict) of a JSON tree."""
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from _walk(value, f"{trail}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{trail}/{i}")


# --- the document -----------------------------------------------------------------------


def test_document_is_openapi_3_with_the_api_title() -> None:
    doc = openapi.document()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Chantier API"
    assert doc["info"]["version"] == "1"
    for path in doc.get("paths", {}):
        assert path.startswith("/api/v1/"), path


def test_bearer_is_the_only_security_scheme() -> None:
    assert OPERATIONS, NO_OPERATION_YET
    schemes = _security_schemes()
    assert schemes, "no securitySchemes in the document"
    for name, scheme in schemes.items():
        assert scheme == {"type": "http", "scheme": "bearer"}, (name, scheme)


def test_operation_ids_are_unique() -> None:
    ids = [op.get("operationId") for _, _, op in OPERATIONS]
    assert all(ids), "an operation has no operationId"
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_no_json_number_anywhere() -> None:
    """API.md: decimals are JSON strings with fixed places; a float type is a bug."""
    floats = [
        trail
        for trail, node in _walk(openapi.document())
        if node.get("type") == "number"
        or (isinstance(node.get("type"), list) and "number" in node["type"])
    ]
    assert floats == []


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_operation_requires_the_bearer_token(method: str, path: str, operation: dict) -> None:
    security = operation.get("security")
    assert security, f"{method} {path} declares no security: anonymous access"
    schemes = _security_schemes()
    for requirement in security:
        assert requirement, f"{method} {path}: an empty requirement makes the token optional"
        for name in requirement:
            assert schemes.get(name, {}).get("scheme") == "bearer", (name, schemes.get(name))


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_operation_declares_the_error_responses(method: str, path: str, operation: dict) -> None:
    responses = operation.get("responses", {})
    missing = [code for code in openapi.ERROR_STATUSES if code not in responses]
    assert missing == [], f"{method} {path} does not declare {missing}"
    for code in openapi.ERROR_STATUSES:
        content = responses[code].get("content", {})
        assert "application/json" in content, f"{method} {path} {code}: {sorted(content)}"
        _assert_error_schema(content["application/json"]["schema"], f"{method} {path} {code}")


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_lists_are_paginated_objects(method: str, path: str, operation: dict) -> None:
    """API.md: lists answer {items, count}, never a bare JSON array."""
    for code, response in operation.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        for media, content in response.get("content", {}).items():
            schema = openapi.resolve(content.get("schema", {}))
            assert schema.get("type") != "array", f"{method} {path} {code} {media}: bare array"
            if "items" in schema.get("properties", {}):
                assert "count" in schema["properties"], f"{method} {path}: items without count"


# --- on the wire ------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_without_token_401(method: str, path: str, operation: dict, world: World) -> None:
    response = HttpClient().generic(method, openapi.sample_path(path))
    assert response.status_code == 401, (response.status_code, response.content[:300])
    _assert_error_body(response)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_bad_token_401(method: str, path: str, operation: dict, world: World) -> None:
    response = HttpClient().generic(
        method, openapi.sample_path(path), headers={"Authorization": "Bearer ch_not-a-token"}
    )
    assert response.status_code == 401, (response.status_code, response.content[:300])
    _assert_error_body(response)


OBJECT_OPERATIONS = [
    (method, path, op)
    for method, path, op in OPERATIONS
    if any(openapi.model_for_parameter(p) for p in openapi.path_parameters(path))
]


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OBJECT_OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in OBJECT_OPERATIONS],
)
def test_another_companys_object_is_404(
    method: str, path: str, operation: dict, world: World, alice_api: ApiClient
) -> None:
    """API.md: another company's object is a 404 (never 403: its existence is not told)."""
    import importlib

    from chantier.core.demo import DEMO_APPS

    for app in DEMO_APPS:
        importlib.import_module(f"chantier.{app}.demo").load(world.company_b, world.charlie)
    values, rows = {}, []
    for parameter in openapi.path_parameters(path):
        model = openapi.model_for_parameter(parameter)
        foreign = (
            model.objects.filter(company=world.company_b).order_by("pk").first() if model else None
        )
        assert model is None or foreign is not None, (
            f"the demo data of company B has no {model.__name__}: add one to its demo.py"
        )
        if foreign is not None:
            values[parameter] = foreign.pk
            rows.append(foreign)
    response = alice_api.http.generic(
        method,
        openapi.sample_path(path, values),
        data="{}" if method in ("POST", "PUT", "PATCH") else "",
        content_type="application/json",
        headers=alice_api.headers,
    )
    # 422: the body was refused before the handler ran; anything else must be the 404.
    assert response.status_code in (404, 422), (response.status_code, response.content[:300])
    _assert_error_body(response)
    for row in rows:
        assert type(row).objects.filter(pk=row.pk).exists(), f"{row!r} was deleted"


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic YWxpY2U6cGFzc3dvcmQ=", "Token abc", "bearer ch_nope"],
    ids=["empty", "scheme-only", "scheme-space", "basic", "other-scheme", "lowercase-bad"],
)
def test_client_list_refuses_malformed_authorization(authorization: str, world: World) -> None:
    response = HttpClient().get("/api/v1/clients", headers={"Authorization": authorization})
    assert response.status_code == 401, (response.status_code, response.content[:300])
    _assert_error_body(response)


def test_client_list_without_token_401(world: World) -> None:
    """The resource every workflow starts with (API.md), checked even before it is in the doc."""
    response = HttpClient().get("/api/v1/clients")
    assert response.status_code == 401, (response.status_code, response.content[:300])
    body = _assert_error_body(response)
    assert body["errors"] == []


def test_revoked_token_401(world: World) -> None:
    from chantier.core import services
    from chantier.core.models import ApiToken

    token = services.api_token_create(user=world.alice)
    api = ApiClient(token)
    assert api.get("/clients").status_code == 200
    services.api_token_revoke(user=world.alice, token_id=ApiToken.objects.get(user=world.alice).pk)
    response = api.get("/clients")
    assert response.status_code == 401
    _assert_error_body(response)


def test_inactive_user_token_401(world: World) -> None:
    from chantier.core import services

    api = ApiClient(services.api_token_create(user=world.alice))
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    response = api.get("/clients")
    assert response.status_code == 401
    _assert_error_body(response)


def test_unknown_path_is_a_json_404(alice_api: ApiClient) -> None:
    response = alice_api.get("/no-such-resource/1")
    assert response.status_code == 404


def test_docs_render(world: World) -> None:
    """/api/v1/docs: the Swagger page, reachable without logging in, pointing at the schema."""
    response = HttpClient().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert openapi.OPENAPI_URL in html
    assert "<title>Chantier API</title>" in html


def test_openapi_json_is_public_json(world: World) -> None:
    response = HttpClient().get(openapi.OPENAPI_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
