"""Stand-alone billing rules: revision and actualisation coefficients, public-advance
repayment, late-completion penalties, due dates, and the shared helpers (VAT per rate,
proportional split, settings check). Pure: no Django, Decimal in and out.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from chantier.billing.engine_types import (
    DEDUCTION_MODES,
    HUNDRED,
    MAX_RETENTION_RATE,
    ONE,
    RETENTION_BASES,
    RETENTION_ON,
    REVISION_ROUNDINGS,
    ZERO,
    BillingError,
    DraftLine,
    RevisionIndex,
    Settings,
    VatLine,
    rate2,
)
from chantier.core.money import MILLI, round2, round4

PAYMENT_TERMS = ("60d", "45d_eom", "45d_then_eom", "30d", "receipt", "days")


# --- price revision and actualisation (french-rules §4) ----------------------------------


def round_coefficient(raw: Decimal, rounding: str) -> Decimal:
    """Round a revision coefficient: "3up" = 3 places towards +∞ ("arrondi au millième
    supérieur", also below 1), "4half" = 4 places half-up, "none" = as computed."""
    if rounding == "3up":
        return raw.quantize(MILLI, rounding=ROUND_CEILING)
    if rounding == "4half":
        return round4(raw)
    if rounding == "none":
        return raw
    raise BillingError(
        f"Unknown coefficient rounding {rounding!r}.",
        code="unknown_setting",
        field="revision_rounding",
        params={"value": rounding},
    )


def revision_coefficient(
    *,
    fixed_part: Decimal,
    indices: Sequence[RevisionIndex],
    values: Mapping[str, Decimal],
    rounding: str = "3up",
) -> Decimal:
    """C = a + Σ b_k × I_k(n) / I_k(0), rounded per `rounding` (french-rules §4.1, 4.A).

    a + Σ b_k must be 1. A missing index value stops the revision:
    BillingError(code="missing_index", field="index_values", params={"name": …}).
    """
    if not indices:
        raise BillingError("The revision formula has no index.", code="no_index", field="indices")
    total_weight = fixed_part + sum((index.weight for index in indices), ZERO)
    if total_weight != ONE or fixed_part < 0:
        raise BillingError(
            f"The fixed part and the index weights add up to {total_weight}, not 1.",
            code="weights_not_one",
            field="indices",
            params={"total": total_weight},
        )
    raw = fixed_part
    for index in indices:
        if index.name not in values:
            raise BillingError(
                f"The value of the index {index.name} is missing.",
                code="missing_index",
                field="index_values",
                params={"name": index.name},
            )
        value = values[index.name]
        if index.base_value <= 0 or value <= 0:
            raise BillingError(
                f"The index {index.name} must have positive values.",
                code="invalid_index",
                field="index_values",
                params={"name": index.name},
            )
        raw += index.weight * value / index.base_value
    return round_coefficient(raw, rounding)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def actualisation_month(start_date: date) -> date:
    """First day of the month whose index actualises the price: start month − 3 (§4.1)."""
    return add_months(start_date.replace(day=1), -3)


def actualisation_needed(*, price_date: date, start_date: date) -> bool:
    """True when more than three months pass between the price date and the start."""
    return start_date > add_months(price_date, 3)


def actualisation_coefficient(
    *,
    price_date: date,
    start_date: date,
    fixed_part: Decimal,
    indices: Sequence[RevisionIndex],
    values: Mapping[str, Decimal],
    rounding: str = "3up",
) -> Decimal:
    """Actualisation (once, before the start), french-rules §4.1 and example 4.B.

    `values` are the index values of `actualisation_month(start_date)` and the indices'
    base values those of the price month. Returns 1 when the start is no more than
    three months after the price date; else the revision formula with those values.
    """
    if not actualisation_needed(price_date=price_date, start_date=start_date):
        return ONE
    return revision_coefficient(
        fixed_part=fixed_part, indices=indices, values=values, rounding=rounding
    )


def actualise(amount: Decimal, coefficient: Decimal) -> Decimal:
    """An amount at actualised prices: round2(amount × C) (4.B: 33 060.00 → 33 390.60)."""
    return round2(amount * coefficient)


# --- public advance (french-rules §3.2) ---------------------------------------------------


def advance_repayment_cumulative(
    *,
    advance: Decimal,
    contract_gross: Decimal,
    executed_gross: Decimal,
    start: Decimal | None = None,
    end: Decimal = Decimal("80"),
) -> Decimal:
    """R_cum(P) = round2(A × clamp((P − s·M) / (e·M − s·M), 0, 1)) (§3.2, 3.B, 3.C).

    P and M are TTC at initial prices; `start` and `end` are percents of M. `start`
    None means the default: 65 %, or 0 when the advance exceeds 30 % of M.
    """
    if advance < 0 or contract_gross <= 0:
        raise BillingError(
            "The advance must not be negative and the contract amount must be positive.",
            code="invalid_advance",
            field="advance",
        )
    if start is None:
        start = ZERO if advance * HUNDRED > contract_gross * Decimal(30) else Decimal(65)
    low = contract_gross * start / HUNDRED
    high = contract_gross * end / HUNDRED
    if high <= low:
        raise BillingError(
            "The repayment must end after it starts.",
            code="invalid_advance_bounds",
            field="end",
            params={"start": start, "end": end},
        )
    fraction = min(ONE, max(Decimal(0), (executed_gross - low) / (high - low)))
    return round2(advance * fraction)


def advance_repayment(
    *,
    advance: Decimal,
    contract_gross: Decimal,
    executed_before: Decimal,
    executed_now: Decimal,
    start: Decimal | None = None,
    end: Decimal = Decimal("80"),
) -> Decimal:
    """Précompte of one statement = R_cum(P_n) − R_cum(P_n−1) (§3.2)."""
    now = advance_repayment_cumulative(
        advance=advance,
        contract_gross=contract_gross,
        executed_gross=executed_now,
        start=start,
        end=end,
    )
    before = advance_repayment_cumulative(
        advance=advance,
        contract_gross=contract_gross,
        executed_gross=executed_before,
        start=start,
        end=end,
    )
    return now - before


# --- penalties (french-rules §9) and due dates (§6) ---------------------------------------


def penalty(
    *,
    contract_net: Decimal,
    days_late: int,
    daily_fraction: Decimal | None = None,
    cap_rate: Decimal = Decimal("10"),
    waiver: Decimal = Decimal("1000.00"),
) -> Decimal:
    """Pen = min(round2(M × fraction) × days, round2(M × cap %)), 0 when ≤ waiver (§9, 9.A).

    `daily_fraction` None is 1/3000 computed exactly (M / 3000).
    """
    if contract_net < 0 or days_late < 0:
        raise BillingError(
            "The contract amount and the days late must not be negative.",
            code="invalid_penalty",
            field="days_late",
        )
    daily = round2(
        contract_net / Decimal(3000) if daily_fraction is None else contract_net * daily_fraction
    )
    amount = min(daily * days_late, round2(contract_net * cap_rate / HUNDRED))
    return ZERO if amount <= waiver else amount


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date(*, invoice_date: date, terms: str, days: int | None = None) -> date:
    """Payment due date (Code de commerce L441-10, french-rules §6.3, 6.A).

    "60d": invoice + 60 days; "45d_eom": end of the invoice month + 45 days (default
    reading); "45d_then_eom": + 45 days then the end of that month; "30d"; "receipt";
    "days": + `days`.
    """
    if terms == "60d":
        return invoice_date + timedelta(days=60)
    if terms == "30d":
        return invoice_date + timedelta(days=30)
    if terms == "45d_eom":
        return _end_of_month(invoice_date) + timedelta(days=45)
    if terms == "45d_then_eom":
        return _end_of_month(invoice_date + timedelta(days=45))
    if terms == "receipt":
        return invoice_date
    if terms == "days" and days is not None and days >= 0:
        return invoice_date + timedelta(days=days)
    raise BillingError(
        f"Unknown payment terms {terms!r}.",
        code="unknown_terms",
        field="terms",
        params={"terms": terms, "days": days},
    )


# --- shared helpers -----------------------------------------------------------------------


def split_by_weights(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Shares round2(total × w / Σw), the residue on the largest weight (first of equals),
    so the shares add up to `total` exactly."""
    weight_sum = sum(weights, ZERO)
    if not weights or weight_sum == 0:
        raise ValueError("weights must not be empty nor add up to 0")
    shares = [round2(total * weight / weight_sum) for weight in weights]
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += total - sum(shares, ZERO)
    return shares


def effective_rate(rate: Decimal, settings: Settings) -> Decimal:
    """The rate a line carries on the document: 0 under reverse charge (category AE)."""
    return ZERO if settings.reverse_charge else rate2(rate)


def vat_breakdown(lines: Iterable[DraftLine], *, reverse_charge: bool) -> tuple[VatLine, ...]:
    """VAT per rate = round2(Σ line nets at that rate × rate / 100), never line by line
    (billing.md, french-rules §5.2 B); one VatLine per rate with a non-zero line, rates
    descending."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        # A rate whose lines are all at 0.00 (nothing moved) gets no row: an e-invoice
        # leaves those lines out, and EN 16931 (BR-S-08) refuses a rate without lines.
        if line.net == 0:
            continue
        rate = rate2(line.vat_rate)
        bases[rate] = bases.get(rate, ZERO) + line.net
    category = "AE" if reverse_charge else "S"
    return tuple(
        VatLine(
            rate=rate,
            base=bases[rate],
            amount=ZERO if reverse_charge else round2(bases[rate] * rate / HUNDRED),
            category=category,
        )
        for rate in sorted(bases, reverse=True)
    )


def _choice(value: str, allowed: Sequence[str], name: str) -> None:
    if value not in allowed:
        raise BillingError(
            f"Unknown value {value!r} for {name}.",
            code="unknown_setting",
            field=name,
            params={"value": value, "allowed": tuple(allowed)},
        )


def validate_settings(settings: Settings) -> None:
    """Refuse a setting out of range: retention above 5 % (loi 71-584) or negative,
    an unknown mode."""
    if not ZERO <= settings.retention_rate <= MAX_RETENTION_RATE:
        raise BillingError(
            f"The retention rate must be between 0 and {MAX_RETENTION_RATE} %.",
            code="retention_rate",
            field="retention_rate",
            params={"rate": settings.retention_rate, "max": MAX_RETENTION_RATE},
        )
    _choice(settings.retention_base, RETENTION_BASES, "retention_base")
    _choice(settings.retention_on, RETENTION_ON, "retention_on")
    _choice(settings.down_payment_deduction, DEDUCTION_MODES, "down_payment_deduction")
    _choice(settings.revision_rounding, REVISION_ROUNDINGS, "revision_rounding")


def french_number(value: Decimal) -> str:
    """'85.5' → '85,5': numbers inside line labels are read by French clients."""
    return format(value, "f").replace(".", ",")
