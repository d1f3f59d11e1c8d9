"""Forms of the document-level quote pages: header, filters, decisions, import, saved texts.

Forms only parse what was typed; the rules (validity after the date, the site of the
client, the down payment between 0 and 100 %) are checked by `services.apply_header`,
whose refusals land on these fields (`core.web.save_form`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.core.forms import FrenchDecimalsMixin
from chantier.core.models import Company
from chantier.parties.models import Client, Site
from chantier.quotes.models import Quote, TermsText

MAX_IMPORT_BYTES = 10 * 1024 * 1024
HEADER_FIELDS = (
    "client",
    "site",
    "kind",
    "title",
    "date",
    "validity_date",
    "header_text",
    "footer_text",
    "terms",
    "payment_terms",
    "down_payment_rate",
)


class SiteSelect(forms.Select):
    """A site <select> whose options name their client, so the page can hide the others."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        site = getattr(value, "instance", None)
        if isinstance(site, Site):
            option["attrs"]["data-client"] = str(site.client_id)
        return option


class SiteChoiceField(forms.ModelChoiceField[Site]):
    def label_from_instance(self, obj: Site) -> str:
        place = obj.city or obj.postcode
        return f"{obj.name} ({place})" if place else obj.name


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteHeaderForm(FrenchDecimalsMixin, forms.Form):
    """The quote's header: who, where, what, when, texts and terms (create and edit)."""

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
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Quote.Kind.choices,
        help_text=_("A quote to a prospect is titled “Proposition commerciale”."),
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    validity_date = forms.DateField(label=_("Valid until"), widget=_date_widget())
    header_text = forms.CharField(
        label=_("Header text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    footer_text = forms.CharField(
        label=_("Footer text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    terms = forms.ModelChoiceField(
        label=_("Terms and conditions"),
        queryset=TermsText.objects.none(),
        required=False,
        empty_label=_("Company's standard terms"),
        help_text=_("The chosen text is copied into the quote and printed on its last page."),
    )
    payment_terms = forms.CharField(label=_("Payment terms"), max_length=250, required=False)
    down_payment_rate = forms.DecimalField(
        label=_("Down payment requested (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=0,
        max_value=100,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        company: Company,
        quote: Quote | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.company, self.quote = company, quote
        if quote is not None:
            initial = {
                **{name: getattr(quote, name) for name in HEADER_FIELDS},
                "lock_version": quote.lock_version,
                **(initial or {}),
            }
        super().__init__(data, initial=initial)
        self.localize_decimals()
        self.fields["client"].queryset = Client.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        self.fields["site"].queryset = Site.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        self.fields["terms"].queryset = TermsText.objects.filter(company=company)  # type: ignore[attr-defined]
        self.fields["date"].widget.attrs["data-validity-days"] = str(company.quote_validity_days)
        self.fields["title"].widget.attrs["autofocus"] = True
        if quote is None:
            self.fields.pop("lock_version")

    def service_data(self) -> dict[str, Any]:
        """The header as `services.apply_header` takes it.

        Choosing no saved text puts the company's standard terms back when the quote
        had a saved text (or is new); otherwise the text already copied is kept.
        """
        data = {name: self.cleaned_data[name] for name in HEADER_FIELDS}
        if data["down_payment_rate"] is None:
            data["down_payment_rate"] = 0
        if data["terms"] is None and (self.quote is None or self.quote.terms_id is not None):
            data["terms_text"] = self.company.terms_text
        return data


class QuoteFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Quote.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Quote.Kind.choices]
    )

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for selectors.quote_list; a bad filter value is ignored."""
        q = str(self.data.get("q", "")).strip()
        if not self.is_valid():
            return {"q": q}
        return {"q": q, "status": self.cleaned_data["status"], "kind": self.cleaned_data["kind"]}


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=_("Accepted by"),
        max_length=200,
        required=False,
        help_text=_("Who signed for the client; the client's name when left empty."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Price, delay, another company chosen… kept with the quote."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A tender schedule (DPGF, BPU, DQE) as an Excel .xlsx file, 10 MB at most."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
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
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_("“Imported tender schedule” when left empty."),
    )

    def __init__(self, data: Any = None, files: Any = None, *, company: Company, **kwargs: Any):
        super().__init__(data, files, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )
        self.fields["site"].queryset = Site.objects.filter(company=company).order_by(  # type: ignore[attr-defined]
            "name", "pk"
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (10 MB at most): split the schedule by lot."),
                code="too_large",
            )
        return upload

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"site": self.cleaned_data["site"]}
        if self.cleaned_data["title"]:
            data["title"] = self.cleaned_data["title"]
        return data


class TermsTextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, data: Any = None, *, terms: TermsText | None = None) -> None:
        initial = {"title": terms.title, "body": terms.body} if terms is not None else None
        super().__init__(data, initial=initial)
        self.fields["title"].widget.attrs["autofocus"] = True
