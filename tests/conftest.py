"""The shared world: alice (admin of A), bob (read-only member of A), charlie (admin of B)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from chantier.core import services
from chantier.core.models import Company, Role, User

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    company_a: Company
    company_b: Company
    alice: User
    bob: User
    charlie: User


@pytest.fixture
def world(db: Any) -> World:
    company_a = Company.objects.create(name="Alpha Bâtiment")
    company_b = Company.objects.create(name="Bravo Rénovation")
    alice, _ = services.user_create(
        username="alice", company=company_a, role=Role.ADMIN, password=PASSWORD
    )
    bob, _ = services.user_create(
        username="bob", company=company_a, role=Role.ACCOUNTANT, password=PASSWORD
    )
    charlie, _ = services.user_create(
        username="charlie", company=company_b, role=Role.ADMIN, password=PASSWORD
    )
    return World(company_a, company_b, alice, bob, charlie)


def _logged_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(world: World) -> HttpClient:
    return _logged_in(world.alice)


@pytest.fixture
def bob_client(world: World) -> HttpClient:
    return _logged_in(world.bob)


@pytest.fixture
def charlie_client(world: World) -> HttpClient:
    return _logged_in(world.charlie)


class ApiClient:
    """Calls /api/v1 with a bearer token, JSON in and out."""

    def __init__(self, token: str) -> None:
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        url = "/api/v1" + path
        kwargs: dict[str, Any] = {"headers": self.headers, **extra}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.http, method)(url, **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self._call("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._call("post", path, body, **extra)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._call("put", path, body)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


@pytest.fixture
def alice_api(world: World) -> ApiClient:
    return ApiClient(services.api_token_create(user=world.alice))


@pytest.fixture
def bob_api(world: World) -> ApiClient:
    return ApiClient(services.api_token_create(user=world.bob))


@pytest.fixture
def charlie_api(world: World) -> ApiClient:
    return ApiClient(services.api_token_create(user=world.charlie))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded files and generated mail go to a per-test folder; passwords hash fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MAIL_DIR = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "chantier.mail.backends.EmlFileBackend",
            "OPTIONS": {"directory": str(tmp_path / "mail")},
        }
    }
