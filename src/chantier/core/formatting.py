"""French formatting of amounts, quantities and rates (1 234,56 €)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

from chantier.core.money import to_decimal


def number(value: object, places: int) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = to_decimal(value)
    except ValueError:
        return str(value)
    return str(formats.number_format(amount, places, use_l10n=True, force_grouping=True))


def euros(value: object) -> str:
    text = number(value, 2)
    return f"{text}\u00a0€" if text else ""


def quantity(value: object) -> str:
    """Quantities print with up to 3 places, trailing zeros dropped (12,5 not 12,500)."""
    if value is None or value == "":
        return ""
    return number(value, _significant_places(to_decimal(value), 3))


def percent(value: object) -> str:
    if value is None or value == "":
        return ""
    amount = to_decimal(value)
    return f"{number(amount, _significant_places(amount, 4))}\u00a0%"


def _significant_places(value: Decimal, most: int) -> int:
    exponent = value.normalize().as_tuple().exponent
    return min(most, max(0, -exponent)) if isinstance(exponent, int) else 0
