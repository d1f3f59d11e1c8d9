"""Writes of the core app: companies, users, memberships, tokens, numbering, audit."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from chantier.core.exceptions import DomainError
from chantier.core.models import ApiToken, AuditEntry, Company, Membership, Role, Sequence, User


def audit_log(
    *,
    company: Company,
    user: User | None,
    action: str,
    obj: Any,
    data: dict[str, Any] | None = None,
) -> None:
    AuditEntry.objects.create(
        company=company,
        user=user,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", "")),
        data=data or {},
    )


@transaction.atomic
def company_get_or_create(*, name: str) -> tuple[Company, bool]:
    name = name.strip()
    if not name:
        raise DomainError("A company needs a name.", field="company")
    existing = Company.objects.filter(name=name).order_by("pk").first()
    if existing is not None:
        return existing, False
    return Company.objects.create(name=name), True


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_create(
    *,
    username: str,
    company: Company,
    role: str,
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user as a member of `company`; returns the user and its password."""
    if role not in Role.values:
        raise DomainError(
            f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.", field="role"
        )
    if User.objects.filter(username=username).exists():
        raise DomainError(f"The user {username!r} already exists.", field="username")
    password = password or generate_password()
    user = User.objects.create_user(username=username, email=email, password=password)
    Membership.objects.create(user=user, company=company, role=role)
    audit_log(company=company, user=None, action="user_create", obj=user, data={"role": role})
    return user, password


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "API") -> str:
    """Create a token for `user` and return it; only its digest is stored."""
    membership = Membership.objects.select_related("company").get(user=user)
    token = "ch_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        company=membership.company, user=user, name=name, prefix=token[:10], digest=_digest(token)
    )
    audit_log(company=membership.company, user=user, action="api_token_create", obj=user)
    return token


def api_token_user(token: str) -> User | None:
    found = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise DomainError("No such token.")


def format_number(pattern: str, *, year: int, seq: int) -> str:
    """Render a numbering pattern such as 'FA{YYYY}-{seq:05d}' (billing.md, Numbering)."""
    try:
        return (
            pattern.replace("{YYYY}", str(year))
            .replace("{YY}", f"{year % 100:02d}")
            .format(seq=seq)
        )
    except (KeyError, ValueError, IndexError) as exc:
        raise DomainError(f"Invalid numbering pattern {pattern!r}: {exc}", field="pattern") from exc


def sequence_next(*, company: Company, series: str, year: int) -> int:
    """Next number of a per-company, per-series, per-year sequence, with no gap.

    Must run inside the issuing transaction: the row lock is held until it
    commits, so a concurrent issue waits and gets the following number; a
    rollback gives the number back (DESIGN "Numbers", ADR 0002).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the issuing transaction")
    Sequence.objects.get_or_create(company=company, series=series, year=year)
    row = Sequence.objects.select_for_update().get(company=company, series=series, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


@transaction.atomic
def company_settings_update(*, user: User, company: Company, data: dict[str, Any]) -> Company:
    """Apply validated settings (CompanySettingsForm.cleaned_data); admin only."""
    from chantier.core.access import require_admin

    require_admin(user)
    locked = Company.objects.select_for_update().get(pk=company.pk)
    changed = []
    for name, value in data.items():
        if name == "logo" and value is None:
            continue
        if name == "logo" and value is False:  # "clear" ticked on the file input
            value = ""
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    locked.full_clean()
    locked.save()
    audit_log(
        company=locked,
        user=user,
        action="company_settings_update",
        obj=locked,
        data={"fields": changed},
    )
    return locked
