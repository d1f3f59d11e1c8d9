"""Folding an issued document into the contract's billing history. Pure: no Django."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from chantier.billing.engine_types import (
    KIND_CREDIT_NOTE,
    KIND_DOWN_PAYMENT,
    LINE_DEDUCTION,
    LINE_DOWN_PAYMENT,
    LINE_WORK,
    TYPE_DOWN_PAYMENT_CREDIT,
    ZERO,
    BillingError,
    DeductionPrevious,
    DownPayment,
    History,
    InvoiceDraft,
    LinePrevious,
    RateAmount,
    rate2,
)


def history_after(
    history: History, draft: InvoiceDraft, *, invoice_id: int | None = None, number: str = ""
) -> History:
    """The history once `draft` is issued.

    Progress, final and supplementary documents move the lines' cumulative state, the
    cumulative works, retention base and retention, and the deductions per (down
    payment, rate). A down payment (386) is added with its net per rate: pass its
    `invoice_id` and `number`. A credit note never changes recorded progress,
    deductions nor retention state; a 503 lowers the credited down payment's nets
    (identified by its lines' down_payment_invoice_id, else by `invoice_id`).
    """
    if draft.kind == KIND_DOWN_PAYMENT:
        if invoice_id is None:
            raise BillingError(
                "A down payment needs its invoice id.",
                code="missing_invoice_id",
                field="invoice_id",
            )
        nets = tuple(
            RateAmount(line.vat_rate, line.net)
            for line in draft.lines
            if line.kind == LINE_DOWN_PAYMENT
        )
        entry = DownPayment(invoice_id, number, nets)
        return replace(history, down_payments=(*history.down_payments, entry))
    if draft.kind == KIND_CREDIT_NOTE:
        if draft.type_code != TYPE_DOWN_PAYMENT_CREDIT:
            return history
        return _credit_down_payment(history, draft, invoice_id)
    lines = {line.line_id: line for line in history.lines}
    for line in draft.lines:
        if line.kind == LINE_WORK and line.line_id is not None:
            lines[line.line_id] = LinePrevious(
                line.line_id,
                line.cumulative_quantity,
                line.cumulative_percent,
                line.cumulative_amount,
            )
    deducted = {(d.invoice_id, rate2(d.rate)): d.amount for d in history.deducted}
    for line in draft.lines:
        if line.kind == LINE_DEDUCTION and line.down_payment_invoice_id is not None:
            deducted[(line.down_payment_invoice_id, rate2(line.vat_rate))] = -line.cumulative_amount
    return History(
        lines=tuple(lines.values()),
        works_net_cumulative=history.works_net_cumulative + draft.works_net,
        works_gross_cumulative=draft.works_gross_cumulative,
        retention_cumulative=draft.retention_cumulative,
        deducted=tuple(DeductionPrevious(i, r, a) for (i, r), a in deducted.items()),
        down_payments=history.down_payments,
    )


def _credit_down_payment(history: History, draft: InvoiceDraft, invoice_id: int | None) -> History:
    credited: dict[int, dict[Decimal, Decimal]] = {}
    for line in draft.lines:
        if line.kind != LINE_DOWN_PAYMENT:
            continue
        target = line.down_payment_invoice_id or invoice_id
        if target is None:
            raise BillingError(
                "Name the down payment this credit note reverses.",
                code="missing_invoice_id",
                field="invoice_id",
            )
        by_rate = credited.setdefault(target, {})
        rate = rate2(line.vat_rate)
        by_rate[rate] = by_rate.get(rate, ZERO) + line.net
    down_payments = []
    for dp in history.down_payments:
        changes = credited.get(dp.invoice_id, {})
        nets = tuple(
            RateAmount(n.rate, n.amount + changes.get(rate2(n.rate), ZERO)) for n in dp.nets
        )
        down_payments.append(replace(dp, nets=nets))
    return replace(history, down_payments=tuple(down_payments))
