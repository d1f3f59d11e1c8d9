"""Forms of the catalogue pages: they parse input; the rules live in services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chantier.catalogue.models import Category, Item
from chantier.core.exceptions import DomainError
from chantier.core.models import Company
from chantier.parties.models import Supplier

ITEM_FIELDS = [
    "reference",
    "name",
    "kind",
    "structure",
    "unit",
    "purchase_cost",
    "sale_price",
    "vat_rate",
    "supplier",
    "supplier_reference",
    "category",
    "datasheet_url",
    "description",
    "active",
]
VAT_CHOICES = [("20.00", "20 %"), ("10.00", "10 %"), ("5.50", "5,5 %"), ("0.00", "0 %")]
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _localize(field: forms.Field) -> None:
    """French users type 12,50: accept the decimal comma, and show it."""
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    field.widget.is_localized = True


def categories_in_order(company: Company) -> Any:
    """Each category followed by its subcategories, labelled "Parent › Child"."""
    return (
        Category.objects.filter(company=company)
        .select_related("parent")
        .order_by(Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")
    )


class ItemForm(forms.Form):
    def __init__(self, *args: Any, company: Company, instance: Item | None = None, **kwargs: Any):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=ITEM_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Item, fields=ITEM_FIELDS))
        self.fields["vat_rate"] = forms.TypedChoiceField(
            label=_("VAT rate (%)"), choices=VAT_CHOICES, coerce=Decimal
        )
        if instance is None:
            self.initial.setdefault("vat_rate", f"{company.default_vat_rate:.2f}")
        else:
            self.initial["vat_rate"] = f"{instance.vat_rate:.2f}"
        for name in ("purchase_cost", "sale_price"):
            _localize(self.fields[name])
        self.fields["supplier"].queryset = Supplier.objects.filter(company=company)  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories_in_order(company)  # type: ignore[attr-defined]
        self.fields["name"].label = pgettext_lazy("item", "Name")
        self.fields["sale_price"].help_text = _("Excluding VAT; a discount may be negative.")
        self.fields["purchase_cost"].help_text = _(
            "Excluding VAT. A kit or an assembly with components is costed from them."
        )
        self.fields["description"].widget.attrs["rows"] = 3

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class CategoryForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("category", "Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Parent category"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("Leave empty for a top-level category; choose one to make a subcategory."),
    )

    def __init__(
        self, *args: Any, company: Company, instance: Category | None = None, **kwargs: Any
    ):
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name, "parent": instance.parent_id})
        super().__init__(*args, **kwargs)
        parents = Category.objects.filter(company=company, parent__isnull=True)
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class ComponentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.name} ({obj.unit})"


class ComponentForm(forms.Form):
    component = ComponentChoiceField(label=_("Component"), queryset=Item.objects.none())
    quantity = forms.DecimalField(label=_("Quantity per unit"), max_digits=14, decimal_places=3)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = candidates  # type: ignore[attr-defined]
        _localize(self.fields["quantity"])

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class QuantityForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity per unit"), max_digits=14, decimal_places=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _localize(self.fields["quantity"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV (separator ; or ,) or Excel .xlsx file with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (10 MB at most)."))
        return upload
