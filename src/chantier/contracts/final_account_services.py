"""Writes of the final account: the dates of the DGD procedure recorded on the contract.

The deadlines themselves are computed, never stored (final_account_timeline.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chantier.contracts.models import Contract
from chantier.contracts.services import _lock_contract
from chantier.core.exceptions import DomainError, FieldErrors
from chantier.core.models import User
from chantier.core.services import audit_log

# The dates of the procedure, in its order (french-rules §8.1).
DATE_FIELDS = (
    "final_statement_sent_date",
    "final_statement_moe_received_date",
    "final_statement_moa_received_date",
    "general_statement_notified_date",
    "general_statement_returned_date",
    "draft_general_statement_received_date",
)
FIELDS = (*DATE_FIELDS, "nf_p03_001")
RECEIPT_FIELDS = ("final_statement_moe_received_date", "final_statement_moa_received_date")


def _short(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _clean_date(value: Any, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a valid date."))
        return None


def check_dates(
    values: dict[str, Any], handover: dt.date | None, today: dt.date | None = None
) -> dict[str, list[str]]:
    """The rules on the recorded dates (every faulty field reported):

    - no date without the handover date, none before it (every delay runs from it), none
      after today (these are events that happened);
    - the contractor's signed draft general statement (tacit DGD) needs the final statement
      sent first: no tacit DGD without a final statement (french-rules §8.1);
    - the final statement is received on or after the day it was sent;
    - the signed general statement is returned after it was notified, on or after that day.
    """
    errors: dict[str, list[str]] = {}
    for name in DATE_FIELDS:
        day = values.get(name)
        if day is None:
            continue
        if handover is None:
            errors.setdefault(name, []).append(
                _("Record the handover date of the contract first: every delay runs from it.")
            )
        elif day < handover:
            errors.setdefault(name, []).append(
                _("This date is before the handover (%(date)s).") % {"date": _short(handover)}
            )
        elif day > (today or timezone.localdate()):
            errors.setdefault(name, []).append(
                _("This date is in the future: record an event once it has happened.")
            )
    sent = values.get("final_statement_sent_date")
    draft = "draft_general_statement_received_date"
    delivered = sent or any(values.get(name) for name in RECEIPT_FIELDS)
    if values.get(draft) and not delivered and draft not in errors:
        errors.setdefault(draft, []).append(
            _(
                "Record the date the final statement was sent first: there is no tacit "
                "general statement without a final statement."
            )
        )
    for name in RECEIPT_FIELDS:
        received = values.get(name)
        if sent and received and received < sent and name not in errors:
            errors.setdefault(name, []).append(
                _("The final statement cannot be received before it was sent (%(date)s).")
                % {"date": _short(sent)}
            )
    notified = values.get("general_statement_notified_date")
    returned = values.get("general_statement_returned_date")
    if returned and "general_statement_returned_date" not in errors:
        if notified is None:
            errors.setdefault("general_statement_returned_date", []).append(
                _("Record the date the general statement was notified first.")
            )
        elif returned < notified:
            errors.setdefault("general_statement_returned_date", []).append(
                _(
                    "The signed general statement cannot be returned before it was "
                    "notified (%(date)s)."
                )
                % {"date": _short(notified)}
            )
    return errors


@transaction.atomic
def contract_final_account_record(
    *,
    user: User,
    contract: Contract,
    data: dict[str, Any],
    lock_version: int | None = None,
) -> Contract:
    """Record the dates of the final account (and whether NF P03-001 applies).

    `data` holds only the fields to change (a key with None clears that date). The row is
    locked and its version checked (StaleEdit); every faulty field is reported at once
    (FieldErrors) and nothing is written; writers only. An audit entry lists the changed
    fields with their new values.
    """
    locked = _lock_contract(user=user, contract=contract, lock_version=lock_version)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {name: getattr(locked, name) for name in FIELDS}
    for name, value in data.items():
        if name not in FIELDS:
            raise DomainError(_("Unknown field: %(name)s.") % {"name": name}, field=name)
        if name == "nf_p03_001":
            values[name] = bool(value)
        else:
            values[name] = _clean_date(value, name, errors)
    for name, messages in check_dates(values, locked.handover_date).items():
        if name not in errors:
            errors[name] = messages
    if errors:
        raise FieldErrors(errors)
    changed = [name for name in FIELDS if getattr(locked, name) != values[name]]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked.lock_version += 1
        locked.save(update_fields=[*changed, "lock_version", "updated_at"])
        audit_log(
            company=locked.company,
            user=user,
            action="contract_final_account_record",
            obj=locked,
            data={
                name: (
                    values[name].isoformat() if isinstance(values[name], dt.date) else values[name]
                )
                for name in changed
            },
        )
    contract.lock_version = locked.lock_version
    for name in FIELDS:
        setattr(contract, name, getattr(locked, name))
    return locked
