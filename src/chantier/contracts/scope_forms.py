"""Forms of the scope, participants and interactions pages: they parse input; the rules
live in scope_services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import ContractLine, ContractSection, Participant, Pricing
from chantier.core.forms import FrenchDecimalsMixin
from chantier.parties.forms import InteractionForm
from chantier.parties.models import Interaction

VAT_CHOICES = [("20.00", "20 %"), ("10.00", "10 %"), ("5.50", "5,5 %"), ("0.00", "0 %")]
FUNCTIONS_LIST_ID = "participant-functions"

__all__ = [
    "InteractionFilterForm",
    "InteractionForm",
    "LineForm",
    "ParticipantForm",
    "SectionForm",
]


class LockedForm(forms.Form):
    """The contract's version as the page was loaded: a stale save is refused."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class SectionForm(LockedForm):
    title = forms.CharField(
        label=_("Name"), max_length=250, widget=forms.TextInput(attrs={"autofocus": True})
    )
    parent = forms.TypedChoiceField(
        label=_("In section"), required=False, coerce=int, empty_value=None
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, sections: list[ContractSection] | None = None, **kwargs: Any
    ) -> None:
        """`sections`: the parent choices (creation only); None leaves the field out."""
        super().__init__(*args, **kwargs)
        if sections is None:
            del self.fields["parent"]
            return
        parent = cast(forms.TypedChoiceField, self.fields["parent"])
        indent = "\u00a0\u00a0"  # kept by the browser, unlike spaces
        parent.choices = [
            ("", _("— Top level —")),
            *((str(s.pk), f"{indent * (s.depth - 1)}{s.number} {s.title}") for s in sections),
        ]


class LineForm(FrenchDecimalsMixin, LockedForm):
    kind = forms.ChoiceField(label=_("Type"), choices=ContractLine.Kind.choices)
    reference = forms.CharField(label=_("Reference"), max_length=50, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2, "autofocus": True})
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=15)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT"), required=False, max_digits=15)
    vat_rate = forms.ChoiceField(label=_("VAT rate"), choices=VAT_CHOICES, initial="20.00")
    pricing = forms.ChoiceField(
        label=_("Pricing"),
        required=False,
        choices=[("", _("As the contract")), *Pricing.choices],
        help_text=_("Overrides the contract's pricing for this line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()

    def line_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("lock_version", None)
        for name in ("quantity", "unit_price"):
            if data.get(name) is None:
                data[name] = "0" if data.get("kind") == ContractLine.Kind.TEXT else ""
        return data


class ParticipantForm(forms.Form):
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    function = forms.CharField(
        label=_("Function"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": FUNCTIONS_LIST_ID, "autocomplete": "off"}),
        help_text=_("Pick one from the list or type another."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"})
    )

    @staticmethod
    def functions() -> list[str]:
        return [str(function) for function in Participant.FUNCTIONS]


class InteractionFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *Interaction.Kind.choices],
    )

    def selection(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "kind": ""}
        return {"q": self.cleaned_data["q"], "kind": self.cleaned_data["kind"]}
