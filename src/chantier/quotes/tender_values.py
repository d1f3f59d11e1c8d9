"""Reading the numbers of a tender schedule row: quantity, unit price, amount.

Numbers go through `chantier.catalogue.spreadsheets.cell_number` (shortest text form of a
float cell, "12,5", "1 250,00", "1.234,50"), never through a float (billing.md, "Pitfalls").
Quantities keep 3 places, unit prices and amounts 2, rounded half-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from chantier.catalogue.spreadsheets import cell_number, cell_text, normalise
from chantier.core.money import round2, round3

# A lump sum written in the quantity column: quantity 1, unit "ens" (ensemble).
FORFAIT_WORDS = frozenset({"ens", "ensemble", "forfait", "forfaitaire", "ft", "ff", "fft", "forf"})
FORFAIT_UNIT = "ens"
# Field sizes of chantier.core.money: 14 digits, 3 places for quantities, 2 for prices.
QUANTITY_LIMIT = Decimal("1e11")
PRICE_LIMIT = Decimal("1e12")

Issue = tuple[str, dict[str, str]]  # (report code, message parameters)


@dataclass
class Reading:
    """A numeric cell read: its value, or the text it held instead, and what to report."""

    value: Decimal | None = None
    text: str = ""
    issues: list[Issue] = field(default_factory=list)


def number_or_text(value: object, *, limit: Decimal, cell: str) -> Reading:
    """A cell as a Decimal; a text that is no number comes back in `text`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Reading()
    if isinstance(value, bool | datetime | date | time):
        return Reading(text=cell_text(value))
    try:
        number = cell_number(value)
    except ValueError:
        return Reading(text=cell_text(value))
    if not number.is_finite():
        return Reading(text=cell_text(value))
    if abs(number) >= limit:
        return Reading(issues=[("out_of_range", {"text": cell_text(value), "cell": cell})])
    return Reading(value=number)


def read_quantity(value: object, unit: str, *, cell: str) -> tuple[Reading, str]:
    """The quantity (3 places) and the line's unit: "ft"/"forfait"/"ens" is 1 "ens"."""
    reading = number_or_text(value, limit=QUANTITY_LIMIT, cell=cell)
    if reading.text and normalise(reading.text) in FORFAIT_WORDS:
        return Reading(value=Decimal("1.000")), unit or FORFAIT_UNIT
    if reading.text:
        reading.issues.append(("quantity_text", {"text": reading.text}))
    if reading.value is not None:
        reading.value = round3(reading.value)
    return reading, unit


def read_price(value: object, *, cell: str, code: str) -> Reading:
    """A unit price or an amount, 2 places; a text is reported under `code` and dropped."""
    reading = number_or_text(value, limit=PRICE_LIMIT, cell=cell)
    if reading.text:
        reading.issues.append((code, {"text": reading.text}))
    if reading.value is not None:
        reading.value = round2(reading.value)
    return reading


def settle_price(
    quantity: Decimal | None, unit_price: Decimal | None, amount: Decimal | None
) -> tuple[Decimal | None, list[Issue]]:
    """The unit price kept, and a warning when the file's amount disagrees with it.

    A missing unit price is computed from the amount when there is a quantity
    (round2(amount / quantity)); the unit price wins over the amount otherwise.
    """
    if quantity is None or amount is None:
        return unit_price, []
    issues: list[Issue] = []
    if unit_price is None:
        if not quantity:
            return None, []
        unit_price = round2(amount / quantity)
        issues.append(
            (
                "price_from_amount",
                {"amount": str(amount), "quantity": str(quantity), "unit_price": str(unit_price)},
            )
        )
    computed = round2(quantity * unit_price)
    if computed != amount:
        issues.append(("amount_mismatch", {"amount": str(amount), "computed": str(computed)}))
    return unit_price, issues
