"""Forms of the catalogue pages: they parse input; the rules live in services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chantier.catalogue import selectors
from chantier.catalogue.models import Category, Item
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
        # A price typed with more decimals is rounded half-up when saved (DESIGN "Money",
        # services.stored_amount): up to 4 are accepted, 12 digits before the point.
        sale_price = Item._meta.get_field("sale_price")
        self.fields["sale_price"] = forms.DecimalField(
            label=capfirst(sale_price.verbose_name),
            initial=sale_price.get_default(),
            max_digits=16,
            decimal_places=4,
        )
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


COMPONENT_CHOICES_ID = "component-choices"


class ComponentForm(forms.Form):
    """A component is typed by its reference; while typing, the browser offers up to 20
    matching items (a <datalist> filled by catalogue:component_search), so the page does
    not carry the whole catalogue and the field works with the keyboard alone."""

    component = forms.CharField(
        label=_("Component"),
        max_length=50,
        help_text=_("Type a reference or words of the name, then choose in the list."),
    )
    quantity = forms.DecimalField(label=_("Quantity per unit"), max_digits=14, decimal_places=3)

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["component"].widget.attrs.update(
            {
                "list": COMPONENT_CHOICES_ID,
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse("catalogue:component_search", kwargs={"pk": item.pk}),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{COMPONENT_CHOICES_ID}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        _localize(self.fields["quantity"])

    def clean_component(self) -> Item:
        reference = self.cleaned_data["component"].strip()
        component = selectors.component_by_reference(self.item, reference)
        if component is None:
            raise forms.ValidationError(
                _("No item has the reference %(ref)s: choose one in the list."),
                params={"ref": reference},
            )
        return component


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
