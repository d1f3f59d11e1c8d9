"""Typed readers of environment variables that fail loudly on bad values.

Settings must never silently fall back when a value is present but wrong:
a typo in DEBUG or PORT should stop the start-up with a message naming it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A configuration value from the environment is invalid."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_database_url(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"{name}={raw!r}: unsupported scheme {scheme!r} "
            "(use sqlite:///path/to/db.sqlite3 or postgres://user:pass@host:5432/name)"
        )
    return raw


def env_email_url(name: str) -> dict[str, object] | None:
    """Parse EMAIL_URL (smtp://[user:pass@]host:port[?tls=1|ssl=1]); None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ConfigError(f"{name}={raw!r}: scheme must be smtp:// or smtps://")
    if not parts.hostname:
        raise ConfigError(f"{name}={raw!r}: a host is required (smtp://host:port)")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: the port is not a number") from None
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    options: dict[str, object] = {"host": parts.hostname, "port": port, "timeout": 10}
    if parts.username:
        options["username"] = parts.username
        options["password"] = parts.password or ""
    if parts.scheme == "smtps" or query.get("ssl") in _TRUE:
        options["use_ssl"] = True
    elif query.get("tls") in _TRUE:
        options["use_tls"] = True
    return options


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/.

    Keeping it in var/ lets `make run` work with no set-up while sessions
    survive a restart; production sets SECRET_KEY explicitly.
    """
    raw = os.environ.get("SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return raw
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
