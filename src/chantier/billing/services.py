"""Billing services: create and change draft invoices (fetch → engine → store).

Each draft stores the engine's whole output (lines, VAT per rate, deductions, totals)
and the user's inputs, so that issuing can recompute it against the latest history and
refuse when the amounts moved (billing.md, DESIGN convention 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from chantier.billing import engine, fetch, line_store, selectors
from chantier.billing.errors import domain_error, warning_message
from chantier.billing.models import (
    STATEMENT_KINDS,
    IndexValue,
    Invoice,
    InvoiceDeduction,
    InvoiceLine,
    InvoiceVat,
    Kind,
)
from chantier.contracts.models import Contract
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, StaleEdit
from chantier.core.models import User
from chantier.core.money import round2
from chantier.core.services import audit_log

ZERO = Decimal("0.00")
MODES = ("cumulative_percent", "relative_percent", "cumulative_quantity", "relative_quantity")


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _new_invoice(*, user: User, contract: Contract, kind: str, period_date: dt.date) -> Invoice:
    return Invoice(
        company_id=contract.company_id,
        contract=contract,
        client_id=contract.client_id,
        kind=kind,
        period_date=period_date,
        presentation=contract.invoice_presentation,
        show_recap=contract.invoice_recap,
        reverse_charge=contract.reverse_charge,
        retention_rate=ZERO if contract.retention_guarantee else contract.retention_rate,
        created_by=user,
    )


@transaction.atomic
def down_payment_create(
    *,
    user: User,
    contract: Contract,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    period_date: dt.date | None = None,
) -> Invoice:
    """A draft down-payment invoice (386): a % or an amount of the contract, split by VAT rate
    in proportion to the contract's base per rate (seed 001, billing.md "Down payments")."""
    require_writer(user)
    contract = _lock_contract(contract)
    if (percent is None) == (amount is None):
        raise DomainError(_("Give either a percentage or an amount."), field="percent")
    if selectors.has_final_invoice(contract):
        raise DomainError(
            _("The contract's final invoice is issued: no more down payments."), field="percent"
        )
    invoice = _new_invoice(
        user=user, contract=contract, kind=Kind.DOWN_PAYMENT, period_date=period_date or today()
    )
    invoice.inputs = {"percent": _text(percent), "amount": _text(amount)}
    _store(invoice, compute(invoice))
    audit_log(
        company=invoice.company,
        user=user,
        action="invoice_create",
        obj=invoice,
        data={"kind": invoice.kind},
    )
    return invoice


def statement_inputs(
    *,
    entries: Sequence[Mapping[str, Any]],
    global_percent: Decimal | None,
    index_values: Mapping[str, Decimal] | None,
    manual_deduction: Decimal | None,
    deductions: Sequence[Mapping[str, Any]],
    penalty_days: int | None = None,
) -> dict[str, Any]:
    return {
        "penalty_days": penalty_days,
        "entries": [
            {"line_id": int(e["line_id"]), "mode": e["mode"], "value": _text(e["value"])}
            for e in entries
        ],
        "global_percent": _text(global_percent),
        "index_values": {name: _text(value) for name, value in (index_values or {}).items()},
        "manual_deduction": _text(manual_deduction),
        "deductions": [
            {"label": d["label"], "amount": _text(d["amount"]), "kind": d.get("kind", "other")}
            for d in deductions
        ],
    }


@transaction.atomic
def statement_save(
    *,
    user: User,
    contract: Contract,
    kind: str = Kind.PROGRESS,
    period_date: dt.date,
    entries: Sequence[Mapping[str, Any]] = (),
    global_percent: Decimal | None = None,
    index_values: Mapping[str, Decimal] | None = None,
    manual_deduction: Decimal | None = None,
    deductions: Sequence[Mapping[str, Any]] = (),
    penalty_days: int | None = None,
    invoice: Invoice | None = None,
    lock_version: int | None = None,
) -> Invoice:
    """Create or change the contract's draft statement (progress, final or supplementary).

    Only one draft statement per contract (billing.md); progress entries in the four
    modes, a global %, index values for the revision, a manual down-payment deduction
    and deductions below the gross. Any refusal leaves the data as it was.
    """
    require_writer(user)
    contract = _lock_contract(contract)
    if kind not in STATEMENT_KINDS:
        raise DomainError(_("Unknown invoice kind."), field="kind")
    if invoice is None:
        if selectors.draft_statement(contract) is not None:
            raise DomainError(
                _("This contract already has a draft statement: change or delete it first."),
                field="kind",
            )
        if kind != Kind.SUPPLEMENTARY and selectors.has_final_invoice(contract):
            raise DomainError(
                _(
                    "The contract's final invoice is issued: bill lines added since with a "
                    "supplementary invoice."
                ),
                field="kind",
            )
        if kind == Kind.SUPPLEMENTARY and not selectors.has_final_invoice(contract):
            raise DomainError(
                _(
                    "A supplementary invoice follows a final invoice: issue the final "
                    "invoice first."
                ),
                field="kind",
            )
        invoice = _new_invoice(user=user, contract=contract, kind=kind, period_date=period_date)
        invoice.statement_number = (
            Invoice.objects.filter(
                contract=contract, status=Invoice.Status.ISSUED, kind__in=STATEMENT_KINDS
            ).count()
            + 1
        )
    else:
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        _check_draft(invoice)
        if lock_version is not None and lock_version != invoice.lock_version:
            raise StaleEdit(
                _("Someone else saved this statement meanwhile. Reload it: nothing was saved.")
            )
        invoice.period_date = period_date
        invoice.lock_version += 1
    last = fetch.last_statement(contract)
    if last is not None and period_date < last.period_date:
        raise DomainError(
            _("The statement date is before the previous statement's (%(date)s).")
            % {"date": f"{last.period_date:%d/%m/%Y}"},
            field="date",
        )
    for entry in entries:
        if entry.get("mode") not in MODES:
            raise DomainError(
                _("Unknown progress mode %(mode)s.") % {"mode": entry.get("mode")}, field="mode"
            )
    invoice.inputs = statement_inputs(
        entries=entries,
        global_percent=global_percent,
        index_values=index_values,
        manual_deduction=manual_deduction,
        deductions=deductions,
        penalty_days=penalty_days,
    )
    computation = compute(invoice)
    if computation.draft.payable < 0 <= computation.draft.net:
        raise DomainError(
            _("The deductions exceed the total incl. VAT: the amount payable would be negative."),
            field="deductions",
        )
    _store(invoice, computation)
    audit_log(
        company=invoice.company,
        user=user,
        action="invoice_save",
        obj=invoice,
        data={"kind": invoice.kind},
    )
    return invoice


@dataclass(frozen=True)
class Computation:
    base: tuple[engine.BaseLine, ...]
    history: engine.History
    draft: engine.InvoiceDraft
    # Warnings of the services themselves (provisional index…), stored with the engine's.
    notes: tuple[dict[str, Any], ...] = ()


def compute(invoice: Invoice) -> Computation:
    """Run the engine on a draft's stored inputs against the contract as it is now."""
    contract = invoice.contract
    base = fetch.base_lines(contract)
    settings = fetch.contract_settings(contract)
    inputs = invoice.inputs
    try:
        if invoice.kind == Kind.DOWN_PAYMENT:
            draft = engine.down_payment(
                base=base,
                percent=_decimal(inputs.get("percent")),
                amount=_decimal(inputs.get("amount")),
                already=fetch.down_payments_total(contract),
                works_billed=fetch.works_billed(contract),
                settings=settings,
            )
            return Computation(base, engine.History(), draft)
        history = fetch.history(contract)
        entries = tuple(
            engine.ProgressEntry(
                line_id=int(e["line_id"]), mode=e["mode"], value=Decimal(e["value"])
            )
            for e in inputs.get("entries", [])
        )
        notes: list[dict[str, Any]] = []
        inputs.pop("provisional_indices", None)
        index_values = _index_values(invoice, settings, inputs.get("index_values") or {}, notes)
        if index_values is not None:
            # What the revision used, printed with its calculation (french-rules §4.1).
            inputs["index_values_used"] = {k: str(v) for k, v in index_values.items()}
            inputs["revision_fixed_part"] = str(settings.revision_fixed_part)
            inputs["indices"] = [
                {"name": i.name, "weight": str(i.weight), "base_value": str(i.base_value)}
                for i in settings.indices
            ]
        deductions = tuple(
            engine.Deduction(label=d["label"], amount=Decimal(d["amount"]), kind=d["kind"])
            for d in inputs.get("deductions", [])
        ) + _penalty(base, inputs.get("penalty_days"))
        common: dict[str, Any] = {
            "base": base,
            "history": history,
            "settings": settings,
            "index_values": index_values,
            "deductions": deductions,
        }
        invoice.inputs.pop("regularises", None)
        regularisations = _regularisations(invoice, settings, notes)
        if regularisations:
            common["regularisations"] = regularisations
        draft = _statement(invoice, entries, common)
        advance = _advance_deduction(contract, base, draft)
        if advance is not None:
            common["deductions"] = (*deductions, advance)
            draft = _statement(invoice, entries, common)
    except engine.BillingError as exc:
        raise domain_error(exc, base) from None
    return Computation(base, history, draft, tuple(notes))


def _regularisations(
    invoice: Invoice, settings: engine.Settings, notes: list[dict[str, Any]]
) -> tuple[engine.RateAmount, ...]:
    """Earlier statements revised with a provisional index whose real value is now known:
    per VAT rate, the revision they should have had minus the one they had. The statement
    records which ones it regularises, so each is regularised once."""
    if not settings.indices:
        return ()
    issued = list(
        Invoice.objects.filter(
            contract_id=invoice.contract_id, status=Invoice.Status.ISSUED, kind__in=STATEMENT_KINDS
        )
        .exclude(pk=invoice.pk)
        .only("pk", "inputs", "revision_coefficient", "statement_number")
        .order_by("chain_position")
    )
    done = {pk for earlier in issued for pk in earlier.inputs.get("regularises", [])}
    totals: dict[Decimal, Decimal] = {}
    regularised: list[int] = []
    for earlier in issued:
        provisional = earlier.inputs.get("provisional_indices") or {}
        if not provisional or earlier.pk in done or earlier.revision_coefficient is None:
            continue
        values = {k: Decimal(v) for k, v in (earlier.inputs.get("index_values_used") or {}).items()}
        for name, month in provisional.items():
            real = (
                IndexValue.objects.filter(company_id=invoice.company_id, name=name, month=month)
                .values_list("value", flat=True)
                .first()
            )
            if real is None:
                break
            values[name] = real
        else:
            real_coefficient = engine.revision_coefficient(
                fixed_part=settings.revision_fixed_part,
                indices=settings.indices,
                values=values,
                rounding=settings.revision_rounding,
            )
            works = (
                InvoiceLine.objects.filter(invoice=earlier, kind=InvoiceLine.Kind.WORK)
                .values("vat_rate")
                .annotate(total=Sum("net"))
            )
            for row in works:
                delta = round2(row["total"] * (real_coefficient - 1)) - round2(
                    row["total"] * (earlier.revision_coefficient - 1)
                )
                totals[row["vat_rate"]] = totals.get(row["vat_rate"], ZERO) + delta
            regularised.append(earlier.pk)
            notes.append(
                {
                    "code": "revision_regularised",
                    "message": _(
                        "Regularisation of the provisional revision of statement no. %(n)s: "
                        "coefficient %(real)s instead of %(provisional)s."
                    )
                    % {
                        "n": earlier.statement_number,
                        "real": real_coefficient,
                        "provisional": earlier.revision_coefficient,
                    },
                    "line_id": None,
                }
            )
    if regularised:
        invoice.inputs["regularises"] = regularised
    return tuple(
        engine.RateAmount(rate=rate, amount=amount)
        for rate, amount in sorted(totals.items(), reverse=True)
        if amount != 0
    )


def _statement(
    invoice: Invoice, entries: tuple[engine.ProgressEntry, ...], common: dict[str, Any]
) -> engine.InvoiceDraft:
    if invoice.kind == Kind.SUPPLEMENTARY:
        return engine.supplementary(entries=entries, **common)
    inputs = invoice.inputs
    return engine.progress(
        entries=entries,
        global_percent=_decimal(inputs.get("global_percent")),
        manual_deduction=_decimal(inputs.get("manual_deduction")),
        final=invoice.kind == Kind.FINAL,
        **common,
    )


def _gross_at_initial_prices(lines: Sequence[tuple[Decimal, Decimal]], reverse: bool) -> Decimal:
    """Σ amount × (1 + rate): the TTC value at initial prices (french-rules §3.2's P, M)."""
    total = ZERO
    for amount, rate in lines:
        total += amount if reverse else amount + round2(amount * rate / 100)
    return total


def _advance_deduction(
    contract: Contract, base: Sequence[engine.BaseLine], draft: engine.InvoiceDraft
) -> engine.Deduction | None:
    """Précompte of a public advance: R_cum(P) − what was already repaid (billing.md
    "Public advance"; P, M at initial prices incl. VAT). Nothing when it would be ≤ 0."""
    if contract.advance_amount <= 0:
        return None
    reverse = contract.reverse_charge
    contract_gross = _gross_at_initial_prices([(b.net, b.vat_rate) for b in base], reverse)
    executed = _gross_at_initial_prices(
        [(line.cumulative_amount, line.vat_rate) for line in draft.lines if line.kind == "work"],
        reverse,
    )
    if contract_gross <= 0:
        return None
    repaid = (
        InvoiceDeduction.objects.filter(
            invoice__contract=contract, invoice__status=Invoice.Status.ISSUED, kind="advance"
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    due = engine.advance_repayment_cumulative(
        advance=contract.advance_amount,
        contract_gross=contract_gross,
        executed_gross=executed,
        start=contract.advance_start_percent,
        end=contract.advance_end_percent,
    )
    amount = round2(due - repaid)
    if amount <= 0:
        return None
    label = _("Repayment of the advance (précompte)")
    return engine.Deduction(label=label, amount=amount, kind="advance", base="gross")


def _penalty(base: Sequence[engine.BaseLine], days: object) -> tuple[engine.Deduction, ...]:
    """Late-completion penalty: 1/3000 of the contract net per calendar day late, capped
    at 10 %, waived up to 1 000 € (french-rules §9, example 9.A)."""
    if not days:
        return ()
    if not isinstance(days, int) or not 0 < days <= 3650:
        raise DomainError(_("Days late: a whole number from 1 to 3650."), field="penalty_days")
    amount = engine.penalty(contract_net=_base_net(base), days_late=days)
    if amount <= 0:
        return ()
    label = _("Late-completion penalty: %(days)s days × 1/3000 of the contract") % {"days": days}
    return (engine.Deduction(label=label, amount=amount, kind="penalty"),)


def _index_values(
    invoice: Invoice,
    settings: engine.Settings,
    given: Mapping[str, str],
    notes: list[dict[str, Any]],
) -> dict[str, Decimal] | None:
    """Index values of the statement's month: those given, else the stored table; with
    provisional revision, the last known value before that month (to be regularised)."""
    if not settings.indices:
        return None
    values = {name: Decimal(value) for name, value in given.items()}
    missing = [index.name for index in settings.indices if index.name not in values]
    month = invoice.period_date.replace(day=1)
    if missing:
        for row in IndexValue.objects.filter(
            company_id=invoice.company_id, name__in=missing, month=month
        ):
            values[row.name] = row.value
    still = [name for name in missing if name not in values]
    if still and invoice.contract.revision_provisional:
        for name in still:
            row = (
                IndexValue.objects.filter(company_id=invoice.company_id, name=name, month__lt=month)
                .order_by("-month")
                .first()
            )
            if row is not None:
                values[name] = row.value
                invoice.inputs.setdefault("provisional_indices", {})[name] = month.isoformat()
                notes.append(
                    {
                        "code": "provisional_index",
                        "message": _(
                            "Provisional revision: index %(name)s of %(month)s is not known "
                            "yet; the value of %(used)s (%(value)s) is used, to be "
                            "regularised."
                        )
                        % {
                            "name": name,
                            "month": f"{month:%m/%Y}",
                            "used": f"{row.month:%m/%Y}",
                            "value": row.value,
                        },
                        "line_id": None,
                    }
                )
    return values


def _store(invoice: Invoice, computation: Computation) -> None:
    """Save the engine's whole output with the draft (replacing what it had).

    Work lines also keep what the grid and the statement document show beside the
    amounts: the contract line's base and quantity, and the previous cumulative
    quantity and %.
    """
    draft = computation.draft
    base_by_id = {line.line_id: line for line in computation.base}
    previous_by_id = {line.line_id: line for line in computation.history.lines}
    base_net = _base_net(computation.base)
    invoice.type_code = draft.type_code
    invoice.framework = draft.framework
    for name in (
        "net",
        "vat_total",
        "gross",
        "works_net",
        "works_gross",
        "works_gross_cumulative",
        "retention",
        "retention_cumulative",
        "deductions_total",
        "payable",
        "global_percent",
        "revision_coefficient",
    ):
        setattr(invoice, name, getattr(draft, name))
    invoice.works_net_cumulative = draft.works_net_cumulative
    invoice.base_net = base_net
    invoice.warnings = [
        {"code": w.code, "message": warning_message(w, computation.base), "line_id": w.line_id}
        for w in draft.warnings
    ] + list(computation.notes)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise DomainError(
            _("This contract already has a draft statement: change or delete it first."),
            field="kind",
        ) from None
    InvoiceVat.objects.filter(invoice=invoice).delete()
    InvoiceDeduction.objects.filter(invoice=invoice).delete()
    line_store.replace_lines(
        invoice.pk,
        (
            {
                "company_id": invoice.company_id,
                "invoice_id": invoice.pk,
                "position": position,
                "kind": line.kind,
                "contract_line_id": line.line_id,
                "section": line.section,
                "description": line.description,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "net": line.net,
                "vat_rate": line.vat_rate,
                "base_net": base_by_id[line.line_id].net if line.line_id in base_by_id else ZERO,
                "contract_quantity": (
                    base_by_id[line.line_id].quantity if line.line_id in base_by_id else ZERO
                ),
                "cumulative_quantity": line.cumulative_quantity,
                "cumulative_percent": line.cumulative_percent,
                "cumulative_amount": line.cumulative_amount,
                "previous_amount": line.previous_amount,
                "previous_quantity": _previous(previous_by_id, line, "cumulative_quantity"),
                "previous_percent": _previous(previous_by_id, line, "cumulative_percent"),
                "down_payment_invoice_id": line.down_payment_invoice_id,
            }
            for position, line in enumerate(draft.lines, start=1)
        ),
    )
    InvoiceVat.objects.bulk_create(
        InvoiceVat(
            invoice=invoice, rate=vat.rate, base=vat.base, amount=vat.amount, category=vat.category
        )
        for vat in draft.vat
    )
    InvoiceDeduction.objects.bulk_create(
        InvoiceDeduction(
            invoice=invoice, label=d.label, kind=d.kind, amount=d.amount, position=position
        )
        for position, d in enumerate(draft.deductions, start=1)
    )


@transaction.atomic
def invoice_delete(*, user: User, invoice: Invoice) -> None:
    """Delete a draft; an issued document is never deleted (billing.md)."""
    require_writer(user)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_draft(invoice)
    audit_log(
        company=invoice.company,
        user=user,
        action="invoice_delete",
        obj=invoice,
        data={"kind": invoice.kind},
    )
    invoice.delete()


def _previous(
    previous_by_id: Mapping[int, engine.LinePrevious], line: engine.DraftLine, name: str
) -> Decimal:
    if line.kind != "work" or line.line_id not in previous_by_id:
        return ZERO
    value: Decimal = getattr(previous_by_id[line.line_id], name)
    return value


def _check_draft(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.DRAFT:
        raise DomainError(
            _("Invoice %(number)s is issued: it can no longer be changed or deleted.")
            % {"number": invoice.number},
            field="status",
        )


def _base_net(base: Sequence[engine.BaseLine]) -> Decimal:
    return sum((line.net for line in base), ZERO)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
