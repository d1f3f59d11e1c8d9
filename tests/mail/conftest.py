"""Mail fixtures: a client of company A with an email, a real SMTP peer (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from chantier.core.models import Company
from chantier.parties.models import Client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The world fixture hashes three passwords; PBKDF2 makes that ~1.5 s a test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def free_port() -> int:
    # aiosmtpd's Controller cannot take port=0 here (STACK-NOTES): pick one first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def smtp_mailer(port: int) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_peer(settings: Any) -> Any:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings: Any) -> None:
    """MAILERS pointing at a port where nothing listens (connection refused)."""
    settings.MAILERS = smtp_mailer(free_port())


@pytest.fixture
def mail_world(world: Any) -> Any:
    """alice and company A have addresses (they go in copy); A has a client with an email."""
    Company.objects.filter(pk=world.company_a.pk).update(email="contact@alpha.example")
    world.company_a.refresh_from_db()
    world.alice.email = "alice@alpha.example"
    world.alice.first_name, world.alice.last_name = "Alice", "Martin"
    world.alice.save()
    world.client_a = Client.objects.create(
        company=world.company_a,
        name="Mme Dupont",
        kind=Client.Kind.INDIVIDUAL,
        email="dupont@client.example",
    )
    world.client_b = Client.objects.create(
        company=world.company_b, name="SCI Bravo", email="sci@bravo.example"
    )
    return world
