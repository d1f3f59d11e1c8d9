"""Writes on a contract's scope (sections, lines), participants and interactions.

Scope writes lock the contract row, check the version the user loaded (a stale save is
refused and nothing is written), write, then set `base_net` to Σ of the line nets (text
lines count 0) and bump the version, all in one transaction. A line's net is always
round2(quantity × unit price), computed here, never taken from the browser.

Lines that joined the contract from a change order or a service order are changed through
a new order, never here; a line already billed (issue 5) cannot be deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils.translation import gettext as _

from chantier.contracts import scope_selectors
from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractSection,
    Participant,
    Pricing,
)
from chantier.contracts.services import line_sort_key, section_sort_key
from chantier.core.access import require_writer
from chantier.core.deletion import delete_audited
from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.core.models import User
from chantier.core.money import VAT_RATES, round2, round3, to_decimal
from chantier.core.services import audit_log
from chantier.parties import services as parties_services
from chantier.parties.models import Contact, Interaction

ZERO = Decimal("0.00")
NO_QUANTITY = Decimal("0.000")
MAX_DEPTH = 8
# Amounts are stored with 14 digits, 2 after the point.
MAX_AMOUNT = Decimal("999999999999.99")
PRICING_CHOICES = ("", *Pricing.values)


class SectionData(TypedDict, total=False):
    title: str
    start_date: dt.date | None
    end_date: dt.date | None
    comments: str


class LineData(TypedDict, total=False):
    kind: str
    reference: str
    description: str
    unit: str
    quantity: Any
    unit_price: Any
    vat_rate: Any
    pricing: str


class ParticipantData(TypedDict, total=False):
    name: str
    function: str
    email: str
    phone: str


class InteractionData(TypedDict, total=False):
    kind: str
    date: dt.datetime
    subject: str
    detail: str
    private: bool


# --- lock and totals ----------------------------------------------------------------------


def lock(*, user: User, contract: Contract, lock_version: int | None) -> Contract:
    """The contract row, locked until commit; a stale `lock_version` is refused.

    `lock_version` None skips the check (a caller that did not load the contract first).
    """
    company = require_writer(user).company
    locked = Contract.objects.select_for_update().filter(pk=contract.pk, company=company).first()
    if locked is None:
        raise DomainError(_("Unknown contract."), field="contract")
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise StaleEdit(
            _(
                "Someone else changed this contract since you opened it. Reload the page: "
                "your change was not saved."
            )
        )
    return locked


def _finish(locked: Contract, contract: Contract) -> None:
    """base_net = Σ line nets (text lines count 0), version + 1; the caller's copy follows."""
    total = (
        ContractLine.objects.filter(contract_id=locked.pk)
        .exclude(kind=ContractLine.Kind.TEXT)
        .aggregate(total=Sum("net"))["total"]
        or ZERO
    )
    Contract.objects.filter(pk=locked.pk).update(base_net=total, lock_version=F("lock_version") + 1)
    version = locked.lock_version + 1
    for obj in (locked, contract):
        obj.base_net = total
        obj.lock_version = version


# --- sections -----------------------------------------------------------------------------


def _clean_section(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Enter the section's name.")]
    elif len(title) > 250:
        errors["title"] = [_("The name is 250 characters at most.")]
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    if errors:
        raise FieldErrors(errors)
    return {
        "title": title,
        "start_date": start or None,
        "end_date": end or None,
        "comments": str(data.get("comments") or "").strip(),
    }


def _section_of(
    contract: Contract, section: ContractSection | int | None
) -> ContractSection | None:
    if section is None:
        return None
    pk = section if isinstance(section, int) else section.pk
    found = ContractSection.objects.filter(contract_id=contract.pk, pk=pk).first()
    if found is None:
        raise DomainError(_("This section is not part of the contract."), field="section")
    return found


@transaction.atomic
def section_create(
    *,
    user: User,
    contract: Contract,
    lock_version: int | None,
    parent: ContractSection | int | None = None,
    **data: Unpack[SectionData],
) -> ContractSection:
    """A new section at the end of `parent` (or of the contract), numbered after its siblings."""
    locked = lock(user=user, contract=contract, lock_version=lock_version)
    parent_row = _section_of(locked, parent)
    if parent_row is not None and parent_row.depth >= MAX_DEPTH:
        raise DomainError(
            _("Sections nest at most %(depth)d levels deep.") % {"depth": MAX_DEPTH},
            field="parent",
        )
    values = _clean_section(dict(data))
    siblings = ContractSection.objects.filter(contract_id=locked.pk, parent=parent_row)
    position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    section = ContractSection.objects.create(
        company_id=locked.company_id,
        contract=locked,
        parent=parent_row,
        position=position,
        number=f"{parent_row.number}.{position}" if parent_row else str(position),
        sort_key=section_sort_key(parent_row.sort_key if parent_row else "", position),
        **values,
    )
    _finish(locked, contract)
    audit_log(
        company=locked.company,
        user=user,
        action="contract_section_create",
        obj=section,
        data={"contract": locked.pk, "title": section.title},
    )
    return section


@transaction.atomic
def section_update(
    *,
    user: User,
    section: ContractSection,
    lock_version: int | None,
    **changes: Unpack[SectionData],
) -> ContractSection:
    locked = lock(user=user, contract=section.contract, lock_version=lock_version)
    row = _section_of(locked, section)
    assert row is not None
    current = {name: getattr(row, name) for name in SectionData.__annotations__}
    values = _clean_section({**current, **changes})
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=list(values))
    _finish(locked, section.contract)
    audit_log(
        company=locked.company,
        user=user,
        action="contract_section_update",
        obj=row,
        data={"contract": locked.pk, "fields": sorted(changes)},
    )
    return row


def section_deletion_refusal(section: ContractSection) -> str | None:
    """Why the section cannot be deleted (shown on the confirmation page), or None."""
    for line in scope_selectors.section_lines(section).select_related(
        "change_order", "service_order"
    ):
        if line.change_order_id or line.service_order_id:
            return _(
                "This section holds lines added by a change order or a service order: "
                "it cannot be deleted."
            )
        if scope_selectors.line_is_billed(line):
            return _("This section holds lines already billed: it cannot be deleted.")
    return None


@transaction.atomic
def section_delete(*, user: User, section: ContractSection, lock_version: int | None) -> None:
    """Delete a section with its lines and sub-sections (refused as section_deletion_refusal
    says, or while an order line amends one of its lines)."""
    locked = lock(user=user, contract=section.contract, lock_version=lock_version)
    row = _section_of(locked, section)
    assert row is not None
    refusal = section_deletion_refusal(row)
    if refusal:
        raise DomainError(refusal, field="section")
    delete_audited(
        user=user,
        company=locked.company,
        obj=row,
        action="contract_section_delete",
        data={"contract": locked.pk, "title": row.title, "number": row.number},
    )
    _finish(locked, section.contract)


# --- lines --------------------------------------------------------------------------------


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        errors[field] = [_("Enter a number.")]
        return None
    try:
        return to_decimal(value)
    except ValueError:
        errors[field] = [_("Enter a number.")]
        return None


def clean_line(data: dict[str, Any]) -> dict[str, Any]:
    """The stored values of a line, net computed; every faulty field refused at once.

    Refused: an unknown kind or pricing, an empty description, a quantity of zero (or
    negative outside a discount line), a negative price outside a discount line, a
    discount that would raise the total, a VAT rate that is not a French one.
    """
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ContractLine.Kind.ITEM
    if kind not in ContractLine.Kind.values:
        errors["kind"] = [_("Unknown line type.")]
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Enter the line's description.")]
    reference = str(data.get("reference") or "").strip()
    if len(reference) > 50:
        errors["reference"] = [_("The reference is 50 characters at most.")]
    unit = str(data.get("unit") or "").strip()
    if len(unit) > 20:
        errors["unit"] = [_("The unit is 20 characters at most.")]
    pricing = data.get("pricing") or ""
    if pricing not in PRICING_CHOICES:
        errors["pricing"] = [_("Unknown pricing.")]
    vat_rate = _decimal(data.get("vat_rate", "20.00"), "vat_rate", errors)
    if vat_rate is not None and vat_rate not in VAT_RATES:
        errors["vat_rate"] = [_("Unknown VAT rate; choose 20, 10, 5.5 or 0.")]
    values: dict[str, Any] = {
        "kind": kind,
        "reference": reference,
        "description": description,
        "unit": unit,
        "pricing": pricing,
        "vat_rate": round2(vat_rate) if vat_rate is not None else None,
    }
    if kind == ContractLine.Kind.TEXT:  # helps reading; no amount
        if errors:
            raise FieldErrors(errors)
        return {**values, "quantity": NO_QUANTITY, "unit_price": ZERO, "net": ZERO}
    quantity = _decimal(data.get("quantity"), "quantity", errors)
    unit_price = _decimal(data.get("unit_price"), "unit_price", errors)
    discount = kind == ContractLine.Kind.DISCOUNT
    if quantity is not None:
        quantity = round3(quantity)
        if quantity == 0 or (quantity < 0 and not discount):
            errors["quantity"] = [_("The quantity must be greater than zero.")]
    if unit_price is not None:
        unit_price = round2(unit_price)
        if unit_price < 0 and not discount:
            errors["unit_price"] = [
                _("The unit price cannot be negative (use a discount line to lower the total).")
            ]
    net = None
    if (
        quantity is not None
        and unit_price is not None
        and not errors.keys()
        & {
            "quantity",
            "unit_price",
        }
    ):
        net = round2(quantity * unit_price)
        if abs(net) > MAX_AMOUNT or abs(quantity) > MAX_AMOUNT or abs(unit_price) > MAX_AMOUNT:
            errors["quantity"] = [_("This amount is too large.")]
        elif discount and net > 0:
            errors["unit_price"] = [_("A discount line must lower the total.")]
    if errors:
        raise FieldErrors(errors)
    return {**values, "quantity": quantity, "unit_price": unit_price, "net": net}


def order_line_refusal(line: ContractLine) -> str | None:
    """Why a line from a change order or a service order cannot be changed here, or None."""
    if line.change_order_id:
        return _(
            "This line comes from change order no. %(number)s: it cannot be changed or deleted "
            "here; make a new change order instead."
        ) % {"number": line.change_order.number}  # type: ignore[union-attr]
    if line.service_order_id:
        return _(
            "This line comes from service order no. %(number)s: it cannot be changed or "
            "deleted here; make a new order instead."
        ) % {"number": line.service_order.number or "—"}  # type: ignore[union-attr]
    return None


def _refuse_order_line(line: ContractLine) -> None:
    refusal = order_line_refusal(line)
    if refusal:
        raise DomainError(refusal, field="line")


def line_deletion_refusal(line: ContractLine) -> str | None:
    """Why the line cannot be deleted (shown on the confirmation page), or None."""
    refusal = order_line_refusal(line)
    if refusal:
        return refusal
    if scope_selectors.line_is_billed(line):
        return _("This line is already billed: it cannot be deleted.")
    return None


def _split(line: ContractLine, net: Decimal) -> None:
    """Keep the labour/supply split of a line from a quote in proportion to its new net."""
    old = line.labour_net + line.supply_net
    if old == 0 or line.net == 0 or net == line.net:
        return
    line.labour_net = round2(line.labour_net * net / line.net)
    line.supply_net = net - line.labour_net


@transaction.atomic
def line_create(
    *,
    user: User,
    contract: Contract,
    lock_version: int | None,
    section: ContractSection | int | None = None,
    **data: Unpack[LineData],
) -> ContractLine:
    """A new line at the end of `section` (or outside any section)."""
    locked = lock(user=user, contract=contract, lock_version=lock_version)
    section_row = _section_of(locked, section)
    values = clean_line(dict(data))
    siblings = ContractLine.objects.filter(contract_id=locked.pk, section=section_row)
    position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    line = ContractLine.objects.create(
        company_id=locked.company_id,
        contract=locked,
        section=section_row,
        position=position,
        sort_key=line_sort_key(section_row.sort_key if section_row else "", position),
        **values,
    )
    _finish(locked, contract)
    audit_log(
        company=locked.company,
        user=user,
        action="contract_line_create",
        obj=line,
        data={"contract": locked.pk, "net": str(line.net)},
    )
    return line


@transaction.atomic
def line_update(
    *, user: User, line: ContractLine, lock_version: int | None, **changes: Unpack[LineData]
) -> ContractLine:
    locked = lock(user=user, contract=line.contract, lock_version=lock_version)
    row = (
        ContractLine.objects.select_related("change_order", "service_order")
        .filter(contract_id=locked.pk, pk=line.pk)
        .first()
    )
    if row is None:
        raise DomainError(_("This line is not part of the contract."), field="line")
    _refuse_order_line(row)
    current = {name: getattr(row, name) for name in LineData.__annotations__}
    values = clean_line({**current, **changes})
    if values["kind"] == ContractLine.Kind.TEXT:
        row.labour_net = row.supply_net = ZERO
    else:
        _split(row, values["net"])
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    _finish(locked, line.contract)
    audit_log(
        company=locked.company,
        user=user,
        action="contract_line_update",
        obj=row,
        data={"contract": locked.pk, "fields": sorted(changes), "net": str(row.net)},
    )
    return row


@transaction.atomic
def line_delete(*, user: User, line: ContractLine, lock_version: int | None) -> None:
    """Delete a line; refused for a line from an order, a billed one, or one an order amends."""
    locked = lock(user=user, contract=line.contract, lock_version=lock_version)
    row = (
        ContractLine.objects.select_related("change_order", "service_order")
        .filter(contract_id=locked.pk, pk=line.pk)
        .first()
    )
    if row is None:
        raise DomainError(_("This line is not part of the contract."), field="line")
    refusal = line_deletion_refusal(row)
    if refusal:
        raise DomainError(refusal, field="line")
    delete_audited(
        user=user,
        company=locked.company,
        obj=row,
        action="contract_line_delete",
        data={"contract": locked.pk, "description": str(row), "net": str(row.net)},
    )
    _finish(locked, line.contract)


# --- participants -------------------------------------------------------------------------


def _clean_participant(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = {name: str(data.get(name) or "").strip() for name in ParticipantData.__annotations__}
    if not values["name"]:
        errors["name"] = [_("Enter the participant's name.")]
    elif len(values["name"]) > 200:
        errors["name"] = [_("The name is 200 characters at most.")]
    if not values["function"]:
        errors["function"] = [_("Enter the participant's function.")]
    elif len(values["function"]) > 100:
        errors["function"] = [_("The function is 100 characters at most.")]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if len(values["phone"]) > 30:
        errors["phone"] = [_("The phone number is 30 characters at most.")]
    if errors:
        raise FieldErrors(errors)
    return values


@transaction.atomic
def participant_create(
    *,
    user: User,
    contract: Contract,
    contact: Contact | int | None = None,
    **data: Unpack[ParticipantData],
) -> Participant:
    """Add someone to the contract, typed by hand or picked from the client's or a supplier's
    contacts (the link is kept; the name, email and phone are copied and may be changed)."""
    company = require_writer(user).company
    if contract.company_id != company.pk:
        raise DomainError(_("Unknown contract."), field="contract")
    contact_row = None
    if contact is not None:
        contact_row = scope_selectors.get_contact(
            contract, contact if isinstance(contact, int) else contact.pk
        )
        if contact_row is None:
            raise DomainError(_("Unknown contact."), field="contact")
    values = _clean_participant(dict(data))
    last = Participant.objects.filter(contract_id=contract.pk).aggregate(last=Max("position"))
    participant = Participant.objects.create(
        company_id=company.pk,
        contract=contract,
        contact=contact_row,
        position=(last["last"] or 0) + 1,
        **values,
    )
    audit_log(
        company=company,
        user=user,
        action="participant_create",
        obj=participant,
        data={"contract": contract.pk, "name": participant.name},
    )
    return participant


@transaction.atomic
def participant_update(
    *, user: User, participant: Participant, **changes: Unpack[ParticipantData]
) -> Participant:
    company = require_writer(user).company
    row = Participant.objects.select_for_update().filter(pk=participant.pk, company=company).first()
    if row is None:
        raise DomainError(_("Unknown participant."), field="participant")
    current = {name: getattr(row, name) for name in ParticipantData.__annotations__}
    values = _clean_participant({**current, **changes})
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=list(values))
    audit_log(
        company=company,
        user=user,
        action="participant_update",
        obj=row,
        data={"contract": row.contract_id, "fields": sorted(changes)},
    )
    return row


@transaction.atomic
def participant_delete(*, user: User, participant: Participant) -> None:
    company = require_writer(user).company
    if participant.company_id != company.pk:
        raise DomainError(_("Unknown participant."), field="participant")
    delete_audited(
        user=user,
        company=company,
        obj=participant,
        action="participant_delete",
        data={"contract": participant.contract_id, "name": participant.name},
    )


# --- interactions -------------------------------------------------------------------------


@transaction.atomic
def interaction_create(
    *, user: User, contract: Contract, **data: Unpack[InteractionData]
) -> Interaction:
    """A note, call, visit... on the contract; it is on the contract's client's history too."""
    subject = str(data.get("subject") or "").strip()
    if not subject:
        raise DomainError(_("Enter the subject."), field="subject")
    return parties_services.interaction_create(
        user=user,
        client=contract.client,
        contract=contract,
        kind=data.get("kind") or Interaction.Kind.NOTE,
        subject=subject,
        detail=data.get("detail", ""),
        date=data.get("date"),
        private=bool(data.get("private", False)),
    )


def interaction_update(
    *, user: User, interaction: Interaction, **changes: Unpack[InteractionData]
) -> Interaction:
    if "subject" in changes and not str(changes["subject"] or "").strip():
        raise DomainError(_("Enter the subject."), field="subject")
    return parties_services.interaction_update(user=user, interaction=interaction, **changes)


def interaction_delete(*, user: User, interaction: Interaction) -> None:
    parties_services.interaction_delete(user=user, interaction=interaction)
