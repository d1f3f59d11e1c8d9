"""Chantier settings: everything that varies comes from the environment.

See README.md for the variables; bad values stop the start-up (chantier.env).
"""

import os
from pathlib import Path

import dj_database_url

from chantier.env import (
    env_bool,
    env_database_url,
    env_email_url,
    env_int,
    env_list,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("CHANTIER_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
# The address clients reach, for links in emails built outside a request (quote acceptance).
PUBLIC_URL = env_str("PUBLIC_URL", "")

# Our apps first: their translations and templates win over Django's own.
INSTALLED_APPS = [
    "chantier.core",
    "chantier.parties",
    "chantier.catalogue",
    "chantier.quotes",
    "chantier.contracts",
    "chantier.works",
    "chantier.mail",
    "chantier.documents",
    "chantier.billing",
    "chantier.analysis",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger files itself (no CDN on offline machines)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chantier.core.middleware.LoginRequiredMiddleware",
    "chantier.core.middleware.CompanyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chantier.urls"
WSGI_APPLICATION = "chantier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "chantier" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chantier.core.context_processors.company",
            ],
            "builtins": ["django.templatetags.i18n", "chantier.core.templatetags.chantier"],
        },
    },
]

DATABASE_URL = env_database_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chantier.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web server and a worker share the file: wait for locks rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: threads and the live server then lock as in production,
    # where an in-memory shared-cache database fails with "table is locked" instead.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "chantier" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Off: with it, every integer printed in a template is grouped, ids included
# (id="line-11 022", ?client=1 299), which breaks links and htmx targets once ids pass
# 999. Amounts and quantities are grouped explicitly by the eur/qty/num filters.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "src" / "chantier" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# EMAIL_URL=smtp://host:port sends through that server; unset, every message is
# written as an .eml file under var/mail/ (see chantier.mail.backends).
EMAIL_OPTIONS = env_email_url("EMAIL_URL")
MAIL_DIR = VAR_DIR / "mail"
if EMAIL_OPTIONS is None:
    MAILERS = {
        "default": {
            "BACKEND": "chantier.mail.backends.EmlFileBackend",
            "OPTIONS": {"directory": str(MAIL_DIR)},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": EMAIL_OPTIONS,
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chantier@localhost")
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 5, minimum=1, maximum=50)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Expected 403/404 answers are not worth a traceback in the server log.
        "django.request": {"level": "ERROR"},
        "django_tasks_db": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
