"""Writes on change orders (avenants, FTM) of a contract (issue 4, billing.md "Contract base").

A change order is numbered at creation (Avenant n°1, 2, … per contract, from
Contract.last_change_order_number bumped under the contract's row lock: never reused, even
when a draft is deleted). Its lines either add work or change an existing contract line
(order_models docstring): a quantity change is Δquantity × that line's price, a price change
is that line's quantity × Δprice; every line net is round2(quantity × unit_price), signed,
and ChangeOrder.net = Σ line nets.

Workflow: draft → submitted → approved / rejected. Only a draft is edited (with its
lock_version: a stale save is refused). Approving turns each line into a ContractLine and
adds the change order's net to Contract.base_net, in one transaction (french-rules §1.1:
the billing base is the contract plus its approved modifications); a negative change order
lowers the base. Rejected and draft ones never touch the base.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.contracts.models import (
    ChangeOrder,
    ChangeOrderLine,
    Contract,
    ContractLine,
    ContractSection,
)
from chantier.contracts.services import line_sort_key
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.core.models import User
from chantier.core.money import VAT_RATES, round2, round3, to_decimal
from chantier.core.services import audit_log

ZERO = Decimal("0.00")
NO_QUANTITY = Decimal("0.000")
MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 places
TITLE_MAX = 250
Status = ChangeOrder.Status

# What a line needs, as given by a form or the API (numbers as text or Decimal):
# {description, unit, quantity, unit_price, vat_rate, section_id?, amends_line_id?}
LineInput = Mapping[str, Any]


# Reading the input -------------------------------------------------------------------------


def _number(value: Any, field: str, errors: dict[str, list[str]], places: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        number = to_decimal(value)
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    rounded = round2(number) if places == 2 else round3(number)
    if abs(rounded) > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("This number is too large."))
        return None
    return rounded


def _vat_rate(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    rate = _number(value, field, errors, 2)
    if rate is not None and rate not in VAT_RATES:
        errors.setdefault(field, []).append(_("Unknown VAT rate; choose 20, 10, 5.5 or 0."))
        return None
    return rate


def _quantity_changes(line_ids: Iterable[int]) -> dict[int, Decimal]:
    """Σ quantities already added to each line by approved quantity changes (the lines that
    amend it at its own price)."""
    totals: dict[int, Decimal] = defaultdict(lambda: NO_QUANTITY)
    rows = (
        ContractLine.objects.filter(
            amends_id__in=list(line_ids), unit_price=F("amends__unit_price")
        )
        .values("amends_id")
        .annotate(total=Sum("quantity"))
    )
    for row in rows:
        totals[row["amends_id"]] = row["total"] or NO_QUANTITY
    return totals


def build_lines(
    contract: Contract,
    lines: Iterable[LineInput],
    *,
    prefix: str = "lines.",
    pending: Mapping[int, Decimal] | None = None,
) -> list[ChangeOrderLine]:
    """Check the lines and build them unsaved (net computed); FieldErrors names each fault.

    Field names are `<prefix><index>.<field>` (the API's `lines.0.quantity`); with
    prefix "" and a single line, just `<field>` (the page's form).

    An amending line (`amends_line_id`) must name an item line of this contract that is
    not itself a change, and be either a quantity change (its unit price is that line's
    price) or a price change (its quantity is that line's quantity). Its section, unit and
    VAT rate are the amended line's. A quantity change must not make the line's quantity
    negative, counting the changes already approved and those of `pending` (line id → Δq
    of other lines of the same change order).
    """
    items = list(lines)
    errors: dict[str, list[str]] = {}
    section_ids = {item.get("section_id") for item in items} - {None, ""}
    amend_ids = {item.get("amends_line_id") for item in items} - {None, ""}
    sections = {
        s.pk: s
        for s in ContractSection.objects.filter(
            contract=contract, pk__in=[_int(pk) for pk in section_ids]
        )
    }
    amended = {
        line.pk: line
        for line in ContractLine.objects.filter(
            contract=contract, pk__in=[_int(pk) for pk in amend_ids]
        )
    }
    already = _quantity_changes(amended)
    added: dict[int, Decimal] = defaultdict(lambda: NO_QUANTITY)
    for key, value in (pending or {}).items():
        added[key] += value
    built: list[ChangeOrderLine] = []
    single = prefix == "" and len(items) == 1
    for index, item in enumerate(items):

        def name(field: str, index: int = index) -> str:
            return field if single else f"{prefix}{index}.{field}"

        line_errors: dict[str, list[str]] = {}
        description = str(item.get("description") or "").strip()
        unit = str(item.get("unit") or "").strip()[:20]
        quantity = _number(item.get("quantity"), name("quantity"), line_errors, 3)
        unit_price = _number(item.get("unit_price"), name("unit_price"), line_errors, 2)
        target: ContractLine | None = None
        section: ContractSection | None = None
        amends_id = item.get("amends_line_id")
        if amends_id not in (None, ""):
            target = amended.get(_int(amends_id))
            if target is None or target.is_text or target.amends_id is not None:
                line_errors.setdefault(name("amends_line_id"), []).append(
                    _("Choose a priced line of this contract (not a change of a line).")
                )
                target = None
        if target is not None:
            section = target.section
            unit = target.unit
            vat_rate: Decimal | None = target.vat_rate
            given_rate = item.get("vat_rate")
            if given_rate not in (None, ""):
                rate = _vat_rate(given_rate, name("vat_rate"), line_errors)
                if rate is not None and rate != target.vat_rate:
                    line_errors.setdefault(name("vat_rate"), []).append(
                        _("A change of a line keeps that line's VAT rate (%(rate)s %%).")
                        % {"rate": target.vat_rate}
                    )
            if not description:
                description = target.description.splitlines()[0] if target.description else ""
            if quantity is not None and unit_price is not None:
                if unit_price == target.unit_price and quantity != NO_QUANTITY:
                    total = target.quantity + already[target.pk] + added[target.pk] + quantity
                    if total < 0:
                        line_errors.setdefault(name("quantity"), []).append(
                            _(
                                "This change would make the quantity of the line negative "
                                "(%(total)s)."
                            )
                            % {"total": round3(total)}
                        )
                    added[target.pk] += quantity
                elif quantity != target.quantity:
                    line_errors.setdefault(name("quantity"), []).append(
                        _(
                            "A change of a line is a quantity change at its unit price "
                            "(%(price)s) or a price change on its quantity (%(quantity)s)."
                        )
                        % {"price": target.unit_price, "quantity": target.quantity}
                    )
        else:
            vat_rate = _vat_rate(item.get("vat_rate", "20.00"), name("vat_rate"), line_errors)
            section_id = item.get("section_id")
            if section_id not in (None, ""):
                section = sections.get(_int(section_id))
                if section is None:
                    line_errors.setdefault(name("section_id"), []).append(
                        _("Choose a section of this contract.")
                    )
        if not description and name("amends_line_id") not in line_errors:
            line_errors.setdefault(name("description"), []).append(_("This field is required."))
        if quantity is not None and unit_price is not None and not line_errors:
            net = round2(quantity * unit_price)
            if abs(net) > MAX_AMOUNT:
                line_errors.setdefault(name("quantity"), []).append(_("This amount is too large."))
        if line_errors:
            for field_name, messages in line_errors.items():
                errors.setdefault(field_name, []).extend(messages)
            continue
        assert quantity is not None and unit_price is not None and vat_rate is not None
        built.append(
            ChangeOrderLine(
                company_id=contract.company_id,
                section=section,
                amends=target,
                reference=(target.reference if target else str(item.get("reference") or ""))[:50],
                description=description,
                unit=unit,
                quantity=quantity,
                unit_price=unit_price,
                vat_rate=vat_rate,
                net=round2(quantity * unit_price),
            )
        )
    if errors:
        raise FieldErrors(errors)
    return built


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _clean_title(title: Any) -> str:
    text = " ".join(str(title or "").split())
    if not text:
        raise DomainError(_("Give the change order a title."), field="title")
    if len(text) > TITLE_MAX:
        raise DomainError(
            _("A title has at most %(max)d characters.") % {"max": TITLE_MAX}, field="title"
        )
    return text


# Locking -----------------------------------------------------------------------------------


def lock(
    *, user: User, change_order: ChangeOrder, lock_version: int | None, draft: bool = True
) -> ChangeOrder:
    """The change order's row, locked until commit; refuses another company's change order,
    a stale version and (with `draft`) a change order that is no longer a draft."""
    company = require_writer(user).company
    locked = (
        ChangeOrder.objects.select_for_update().filter(pk=change_order.pk, company=company).first()
    )
    if locked is None:
        raise DomainError(_("Unknown change order."), field="change_order")
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise StaleEdit(
            _(
                "Someone else changed this change order since you opened it. Reload the "
                "page: your change was not saved."
            )
        )
    if draft and locked.status != Status.DRAFT:
        raise DomainError(
            _("This change order is %(status)s: only a draft can be changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _bump(locked: ChangeOrder, change_order: ChangeOrder, **changes: Any) -> None:
    """Save `changes` with a new version, and copy them to the caller's instance."""
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.lock_version += 1
    locked.save(update_fields=[*changes, "lock_version"])
    for name in (*changes, "lock_version"):
        setattr(change_order, name, getattr(locked, name))


def _total(change_order: ChangeOrder) -> Decimal:
    total = ChangeOrderLine.objects.filter(change_order=change_order).aggregate(s=Sum("net"))["s"]
    return round2(total or ZERO)


def _pending_quantities(change_order: ChangeOrder) -> dict[int, Decimal]:
    """Δq of the change order's own quantity changes, by amended line."""
    pending: dict[int, Decimal] = defaultdict(lambda: NO_QUANTITY)
    rows = ChangeOrderLine.objects.filter(
        change_order=change_order,
        amends__isnull=False,
        unit_price=F("amends__unit_price"),
    ).values_list("amends_id", "quantity")
    for amends_id, quantity in rows:
        pending[amends_id] += quantity
    return pending


# Writes ------------------------------------------------------------------------------------


@transaction.atomic
def change_order_create(
    *,
    user: User,
    contract: Contract,
    title: str,
    description: str = "",
    lines: Iterable[LineInput] = (),
) -> ChangeOrder:
    """A draft change order on `contract`, numbered next (Avenant n°N), with its lines.

    The number comes from the contract's counter, bumped under the contract's row lock, so
    concurrent creations get consecutive numbers and a number is never given twice.
    Refused, nothing written: a reader, a contract of another company, a missing title,
    any faulty line (each named, e.g. `lines.1.quantity`).
    """
    company = require_writer(user).company
    if contract.company_id != company.pk:
        raise DomainError(_("Unknown contract."), field="contract")
    errors: dict[str, list[str]] = {}
    try:
        clean_title = _clean_title(title)
    except DomainError as error:
        errors["title"] = [error.message]
        clean_title = ""
    try:
        built = build_lines(contract, lines)
    except FieldErrors as error:
        errors.update(error.errors)
        built = []
    if errors:
        raise FieldErrors(errors)
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    number = locked.last_change_order_number + 1
    Contract.objects.filter(pk=contract.pk).update(last_change_order_number=number)
    contract.last_change_order_number = number
    change_order = ChangeOrder.objects.create(
        company=company,
        contract=contract,
        number=number,
        title=clean_title,
        description=str(description or "").strip(),
        net=round2(sum((line.net for line in built), ZERO)),
        created_by=user,
    )
    for position, line in enumerate(built, start=1):
        line.change_order = change_order
        line.position = position
    ChangeOrderLine.objects.bulk_create(built)
    audit_log(
        company=company,
        user=user,
        action="change_order_create",
        obj=change_order,
        data={
            "contract": contract.pk,
            "number": number,
            "lines": len(built),
            "net": str(change_order.net),
        },
    )
    return change_order


@transaction.atomic
def change_order_update(
    *,
    user: User,
    change_order: ChangeOrder,
    title: str,
    description: str = "",
    lock_version: int | None = None,
) -> ChangeOrder:
    """Change the title and description of a draft."""
    locked = lock(user=user, change_order=change_order, lock_version=lock_version)
    clean_title = _clean_title(title)
    _bump(locked, change_order, title=clean_title, description=str(description or "").strip())
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_update",
        obj=locked,
        data={"title": clean_title},
    )
    return change_order


@transaction.atomic
def change_order_line_add(
    *,
    user: User,
    change_order: ChangeOrder,
    data: LineInput,
    lock_version: int | None = None,
) -> ChangeOrderLine:
    """Add one line to a draft (fields named as in the form: `quantity`, `section_id`…)."""
    locked = lock(user=user, change_order=change_order, lock_version=lock_version)
    contract = Contract.objects.get(pk=locked.contract_id)
    [line] = build_lines(contract, [data], prefix="", pending=_pending_quantities(locked))
    last = ChangeOrderLine.objects.filter(change_order=locked).aggregate(m=Max("position"))["m"]
    line.change_order = locked
    line.position = (last or 0) + 1
    line.save()
    _bump(locked, change_order, net=_total(locked))
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_line_add",
        obj=locked,
        data={"line": line.pk, "net": str(line.net), "amends": line.amends_id},
    )
    return line


@transaction.atomic
def change_order_line_delete(
    *, user: User, line: ChangeOrderLine, lock_version: int | None = None
) -> None:
    """Remove a line of a draft; the change order's total follows."""
    change_order = line.change_order
    locked = lock(user=user, change_order=change_order, lock_version=lock_version)
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_line_delete",
        obj=locked,
        data={"line": line.pk, "description": line.description[:100], "net": str(line.net)},
    )
    ChangeOrderLine.objects.filter(pk=line.pk, change_order=locked).delete()
    _bump(locked, change_order, net=_total(locked))


@transaction.atomic
def change_order_delete(
    *, user: User, change_order: ChangeOrder, lock_version: int | None = None
) -> None:
    """Delete a draft change order. Its number is not given again (the contract's counter
    stays): the next change order takes the following number."""
    locked = lock(user=user, change_order=change_order, lock_version=lock_version)
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_delete",
        obj=locked,
        data={"contract": locked.contract_id, "number": locked.number, "title": locked.title},
    )
    locked.delete()


@transaction.atomic
def change_order_submit(
    *, user: User, change_order: ChangeOrder, lock_version: int | None = None
) -> ChangeOrder:
    """Draft → submitted (sent to the client for approval): a change order with lines."""
    locked = lock(user=user, change_order=change_order, lock_version=lock_version)
    if not ChangeOrderLine.objects.filter(change_order=locked).exists():
        raise DomainError(_("Add at least one line before submitting the change order."))
    _bump(locked, change_order, status=Status.SUBMITTED, submitted_at=timezone.now())
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_submit",
        obj=locked,
        data={"number": locked.number, "net": str(locked.net)},
    )
    return change_order


def _decidable(locked: ChangeOrder) -> None:
    if locked.status == Status.SUBMITTED:
        return
    if locked.status == Status.DRAFT:
        raise DomainError(
            _("This change order is a draft: submit it to the client before deciding on it.")
        )
    raise DomainError(
        _("This change order was already %(status)s.")
        % {"status": locked.get_status_display().lower()}
    )


@transaction.atomic
def change_order_approve(
    *,
    user: User,
    change_order: ChangeOrder,
    decision_note: str = "",
    lock_version: int | None = None,
) -> ChangeOrder:
    """Submitted → approved: its lines join the billing base (billing.md "Contract base").

    In one transaction, under the contract's row lock: each line becomes a ContractLine
    (change_order and amends set, same section, placed after that section's lines), and
    Contract.base_net += ChangeOrder.net (a negative change order lowers it). The quantity
    rule is checked again against the changes approved since the lines were written.
    """
    locked = lock(user=user, change_order=change_order, lock_version=lock_version, draft=False)
    _decidable(locked)
    contract = Contract.objects.select_for_update().get(pk=locked.contract_id)
    lines = list(
        ChangeOrderLine.objects.filter(change_order=locked)
        .select_related("section", "amends")
        .order_by("position", "pk")
    )
    _recheck_quantities(lines)
    net = round2(sum((line.net for line in lines), ZERO))
    rows = _contract_lines(contract, locked, lines)
    ContractLine.objects.bulk_create(rows)
    Contract.objects.filter(pk=contract.pk).update(base_net=F("base_net") + net)
    _bump(
        locked,
        change_order,
        status=Status.APPROVED,
        decided_at=timezone.now(),
        decision_note=str(decision_note or "").strip(),
        net=net,
    )
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_approve",
        obj=locked,
        data={
            "contract": contract.pk,
            "number": locked.number,
            "net": str(net),
            "lines": len(rows),
            "base_net": str(contract.base_net + net),
        },
    )
    return change_order


def _recheck_quantities(lines: list[ChangeOrderLine]) -> None:
    already = _quantity_changes({line.amends.pk for line in lines if line.amends is not None})
    added: dict[int, Decimal] = defaultdict(lambda: NO_QUANTITY)
    for line in lines:
        target = line.amends
        if target is None or line.unit_price != target.unit_price:
            continue
        added[target.pk] += line.quantity
        if target.quantity + already[target.pk] + added[target.pk] < 0:
            raise DomainError(
                _(
                    "Line “%(line)s” would get a negative quantity: another change approved "
                    "meanwhile lowered it."
                )
                % {"line": str(target)},
                field="quantity",
            )


def _contract_lines(
    contract: Contract, change_order: ChangeOrder, lines: list[ChangeOrderLine]
) -> list[ContractLine]:
    """The contract lines of an approved change order, each after the lines of its section.

    Positions continue each section's numbering (lines outside any section: the contract's
    root lines) and sort keys follow services.line_sort_key, so the contract page, the PDF
    and the API read them in tree order right after the section's other lines.
    """
    last_positions: dict[int | None, int] = {
        row["section_id"]: row["last"] or 0
        for row in ContractLine.objects.filter(contract=contract)
        .values("section_id")
        .annotate(last=Max("position"))
    }
    rows = []
    for line in lines:
        section = line.section
        section_id = section.pk if section else None
        position = last_positions.get(section_id, 0) + 1
        last_positions[section_id] = position
        target = line.amends
        rows.append(
            ContractLine(
                company_id=contract.company_id,
                contract=contract,
                section=section,
                position=position,
                sort_key=line_sort_key(section.sort_key if section else "", position),
                kind=(
                    ContractLine.Kind.DISCOUNT
                    if target is not None and target.kind == ContractLine.Kind.DISCOUNT
                    else ContractLine.Kind.ITEM
                ),
                reference=line.reference,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net=line.net,
                vat_rate=line.vat_rate,
                pricing=target.pricing if target is not None else "",
                change_order=change_order,
                amends=target,
            )
        )
    return rows


@transaction.atomic
def change_order_reject(
    *,
    user: User,
    change_order: ChangeOrder,
    decision_note: str = "",
    lock_version: int | None = None,
) -> ChangeOrder:
    """Submitted → rejected by the client: the base does not change."""
    locked = lock(user=user, change_order=change_order, lock_version=lock_version, draft=False)
    _decidable(locked)
    _bump(
        locked,
        change_order,
        status=Status.REJECTED,
        decided_at=timezone.now(),
        decision_note=str(decision_note or "").strip(),
    )
    audit_log(
        company=locked.company,
        user=user,
        action="change_order_reject",
        obj=locked,
        data={"number": locked.number, "net": str(locked.net)},
    )
    return change_order
