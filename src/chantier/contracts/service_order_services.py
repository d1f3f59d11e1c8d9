"""Writes of service orders (ordres de service, french-rules §10; seed 000).

Three ways to create one: direct, from a change order of the contract (title and amount
prefilled from it), or from an accepted quote outside change orders (only when the
contract's `service_orders_from_quotes` option is on). Other accepted quotes of the
contract's client can be joined to an order (`quotes`).

Workflow: draft → awaiting validation (issue: the order gets its number) → validated or
refused. The number comes from Contract.last_service_order_number, bumped under the
contract row's lock: one continuous sequence per contract, never reused (a draft has no
number and may be deleted; an issued order is never deleted).

The priced lines (bordereau) change only before the final validation. Validating the order
validates them: each becomes a contract line (service_order set) and the contract's base
grows by their nets. An order with a financial impact but no line adds one line "OS n°X"
at the impact amount. An order made from a change order never counts that change order's
amount again: the change order's own approval puts its lines in the base, the order only
adds its own lines (or, without lines, what its impact adds to the change order's amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.contracts.models import (
    ChangeOrder,
    Contract,
    ContractLine,
    ContractSection,
    ServiceOrder,
    ServiceOrderAttachment,
    ServiceOrderLine,
)
from chantier.contracts.services import line_sort_key
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.core.models import User
from chantier.core.money import round2, round3
from chantier.core.services import audit_log
from chantier.quotes.models import Quote

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_DELAY_DAYS = 3650
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # 20 MB
HEADER_FIELDS = (
    "kind",
    "issuer",
    "lot",
    "title",
    "description",
    "issue_date",
    "notification_date",
    "acknowledgement_date",
    "financial_impact",
    "delay_days",
    "owner_validation_ref",
)
EDITABLE = (ServiceOrder.Status.DRAFT, ServiceOrder.Status.AWAITING)
Status = ServiceOrder.Status


# --- helpers --------------------------------------------------------------------------------


def _stale() -> StaleEdit:
    return StaleEdit(
        _(
            "Someone else changed this service order since you opened it. Reload the page: "
            "your change was not saved."
        )
    )


def _lock(*, user: User, order: ServiceOrder, lock_version: int | None) -> ServiceOrder:
    """The order row, locked until commit; a stale `lock_version` is refused."""
    company = require_writer(user).company
    locked = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .filter(pk=order.pk, company=company)
        .select_related("contract", "change_order")
        .first()
    )
    if locked is None:
        raise DomainError(_("Unknown service order."), field="service_order")
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise _stale()
    return locked


def _bump(order: ServiceOrder, original: ServiceOrder | None = None) -> None:
    ServiceOrder.objects.filter(pk=order.pk).update(lock_version=F("lock_version") + 1)
    order.lock_version += 1
    if original is not None and original is not order:
        original.lock_version = order.lock_version


def _check_editable(order: ServiceOrder) -> None:
    if order.status not in EDITABLE:
        raise DomainError(
            _("This service order is %(status)s: it can no longer be changed.")
            % {"status": order.get_status_display().lower()}
        )


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def clean_header(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check the header fields given (french-rules §10); all refusals at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in HEADER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("lot", "title", "description", "owner_validation_ref"):
            value = (value or "").strip()
        clean[name] = value
    if "title" in clean and not clean["title"]:
        errors["title"] = [_("Give the service order a title.")]
    if "title" in clean and len(clean["title"]) > 250:
        errors["title"] = [_("The title is too long (250 characters at most).")]
    if "kind" in clean and clean["kind"] not in ServiceOrder.Kind.values:
        errors["kind"] = [
            _("Choose a kind: %(kinds)s.") % {"kinds": ", ".join(ServiceOrder.Kind.values)}
        ]
    if "issuer" in clean and clean["issuer"] not in ServiceOrder.Issuer.values:
        errors["issuer"] = [
            _("Choose an issuer: %(issuers)s.") % {"issuers": ", ".join(ServiceOrder.Issuer.values)}
        ]
    if "financial_impact" in clean:
        amount = clean["financial_impact"]
        if amount is None:
            amount = ZERO
        amount = round2(Decimal(amount))
        if abs(amount) > MAX_AMOUNT:
            errors["financial_impact"] = [_("This amount is too large.")]
        clean["financial_impact"] = amount
    if "delay_days" in clean:
        days = clean["delay_days"] or 0
        if abs(int(days)) > MAX_DELAY_DAYS:
            errors["delay_days"] = [
                _("The delay impact is at most %(days)s days.") % {"days": MAX_DELAY_DAYS}
            ]
        clean["delay_days"] = int(days)
    for name in ("lot", "owner_validation_ref"):
        if name in clean and len(clean[name]) > 200:
            errors[name] = [_("Too long (200 characters at most).")]
    if errors:
        raise FieldErrors(errors)
    return clean


def _check_consistency(order: ServiceOrder) -> None:
    """Rules between fields, on the order as it will be saved."""
    errors: dict[str, list[str]] = {}
    if order.kind == ServiceOrder.Kind.NO_FINANCIAL and order.financial_impact != ZERO:
        errors["financial_impact"] = [
            _("An order with no financial effect cannot have a financial impact.")
        ]
    if order.issue_date and order.notification_date and order.notification_date < order.issue_date:
        errors["notification_date"] = [_("The notification cannot come before the issue.")]
    if (
        order.notification_date
        and order.acknowledgement_date
        and order.acknowledgement_date < order.notification_date
    ):
        errors["acknowledgement_date"] = [
            _("The acknowledgement cannot come before the notification.")
        ]
    if errors:
        raise FieldErrors(errors)


def eligible_quotes(contract: Contract) -> Any:
    """Accepted quotes of the contract's client that an order may join (not the contract's
    own quote: it is the base already)."""
    queryset = Quote.objects.filter(
        company_id=contract.company_id,
        client_id=contract.client_id,
        status=Quote.Status.ACCEPTED,
        superseded=False,
    )
    if contract.quote_id:
        queryset = queryset.exclude(pk=contract.quote_id)
    return queryset.order_by("-date", "-pk")


def _clean_quotes(contract: Contract, quotes: Iterable[Quote | int]) -> list[Quote]:
    ids = {q.pk if isinstance(q, Quote) else int(q) for q in quotes}
    found = list(eligible_quotes(contract).filter(pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(_("Choose accepted quotes of the contract's client."), field="quotes")
    return found


def source_amount(order: ServiceOrder) -> Decimal:
    """What the order carries besides its own lines: its change order's amount."""
    if order.origin == ServiceOrder.Origin.CHANGE_ORDER and order.change_order is not None:
        return order.change_order.net
    return ZERO


# --- create, edit, delete -------------------------------------------------------------------


@transaction.atomic
def service_order_create(
    *,
    user: User,
    contract: Contract,
    data: Mapping[str, Any],
    change_order: ChangeOrder | None = None,
    quote: Quote | None = None,
    quotes: Iterable[Quote | int] = (),
    issue: bool = False,
) -> ServiceOrder:
    """Create a service order of `contract` (seed 000), as a draft or issued at once.

    - direct: kind and title required;
    - from `change_order` (of this contract, not rejected): title and financial impact
      default to the change order's (impact = its net + the joined quotes' nets);
    - from `quote` (an accepted quote of the contract's client): refused unless the
      contract allows service orders from quotes; title and impact default to the quote's.
    Refused, nothing saved: a faulty field (named), another company's contract.
    """
    company = require_writer(user).company
    if contract.company_id != company.pk:
        raise DomainError(_("Unknown contract."), field="contract")
    if change_order is not None and quote is not None:
        raise DomainError(
            _("An order comes from a change order or from a quote, not both."), field="quote"
        )
    clean = clean_header(data)
    joined = _clean_quotes(contract, quotes)
    origin = ServiceOrder.Origin.DIRECT
    defaults: dict[str, Any] = {}
    if change_order is not None:
        if change_order.contract_id != contract.pk or change_order.company_id != company.pk:
            raise DomainError(_("Choose a change order of this contract."), field="change_order")
        if change_order.status == ChangeOrder.Status.REJECTED:
            raise DomainError(
                _("This change order was rejected: no service order can be made from it."),
                field="change_order",
            )
        origin = ServiceOrder.Origin.CHANGE_ORDER
        defaults = {
            "title": change_order.title,
            "description": change_order.description,
            "kind": ServiceOrder.Kind.CHANGE,
            "financial_impact": change_order.net + sum((q.net for q in joined), ZERO),
        }
    elif quote is not None:
        if not contract.service_orders_from_quotes:
            raise DomainError(
                _(
                    "This contract does not allow service orders from quotes outside change "
                    "orders: turn the option on in its billing settings first."
                ),
                field="quote",
            )
        try:
            [source] = _clean_quotes(contract, [quote])
        except DomainError:
            raise DomainError(
                _("Choose an accepted quote of the contract's client."), field="quote"
            ) from None
        if source not in joined:
            joined.insert(0, source)
        origin = ServiceOrder.Origin.QUOTE
        defaults = {
            "title": source.title,
            "kind": ServiceOrder.Kind.CHANGE,
            "financial_impact": sum((q.net for q in joined), ZERO),
        }
    values = {**defaults, **{k: v for k, v in clean.items() if v not in (None, "")}}
    missing: dict[str, list[str]] = {}
    if not values.get("kind"):
        missing["kind"] = [_("Choose the kind of order.")]
    if not values.get("title"):
        missing["title"] = [_("Give the service order a title.")]
    if missing:
        raise FieldErrors(missing)
    order = ServiceOrder(
        company=company,
        contract=contract,
        origin=origin,
        change_order=change_order,
        created_by=user,
        **values,
    )
    _check_consistency(order)
    order.save()
    if joined:
        order.quotes.set(joined)
    audit_log(
        company=company,
        user=user,
        action="service_order_create",
        obj=order,
        data={"contract": contract.pk, "origin": origin, "quotes": [q.pk for q in joined]},
    )
    if issue:
        service_order_issue(user=user, order=order)
    return order


@transaction.atomic
def service_order_update(
    *,
    user: User,
    order: ServiceOrder,
    data: Mapping[str, Any],
    quotes: Iterable[Quote | int] | None = None,
    lock_version: int | None = None,
) -> ServiceOrder:
    """Change the header of an order before its final validation (draft or awaiting).

    With lines, the financial impact is theirs (plus the change order's amount): it is not
    typed. Refused: a stale version, a validated or refused order, a faulty field.
    """
    locked = _lock(user=user, order=order, lock_version=lock_version)
    _check_editable(locked)
    clean = clean_header(data)
    for name, value in clean.items():
        setattr(locked, name, value)
    if locked.lines.exists():
        locked.financial_impact = _lines_impact(locked)
    _check_consistency(locked)
    locked.save()
    if quotes is not None:
        locked.quotes.set(_clean_quotes(locked.contract, quotes))
    _bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_update",
        obj=locked,
        data={name: str(value) for name, value in clean.items()},
    )
    _refresh(order, locked)
    return order


def _refresh(order: ServiceOrder, locked: ServiceOrder) -> None:
    for field in ServiceOrder._meta.concrete_fields:
        setattr(order, field.attname, getattr(locked, field.attname))


@transaction.atomic
def service_order_delete(
    *, user: User, order: ServiceOrder, lock_version: int | None = None
) -> None:
    """Delete a draft. An issued order keeps its number for ever: refused."""
    locked = _lock(user=user, order=order, lock_version=lock_version)
    if locked.status != Status.DRAFT or locked.number is not None:
        raise DomainError(deletion_refusal())
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_delete",
        obj=locked,
        data={"title": locked.title},
    )
    files = [(a.file.storage, a.file.name) for a in locked.attachments.all() if a.file.name]
    locked.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


def deletion_refusal() -> str:
    return _("An issued service order keeps its number and cannot be deleted: refuse it instead.")


# --- workflow -------------------------------------------------------------------------------


@transaction.atomic
def service_order_issue(
    *, user: User, order: ServiceOrder, lock_version: int | None = None
) -> ServiceOrder:
    """Draft → awaiting validation, with the contract's next number (french-rules §10).

    The number is taken under the contract row's lock: two orders issued at once get
    consecutive numbers; a number is never reused. The issue date defaults to today.
    """
    locked = _lock(user=user, order=order, lock_version=lock_version)
    if locked.status != Status.DRAFT:
        raise DomainError(
            _("Only a draft is issued; this order is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    contract = _lock_contract(locked.contract)
    number = contract.last_service_order_number + 1
    Contract.objects.filter(pk=contract.pk).update(last_service_order_number=number)
    locked.number = number
    locked.status = Status.AWAITING
    if locked.issue_date is None:  # today, unless it was notified already (then that day)
        today = timezone.localdate()
        notified = locked.notification_date
        locked.issue_date = min(today, notified) if notified else today
    _check_consistency(locked)
    locked.save(update_fields=["number", "status", "issue_date"])
    _bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_issue",
        obj=locked,
        data={"number": number, "contract": contract.pk},
    )
    _refresh(order, locked)
    return order


@transaction.atomic
def service_order_validate(
    *,
    user: User,
    order: ServiceOrder,
    owner_validation_ref: str | None = None,
    note: str = "",
    lock_version: int | None = None,
) -> ServiceOrder:
    """Final validation of an issued order (awaiting → validated), with its lines.

    - its lines become contract lines (service_order set) and the contract's base grows by
      their nets; with a financial impact but no line, one line "OS n°X" at the impact
      (VAT: the company's default rate); from a change order, only what the order adds to
      the change order's amount (never counted twice);
    - a "start" order sets the contract's start date (notification date, else issue date);
    - a delay impact moves the contract's end date, when it has one.
    `owner_validation_ref` records the owner's validation given with it (optional: without
    it an order that changes delay or amount stays flagged "not binding").
    """
    locked = _lock(user=user, order=order, lock_version=lock_version)
    if locked.status != Status.AWAITING:
        raise DomainError(
            _("Only an order awaiting validation is validated; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if owner_validation_ref is not None and owner_validation_ref.strip():
        ref = owner_validation_ref.strip()
        if len(ref) > 200:
            raise DomainError(_("Too long (200 characters at most)."), field="owner_validation_ref")
        locked.owner_validation_ref = ref
    contract = _lock_contract(locked.contract)
    added = _join_base(locked, contract)
    contract_changes: dict[str, Any] = {}
    if added:
        contract_changes["base_net"] = F("base_net") + added
    if locked.kind == ServiceOrder.Kind.START:
        start = locked.notification_date or locked.issue_date
        if start:
            contract_changes["start_date"] = start
    if locked.delay_days and contract.end_date:
        contract_changes["end_date"] = contract.end_date + dt.timedelta(days=locked.delay_days)
    if contract_changes:
        contract_changes["lock_version"] = F("lock_version") + 1
        Contract.objects.filter(pk=contract.pk).update(**contract_changes)
    locked.status = Status.VALIDATED
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_at", "decision_note", "owner_validation_ref"])
    _bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_validate",
        obj=locked,
        data={"number": locked.number, "base_added": str(added)},
    )
    _refresh(order, locked)
    return order


@transaction.atomic
def service_order_refuse(
    *, user: User, order: ServiceOrder, note: str = "", lock_version: int | None = None
) -> ServiceOrder:
    """Awaiting → refused (the number stays taken); nothing joins the base."""
    locked = _lock(user=user, order=order, lock_version=lock_version)
    if locked.status != Status.AWAITING:
        raise DomainError(
            _("Only an order awaiting validation is refused; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.status = Status.REFUSED
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_at", "decision_note"])
    _bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_refuse",
        obj=locked,
        data={"number": locked.number},
    )
    _refresh(order, locked)
    return order


def _join_base(order: ServiceOrder, contract: Contract) -> Decimal:
    """Turn the order's lines into contract lines; returns Σ of their nets."""
    lines = list(
        order.lines.select_related("section", "amends__section").order_by("position", "pk")
    )
    if not lines:
        extra = order.financial_impact - source_amount(order)
        if extra == ZERO:
            return ZERO
        label = _("Service order no. %(number)s") % {"number": order.number}
        if order.title:
            label = f"{label} – {order.title}"
        lines = [
            ServiceOrderLine(
                company_id=order.company_id,
                service_order=order,
                reference=f"OS{order.number}",
                description=label,
                unit="u",
                quantity=Decimal("1.000"),
                unit_price=extra,
                vat_rate=order.company.default_vat_rate,
                net=extra,
            )
        ]
    tops: dict[int | None, int] = dict(
        ContractLine.objects.filter(contract=contract)
        .values_list("section_id")
        .annotate(top=Max("position"))
        .values_list("section_id", "top")
    )
    rows = []
    for line in lines:
        section = line.section or (line.amends.section if line.amends else None)
        section_id = section.pk if section else None
        position = (tops.get(section_id) or 0) + 1
        tops[section_id] = position
        rows.append(
            ContractLine(
                company_id=order.company_id,
                contract=contract,
                section=section,
                position=position,
                sort_key=line_sort_key(section.sort_key if section else "", position),
                kind=ContractLine.Kind.ITEM,
                reference=line.reference,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net=line.net,
                vat_rate=line.vat_rate,
                service_order=order,
                amends=line.amends,
            )
        )
    ContractLine.objects.bulk_create(rows)
    return sum((row.net for row in rows), ZERO)


# --- lines (bordereau) ----------------------------------------------------------------------


def _lines_impact(order: ServiceOrder) -> Decimal:
    total = order.lines.aggregate(total=Sum("net"))["total"] or ZERO
    return round2(total + source_amount(order))


def _clean_line(order: ServiceOrder, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("Describe the line.")]
    try:
        quantity = round3(Decimal(data.get("quantity")))  # type: ignore[arg-type]
    except Exception:
        quantity = None
        errors["quantity"] = [_("Enter a quantity.")]
    try:
        unit_price = round2(Decimal(data.get("unit_price")))  # type: ignore[arg-type]
    except Exception:
        unit_price = None
        errors["unit_price"] = [_("Enter a unit price.")]
    vat_rate = data.get("vat_rate")
    vat_rate = order.company.default_vat_rate if vat_rate in (None, "") else Decimal(vat_rate)
    if not Decimal("0") <= vat_rate <= Decimal("100"):
        errors["vat_rate"] = [_("A VAT rate is between 0 and 100 %.")]
    section = data.get("section")
    if section is not None and not isinstance(section, ContractSection):
        section = ContractSection.objects.filter(
            contract_id=order.contract_id, pk=int(section)
        ).first()
        if section is None:
            errors["section"] = [_("Choose a section of this contract.")]
    elif section is not None and section.contract_id != order.contract_id:
        errors["section"] = [_("Choose a section of this contract.")]
    amends = data.get("amends")
    if amends is not None and not isinstance(amends, ContractLine):
        amends = ContractLine.objects.filter(contract_id=order.contract_id, pk=int(amends)).first()
        if amends is None:
            errors["amends"] = [_("Choose a line of this contract.")]
    elif amends is not None and amends.contract_id != order.contract_id:
        errors["amends"] = [_("Choose a line of this contract.")]
    if isinstance(amends, ContractLine) and amends.kind == ContractLine.Kind.TEXT:
        errors["amends"] = [_("A text line has no quantity or price to change.")]
    if quantity is not None and unit_price is not None:
        if abs(quantity) > Decimal("99999999999.999") or abs(unit_price) > MAX_AMOUNT:
            errors["quantity"] = [_("This amount is too large.")]
        elif (
            isinstance(amends, ContractLine)
            and unit_price == amends.unit_price
            and amends.quantity + quantity < 0
        ):
            errors["quantity"] = [
                _("This change would make the quantity of “%(line)s” negative.")
                % {"line": str(amends)[:60]}
            ]
    if errors:
        raise FieldErrors(errors)
    assert quantity is not None and unit_price is not None
    return {
        "description": description,
        "reference": (data.get("reference") or "").strip()[:50],
        "unit": (data.get("unit") or "").strip()[:20],
        "quantity": quantity,
        "unit_price": unit_price,
        "vat_rate": vat_rate,
        "section": section,
        "amends": amends,
        "net": round2(quantity * unit_price),
    }


@transaction.atomic
def service_order_line_save(
    *,
    user: User,
    order: ServiceOrder,
    data: Mapping[str, Any],
    line: ServiceOrderLine | None = None,
    lock_version: int | None = None,
) -> ServiceOrderLine:
    """Add or change a priced line (net = round2(quantity × unit price), signed), before
    the final validation only. The order's financial impact follows its lines."""
    locked = _lock(user=user, order=order, lock_version=lock_version)
    _check_editable(locked)
    values = _clean_line(locked, data)
    if line is None:
        top = locked.lines.aggregate(top=Max("position"))["top"] or 0
        line = ServiceOrderLine(
            company_id=locked.company_id, service_order=locked, position=top + 1
        )
    elif line.service_order_id != locked.pk:
        raise DomainError(_("Unknown line."), field="line")
    for name, value in values.items():
        setattr(line, name, value)
    line.save()
    _after_lines(locked, order)
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_line_save",
        obj=locked,
        data={"line": line.pk, "net": str(line.net)},
    )
    return line


@transaction.atomic
def service_order_line_delete(
    *, user: User, order: ServiceOrder, line: ServiceOrderLine, lock_version: int | None = None
) -> None:
    locked = _lock(user=user, order=order, lock_version=lock_version)
    _check_editable(locked)
    if line.service_order_id != locked.pk:
        raise DomainError(_("Unknown line."), field="line")
    audit_log(
        company=locked.company,
        user=user,
        action="service_order_line_delete",
        obj=locked,
        data={"line": line.pk, "description": line.description[:100]},
    )
    line.delete()
    _after_lines(locked, order)


def _after_lines(locked: ServiceOrder, order: ServiceOrder) -> None:
    locked.financial_impact = (
        _lines_impact(locked) if locked.lines.exists() else source_amount(locked)
    )
    if locked.kind == ServiceOrder.Kind.NO_FINANCIAL and locked.financial_impact != ZERO:
        raise DomainError(
            _("An order with no financial effect cannot have priced lines: change its kind."),
            field="kind",
        )
    locked.save(update_fields=["financial_impact"])
    _bump(locked)
    _refresh(order, locked)


# --- attachments ----------------------------------------------------------------------------


@transaction.atomic
def service_order_attachment_add(
    *, user: User, order: ServiceOrder, file: Any
) -> ServiceOrderAttachment:
    """Join a file to an order, at any time (seed 000: before or after validation)."""
    company = require_writer(user).company
    if order.company_id != company.pk:
        raise DomainError(_("Unknown service order."), field="service_order")
    if file is None:
        raise DomainError(_("Choose a file."), field="file")
    size = file.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The file is too large (20 MB at most)."), field="file")
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    name = (file.name or "file").rsplit("/", 1)[-1][:200]
    attachment = ServiceOrderAttachment(
        company=company, service_order=order, name=name, size=size, uploaded_by=user
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit_log(
        company=company,
        user=user,
        action="service_order_attachment_add",
        obj=order,
        data={"attachment": attachment.pk, "name": name, "size": size},
    )
    return attachment


@transaction.atomic
def service_order_attachment_delete(*, user: User, attachment: ServiceOrderAttachment) -> None:
    company = require_writer(user).company
    if attachment.company_id != company.pk:
        raise DomainError(_("Unknown attachment."), field="attachment")
    audit_log(
        company=company,
        user=user,
        action="service_order_attachment_delete",
        obj=attachment,
        data={"order": attachment.service_order_id, "name": attachment.name},
    )
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)
