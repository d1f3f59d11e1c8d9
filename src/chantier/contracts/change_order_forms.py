"""Forms of the change order pages: parsing only; change_order_services checks the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import ContractLine, ContractSection
from chantier.core.formatting import euros, quantity
from chantier.core.forms import FrenchDecimalsMixin
from chantier.core.money import VAT_RATES

VAT_CHOICES = [(str(rate), f"{rate.normalize():f} %") for rate in VAT_RATES]


class ChangeOrderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NewLineForm(FrenchDecimalsMixin, forms.Form):
    """A line of new work, in one of the contract's sections or outside any."""

    section_id = forms.TypedChoiceField(
        label=_("Section"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT"), max_digits=14)
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"), choices=VAT_CHOICES, coerce=Decimal, initial="20.00"
    )
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sections: list[ContractSection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["section_id"].choices = [  # type: ignore[attr-defined]
            ("", _("(outside any section)")),
            *[(s.pk, f"{s.number} {s.title}".strip()) for s in sections],
        ]

    def line_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "section_id": data["section_id"],
            "description": data["description"],
            "unit": data["unit"],
            "quantity": data["quantity"],
            "unit_price": data["unit_price"],
            "vat_rate": data["vat_rate"],
        }


class ChangeLineForm(FrenchDecimalsMixin, forms.Form):
    """A change of an existing contract line: Δquantity at its price, or Δprice on its
    quantity (signed)."""

    QUANTITY, PRICE = "quantity", "price"

    amends_line_id = forms.TypedChoiceField(label=_("Contract line"), coerce=int)
    change = forms.ChoiceField(
        label=_("Change"),
        choices=[(QUANTITY, _("Quantity change")), (PRICE, _("Unit price change"))],
        initial=QUANTITY,
    )
    delta = forms.DecimalField(
        label=_("Change (+ or −)"),
        max_digits=14,
        help_text=_("Signed: −2 takes 2 units off; +1.50 raises the price by 1.50."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        help_text=_("Leave empty to repeat the line's description."),
    )
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, lines: list[ContractLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.lines = {line.pk: line for line in lines}
        self.fields["amends_line_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[
                (
                    line.pk,
                    f"{line.reference + ' · ' if line.reference else ''}{str(line)[:60]} "
                    f"({quantity(line.quantity)} {line.unit} × {euros(line.unit_price)})",
                )
                for line in lines
            ],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        delta = data.get("delta")
        if delta is not None:
            places = 3 if data.get("change") == self.QUANTITY else 2
            if int(delta.as_tuple().exponent) < -places:
                self.add_error("delta", _("Use at most %(places)d decimals.") % {"places": places})
            elif delta == 0:
                self.add_error("delta", _("A change of zero changes nothing."))
        return data

    def line_input(self) -> dict[str, Any]:
        """The service's line: Δq × the line's price, or the line's quantity × Δprice."""
        data = self.cleaned_data
        target = self.lines[data["amends_line_id"]]
        if data["change"] == self.QUANTITY:
            quantity, price = data["delta"], target.unit_price
        else:
            quantity, price = target.quantity, data["delta"]
        return {
            "amends_line_id": target.pk,
            "description": data["description"],
            "quantity": quantity,
            "unit_price": price,
        }


class DecisionForm(forms.Form):
    decision_note = forms.CharField(
        label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
