"""The filter of the contract list: its status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import Contract


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
