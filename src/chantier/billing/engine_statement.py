"""Progress statements (situations), final and supplementary invoices.
Pure: no Django, Decimal in and out.

Order of the amounts (billing.md "The invoice kinds and their order", french-rules §3.3 D):
works delta → revision → minus down-payment deduction (negative lines) → net → VAT per
rate → gross → minus retention → minus other deductions → amount payable now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from chantier.billing.engine_deductions import deduction_lines, deduction_target, signed_line
from chantier.billing.engine_progress import (
    NO_PREVIOUS,
    check_base_and_history,
    check_entries,
    global_percent_of,
    line_cumulatives,
)
from chantier.billing.engine_rules import (
    effective_rate,
    french_number,
    revision_coefficient,
    validate_settings,
    vat_breakdown,
)
from chantier.billing.engine_types import (
    HUNDRED,
    KIND_FINAL,
    KIND_PROGRESS,
    KIND_SUPPLEMENTARY,
    LINE_REVISION,
    LINE_WORK,
    TYPE_CREDIT_NOTE,
    TYPE_INVOICE,
    ZERO,
    BaseLine,
    BillingError,
    BillingWarning,
    Deduction,
    DraftLine,
    History,
    InvoiceDraft,
    ProgressEntry,
    RateAmount,
    Settings,
)
from chantier.core.money import round2


def _statement(
    *,
    kind: str,
    base: Sequence[BaseLine],
    history: History,
    entries: Sequence[ProgressEntry],
    global_percent: Decimal | None,
    settings: Settings,
    index_values: Mapping[str, Decimal] | None,
    manual_deduction: Decimal | None,
    deductions: Sequence[Deduction],
    regularisations: Sequence[RateAmount] = (),
) -> InvoiceDraft:
    validate_settings(settings)
    previous = check_base_and_history(base, history)
    by_line = check_entries(base, entries, global_percent)
    for deduction in deductions:
        if deduction.amount < 0:
            raise BillingError(
                f"The deduction {deduction.label!r} must not be negative.",
                code="negative_deduction",
                field="deductions",
                params={"label": deduction.label},
            )
    cumulatives, warnings = line_cumulatives(base, previous, by_line, global_percent, kind)
    closing = kind in (KIND_FINAL, KIND_SUPPLEMENTARY)

    # Works: S = C − C_prev per line, both stored.
    lines: list[DraftLine] = []
    works_by_rate: dict[Decimal, Decimal] = {}
    for line in base:
        now = cumulatives[line.line_id]
        prev = previous.get(line.line_id, NO_PREVIOUS)
        rate = effective_rate(line.vat_rate, settings)
        delta = now.amount - prev.cumulative_amount
        works_by_rate[rate] = works_by_rate.get(rate, ZERO) + delta
        lines.append(
            DraftLine(
                LINE_WORK,
                line.description,
                line.unit,
                now.quantity - prev.cumulative_quantity,
                line.unit_price,
                delta,
                rate,
                line.line_id,
                now.quantity,
                now.percent,
                now.amount,
                prev.cumulative_amount,
                None,
                line.section,
            )
        )
    works_net = sum(works_by_rate.values(), ZERO)
    works_cumulative = sum((c.amount for c in cumulatives.values()), ZERO)
    base_net = sum((line.net for line in base), ZERO)
    progress_percent = global_percent_of(works_cumulative, base_net)

    # Revision per VAT rate on the works delta: round2(S_rate × (C − 1)) (§4.1).
    coefficient: Decimal | None = None
    revision_by_rate: dict[Decimal, Decimal] = {}
    moved = {rate: s for rate, s in works_by_rate.items() if s != 0}
    if settings.indices and moved:
        coefficient = revision_coefficient(
            fixed_part=settings.revision_fixed_part,
            indices=settings.indices,
            values=index_values or {},
            rounding=settings.revision_rounding,
        )
        for rate in sorted(moved, reverse=True):
            revision_by_rate[rate] = round2(moved[rate] * (coefficient - 1))
            lines.append(
                signed_line(
                    LINE_REVISION,
                    f"Révision de prix (C = {french_number(coefficient)})",
                    revision_by_rate[rate],
                    rate,
                )
            )

    # Regularisation of earlier provisional revisions, once the real index is known: a
    # revision line at the rate of the works it revises (billing.md "Price revision").
    for regularisation in regularisations:
        if regularisation.amount == 0:
            continue
        rate = effective_rate(regularisation.rate, settings)
        works_by_rate.setdefault(rate, ZERO)
        revision_by_rate[rate] = revision_by_rate.get(rate, ZERO) + regularisation.amount
        lines.append(
            signed_line(
                LINE_REVISION,
                "Régularisation de la révision provisoire",
                regularisation.amount,
                rate,
            )
        )

    # Down-payment deduction: cumulative, split per (down payment, rate), differenced.
    total_down = sum(
        (n.amount for dp in history.down_payments for n in dp.nets if n.amount > 0), ZERO
    )
    deducted_before = sum((d.amount for d in history.deducted), ZERO)
    target = deduction_target(
        settings=settings,
        total=total_down,
        previous=deducted_before,
        works_cumulative=works_cumulative,
        base_net=base_net,
        manual=manual_deduction,
        closing=closing,
    )
    lines.extend(deduction_lines(history, settings, target))
    if (
        settings.down_payment_deduction == "manual"
        and not closing
        and not manual_deduction
        and total_down - deducted_before > 0
        and progress_percent > settings.deduction_warning_threshold
    ):
        warnings.append(
            BillingWarning(
                "no_deduction",
                "No down-payment deduction while a balance remains: confirm.",
                None,
                {"balance": total_down - deducted_before, "progress": progress_percent},
            )
        )

    vat = vat_breakdown(lines, reverse_charge=settings.reverse_charge)
    net = sum((line.net for line in lines), ZERO)
    vat_total = sum((v.amount for v in vat), ZERO)
    gross = net + vat_total

    # Retention, cumulative on the works (revision included) TTC or HT (billing.md).
    works_gross = ZERO
    for rate, works in works_by_rate.items():
        amount = works + revision_by_rate.get(rate, ZERO)
        works_gross += amount
        if settings.retention_base == "gross":
            works_gross += round2(amount * rate / HUNDRED)
    works_gross_cumulative = history.works_gross_cumulative + works_gross
    if settings.retention_guarantee or (settings.retention_on == "final_only" and not closing):
        retention_cumulative = history.retention_cumulative
    else:
        retention_cumulative = round2(settings.retention_rate * works_gross_cumulative / HUNDRED)
    retention = retention_cumulative - history.retention_cumulative

    deductions_total = sum((d.amount for d in deductions), ZERO)
    # A negative statement is a credit note (billing.md). When its VAT rates move in
    # opposite directions the net and the gross may differ in sign: the gross, what the
    # client pays or gets back, decides.
    credit = gross < 0 or (gross == 0 and net < 0)
    if credit:
        warnings.append(
            BillingWarning(
                "credit_note",
                "The statement's net is negative: it is issued as a credit note.",
                None,
                {"net": net},
            )
        )
    return InvoiceDraft(
        type_code=TYPE_CREDIT_NOTE if credit else TYPE_INVOICE,
        kind=kind,
        lines=tuple(lines),
        vat=vat,
        net=net,
        vat_total=vat_total,
        gross=gross,
        works_net=works_net,
        works_gross=works_gross,
        works_gross_cumulative=works_gross_cumulative,
        retention_cumulative=retention_cumulative,
        retention=retention,
        deductions=tuple(deductions),
        deductions_total=deductions_total,
        payable=gross - retention - deductions_total,
        global_percent=progress_percent,
        revision_coefficient=coefficient,
        warnings=tuple(warnings),
        retention_base=settings.retention_base,
        framework="S4" if closing and total_down > 0 else "S1",
        revision_net=sum(revision_by_rate.values(), ZERO),
        down_payment_deduction=target - deducted_before,
        down_payment_deduction_cumulative=target,
        works_net_cumulative=works_cumulative,
    )


def progress(
    *,
    base: Sequence[BaseLine],
    history: History,
    entries: Sequence[ProgressEntry] = (),
    global_percent: Decimal | None = None,
    settings: Settings,
    index_values: Mapping[str, Decimal] | None = None,
    manual_deduction: Decimal | None = None,
    deductions: Sequence[Deduction] = (),
    final: bool = False,
    regularisations: Sequence[RateAmount] = (),
) -> InvoiceDraft:
    """A progress statement (situation, type 380; 381 when its net is negative), or with
    `final` the final invoice (clôture): french-rules §1–§4, billing.md.

    Every entry is converted to a cumulative value: C = round2(B × p / 100) in percent
    modes, round2(q × PU) in quantity modes; lines without an entry keep their previous
    cumulative. `global_percent` applies one percentage to every line (residue on the
    last line). Final: lump-sum lines go to 100 %, unit-price lines to the entered
    cumulative quantity or else their contract amount, every remaining down payment is
    deducted and a "final_only" retention is taken in full. In the manual deduction
    mode `manual_deduction` is this statement's deduction (negative gives back; ignored
    on a final invoice, which deducts the remainder).
    """
    return _statement(
        kind=KIND_FINAL if final else KIND_PROGRESS,
        base=base,
        history=history,
        entries=entries,
        global_percent=global_percent,
        settings=settings,
        index_values=index_values,
        manual_deduction=manual_deduction,
        deductions=deductions,
        regularisations=regularisations,
    )


def supplementary(
    *,
    base: Sequence[BaseLine],
    history: History,
    settings: Settings,
    entries: Sequence[ProgressEntry] = (),
    index_values: Mapping[str, Decimal] | None = None,
    deductions: Sequence[Deduction] = (),
    regularisations: Sequence[RateAmount] = (),
) -> InvoiceDraft:
    """Supplementary invoice after a final one (seed 002 "Facture complémentaire"): like a
    final invoice over the lines not yet fully billed: lump-sum lines to 100 % of their
    (possibly changed) base, unit-price lines never billed to their contract amount
    (or the entered quantity); lines already billed keep their cumulative."""
    return _statement(
        kind=KIND_SUPPLEMENTARY,
        base=base,
        history=history,
        entries=entries,
        global_percent=None,
        settings=settings,
        index_values=index_values,
        manual_deduction=None,
        deductions=deductions,
        regularisations=regularisations,
    )
