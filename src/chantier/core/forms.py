from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.core import validators
from chantier.core.models import Company
from chantier.core.money import VAT_RATES

LOGO_MAX_BYTES = 1_000_000


class FrenchDecimalsMixin:
    """Decimal fields read and show French numbers (1 234,56), as typed on a French keyboard.

    A browser's type=number field would turn "1,40" into 140 in some locales.
    """

    fields: dict[str, forms.Field]

    def localize_decimals(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True
                field.to_python = _grouping_removed(field.to_python)  # type: ignore[method-assign,assignment]


def _grouping_removed(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Django drops the thousands separator only when USE_THOUSAND_SEPARATOR is on, and it
    is off (settings.py: ids must print plainly); "1 234,56" typed or pasted with a space,
    a no-break space or a narrow one is still a number."""

    def to_python(value: Any) -> Any:
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "")
        return parse(value)

    return to_python


class CompanySettingsForm(FrenchDecimalsMixin, forms.ModelForm[Company]):
    class Meta:
        model = Company
        fields = [
            "name",
            "legal_form",
            "share_capital",
            "siren",
            "siret",
            "rcs",
            "vat_number",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "country",
            "email",
            "phone",
            "iban",
            "bic",
            "logo",
            "insurance_text",
            "default_vat_rate",
            "payment_terms",
            "late_penalty_text",
            "late_penalty_rate",
            "recovery_indemnity",
            "payment_future_days",
            "quote_validity_days",
            "quote_number_format",
            "invoice_number_format",
            "credit_note_number_format",
            "header_text",
            "footer_text",
            "terms_text",
            "assembly_search_prefix",
            "chapter_entry_prefix",
            "labour_coefficient",
            "supply_coefficient",
            "difficulty_coefficient",
            "overhead_coefficient",
        ]
        widgets = {
            # No "currently" link: media files are not served publicly (see views.logo).
            "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
            "insurance_text": forms.Textarea(attrs={"rows": 3}),
            "late_penalty_text": forms.Textarea(attrs={"rows": 3}),
            "header_text": forms.Textarea(attrs={"rows": 3}),
            "footer_text": forms.Textarea(attrs={"rows": 3}),
            "terms_text": forms.Textarea(attrs={"rows": 6}),
        }

    # Identifiers are typed with spaces (732 829 320); validators compact them first.
    SPACED_FIELDS = ("siren", "siret", "vat_number", "iban", "bic")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        for name in self.SPACED_FIELDS:
            field = self.fields[name]
            field.max_length = None  # type: ignore[attr-defined]  # CharField attribute
            field.validators = []
            field.widget.attrs.pop("maxlength", None)

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo must weigh 1 MB at most (it is printed on every document)."),
                code="logo_size",
            )
        if logo and getattr(logo, "content_type", "image/png") not in ("image/png", "image/jpeg"):
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."), code="logo")
        return logo

    def clean_siren(self) -> str:
        return validators.clean_siren(self.cleaned_data["siren"])

    def clean_siret(self) -> str:
        return validators.clean_siret(self.cleaned_data["siret"])

    def clean_vat_number(self) -> str:
        return validators.clean_vat_number(self.cleaned_data["vat_number"])

    def clean_iban(self) -> str:
        return validators.clean_iban(self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        return validators.clean_bic(self.cleaned_data["bic"])

    def clean_default_vat_rate(self) -> Any:
        rate = self.cleaned_data["default_vat_rate"]
        if rate not in VAT_RATES:
            raise forms.ValidationError(
                _("Unknown VAT rate; choose 20, 10, 5.5 or 0."), code="vat_rate"
            )
        return rate

    def _clean_pattern(self, name: str) -> str:
        from chantier.core.exceptions import DomainError
        from chantier.core.services import check_number_pattern

        pattern: str = self.cleaned_data[name]
        if "{seq" not in pattern:
            raise forms.ValidationError(_("The pattern must contain {seq}."), code="pattern")
        try:
            check_number_pattern(pattern)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code="pattern") from None
        return pattern

    def clean_quote_number_format(self) -> str:
        return self._clean_pattern("quote_number_format")

    def clean_invoice_number_format(self) -> str:
        return self._clean_pattern("invoice_number_format")

    def clean_credit_note_number_format(self) -> str:
        return self._clean_pattern("credit_note_number_format")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (
            "labour_coefficient",
            "supply_coefficient",
            "difficulty_coefficient",
            "overhead_coefficient",
        ):
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, _("A coefficient must be greater than 0."))
        try:
            validators.check_siret_matches_siren(data.get("siren", ""), data.get("siret", ""))
        except forms.ValidationError as exc:
            self.add_error("siret", exc)
        try:
            validators.check_vat_matches_siren(data.get("siren", ""), data.get("vat_number", ""))
        except forms.ValidationError as exc:
            self.add_error("vat_number", exc)
        assembly, chapter = data.get("assembly_search_prefix"), data.get("chapter_entry_prefix")
        for name, prefix in (
            ("assembly_search_prefix", assembly),
            ("chapter_entry_prefix", chapter),
        ):
            if prefix is not None and (not prefix.strip() or prefix[0].isalnum()):
                self.add_error(name, _("A prefix must start with a sign such as * or #."))
        if assembly and chapter and assembly == chapter:
            self.add_error("chapter_entry_prefix", _("The two prefixes must differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, initial="API")
