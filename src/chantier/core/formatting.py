"""French formatting of amounts, quantities and rates (1 234,56 €)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

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


class PostalAddress(Protocol):
    """Anything with the address fields: a party, a site, the company itself."""

    address_line1: str
    address_line2: str
    postcode: str
    city: str


def address_lines(obj: PostalAddress) -> list[str]:
    """The address as written on an envelope or a letterhead, empty lines left out."""
    town = " ".join(p for p in (obj.postcode, obj.city) if p)
    return [line for line in (obj.address_line1, obj.address_line2, town) if line]


def trimmed(value: object, most: int) -> str:
    """Up to `most` places, trailing zeros dropped: trimmed(Decimal("12.500"), 3) == "12,5"."""
    if value is None or value == "":
        return ""
    amount = to_decimal(value)
    return number(amount, _significant_places(amount, most))


def quantity(value: object) -> str:
    """Quantities print with up to 3 places, trailing zeros dropped (12,5 not 12,500)."""
    return trimmed(value, 3)


def percent(value: object) -> str:
    if value is None or value == "":
        return ""
    return f"{trimmed(value, 4)}\u00a0%"


def _significant_places(value: Decimal, most: int) -> int:
    exponent = value.normalize().as_tuple().exponent
    return min(most, max(0, -exponent)) if isinstance(exponent, int) else 0
