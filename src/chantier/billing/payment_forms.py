"""Forms of the payment pages: a payment on an invoice, money received for no invoice (a
credit on the client), deleting a payment, releasing the retention. Decimals are read the
French way ("1 234,56"); the services check the business rules."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chantier.billing.models import AppliesTo, Method
from chantier.core.forms import FrenchDecimalsMixin


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _amount_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PaymentForm(FrenchDecimalsMixin, forms.Form):
    date = _date_field(_("Date received"))
    amount = _amount_field(_("Amount"))
    applies_to = forms.ChoiceField(
        label=_("Applies to"),
        choices=[(AppliesTo.PAYABLE, _("Amount payable")), (AppliesTo.RETENTION, _("Retention"))],
        initial=AppliesTo.PAYABLE,
    )
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.TRANSFER)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)
    excess_as_credit = forms.BooleanField(
        label=_("Record what is above the amount left as a credit on the client"),
        required=False,
    )

    def __init__(self, *args: Any, left: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["date"].initial = timezone.localdate()
        if left is not None and left > 0:
            self.fields["amount"].initial = left


class ClientPaymentForm(FrenchDecimalsMixin, forms.Form):
    """Money received from a client: on one of its invoices, or as a credit on it."""

    client = forms.ChoiceField(label=_("Client"))
    invoice = forms.ChoiceField(label=_("Invoice"), required=False)
    contract = forms.ChoiceField(
        label=_("Contract"),
        required=False,
        help_text=_("Without an invoice: the contract whose final account counts the payment."),
    )
    date = _date_field(_("Date received"))
    amount = _amount_field(_("Amount"))
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.TRANSFER)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)
    excess_as_credit = forms.BooleanField(
        label=_("Record what is above the amount left as a credit on the client"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        clients: list[tuple[int, str]],
        invoices: list[tuple[int, str]],
        contracts: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["date"].initial = timezone.localdate()
        self.fields["client"].choices = [("", "—"), *clients]
        self.fields["invoice"].choices = [("", _("No invoice: a credit on the client")), *invoices]
        self.fields["contract"].choices = [("", "—"), *contracts]
        if len(contracts) == 1:
            self.fields["contract"].initial = contracts[0][0]


class PaymentDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this payment deleted?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReleaseForm(FrenchDecimalsMixin, forms.Form):
    date = _date_field(_("Date received"))
    amount = _amount_field(_("Amount received"))
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.TRANSFER)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, held: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["date"].initial = timezone.localdate()
        self.fields["amount"].initial = held


class GuaranteeEndForm(forms.Form):
    date = _date_field(_("Date the guarantee ended"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
