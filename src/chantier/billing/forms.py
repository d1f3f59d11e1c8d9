"""Forms of the billing pages. Decimals are read the French way ("1 234,56")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chantier.core.forms import FrenchDecimalsMixin
from chantier.core.money import to_decimal

MODES = [
    ("cumulative_percent", _("Cumulative %")),
    ("relative_percent", _("Relative %")),
    ("cumulative_quantity", _("Cumulative quantity")),
    ("relative_quantity", _("Relative quantity")),
]
DEDUCTION_ROWS = 3


def french_decimal(value: str) -> Decimal | None:
    """'1 234,56' → Decimal('1234.56'); '' → None; raises ValueError when unreadable."""
    if not (value or "").strip():
        return None
    result = to_decimal(value)  # French comma and grouping spaces, like every other input
    if abs(result) >= Decimal("1e12"):
        raise ValueError(value)
    return result


class DownPaymentForm(FrenchDecimalsMixin, forms.Form):
    percent = forms.DecimalField(
        label=_("Percentage of the contract"),
        required=False,
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=Decimal(100),
    )
    amount = forms.DecimalField(
        label=_("or an amount excl. VAT"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("percent") is None) == (data.get("amount") is None):
            raise forms.ValidationError(_("Give either a percentage or an amount."))
        return data


class IndexValueForm(FrenchDecimalsMixin, forms.Form):
    name = forms.CharField(label=_("Index"), max_length=40)
    month = forms.DateField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d", "%m/%Y"],
    )
    value = forms.DecimalField(
        label=_("Value"), max_digits=9, decimal_places=4, min_value=Decimal("0.0001")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip().upper()

    def clean_month(self) -> dt.date:
        month: dt.date = self.cleaned_data["month"]
        return month.replace(day=1)


class IndexImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (index;month;value)"))


def default_date() -> dt.date:
    return timezone.localdate()
