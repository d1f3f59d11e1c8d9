from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.catalogue.models import Item


class PriceListForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of item"),
        choices=[("", _("All kinds")), *Item.Kind.choices],
        required=False,
        help_text=_("Leave empty to list every active item."),
    )
