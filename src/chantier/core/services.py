"""Writes of the core app: companies, users, memberships, tokens, numbering, audit."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
        raise DomainError(_("A company needs a name."), field="company")
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
            _("Unknown role %(role)s; choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )
    if User.objects.filter(username=username).exists():
        raise DomainError(
            _("The user %(name)s already exists.") % {"name": username}, field="username"
        )
    if (
        role != Role.ADMIN
        and not Membership.objects.filter(company=company, role=Role.ADMIN).exists()
    ):
        raise DomainError(
            _("%(company)s has no administrator yet: its first user must be one (--role admin).")
            % {"company": company.name},
            field="role",
        )
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
    deleted, _by_model = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise DomainError(_("No such token."))


# Literal text with {YYYY}, {YY} and exactly one {seq} or {seq:0Nd} (N ≤ 10). Checked by a
# whitelist, never by str.format on user text ({seq.__class__}, {seq:>999999999}).
_PATTERN_TOKEN = re.compile(r"\{(YYYY|YY|seq|seq:0([1-9]|10)d)\}")
_PATTERN_TEXT = re.compile(r"[^{}]*")


def check_number_pattern(pattern: str) -> None:
    """Raise DomainError unless `pattern` is a valid numbering pattern."""
    tokens = _PATTERN_TOKEN.findall(pattern)
    literal = _PATTERN_TOKEN.sub("", pattern)
    if len(pattern) > 40 or not _PATTERN_TEXT.fullmatch(literal):
        raise DomainError(
            _(
                "Invalid numbering pattern %(pattern)s: use text with {YYYY}, {YY} and {seq} or "
                "{seq:05d}."
            )
            % {"pattern": pattern},
            field="pattern",
        )
    if sum(1 for token, _width in tokens if token.startswith("seq")) != 1:
        raise DomainError(_("The pattern must contain {seq} once."), field="pattern")


def format_number(pattern: str, *, year: int, seq: int) -> str:
    """Render a numbering pattern such as 'FA{YYYY}-{seq:05d}' (billing.md, Numbering)."""
    check_number_pattern(pattern)

    def token(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "YYYY":
            return str(year)
        if name == "YY":
            return f"{year % 100:02d}"
        return f"{seq:0{width}d}" if width else str(seq)

    return _PATTERN_TOKEN.sub(token, pattern)


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
