"""Down-payment invoices (acomptes, type 386) and credit notes (avoirs, 381 / 503).
Pure: no Django, Decimal in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from chantier.billing.engine_progress import global_percent_of
from chantier.billing.engine_rules import (
    effective_rate,
    french_number,
    split_by_weights,
    validate_settings,
    vat_breakdown,
)
from chantier.billing.engine_types import (
    HUNDRED,
    KIND_CREDIT_NOTE,
    KIND_DOWN_PAYMENT,
    LINE_DEDUCTION,
    LINE_DOWN_PAYMENT,
    LINE_REVISION,
    LINE_WORK,
    TYPE_CREDIT_NOTE,
    TYPE_DOWN_PAYMENT,
    TYPE_DOWN_PAYMENT_CREDIT,
    ZERO,
    BaseLine,
    BillingError,
    BillingWarning,
    DownPaymentDraft,
    DraftLine,
    History,
    InvoiceDraft,
    Settings,
    rate2,
)
from chantier.core.money import round2

ONE_QUANTITY = Decimal("1.000")


def down_payment(
    *,
    base: Sequence[BaseLine],
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    already: Decimal = ZERO,
    works_billed: Decimal = ZERO,
    settings: Settings,
    history: History | None = None,
    description: str = "Acompte",
) -> DownPaymentDraft:
    """A down-payment invoice (type 386): a % or an amount of the contract net (billing.md).

    net = round2(base net × percent / 100) or the amount; split by VAT rate in
    proportion to the base per rate (rates whose base is positive; residue on the
    largest); VAT per rate; no retention. Warning "over_contract" when already (down
    payments issued) + net + works_billed exceed the base net (seed 002). `history`, if
    given, only fills the cumulative fields. percent ≤ 0 or > 100 → BillingError
    (code "invalid_percent", field "percent"); amount ≤ 0 → ("invalid_amount",
    "amount"); both or neither → ("percent_or_amount", "percent").
    """
    validate_settings(settings)
    base_net = sum((line.net for line in base), ZERO)
    if percent is not None and amount is None:
        if not ZERO < percent <= HUNDRED:
            raise BillingError(
                "The percentage must be above 0 and at most 100.",
                code="invalid_percent",
                field="percent",
                params={"percent": percent},
            )
        net = round2(base_net * percent / HUNDRED)
    elif amount is not None and percent is None:
        if amount <= 0:
            raise BillingError(
                "The amount must be positive.",
                code="invalid_amount",
                field="amount",
                params={"amount": amount},
            )
        net = round2(amount)
    else:
        raise BillingError(
            "Give either a percentage or an amount.", code="percent_or_amount", field="percent"
        )
    by_rate: dict[Decimal, Decimal] = {}
    for line in base:
        rate = effective_rate(line.vat_rate, settings)
        by_rate[rate] = by_rate.get(rate, ZERO) + line.net
    rates = sorted((rate for rate, total in by_rate.items() if total > 0), reverse=True)
    if net <= 0 or not rates:
        raise BillingError(
            "The contract has no amount to take a down payment on.",
            code="empty_base",
            field="percent" if percent is not None else "amount",
        )
    shares = split_by_weights(net, [by_rate[rate] for rate in rates])
    label = description if percent is None else f"{description} {french_number(percent)} %"
    lines = tuple(
        DraftLine(
            LINE_DOWN_PAYMENT,
            label if len(rates) == 1 else f"{label} (TVA {french_number(rate)} %)",
            "",
            ONE_QUANTITY,
            share,
            share,
            rate,
        )
        for rate, share in zip(rates, shares, strict=True)
    )
    vat = vat_breakdown(lines, reverse_charge=settings.reverse_charge)
    vat_total = sum((v.amount for v in vat), ZERO)
    warnings: tuple[BillingWarning, ...] = ()
    if already + net + works_billed > base_net:
        warnings = (
            BillingWarning(
                "over_contract",
                "Down payments and works billed would exceed the contract amount.",
                None,
                {"total": already + net + works_billed, "base": base_net},
            ),
        )
    past = history or History()
    cumulative = sum((line.cumulative_amount for line in past.lines), ZERO)
    deducted = sum((d.amount for d in past.deducted), ZERO)
    return InvoiceDraft(
        type_code=TYPE_DOWN_PAYMENT,
        kind=KIND_DOWN_PAYMENT,
        lines=lines,
        vat=vat,
        net=net,
        vat_total=vat_total,
        gross=net + vat_total,
        works_net=ZERO,
        works_gross=ZERO,
        works_gross_cumulative=past.works_gross_cumulative,
        retention_cumulative=past.retention_cumulative,
        retention=ZERO,
        deductions=(),
        deductions_total=ZERO,
        payable=net + vat_total,
        global_percent=global_percent_of(cumulative, base_net),
        revision_coefficient=None,
        warnings=warnings,
        retention_base=settings.retention_base,
        down_payment_deduction_cumulative=deducted,
        works_net_cumulative=cumulative,
    )


def _works_gross(lines: Sequence[DraftLine], retention_base: str) -> Decimal:
    """Retention base of some lines: Σ per rate of (works + revision) [+ its VAT]."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.kind in (LINE_WORK, LINE_REVISION):
            rate = rate2(line.vat_rate)
            by_rate[rate] = by_rate.get(rate, ZERO) + line.net
    total = ZERO
    for rate, amount in by_rate.items():
        total += amount
        if retention_base == "gross":
            total += round2(amount * rate / HUNDRED)
    return total


def credit_note(
    *, invoice: InvoiceDraft, line_indexes: Sequence[int] | None = None
) -> InvoiceDraft:
    """A credit note reversing all or some lines of an issued document (billing.md).

    `invoice` is the stored original rebuilt; `line_indexes` index its `lines` (None:
    all). Type 381, or 503 for a down payment (386). Lines are the original ones with
    quantity and net negated (their kind kept); VAT is recomputed per rate on the
    credited lines. Retention credited = round2(original retention × credited works
    gross / original works gross), the whole retention when every line is credited.
    Other deductions (penalties) are not credited. Never touches progress: the
    cumulative fields keep the original's values and `history_after` ignores a 381.
    """
    if invoice.kind == KIND_CREDIT_NOTE or invoice.type_code in (
        TYPE_CREDIT_NOTE,
        TYPE_DOWN_PAYMENT_CREDIT,
    ):
        raise BillingError(
            "A credit note cannot be credited.", code="credit_of_credit", field="invoice"
        )
    count = len(invoice.lines)
    indexes = tuple(range(count)) if line_indexes is None else tuple(line_indexes)
    if not indexes or len(set(indexes)) != len(indexes):
        raise BillingError(
            "Choose the lines to credit, each once.", code="invalid_lines", field="line_indexes"
        )
    for index in indexes:
        if not 0 <= index < count:
            raise BillingError(
                f"The document has no line {index}.",
                code="unknown_line",
                field="line_indexes",
                params={"index": index},
            )
    originals = [invoice.lines[index] for index in sorted(indexes)]
    lines = tuple(replace(line, quantity=-line.quantity, net=-line.net) for line in originals)
    reverse_charge = any(v.category == "AE" for v in invoice.vat)
    vat = vat_breakdown(lines, reverse_charge=reverse_charge)
    net = sum((line.net for line in lines), ZERO)
    vat_total = sum((v.amount for v in vat), ZERO)
    credited_gross = _works_gross(originals, invoice.retention_base)
    if len(indexes) == count:
        retention = invoice.retention
    elif invoice.works_gross == 0:
        retention = ZERO
    else:
        retention = round2(invoice.retention * credited_gross / invoice.works_gross)

    def total(kind: str) -> Decimal:
        return sum((line.net for line in lines if line.kind == kind), ZERO)

    return InvoiceDraft(
        type_code=(
            TYPE_DOWN_PAYMENT_CREDIT if invoice.type_code == TYPE_DOWN_PAYMENT else TYPE_CREDIT_NOTE
        ),
        kind=KIND_CREDIT_NOTE,
        lines=lines,
        vat=vat,
        net=net,
        vat_total=vat_total,
        gross=net + vat_total,
        works_net=total(LINE_WORK),
        works_gross=-credited_gross,
        works_gross_cumulative=invoice.works_gross_cumulative,
        retention_cumulative=invoice.retention_cumulative,
        retention=-retention,
        deductions=(),
        deductions_total=ZERO,
        payable=net + vat_total + retention,
        global_percent=invoice.global_percent,
        revision_coefficient=invoice.revision_coefficient,
        warnings=(),
        retention_base=invoice.retention_base,
        framework="S1",
        revision_net=total(LINE_REVISION),
        down_payment_deduction=-total(LINE_DEDUCTION),
        down_payment_deduction_cumulative=invoice.down_payment_deduction_cumulative,
        works_net_cumulative=invoice.works_net_cumulative,
    )
