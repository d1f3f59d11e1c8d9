"""Quotes (devis travaux): the document, its chapter tree, its lines and their components.

A quote stores its whole pricing (DESIGN convention 3): every line keeps its unit
direct cost, the unit price and amounts the engine gave it, every chapter its
subtotal, the quote its totals and VAT per rate. Pages, PDF and API read these
stored values; only `pricing.py` writes them.

Versions: editing a sent quote creates version N+1 of the same family (same number
once numbered); the older version is kept, read-only, with `superseded` set.
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
    RATE_FIELD,
    UNIT_PRICE_FIELD,
    VAT_RATE_FIELD,
)
from chantier.parties.models import Client, Site

ZERO = Decimal("0.00")
HOURS_FIELD = COST_FIELD  # labour hours keep 4 places, like catalogue costs


class TermsText(models.Model):
    """A saved terms-and-conditions text; a quote copies the one chosen (printed last)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("terms and conditions text")
        verbose_name_plural = _("terms and conditions texts")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "title"],
                name="terms_text_unique_title",
                violation_error_message=_("A text with this title already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")  # titled "Devis"
        PROSPECT = "prospect", _("Prospect")  # titled "Proposition commerciale"

    class PricingMethod(models.TextChoices):
        """How lines priced from cost get their price (the line may also take an entered one)."""

        COEFFICIENTS = "coefficients", _("Cost × coefficients")
        K_RATES = "k_rates", _("K from rates")
        K_CHAINED = "k_chained", _("K from chained multipliers")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("client")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("site"),
    )
    # Versions: every version of one quote shares `family` (the first version's id).
    family = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="versions"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    superseded = models.BooleanField(_("superseded by a newer version"), default=False)
    alternative_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alternatives",
        verbose_name=_("alternative of"),
    )
    number = models.CharField(_("number"), max_length=40, blank=True)  # given at first send
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLIENT)
    title = models.CharField(_("title"), max_length=250)
    date = models.DateField(_("date"))
    validity_date = models.DateField(_("valid until"))
    header_text = models.TextField(_("header text"), blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)
    terms = models.ForeignKey(
        TermsText,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terms and conditions"),
    )
    terms_text = models.TextField(_("terms and conditions"), blank=True)  # copied at choice
    payment_terms = models.CharField(_("payment terms"), max_length=250, blank=True)
    down_payment_rate = models.DecimalField(
        _("down payment requested (%)"), default=ZERO, max_digits=5, decimal_places=2
    )
    # Pricing from cost: the method and its figures are recorded on the quote (§11).
    pricing_method = models.CharField(
        _("pricing method"),
        max_length=12,
        choices=PricingMethod.choices,
        default=PricingMethod.COEFFICIENTS,
    )
    labour_coefficient = models.DecimalField(_("labour coefficient"), **RATE_FIELD)
    supply_coefficient = models.DecimalField(_("supply coefficient"), **RATE_FIELD)
    difficulty_coefficient = models.DecimalField(_("difficulty coefficient"), **RATE_FIELD)
    overhead_coefficient = models.DecimalField(_("overhead coefficient"), **RATE_FIELD)
    site_costs_rate = models.DecimalField(_("site costs (%)"), default=ZERO, **RATE_FIELD)
    overheads_rate = models.DecimalField(_("overheads (%)"), default=ZERO, **RATE_FIELD)
    profit_rate = models.DecimalField(_("profit (%)"), default=ZERO, **RATE_FIELD)
    k_multipliers = models.CharField(_("K multipliers"), max_length=200, blank=True)  # "1.1 1.2"
    # Stored totals (pricing.py): what the page, the PDF and the API show.
    net = models.DecimalField(_("total excl. VAT"), default=ZERO, **AMOUNT_FIELD)
    vat_total = models.DecimalField(_("VAT"), default=ZERO, **AMOUNT_FIELD)
    gross = models.DecimalField(_("total incl. VAT"), default=ZERO, **AMOUNT_FIELD)
    vat_breakdown = models.JSONField(default=list)  # [{"rate", "base", "amount"}] as strings
    optional_net = models.DecimalField(_("options excl. VAT"), default=ZERO, **AMOUNT_FIELD)
    labour_cost = models.DecimalField(_("labour cost"), default=ZERO, **AMOUNT_FIELD)
    supply_cost = models.DecimalField(_("supply cost"), default=ZERO, **AMOUNT_FIELD)
    labour_hours = models.DecimalField(_("labour hours"), default=ZERO, **HOURS_FIELD)
    labour_net = models.DecimalField(_("labour share of the price"), default=ZERO, **AMOUNT_FIELD)
    supply_net = models.DecimalField(_("supply share of the price"), default=ZERO, **AMOUNT_FIELD)
    line_count = models.PositiveIntegerField(default=0)
    # Optimistic lock (DESIGN "Concurrent edits"): every save checks and bumps it.
    lock_version = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or refused at"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=200, blank=True)
    accepted_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    accepted_online = models.BooleanField(default=False)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number", "version"],
                condition=~models.Q(number=""),
                name="quote_unique_number_version",
            ),
            models.UniqueConstraint(
                fields=["family", "version"], name="quote_unique_family_version"
            ),
            models.CheckConstraint(
                condition=models.Q(down_payment_rate__gte=0, down_payment_rate__lte=100),
                name="quote_down_payment_rate_percent",
            ),
        ]
        indexes = [models.Index(fields=["company", "superseded", "status", "date"])]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        base = self.number or _("Draft quote %(id)s") % {"id": self.pk}
        return f"{base} v{self.version}" if self.version > 1 else str(base)

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT and not self.superseded

    @property
    def margin(self) -> Decimal:
        return self.net - self.labour_cost - self.supply_cost

    @property
    def direct_cost(self) -> Decimal:
        return self.labour_cost + self.supply_cost


class Chapter(models.Model):
    """A chapter (lot, poste) of a quote; chapters nest to any depth through `parent`."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="chapters")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=250)
    # Stored by pricing.py: number in the tree ("1.2.3"), depth (1 = top) and subtotals.
    number = models.CharField(max_length=40, blank=True)
    depth = models.PositiveSmallIntegerField(default=1)
    sort_key = models.CharField(max_length=200, blank=True)  # "0001.0002": tree order
    net = models.DecimalField(_("subtotal"), default=ZERO, **AMOUNT_FIELD)
    labour_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    supply_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    labour_hours = models.DecimalField(default=ZERO, **HOURS_FIELD)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["quote", "sort_key"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def margin(self) -> Decimal:
        return self.net - self.labour_cost - self.supply_cost


class QuoteLine(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", _("Line")
        DISCOUNT = "discount", _("Discount")
        TEXT = "text", _("Text")

    class PriceMode(models.TextChoices):
        ENTERED = "entered", _("Price entered")
        COST = "cost", _("From cost (quote method)")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ITEM)
    optional = models.BooleanField(_("optional"), default=False)
    item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    description = models.TextField(_("description"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), default=Decimal("1.000"), **QUANTITY_FIELD)
    price_mode = models.CharField(
        _("pricing"), max_length=8, choices=PriceMode.choices, default=PriceMode.ENTERED
    )
    entered_price = models.DecimalField(
        _("unit price entered"), null=True, blank=True, **UNIT_PRICE_FIELD
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), default=Decimal("20.00"), **VAT_RATE_FIELD)
    # Direct cost of one unit (4 places), frozen at insertion: catalogue changes never reach it.
    unit_labour_hours = models.DecimalField(default=Decimal(0), **COST_FIELD)
    unit_labour_cost = models.DecimalField(default=Decimal(0), **COST_FIELD)
    unit_supply_cost = models.DecimalField(default=Decimal(0), **COST_FIELD)
    # Stored by pricing.py from the engine's LinePrice.
    unit_price = models.DecimalField(_("unit price"), default=ZERO, **UNIT_PRICE_FIELD)
    net = models.DecimalField(_("total excl. VAT"), default=ZERO, **AMOUNT_FIELD)
    k = models.DecimalField(null=True, blank=True, **RATE_FIELD)
    labour_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    supply_cost = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    labour_hours = models.DecimalField(default=ZERO, **HOURS_FIELD)
    labour_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    supply_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    sort_key = models.CharField(max_length=220, blank=True)  # chapter sort_key + position

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["quote", "sort_key"])]

    def __str__(self) -> str:
        return self.description.splitlines()[0] if self.description else self.reference

    @property
    def direct_cost(self) -> Decimal:
        return self.labour_cost + self.supply_cost

    @property
    def margin(self) -> Decimal:
        return self.net - self.direct_cost


class LineComponent(models.Model):
    """A component of an assembly line, copied from the catalogue at insertion (seed 002).

    Shown greyed under its line; quantity = line quantity × quantity per unit.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(QuoteLine, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveIntegerField(default=0)
    reference = models.CharField(max_length=50, blank=True)
    description = models.CharField(max_length=250)
    unit = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=Item.Kind.choices, default=Item.Kind.SUPPLY)
    quantity_per_unit = models.DecimalField(**QUANTITY_FIELD)
    unit_cost = models.DecimalField(default=Decimal(0), **COST_FIELD)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description
