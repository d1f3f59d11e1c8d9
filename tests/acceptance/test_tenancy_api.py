"""Every API route on one company's object is a 404 for another company's token, and a
read-only token writes nothing. Routes come from the live OpenAPI schema, ids from the
list endpoint in front of each `{param}`, so new routes are covered automatically."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from chantier.core.services import api_token_create

from .fingerprint import db_fingerprint

# A templated path whose ids do not come from the list endpoint before its `{param}`.
ID_SOURCES: dict[str, str] = {}


class Api:
    def __init__(self, user) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_create(user=user)}"}

    def call(self, method: str, path: str, body: object | None = None):
        kwargs = {"headers": self.headers}
        if method in ("post", "put", "patch"):
            kwargs["data"] = json.dumps(body if body is not None else {})
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)("/api/v1" + path, **kwargs)


def operations(api: Api) -> list[tuple[str, str]]:
    schema = api.call("get", "/openapi.json").json()
    return [
        (method, path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def ids_for(api: Api, templated: str) -> list[int]:
    source = ID_SOURCES.get(templated) or templated.split("/{")[0]
    response = api.call("get", source + "?page_size=5")
    if response.status_code != 200:
        return []
    items = response.json().get("items", [])
    return [item["id"] for item in items if "id" in item]


def concrete_paths(owner: Api) -> list[tuple[str, str, str]]:
    found = []
    for method, path in operations(owner):
        if "{" not in path:
            continue
        ids = ids_for(owner, path)
        if ids:
            found.append((method, path, re.sub(r"\{[^}]+\}", str(ids[0]), path)))
        else:
            found.append((method, path, ""))
    return found


@pytest.fixture
def apis(demo_world):
    return Api(demo_world.owner), Api(demo_world.reader), Api(demo_world.outsider)


def test_every_object_route_has_demo_ids(apis):
    owner, _, _ = apis
    missing = [f"{m.upper()} {p}" for m, p, url in concrete_paths(owner) if not url]
    assert not missing, f"No demo object found for: {missing} (add an ID_SOURCES entry?)"


def test_another_company_gets_404_on_every_object_route(apis):
    owner, _, outsider = apis
    before = db_fingerprint()
    leaks = []
    for method, _template, url in concrete_paths(owner):
        if not url:
            continue
        response = outsider.call(method, url)
        # A body that fails validation is refused before the lookup (422): no data either.
        allowed = {404} if method in ("get", "delete") else {404, 422}
        if response.status_code not in allowed:
            leaks.append(f"{method.upper()} {url} -> {response.status_code}")
        assert response.json().get("detail"), f"{method} {url}: error shape"
    assert not leaks, "Foreign objects reachable:\n" + "\n".join(leaks)
    assert db_fingerprint() == before


def test_read_only_token_writes_nothing(apis):
    owner, reader, _ = apis
    before = db_fingerprint()
    written = []
    for method, path in operations(owner):
        if method == "get":
            continue
        if "{" in path:
            ids = ids_for(owner, path)
            if not ids:
                continue
            path = re.sub(r"\{[^}]+\}", str(ids[0]), path)
        response = reader.call(method, path)
        if response.status_code not in (403, 422):
            written.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not written, "\n".join(written)
    assert db_fingerprint() == before
