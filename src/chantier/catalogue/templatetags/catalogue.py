"""Catalogue filters: {{ cost|cost4 }} (4 places, 0,0120 €) and {{ hours|hours }} (0,45 h)."""

from __future__ import annotations

from django import template

from chantier.core import formatting

register = template.Library()


@register.filter
def cost4(value: object) -> str:
    """Catalogue costs keep 4 places (DESIGN "Money"): a screw costs 0,0120 €."""
    text = formatting.number(value, 4)
    return f"{text}\u00a0€" if text else ""


@register.filter
def hours(value: object) -> str:
    """Hours with up to 4 places, trailing zeros dropped: 0,45 h, 0,638 h, 6 h."""
    text = formatting.trimmed(value, 4)
    return f"{text}\u00a0h" if text else ""
