from __future__ import annotations

from django.db.models import QuerySet

from chantier.core.models import ApiToken, Membership, User


def api_tokens_for_user(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def members_of_company(company_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(company_id=company_id)
        .select_related("user")
        .order_by("user__username")
    )
