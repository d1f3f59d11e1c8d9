"""Tenancy guards used by every view and API handler (DESIGN, convention 2).

`get_for_company` returns the object or raises Http404 for missing *and*
foreign objects, so another company's id is indistinguishable from no id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chantier.core.exceptions import PermissionDenied
from chantier.core.models import Company, Membership, User

M = TypeVar("M", bound=Model)


def company_of(user: User) -> Company:
    membership = membership_of(user)
    return membership.company


def membership_of(user: User) -> Membership:
    membership = getattr(user, "_membership_cache", None)
    if membership is None:
        try:
            membership = Membership.objects.select_related("company").get(user_id=user.pk)
        except Membership.DoesNotExist:
            raise Http404("no company") from None
        user._membership_cache = membership  # type: ignore[attr-defined]  # per-request memo
    return membership


def scoped(queryset: QuerySet[M], user: User) -> QuerySet[M]:
    return queryset.filter(company_id=membership_of(user).company_id)


def get_for_company(queryset: QuerySet[M], user: User, pk: object) -> M:
    try:
        return scoped(queryset, user).get(pk=int(str(pk)))
    except (ValueError, queryset.model.DoesNotExist):  # type: ignore[attr-defined]
        raise Http404("not found") from None


def require_writer(user: User) -> Membership:
    membership = membership_of(user)
    if not membership.can_write:
        raise PermissionDenied(_("Your role can read this but not change it."))
    return membership


def require_admin(user: User) -> Membership:
    membership = membership_of(user)
    if not membership.is_admin:
        raise PermissionDenied(_("Only an administrator can change this."))
    return membership


View = Callable[..., HttpResponse]


def _role_required(allowed: Callable[[Membership], bool], refusal: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404("no company")
            if not allowed(membership):
                raise DjangoPermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Page views that change data: read-only roles get the 403 page.
writer_required = _role_required(lambda m: m.can_write, "read-only role")
admin_required = _role_required(lambda m: m.is_admin, "administrator only")


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a request (login is enforced by middleware or token auth)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404("no user")
    return user
