"""Contracts (marchés): what the client accepted, frozen, and the base of every invoice.

A contract is created from an accepted quote (services.contract_create_from_quote): its
sections are the quote's chapters, its lines the quote's counted lines and text lines,
with the amounts the quote stored (never recomputed). `base_net` is the sum of the line
nets, i.e. the quote's total excluding VAT.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.catalogue.models import Item
from chantier.core.models import Company
from chantier.core.money import (
    AMOUNT_FIELD,
    COST_FIELD,
    QUANTITY_FIELD,
    UNIT_PRICE_FIELD,
    VAT_RATE_FIELD,
    round3,
)
from chantier.parties.models import Client, Site
from chantier.quotes.models import Quote, QuoteLine

ZERO = Decimal("0.00")
HOURS_FIELD = COST_FIELD  # labour hours keep 4 places, as on quote lines


class Contract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Pending")
        FINISHED = "finished", _("Finished")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("client")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("site"),
    )
    quote = models.OneToOneField(
        Quote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("quote"),
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # the quote's number
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # Σ line nets (text lines count 0): the quote's total excl. VAT when created from one.
    base_net = models.DecimalField(_("contract amount excl. VAT"), default=ZERO, **AMOUNT_FIELD)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"],
                condition=~models.Q(reference=""),
                name="contract_unique_reference",
                violation_error_message=_("A contract with this reference already exists."),
            )
        ]
        indexes = [models.Index(fields=["company", "status", "created_at"])]

    def __str__(self) -> str:
        return self.reference or self.title


class ContractSection(models.Model):
    """A section (lot, poste) of a contract: a chapter of its quote, same tree and number."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    number = models.CharField(_("number"), max_length=40, blank=True)  # "1.2.3"
    title = models.CharField(_("title"), max_length=250)
    sort_key = models.CharField(max_length=200, blank=True)  # "0001.0002": tree order

    class Meta:
        verbose_name = _("contract section")
        verbose_name_plural = _("contract sections")
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["contract", "sort_key"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def depth(self) -> int:
        return self.sort_key.count(".") + 1


class ContractLine(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", _("Line")
        DISCOUNT = "discount", _("Discount")
        TEXT = "text", _("Text")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    section = models.ForeignKey(
        ContractSection, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    position = models.PositiveIntegerField(default=0)
    sort_key = models.CharField(max_length=220, blank=True)  # section sort_key + position
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ITEM)
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    description = models.TextField(_("description"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), default=Decimal("0.000"), **QUANTITY_FIELD)
    unit_price = models.DecimalField(_("unit price"), default=ZERO, **UNIT_PRICE_FIELD)
    net = models.DecimalField(_("total excl. VAT"), default=ZERO, **AMOUNT_FIELD)
    vat_rate = models.DecimalField(_("VAT rate (%)"), default=Decimal("20.00"), **VAT_RATE_FIELD)
    labour_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    supply_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    labour_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    supply_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    labour_hours = models.DecimalField(default=ZERO, **HOURS_FIELD)
    quote_line = models.ForeignKey(
        QuoteLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["contract", "sort_key"])]

    def __str__(self) -> str:
        return self.description.splitlines()[0] if self.description else self.reference

    @property
    def is_text(self) -> bool:
        return self.kind == self.Kind.TEXT


class ContractLineComponent(models.Model):
    """A component of a contract line, copied from the quote line (shown greyed under it)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(ContractLine, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveIntegerField(default=0)
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=250)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Item.Kind.choices, default=Item.Kind.SUPPLY
    )
    quantity_per_unit = models.DecimalField(_("quantity per unit"), **QUANTITY_FIELD)
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal(0), **COST_FIELD)

    class Meta:
        verbose_name = _("contract line component")
        verbose_name_plural = _("contract line components")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def quantity(self) -> Decimal:
        """Quantity for the whole line: line quantity × quantity per unit (3 places)."""
        return round3(self.line.quantity * self.quantity_per_unit)
