"""Writes on réserves (seed 002, "Gestion des réserves"): add, change, lift, reopen, delete.

Every write checks the acting user's role and company, writes an audit entry, and refuses
bad input with FieldErrors naming each faulty field (nothing written). A change, a lift and
a reopen carry the `lock_version` the user loaded: a stale one is refused (StaleEdit) and
nothing is written, so neither person's work is lost (DESIGN, concurrent edits).

Dates: a réserve is noted on a day that has come (not in the future); the day to lift it by
is not before it was noted; it is lifted on or after the day it was noted and not in the
future.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chantier.contracts.models import Contract
from chantier.core.access import require_writer
from chantier.core.deletion import delete_audited
from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.works.models import Reserve

Status = Reserve.Status
OPEN_STATUSES = (Status.IDENTIFIED, Status.IN_PROGRESS, Status.AWAITING_INSPECTION)
DESCRIPTION_MAX = 10_000
TEXT_FIELDS = ("title", "description", "location", "assigned_to")
LIMITS = {"title": 200, "location": 200, "assigned_to": 200}  # the models' max_length


class ReserveData(TypedDict, total=False):
    title: str
    description: str
    location: str
    noted_on: dt.date | None
    due_on: dt.date | None
    assigned_to: str
    status: str
    lifted_on: dt.date | None  # only to correct the date of a lifted réserve


# --- checks -------------------------------------------------------------------------------


def _error(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _text(errors: dict[str, list[str]], name: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        _error(errors, name, _("Null characters are not allowed."))
        return ""
    limit = DESCRIPTION_MAX if name == "description" else LIMITS[name]
    if limit and len(text) > limit:
        _error(errors, name, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def _date(errors: dict[str, list[str]], name: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        _error(errors, name, _("Enter a valid date."))
        return None
    return value


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _check(
    reserve: Reserve,
    errors: dict[str, list[str]],
    *,
    today: dt.date,
    order_field: str = "lifted_on",
) -> None:
    """The rules a réserve's values must meet together (module docstring). A lift date
    before the noted date is reported on `order_field`: the one the user just changed."""
    if not reserve.description:
        _error(errors, "description", _("Describe the réserve: what is wrong, and where."))
    noted = reserve.noted_on
    if noted is None:
        if "noted_on" not in errors:
            _error(errors, "noted_on", _("Enter the date the réserve was noted."))
    elif noted > today:
        _error(errors, "noted_on", _("A réserve cannot be noted in the future."))
    if noted and reserve.due_on and reserve.due_on < noted:
        _error(
            errors,
            "due_on",
            _("The date to lift it by is before the date it was noted (%(noted)s).")
            % {"noted": _day(noted)},
        )
    lifted = reserve.lifted_on
    if lifted is not None:
        if lifted > today:
            _error(errors, "lifted_on", _("A réserve cannot be lifted in the future."))
        elif noted and lifted < noted:
            _error(
                errors,
                order_field,
                _("A réserve cannot be lifted (%(lifted)s) before it was noted (%(noted)s).")
                % {"lifted": _day(lifted), "noted": _day(noted)},
            )


def _apply(reserve: Reserve, data: dict[str, Any], errors: dict[str, list[str]]) -> list[str]:
    """Set the given fields on `reserve` (unsaved); returns the names of those that changed."""
    changed: list[str] = []
    for name, value in data.items():
        if name in TEXT_FIELDS:
            value = _text(errors, name, value)
        elif name in ("noted_on", "due_on", "lifted_on"):
            value = _date(errors, name, value)
        elif name == "status":
            value = str(value or "")
            if value == Status.LIFTED and reserve.status != Status.LIFTED:
                _error(errors, "status", _("To lift a réserve, give the date it was lifted on."))
                continue
            if value != reserve.status and reserve.status == Status.LIFTED:
                _error(errors, "status", _("This réserve is lifted: reopen it first."))
                continue
            if value not in Status.values:
                _error(
                    errors,
                    "status",
                    _("Unknown status %(status)s; choose one of %(statuses)s.")
                    % {"status": value[:40], "statuses": ", ".join(s.value for s in OPEN_STATUSES)},
                )
                continue
        else:
            raise DomainError(_("Unknown field: %(name)s.") % {"name": name[:40]}, field=name)
        if name == "lifted_on" and reserve.lifted_on is None:
            _error(errors, "lifted_on", _("This réserve is open: lift it to give its date."))
            continue
        if name == "lifted_on" and value is None:
            _error(errors, "lifted_on", _("This réserve is lifted: reopen it to clear its date."))
            continue
        if getattr(reserve, name) != value:
            setattr(reserve, name, value)
            changed.append(name)
    return changed


def _lock(*, user: User, reserve: Reserve, lock_version: int | None) -> Reserve:
    """The réserve's row, locked until commit; another company's is unknown, a stale
    `lock_version` is refused (None skips the check: a caller that did not load it first)."""
    company = require_writer(user).company
    locked = (
        Reserve.objects.select_for_update()
        .select_related("contract")
        .filter(pk=reserve.pk, company=company)
        .first()
    )
    if locked is None:
        raise DomainError(_("Unknown réserve."), field="reserve")
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise StaleEdit(
            _(
                "Someone else changed this réserve since you opened it: your change was not "
                "saved. Compare with the saved version, then save again."
            )
        )
    return locked


def _save(reserve: Reserve, fields: list[str]) -> None:
    reserve.lock_version += 1
    reserve.save(update_fields=[*fields, "lock_version", "updated_at"])


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def reserve_create(*, user: User, contract: Contract, **data: Unpack[ReserveData]) -> Reserve:
    """Note a réserve on a contract (seed 002, "Ajouter une réserve"). It starts open, as
    identified unless another open status is given; `noted_on` defaults to today."""
    company = require_writer(user).company
    if contract.company_id != company.pk:
        raise DomainError(_("Unknown contract."), field="contract")
    values: dict[str, Any] = dict(data)
    if values.pop("lifted_on", None) is not None:
        raise DomainError(_("A new réserve is open: lift it once it is noted."), field="lifted_on")
    values.setdefault("noted_on", timezone.localdate())
    values.setdefault("status", Status.IDENTIFIED)
    reserve = Reserve(company=company, contract=contract, created_by=user)
    errors: dict[str, list[str]] = {}
    _apply(reserve, values, errors)
    _check(reserve, errors, today=timezone.localdate())
    if errors:
        raise FieldErrors(errors)
    reserve.save()
    audit_log(
        company=company,
        user=user,
        action="reserve_create",
        obj=reserve,
        data={"contract": contract.pk, "description": str(reserve)},
    )
    return reserve


@transaction.atomic
def reserve_update(
    *,
    user: User,
    reserve: Reserve,
    lock_version: int | None = None,
    **changes: Unpack[ReserveData],
) -> Reserve:
    """Change a réserve (seed 002, "Modifier ou actualiser une réserve"): its texts, dates,
    who lifts it, and its status among the open ones. Lifting and reopening are
    reserve_lift and reserve_reopen; on a lifted réserve `lifted_on` corrects the date."""
    locked = _lock(user=user, reserve=reserve, lock_version=lock_version)
    errors: dict[str, list[str]] = {}
    changed = _apply(locked, dict(changes), errors)
    moved_noted = "noted_on" in changed and "lifted_on" not in changed
    _check(
        locked,
        errors,
        today=timezone.localdate(),
        order_field="noted_on" if moved_noted else "lifted_on",
    )
    if errors:
        raise FieldErrors(errors)
    if changed:
        _save(locked, changed)
        audit_log(
            company=locked.company,
            user=user,
            action="reserve_update",
            obj=locked,
            data={"contract": locked.contract_id, "fields": changed},
        )
    _refresh(reserve, locked)
    return locked


@transaction.atomic
def reserve_lift(
    *, user: User, reserve: Reserve, lifted_on: dt.date | None, lock_version: int | None = None
) -> Reserve:
    """Record that the réserve is lifted (levée) on `lifted_on`: on or after the day it was
    noted, not in the future."""
    locked = _lock(user=user, reserve=reserve, lock_version=lock_version)
    if locked.lifted_on is not None:
        raise DomainError(
            _("This réserve was already lifted on %(date)s.") % {"date": _day(locked.lifted_on)}
        )
    errors: dict[str, list[str]] = {}
    day = _date(errors, "lifted_on", lifted_on)
    if day is None and not errors:
        _error(errors, "lifted_on", _("Enter the date the réserve was lifted."))
    if errors:
        raise FieldErrors(errors)
    locked.lifted_on = day
    locked.status = Status.LIFTED
    _check(locked, errors, today=timezone.localdate())
    if errors:
        raise FieldErrors(errors)
    _save(locked, ["lifted_on", "status"])
    audit_log(
        company=locked.company,
        user=user,
        action="reserve_lift",
        obj=locked,
        data={"contract": locked.contract_id, "lifted_on": str(day)},
    )
    _refresh(reserve, locked)
    return locked


@transaction.atomic
def reserve_reopen(*, user: User, reserve: Reserve, lock_version: int | None = None) -> Reserve:
    """Reopen a lifted réserve (the defect came back, or it was lifted by mistake): it is
    identified again, without a lift date."""
    locked = _lock(user=user, reserve=reserve, lock_version=lock_version)
    if locked.lifted_on is None:
        raise DomainError(_("This réserve is not lifted."))
    previous = locked.lifted_on
    locked.lifted_on = None
    locked.status = Status.IDENTIFIED
    _save(locked, ["lifted_on", "status"])
    audit_log(
        company=locked.company,
        user=user,
        action="reserve_reopen",
        obj=locked,
        data={"contract": locked.contract_id, "was_lifted_on": str(previous)},
    )
    _refresh(reserve, locked)
    return locked


@transaction.atomic
def reserve_delete(*, user: User, reserve: Reserve) -> None:
    """Delete a réserve (seed 002, "Supprimer une réserve", after a confirmation)."""
    locked = _lock(user=user, reserve=reserve, lock_version=None)
    delete_audited(
        user=user,
        company=locked.company,
        obj=locked,
        action="reserve_delete",
        data={"contract": locked.contract_id, "description": str(locked)},
    )


def _refresh(reserve: Reserve, saved: Reserve) -> None:
    """The caller's instance shows what was saved (pages and API answer from it)."""
    if reserve is not saved:
        for field in Reserve._meta.concrete_fields:
            setattr(reserve, field.attname, getattr(saved, field.attname))
