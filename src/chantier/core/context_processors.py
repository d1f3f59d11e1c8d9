from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def company(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "company": getattr(request, "company", None),
        "membership": membership,
        "can_write": bool(membership and membership.can_write),
        "is_admin": bool(membership and membership.is_admin),
    }
