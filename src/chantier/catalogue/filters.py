"""The filters of the item list (and of its export): kind and category."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.catalogue.forms import categories_in_order
from chantier.catalogue.models import Category, Item
from chantier.core.models import Company


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Item.Kind.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.none(),
        empty_label=_("All categories"),
    )

    def __init__(self, data: Any, *, company: Company) -> None:
        super().__init__(data)
        self.fields["category"].queryset = categories_in_order(company)  # type: ignore[attr-defined]

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for selectors.item_list; a bad filter value is ignored."""
        q = str(self.data.get("q", "")).strip()
        if not self.is_valid():
            return {"q": q}
        return {
            "q": q,
            "kind": self.cleaned_data["kind"],
            "category": self.cleaned_data["category"],
        }
