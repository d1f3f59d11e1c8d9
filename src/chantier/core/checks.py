"""System checks with stable ids for configuration a deployment gets wrong."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register("chantier")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        messages.append(
            Error(
                f"Unsupported database engine {engine}.",
                hint="Use SQLite or PostgreSQL.",
                id="chantier.E001",
            )
        )
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        messages.append(
            Error(
                "ALLOWED_HOSTS is empty while DEBUG is off.",
                hint="Set ALLOWED_HOSTS=host1,host2.",
                id="chantier.E002",
            )
        )
    if settings.SESSION_COOKIE_SECURE is False and any(
        h not in {"127.0.0.1", "localhost", "[::1]", "testserver"} for h in settings.ALLOWED_HOSTS
    ):
        messages.append(
            Warning(
                "Cookies are not marked secure while serving public hosts.",
                hint="Set SECURE_COOKIES=1 behind HTTPS.",
                id="chantier.W001",
            )
        )
    backend = str(settings.MAILERS["default"]["BACKEND"])
    if (
        backend.endswith("EmlFileBackend")
        and not settings.DEBUG
        and any(
            h not in {"127.0.0.1", "localhost", "[::1]", "testserver"}
            for h in settings.ALLOWED_HOSTS
        )
    ):
        messages.append(
            Warning(
                "Emails are written to files under var/mail/, not sent.",
                hint="Set EMAIL_URL=smtp://host:port.",
                id="chantier.W002",
            )
        )
    return messages
