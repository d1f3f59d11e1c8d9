import pytest

from chantier import env


def test_bool_values(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(env.ConfigError, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_int_values(monkeypatch):
    monkeypatch.setenv("PORT", "80a")
    with pytest.raises(env.ConfigError, match="PORT"):
        env.env_int("PORT", 8000)
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(env.ConfigError, match="outside"):
        env.env_int("PORT", 8000, minimum=1, maximum=65535)


def test_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(env.ConfigError, match="unsupported scheme"):
        env.env_database_url("DATABASE_URL", "sqlite:///x")
    monkeypatch.delenv("DATABASE_URL")
    assert env.env_database_url("DATABASE_URL", "sqlite:///x") == "sqlite:///x"


def test_email_url(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env.env_email_url("EMAIL_URL") is None
    monkeypatch.setenv("EMAIL_URL", "smtp://mail.example:2525?tls=1")
    assert env.env_email_url("EMAIL_URL") == {
        "host": "mail.example",
        "port": 2525,
        "timeout": 10,
        "use_tls": True,
    }
    monkeypatch.setenv("EMAIL_URL", "smtp://u:p@mail.example")
    assert env.env_email_url("EMAIL_URL")["username"] == "u"
    monkeypatch.setenv("EMAIL_URL", "http://mail.example")
    with pytest.raises(env.ConfigError):
        env.env_email_url("EMAIL_URL")
    monkeypatch.setenv("EMAIL_URL", "smtp://mail.example:abc")
    with pytest.raises(env.ConfigError, match="port"):
        env.env_email_url("EMAIL_URL")


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert first == env.secret_key(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(env.ConfigError):
        env.secret_key(tmp_path)


def test_bad_settings_stop_the_start_up(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "chantier.cli", "check"],
        env={**os.environ, "DEBUG": "perhaps", "CHANTIER_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr
