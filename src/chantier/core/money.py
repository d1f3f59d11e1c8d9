"""Decimal helpers: the one place that says how amounts are rounded (ADR 0001)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
RATE_PLACES = Decimal("0.0001")

# Field keyword sets shared by every app's models (DESIGN "Money").
AMOUNT_FIELD: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
QUANTITY_FIELD: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
UNIT_PRICE_FIELD: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
COST_FIELD: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}
RATE_FIELD: dict[str, Any] = {"max_digits": 9, "decimal_places": 4}
VAT_RATE_FIELD: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}

# French VAT rates a construction company may use (french-rules §5).
VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("0.00"))


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round3(value: Decimal) -> Decimal:
    return value.quantize(MILLI, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Convert user or spreadsheet input to Decimal through its shortest text form.

    A float cell 4.85 must become Decimal('4.85'), not 4.8499999…
    (billing.md, "Pitfalls"); French decimal commas and spaces are accepted.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    text = text.replace("€", "").replace("%", "").replace(",", ".")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result
