"""Forms of the réserve pages: parsing only; works.services checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chantier.works import selectors
from chantier.works.models import Reserve
from chantier.works.services import OPEN_STATUSES


def _date(label: Any, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReserveForm(forms.Form):
    """Add or change a réserve. An open one has a status among the open ones; a lifted one
    shows its lift date instead (to correct it; reopening is a button of its own)."""

    title = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("A few words shown in the list, e.g. “Joint de douche”."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The problems noted."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    noted_on = _date(_("Noted on"), required=True)
    due_on = _date(_("To lift by"), required=False)
    assigned_to = forms.CharField(
        label=_("To be lifted by"),
        max_length=200,
        required=False,
        help_text=_("A company, a subcontractor or a participant of the contract."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    lifted_on = _date(_("Lifted on"), required=False)
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        reserve: Reserve | None = None,
        participants: list[str] | None = None,
    ) -> None:
        if reserve is None:
            initial: dict[str, Any] = {"noted_on": timezone.localdate()}
        else:
            initial = {
                name: getattr(reserve, name)
                for name in (
                    "title",
                    "description",
                    "location",
                    "noted_on",
                    "due_on",
                    "assigned_to",
                    "status",
                    "lifted_on",
                    "lock_version",
                )
            }
        super().__init__(data, initial=initial)
        self.reserve = reserve
        if reserve is not None and not reserve.is_open:
            del self.fields["status"]
            self.fields["lifted_on"].required = True
        else:
            del self.fields["lifted_on"]
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (status.value, status.label) for status in OPEN_STATUSES
            ]
        if participants:
            self.fields["assigned_to"].widget.attrs["list"] = "reserve-participants"
        self.participants = participants or []

    def service_data(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if name != "lock_version"}
        if "status" in data and not data["status"]:
            data.pop("status")
        return data


class LiftForm(forms.Form):
    lifted_on = _date(_("Lifted on"), required=True)
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, reserve: Reserve) -> None:
        initial = {"lifted_on": timezone.localdate(), "lock_version": reserve.lock_version}
        super().__init__(data, initial=initial)


class ReserveFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All réserves")),
            (selectors.OPEN, _("Open (not lifted)")),
            *Reserve.Status.choices,
        ],
    )

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for selectors.contract_reserves; a bad status is ignored."""
        q = str(self.data.get("q", "")).strip()
        if not self.is_valid():
            return {"q": q}
        return {"q": q, "status": self.cleaned_data["status"]}
