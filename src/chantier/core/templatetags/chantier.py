"""Template filters: {{ amount|eur }}, {{ qty|qty }}, {{ rate|pct }}."""

from __future__ import annotations

from django import template

from chantier.core import formatting

register = template.Library()


@register.filter
def eur(value: object) -> str:
    return formatting.euros(value)


@register.filter
def qty(value: object) -> str:
    return formatting.quantity(value)


@register.filter
def pct(value: object) -> str:
    return formatting.percent(value)


@register.filter
def num(value: object, places: int = 2) -> str:
    return formatting.number(value, int(places))


@register.filter
def neg_eur(value: object) -> str:
    """An amount taken off a total, shown with its sign: 780 → −780,00 €, −92.40 → 92,40 €."""
    from decimal import Decimal

    return formatting.euros(-Decimal(str(value)))
