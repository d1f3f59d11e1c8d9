"""A hash of every business row, to assert that a refused request changed nothing."""

from __future__ import annotations

import hashlib

from django.apps import apps

IGNORED = {"sessions.session", "django_tasks_db.dbtaskresult", "core.apitoken", "admin.logentry"}


def db_fingerprint() -> dict[str, str]:
    prints = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED:
            continue
        rows = list(model.objects.order_by("pk").values_list())
        prints[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints
