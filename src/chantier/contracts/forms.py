"""Forms of the contract pages: the list filter, the general information, the billing
settings. Forms only parse what was typed; the rules are checked by
`services.contract_create` / `services.contract_update`, whose refusals land on these
fields (`core.web.add_service_error`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import Contract, Pricing
from chantier.core.forms import FrenchDecimalsMixin
from chantier.core.models import Company
from chantier.parties.models import Client, Site
from chantier.quotes.forms import SiteChoiceField, SiteSelect

INFO_FIELDS = (
    "client",
    "site",
    "title",
    "reference",
    "contract_type",
    "status",
    "start_date",
    "end_date",
    "next_due_date",
    "next_due_label",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
)
SETTINGS_FIELDS = (
    "pricing",
    "retention_rate",
    "retention_base",
    "retention_on",
    "retention_guarantee",
    "guarantee_reference",
    "guarantee_end_date",
    "warranty_months",
    "handover_date",
    "down_payment_deduction",
    "deduction_warning_threshold",
    "revision_fixed_part",
    "revision_rounding",
    "payment_terms",
    "payment_days",
    "procurement",
    "service_orders_from_quotes",
    "reverse_charge",
    "invoice_presentation",
    "invoice_recap",
    "revision_provisional",
    "advance_amount",
    "advance_start_percent",
    "advance_end_percent",
)


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Contract.Status.choices],
    )

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for selectors.contract_list; a bad status is ignored."""
        q = str(self.data.get("q", "")).strip()
        if not self.is_valid():
            return {"q": q}
        return {"q": q, "status": self.cleaned_data["status"]}


def _date() -> forms.DateField:
    return forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ContractInfoForm(forms.Form):
    """General information of a contract (create and edit)."""

    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), empty_label=_("Choose a client")
    )
    site = SiteChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("No site"),
        widget=SiteSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Used by the contract search: put in it what will help find it."),
    )
    contract_type = forms.CharField(
        label=_("Type"),
        max_length=80,
        required=False,
        help_text=_("Optional; used to compare profitability by type."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Contract.Status.choices)
    start_date = _date()
    end_date = _date()
    next_due_date = _date()
    next_due_label = forms.CharField(label=_("Next due: what"), max_length=200, required=False)
    address_line1 = forms.CharField(label=_("Intervention address"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, initial="FR")
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        company: Company,
        contract: Contract | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        if contract is not None:
            initial = {
                **{name: getattr(contract, name) for name in INFO_FIELDS},
                "lock_version": contract.lock_version,
                **(initial or {}),
            }
        super().__init__(data, initial=initial)
        self.fields["start_date"].label = _("Start date")
        self.fields["end_date"].label = _("End date")
        self.fields["next_due_date"].label = _("Next due date")
        self.fields["next_due_date"].help_text = _("Reminded on the home page two months before.")
        self.fields["address_line1"].help_text = _(
            "Left blank: the site's address, or the client's."
        )
        self.fields["client"].queryset = Client.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        self.fields["site"].queryset = Site.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        if contract is None:
            self.fields.pop("lock_version")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in INFO_FIELDS}


class ContractSettingsForm(FrenchDecimalsMixin, forms.Form):
    """Billing settings of a contract: the defaults of its invoices (billing.md)."""

    pricing = forms.ChoiceField(label=_("Pricing"), choices=Pricing.choices)
    retention_rate = forms.DecimalField(
        label=_("Retention rate (%)"), max_digits=5, decimal_places=2, min_value=0
    )
    retention_base = forms.ChoiceField(
        label=_("Retention base"), choices=Contract.RetentionBase.choices
    )
    retention_on = forms.ChoiceField(
        label=_("Retention taken"), choices=Contract.RetentionOn.choices
    )
    retention_guarantee = forms.BooleanField(
        label=_("Bank guarantee instead of the retention"), required=False
    )
    guarantee_reference = forms.CharField(
        label=_("Guarantee reference"), max_length=100, required=False
    )
    guarantee_end_date = _date()
    warranty_months = forms.IntegerField(label=_("Warranty delay (months)"), min_value=0)
    handover_date = _date()
    down_payment_deduction = forms.ChoiceField(
        label=_("Down-payment deduction"), choices=Contract.DownPaymentDeduction.choices
    )
    deduction_warning_threshold = forms.DecimalField(
        label=_("Reminder when no deduction above progress (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=_("Manual deduction: issuing without a deduction above it asks to confirm."),
    )
    revision_fixed_part = forms.DecimalField(
        label=_("Revision: fixed part"), max_digits=9, decimal_places=4, min_value=0
    )
    revision_rounding = forms.ChoiceField(
        label=_("Revision coefficient rounding"), choices=Contract.RevisionRounding.choices
    )
    payment_terms = forms.ChoiceField(
        label=_("Payment terms"), choices=Contract.PaymentTerms.choices
    )
    payment_days = forms.IntegerField(
        label=_("Payment days"),
        required=False,
        min_value=1,
        help_text=_("For “N days from invoice date”."),
    )
    procurement = forms.ChoiceField(
        label=_("Procurement"),
        choices=Contract.Procurement.choices,
        required=False,  # forms posted before the field existed keep the default
        help_text=_(
            "Public: retention refunded 30 days after the warranty delay, final-account "
            "timeline of the CCAG-Travaux."
        ),
    )
    service_orders_from_quotes = forms.BooleanField(
        label=_("Service orders from quotes outside change orders"), required=False
    )

    def clean_procurement(self) -> str:
        return str(self.cleaned_data.get("procurement") or Contract.Procurement.PRIVATE)

    reverse_charge = forms.BooleanField(
        label=_("Subcontracting: VAT reverse charge (autoliquidation)"),
        required=False,
        help_text=_("Invoices without VAT, with the mention “Autoliquidation”."),
    )
    invoice_presentation = forms.ChoiceField(
        label=_("Invoice presentation"),
        required=False,
        choices=[
            ("detailed", _("Detailed (every line)")),
            ("grouped", _("Grouped (one line per chapter and VAT rate)")),
        ],
    )
    invoice_recap = forms.BooleanField(
        label=_("Recap of previous statements on invoices"), required=False
    )

    revision_provisional = forms.BooleanField(
        label=_("Provisional revision with the last known index"),
        required=False,
        help_text=_("When the index of the month is not published yet."),
    )
    advance_amount = forms.DecimalField(
        label=_("Public advance (incl. VAT)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Repaid by deduction from the statements (précompte)."),
    )
    advance_start_percent = forms.DecimalField(
        label=_("Advance repaid from (% of the works incl. VAT)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: 65 %, or from the first statement when the advance exceeds 30 %."),
    )
    advance_end_percent = forms.DecimalField(
        label=_("Advance repaid by (% of the works incl. VAT)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )

    def clean_advance_amount(self) -> Decimal:
        return self.cleaned_data.get("advance_amount") or Decimal("0.00")

    def clean_advance_end_percent(self) -> Decimal:
        return self.cleaned_data.get("advance_end_percent") or Decimal("80.00")

    def clean_invoice_presentation(self) -> str:
        return str(self.cleaned_data.get("invoice_presentation") or "detailed")

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_retention = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, contract: Contract) -> None:
        initial = {name: getattr(contract, name) for name in SETTINGS_FIELDS}
        initial["lock_version"] = contract.lock_version
        super().__init__(data, initial=initial)
        self.localize_decimals()
        self.fields["guarantee_end_date"].label = _("Guarantee end date")
        self.fields["handover_date"].label = _("Handover date")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}


class RevisionIndexForm(FrenchDecimalsMixin, forms.Form):
    name = forms.CharField(label=_("Index"), max_length=40, required=False)
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=9, decimal_places=4, min_value=0, required=False
    )
    base_value = forms.DecimalField(
        label=_("Base value"), max_digits=9, decimal_places=4, min_value=0, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()

    def row(self) -> dict[str, Any] | None:
        """The index typed on this row, or None for a blank row."""
        data = self.cleaned_data
        if not data or not any(data.get(name) not in (None, "") for name in data):
            return None
        return {
            "name": data.get("name"),
            "weight": data.get("weight"),
            "base_value": data.get("base_value"),
        }


RevisionIndexFormSet = forms.formset_factory(RevisionIndexForm, extra=2, max_num=20)


class ActualisationForm(forms.Form):
    price_date = forms.DateField(
        label=_("Date the price was set (offer)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_date = forms.DateField(
        label=_("Start of the works"), widget=forms.DateInput(attrs={"type": "date"})
    )
