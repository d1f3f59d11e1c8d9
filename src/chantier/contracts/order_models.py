"""Change orders (avenants, FTM) and service orders (ordres de service) of a contract.

Imported by contracts/models.py, so they belong to the contracts app.

Both carry priced lines. A line either adds work (`amends` empty) or changes an existing
contract line (`amends` set): a quantity change is Δquantity × that line's price, a price
change is that line's quantity × Δprice; the signed net is round2(quantity × unit_price).
When a change order is approved, or a service order with a financial impact is validated,
each of its lines becomes a ContractLine (change_order / service_order set): the billing
base is the contract lines, so a negative order lowers it (billing.md "Contract base").
An amount is never counted twice: a service order made from a change order adds no line of
its own for that change order's lines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.core.models import Company
from chantier.core.money import AMOUNT_FIELD, QUANTITY_FIELD, UNIT_PRICE_FIELD, VAT_RATE_FIELD

ZERO = Decimal("0.00")
OBSERVATION_DAYS = 15  # CCAG-Travaux 2021 art. 3.8.2 (french-rules §10)


class ChangeOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="change_orders"
    )
    # Avenant n°1, 2, … per contract, given at creation from Contract.last_change_order_number.
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    net = models.DecimalField(_("amount excl. VAT"), default=ZERO, **AMOUNT_FIELD)  # Σ line nets
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("change order")
        verbose_name_plural = _("change orders")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="change_order_unique_number"
            )
        ]

    def __str__(self) -> str:
        return str(_("Change order no. %(number)s") % {"number": self.number})


class OrderLine(models.Model):
    """A priced line of a change order or a service order (see the module docstring)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    section = models.ForeignKey(
        "contracts.ContractSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amends = models.ForeignKey(
        "contracts.ContractLine",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    description = models.TextField(_("description"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)  # signed
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE_FIELD)  # signed
    vat_rate = models.DecimalField(_("VAT rate (%)"), default=Decimal("20.00"), **VAT_RATE_FIELD)
    net = models.DecimalField(_("total excl. VAT"), default=ZERO, **AMOUNT_FIELD)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description.splitlines()[0] if self.description else self.reference


class ChangeOrderLine(OrderLine):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta(OrderLine.Meta):
        verbose_name = _("change order line")


class ServiceOrder(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Start of works")
        CHANGE = "change", _("Change")
        SUSPENSION = "suspension", _("Suspension")
        RESTART = "restart", _("Restart")
        NO_FINANCIAL = "no_financial", _("No financial effect")

    class Issuer(models.TextChoices):
        PROJECT_MANAGER = "project_manager", _("Project manager")
        OWNER = "owner", _("Owner")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING = "awaiting", _("Awaiting validation")
        VALIDATED = "validated", _("Validated")
        REFUSED = "refused", _("Refused")

    class Origin(models.TextChoices):
        DIRECT = "direct", _("Direct")
        CHANGE_ORDER = "change_order", _("From a change order")
        QUOTE = "quote", _("From a quote")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="service_orders"
    )
    # OS n°1, 2, … per contract, given at issue (draft → awaiting), never reused.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.DIRECT
    )
    change_order = models.ForeignKey(
        ChangeOrder,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="service_orders",
    )
    quotes = models.ManyToManyField(
        "quotes.Quote", blank=True, related_name="service_orders", verbose_name=_("quotes")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    issuer = models.CharField(
        _("issuer"), max_length=15, choices=Issuer.choices, default=Issuer.PROJECT_MANAGER
    )
    lot = models.CharField(_("lot / company"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    notification_date = models.DateField(_("notification date"), null=True, blank=True)
    acknowledgement_date = models.DateField(_("acknowledgement date"), null=True, blank=True)
    financial_impact = models.DecimalField(
        _("financial impact excl. VAT"), default=ZERO, **AMOUNT_FIELD
    )
    delay_days = models.IntegerField(_("delay impact (days)"), default=0)
    owner_validation_ref = models.CharField(
        _("owner validation reference"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["contract", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                condition=models.Q(number__isnull=False),
                name="service_order_unique_number",
            )
        ]

    def __str__(self) -> str:
        if self.number is None:
            return str(_("Draft service order"))
        return str(_("Service order no. %(number)s") % {"number": self.number})

    @property
    def observation_deadline(self) -> dt.date | None:
        """Notification + 15 days (french-rules §10, example 10.A)."""
        if self.notification_date is None:
            return None
        return self.notification_date + dt.timedelta(days=OBSERVATION_DAYS)

    @property
    def changes_contract(self) -> bool:
        """It changes the amount or the time for completion: owner validation is needed."""
        return self.financial_impact != ZERO or self.delay_days != 0

    @property
    def is_binding(self) -> bool:
        """False ("not binding") when it changes delay or amount without owner validation."""
        return not self.changes_contract or bool(self.owner_validation_ref.strip())


class ServiceOrderLine(OrderLine):
    service_order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta(OrderLine.Meta):
        verbose_name = _("service order line")


def attachment_path(attachment: ServiceOrderAttachment, filename: str) -> str:
    order = attachment.service_order
    return f"companies/{order.company_id}/service-orders/{order.pk}/{filename}"


class ServiceOrderAttachment(models.Model):
    """A file joined to a service order, at any time (before or after validation)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    service_order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
