"""Attach the user's company and membership to each request (tenancy)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpRequest, HttpResponse

from chantier.core.models import Membership


class CompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership: Membership | None = None
        if request.user.is_authenticated:
            membership = (
                Membership.objects.select_related("company").filter(user_id=request.user.pk).first()
            )
            # access.membership_of() reads this memo instead of querying again.
            request.user._membership_cache = membership  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]  # per-request tenant
        request.company = membership.company if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Django's login requirement, except for the API (token auth of its own)."""

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
