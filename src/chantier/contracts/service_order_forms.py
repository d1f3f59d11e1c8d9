"""Forms of the service order pages. They only parse what was typed; the rules (kind with no
financial effect, dates in order, lines of this contract) are the services' refusals,
shown next to these fields (`core.web.add_service_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractSection,
    ServiceOrder,
)
from chantier.contracts.service_order_services import MAX_ATTACHMENT_BYTES, eligible_quotes
from chantier.core.forms import FrenchDecimalsMixin
from chantier.quotes.models import Quote


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteChoices(forms.ModelMultipleChoiceField[Quote]):
    def label_from_instance(self, obj: Quote) -> str:
        return f"{obj.display_number} · {obj.title} · {obj.net} €"


class ServiceOrderForm(FrenchDecimalsMixin, forms.Form):
    """The order's header (create and edit). Required fields are marked and highlighted."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceOrder.Kind.choices)
    issuer = forms.ChoiceField(
        label=_("Issuer"),
        choices=ServiceOrder.Issuer.choices,
        initial=ServiceOrder.Issuer.PROJECT_MANAGER,
    )
    lot = forms.CharField(label=_("Lot / company"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    issue_date = forms.DateField(label=_("Issue date"), required=False, widget=_date_widget())
    notification_date = forms.DateField(
        label=_("Notification date"),
        required=False,
        widget=_date_widget(),
        help_text=_("Observations are due within 15 days of it."),
    )
    acknowledgement_date = forms.DateField(
        label=_("Acknowledgement date"), required=False, widget=_date_widget()
    )
    financial_impact = forms.DecimalField(
        label=_("Financial impact excl. VAT"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Signed: negative when the order lowers the amount."),
    )
    delay_days = forms.IntegerField(
        label=_("Delay impact (days)"), required=False, min_value=-3650, max_value=3650
    )
    owner_validation_ref = forms.CharField(
        label=_("Owner validation reference"),
        max_length=200,
        required=False,
        help_text=_(
            "Required when the order changes the amount or the time: otherwise it is not binding."
        ),
    )
    quotes = QuoteChoices(
        label=_("Accepted quotes joined"),
        queryset=Quote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, contract: Contract, order: ServiceOrder | None = None, **kwargs: Any
    ) -> None:
        if order is not None:
            initial = {name: getattr(order, name) for name in HEADER}
            initial["lock_version"] = order.lock_version
            initial["quotes"] = list(order.quotes.values_list("pk", flat=True))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["quotes"].queryset = eligible_quotes(contract)  # type: ignore[attr-defined]
        if not self.fields["quotes"].queryset.exists():  # type: ignore[attr-defined]
            del self.fields["quotes"]
        if order is not None and order.lines.exists():
            impact = self.fields["financial_impact"]
            impact.disabled = True
            impact.help_text = _("The sum of the order's priced lines.")

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in HEADER}
        if self.fields["financial_impact"].disabled:
            data.pop("financial_impact")
        return data


HEADER = (
    "kind",
    "issuer",
    "lot",
    "title",
    "description",
    "issue_date",
    "notification_date",
    "acknowledgement_date",
    "financial_impact",
    "delay_days",
    "owner_validation_ref",
)


class ContractLineChoice(forms.ModelChoiceField[ContractLine]):
    def label_from_instance(self, obj: ContractLine) -> str:
        text = str(obj)[:60]
        return f"{obj.reference} {text} ({obj.quantity} × {obj.unit_price})".strip()


class ServiceOrderLineForm(FrenchDecimalsMixin, forms.Form):
    """A priced line: new work, or a change of an existing contract line (`amends`)."""

    amends = ContractLineChoice(
        label=_("Changes the contract line"),
        queryset=ContractLine.objects.none(),
        required=False,
        empty_label=_("New work (no existing line)"),
    )
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=ContractSection.objects.none(),
        required=False,
        empty_label=_("No section"),
    )
    reference = forms.CharField(label=_("Reference"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=3,
        help_text=_("Signed: a change of quantity is the difference (−2 removes two)."),
    )
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2)
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"), max_digits=5, decimal_places=2, required=False
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, order: ServiceOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        contract_id = order.contract_id
        self.fields["amends"].queryset = (  # type: ignore[attr-defined]
            ContractLine.objects.filter(contract_id=contract_id, company_id=order.company_id)
            .exclude(kind=ContractLine.Kind.TEXT)
            .order_by("sort_key", "pk")
        )
        self.fields["section"].queryset = ContractSection.objects.filter(  # type: ignore[attr-defined]
            contract_id=contract_id, company_id=order.company_id
        ).order_by("sort_key", "pk")


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ValidateForm(DecisionForm):
    owner_validation_ref = forms.CharField(
        label=_("Owner validation reference"), max_length=200, required=False
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file is not None and file.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is too large (20 MB at most)."))
        return file
