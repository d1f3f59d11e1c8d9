"""Down-payment deductions in statements (billing.md "Down payments", french-rules §3.1).
Pure: no Django, Decimal in and out.

The deduction is cumulative like progress (prorata, first, manual, at_final; the final
invoice deducts the remainder), never above the down payments' total, split across
(down payment, rate) pairs on the cumulative value then differenced, so it never drifts.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from chantier.billing.engine_rules import (
    effective_rate,
    split_by_weights,
)
from chantier.billing.engine_types import (
    LINE_DEDUCTION,
    ZERO,
    BillingError,
    DraftLine,
    History,
    Settings,
    rate2,
)
from chantier.core.money import round2

ONE_QUANTITY = Decimal("1.000")


def signed_line(kind: str, description: str, net: Decimal, rate: Decimal) -> DraftLine:
    # EN 16931 BR-27: no negative price, so a negative amount is quantity −1 × price.
    quantity = -ONE_QUANTITY if net < 0 else ONE_QUANTITY
    return DraftLine(kind, description, "", quantity, abs(net), net, rate)


def deduction_target(
    *,
    settings: Settings,
    total: Decimal,
    previous: Decimal,
    works_cumulative: Decimal,
    base_net: Decimal,
    manual: Decimal | None,
    closing: bool,
) -> Decimal:
    """Cumulative down-payment deduction after this statement (billing.md "Down payments")."""
    mode = settings.down_payment_deduction
    if manual is not None:
        if mode != "manual":
            raise BillingError(
                "A deduction amount is entered only in the manual deduction mode.",
                code="manual_deduction_not_allowed",
                field="down_payment_deduction",
            )
        balance = total - previous
        if manual > balance:
            raise BillingError(
                f"The deduction {manual} exceeds the remaining balance {balance}.",
                code="deduction_above_balance",
                field="down_payment_deduction",
                params={"amount": manual, "balance": balance},
            )
        if previous + manual < 0:
            raise BillingError(
                f"The deduction {manual} gives back more than was deducted ({previous}).",
                code="deduction_below_zero",
                field="down_payment_deduction",
                params={"amount": manual, "deducted": previous},
            )
    if total <= 0:
        return ZERO
    if closing:
        target = total  # the final invoice deducts the remainder
    elif mode == "prorata":
        target = ZERO if base_net <= 0 else round2(total * works_cumulative / base_net)
    elif mode == "first":
        target = works_cumulative
    elif mode == "manual":
        target = previous + (manual or ZERO)
    else:  # at_final
        target = ZERO
    return min(total, max(ZERO, target))


def deduction_lines(history: History, settings: Settings, target: Decimal) -> list[DraftLine]:
    """Split the cumulative deduction across (down payment, rate) pairs in proportion to
    their nets, residue on the largest, then difference with the previous cumulative per
    pair: the per-pair amounts never drift."""
    pairs: dict[tuple[int, Decimal], Decimal] = {}
    numbers: dict[int, str] = {}
    for down_payment in history.down_payments:
        numbers[down_payment.invoice_id] = down_payment.number
        for net in sorted(down_payment.nets, key=lambda n: n.rate, reverse=True):
            if net.amount > 0:
                key = (down_payment.invoice_id, effective_rate(net.rate, settings))
                pairs[key] = pairs.get(key, ZERO) + net.amount
    targets: dict[tuple[int, Decimal], Decimal] = dict.fromkeys(pairs, ZERO)
    if pairs and target != 0:
        shares = split_by_weights(target, list(pairs.values()))
        targets = dict(zip(pairs, shares, strict=True))
    previous: dict[tuple[int, Decimal], Decimal] = {}
    for done in history.deducted:
        key = (done.invoice_id, rate2(done.rate))
        previous[key] = previous.get(key, ZERO) + done.amount
    lines: list[DraftLine] = []
    for key in [*targets, *(k for k in previous if k not in targets)]:
        invoice_id, rate = key
        new, old = targets.get(key, ZERO), previous.get(key, ZERO)
        if new == old:
            continue
        number = numbers.get(invoice_id, str(invoice_id))
        line = signed_line(LINE_DEDUCTION, f"Déduction de l'acompte {number}", old - new, rate)
        lines.append(
            replace(
                line,
                cumulative_amount=-new,
                previous_amount=-old,
                down_payment_invoice_id=invoice_id,
            )
        )
    return lines
