"""Forms of the parties pages. They check input for the person typing it; the services
check it again (the API reaches them without a form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chantier.core import validators
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier

ADDRESS_FIELDS = ["address_line1", "address_line2", "postcode", "city", "country"]


class PartyForm(forms.ModelForm):  # type: ignore[type-arg]
    """Autofocus on the first field; `required` lists model fields the form insists on."""

    required: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.required:
            self.fields[name].required = True
        first = next(iter(self.fields.values()))
        first.widget.attrs["autofocus"] = True
        for name in ("siren", "vat_number"):
            if name in self.fields:
                self._allow_spaces(self.fields[name])
        if "postcode" in self.fields:
            self.fields["postcode"].widget.attrs.update(
                {"inputmode": "numeric", "autocomplete": "postal-code"}
            )
        if "email" in self.fields:
            self.fields["email"].widget.attrs["autocomplete"] = "email"
        for name in ("phone", "mobile"):
            if name in self.fields:
                widget = self.fields[name].widget
                widget.input_type = "tel"
                widget.attrs["autocomplete"] = "tel"

    @staticmethod
    def _allow_spaces(field: forms.Field) -> None:
        """Accept "732 829 320": the length is checked once the number is compacted."""
        field.max_length = None  # type: ignore[attr-defined]
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.widget.attrs["maxlength"] = "30"

    def clean_siren(self) -> str:
        return validators.clean_siren(self.cleaned_data["siren"])

    def clean_vat_number(self) -> str:
        return validators.clean_vat_number(self.cleaned_data["vat_number"])

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()


class ClientForm(PartyForm):
    # The billing address is needed on every quote and invoice.
    required = ("address_line1", "postcode", "city")

    class Meta:
        model = Client
        fields = [
            "name",
            "kind",
            "siren",
            "vat_number",
            "email",
            "phone",
            *ADDRESS_FIELDS,
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "siren": _("9 digits, for a company."),
            "vat_number": _("Intra-community VAT number, e.g. FR40303265045."),
        }


class SupplierForm(PartyForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "kind",
            "trade",
            "siren",
            "vat_number",
            "email",
            "phone",
            *ADDRESS_FIELDS,
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ContactForm(PartyForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "function", "email", "phone", "mobile"]


class SiteForm(PartyForm):
    required = ("address_line1", "postcode", "city")

    class Meta:
        model = Site
        fields = ["name", *ADDRESS_FIELDS, "access_notes"]
        widgets = {"access_notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"access_notes": _("Access code, keys, parking, opening hours…")}

    @classmethod
    def initial_for(cls, client: Client) -> dict[str, str]:
        """A new site starts at the client's address, which is often where the works are."""
        return {name: getattr(client, name) for name in ADDRESS_FIELDS}


class InteractionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Interaction
        fields = ["date", "kind", "subject", "detail", "private"]
        widgets = {
            "date": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "detail": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"private": _("Never shown to the client.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("date", now)
            self.initial.setdefault("kind", Interaction.Kind.NOTE)
