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
    RATE_FIELD,
    UNIT_PRICE_FIELD,
    VAT_RATE_FIELD,
    round3,
)
from chantier.parties.models import Address, Client, Contact, Site
from chantier.quotes.models import Quote, QuoteLine

ZERO = Decimal("0.00")
HOURS_FIELD = COST_FIELD  # labour hours keep 4 places, as on quote lines
MAX_RETENTION_RATE = Decimal("5.00")  # loi 71-584: 5 % at most (billing.md "Retention")


class Pricing(models.TextChoices):
    LUMP_SUM = "lump_sum", _("Lump sum")
    UNIT_PRICE = "unit_price", _("Unit prices")


class Contract(Address):
    """A contract. Its address fields are the intervention address (billing.md, seed 002):
    required, defaulting to the site's or the client's address; not printed when it is the
    client's own."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Pending")
        FINISHED = "finished", _("Finished")

    class RetentionBase(models.TextChoices):
        GROSS = "gross", _("Including VAT")
        NET = "net", _("Excluding VAT")

    class RetentionOn(models.TextChoices):
        EVERY_INVOICE = "every_invoice", _("On every invoice")
        FINAL_ONLY = "final_only", _("On the final invoice only")

    class DownPaymentDeduction(models.TextChoices):
        PRORATA = "prorata", _("In proportion to the works billed")
        FIRST = "first", _("From the first statements")
        MANUAL = "manual", _("Entered by hand")
        AT_FINAL = "at_final", _("On the final invoice")

    class RevisionRounding(models.TextChoices):
        UP_3 = "3up", _("3 decimals, rounded up")
        HALF_4 = "4half", _("4 decimals, rounded half up")
        NONE = "none", _("Not rounded")

    class PaymentTerms(models.TextChoices):
        DAYS_60 = "60d", _("60 days from invoice date")
        DAYS_45_EOM = "45d_eom", _("45 days end of month (end of month, then 45 days)")
        DAYS_45_THEN_EOM = "45d_then_eom", _("45 days end of month (45 days, then end of month)")
        DAYS = "days", _("N days from invoice date")

    class Procurement(models.TextChoices):
        PRIVATE = "private", _("Private contract")
        PUBLIC = "public", _("Public contract (CCAG-Travaux)")

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
    contract_type = models.CharField(_("type"), max_length=80, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Reminded on the home page from two months before.
    next_due_date = models.DateField(_("next due date"), null=True, blank=True)
    next_due_label = models.CharField(_("next due: what"), max_length=200, blank=True)

    # Billing settings: defaults of every invoice of the contract (billing.md).
    pricing = models.CharField(
        _("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.LUMP_SUM
    )
    retention_rate = models.DecimalField(
        _("retention rate (%)"), default=MAX_RETENTION_RATE, **VAT_RATE_FIELD
    )
    retention_base = models.CharField(
        _("retention base"), max_length=5, choices=RetentionBase.choices, default="gross"
    )
    retention_on = models.CharField(
        _("retention taken"),
        max_length=14,
        choices=RetentionOn.choices,
        default=RetentionOn.EVERY_INVOICE,
    )
    retention_guarantee = models.BooleanField(_("bank guarantee instead"), default=False)
    guarantee_reference = models.CharField(_("guarantee reference"), max_length=100, blank=True)
    guarantee_end_date = models.DateField(_("guarantee end date"), null=True, blank=True)
    warranty_months = models.PositiveSmallIntegerField(_("warranty delay (months)"), default=12)
    handover_date = models.DateField(_("handover date"), null=True, blank=True)
    down_payment_deduction = models.CharField(
        _("down-payment deduction"),
        max_length=10,
        choices=DownPaymentDeduction.choices,
        default=DownPaymentDeduction.PRORATA,
    )
    # Manual mode: above this progress (%), issuing without a deduction asks to confirm.
    deduction_warning_threshold = models.DecimalField(
        _("deduction reminder above progress (%)"), default=Decimal("50.00"), **VAT_RATE_FIELD
    )
    # Revision: a missing index of the month uses the last known one (révision provisoire).
    revision_provisional = models.BooleanField(
        _("provisional revision with the last known index"), default=False
    )
    # Actualisation (prix ferme actualisable, french-rules §4.1): applied once to the prices.
    actualisation_coefficient = models.DecimalField(
        _("actualisation coefficient"), null=True, blank=True, **RATE_FIELD
    )
    # Public advance (avance, CCP R2191-3): TTC amount, repaid by précompte between the
    # start and end thresholds of the works executed (french-rules §3.2).
    advance_amount = models.DecimalField(
        _("public advance (incl. VAT)"), default=ZERO, **AMOUNT_FIELD
    )
    advance_start_percent = models.DecimalField(
        _("advance repaid from (% of the contract)"), null=True, blank=True, **VAT_RATE_FIELD
    )
    advance_end_percent = models.DecimalField(
        _("advance repaid by (% of the contract)"), default=Decimal("80.00"), **VAT_RATE_FIELD
    )
    # Subcontracting in construction: the buyer self-assesses the VAT (french-rules §5.1).
    reverse_charge = models.BooleanField(
        _("subcontracting: VAT reverse charge (autoliquidation)"), default=False
    )
    # Seed 001: detailed invoice (every line) or grouped (one line per chapter and VAT rate).
    invoice_presentation = models.CharField(
        _("invoice presentation"),
        max_length=10,
        choices=[
            ("detailed", _("Detailed (every line)")),
            ("grouped", _("Grouped (one line per chapter and VAT rate)")),
        ],
        default="detailed",
    )
    # Seed 001: recap of the previous statements printed after the totals.
    invoice_recap = models.BooleanField(
        _("recap of previous statements on invoices"), default=False
    )
    revision_fixed_part = models.DecimalField(
        _("revision fixed part"), default=Decimal("0.1250"), **RATE_FIELD
    )
    revision_rounding = models.CharField(
        _("revision coefficient rounding"),
        max_length=5,
        choices=RevisionRounding.choices,
        default=RevisionRounding.UP_3,
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=12, choices=PaymentTerms.choices, default="60d"
    )
    # Public contracts: retention refunded 30 days after the warranty (CCP R2191-35) and the
    # final-account timeline of CCAG-Travaux (french-rules §2.6 B, §8.1).
    procurement = models.CharField(
        _("procurement"), max_length=7, choices=Procurement.choices, default="private"
    )
    payment_days = models.PositiveSmallIntegerField(_("payment days"), null=True, blank=True)
    # The final account (french-rules §8): the dates recorded as the procedure goes, from
    # which final_account_timeline computes each deadline. Public contracts follow
    # CCAG-Travaux; a private one follows NF P03-001 only when the contract cites it (the
    # same dates then mean the mémoire définitif and the décompte définitif).
    nf_p03_001 = models.BooleanField(_("NF P03-001 applies"), default=False)
    final_statement_sent_date = models.DateField(
        _("final statement sent on"), null=True, blank=True
    )
    final_statement_moe_received_date = models.DateField(
        _("final statement received by the project manager on"), null=True, blank=True
    )
    final_statement_moa_received_date = models.DateField(
        _("final statement received by the owner on"), null=True, blank=True
    )
    general_statement_notified_date = models.DateField(
        _("general statement notified on"), null=True, blank=True
    )
    general_statement_returned_date = models.DateField(
        _("signed general statement returned on"), null=True, blank=True
    )
    draft_general_statement_received_date = models.DateField(
        _("contractor's draft general statement received by the owner on"), null=True, blank=True
    )
    # Seed 000: service orders may also be created from an accepted quote of the contract.
    service_orders_from_quotes = models.BooleanField(
        _("service orders from quotes outside change orders"), default=False
    )
    # Per-contract counters: change orders and service orders are numbered 1, 2, … for
    # ever (a number is never reused, french-rules §10); bumped under the contract's lock.
    last_change_order_number = models.PositiveIntegerField(default=0)
    last_service_order_number = models.PositiveIntegerField(default=0)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
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
            ),
            models.CheckConstraint(
                condition=models.Q(retention_rate__gte=0, retention_rate__lte=MAX_RETENTION_RATE),
                name="contract_retention_rate_at_most_5",
            ),
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
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)

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
    # Blank: the contract's pricing applies (billing.md: "a line may override").
    pricing = models.CharField(
        _("pricing"), max_length=10, choices=Pricing.choices, blank=True, db_default=""
    )
    # Lines that joined the billing base from an approved change order or a validated
    # service order; `amends` is the contract line whose quantity or price they change.
    change_order = models.ForeignKey(
        "contracts.ChangeOrder",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="contract_lines",
    )
    service_order = models.ForeignKey(
        "contracts.ServiceOrder",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="contract_lines",
    )
    amends = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="amendments"
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

    def effective_pricing(self, contract: Contract) -> str:
        return self.pricing or contract.pricing


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


class RevisionIndex(models.Model):
    """One index of the contract's revision formula: C = a + Σ weight × I(n) / base_value."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indices")
    name = models.CharField(_("index"), max_length=40)  # e.g. "BT01"
    weight = models.DecimalField(_("weight"), **RATE_FIELD)
    base_value = models.DecimalField(_("base value"), **RATE_FIELD)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("revision index")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="revision_index_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """Someone taking part in the contract, with their function on it (seed 002)."""

    FUNCTIONS = (
        _("Site manager"),
        _("Works supervisor"),
        _("Architect"),
        _("Project manager"),
        _("Owner"),
        _("Safety coordinator"),
        _("Inspection body"),
        _("Subcontractor"),
        _("Accountant"),
    )

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=100)  # from FUNCTIONS or free text
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("participant")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.function})"


from chantier.contracts.order_models import (  # noqa: E402  (registered with this app)
    ChangeOrder,
    ChangeOrderLine,
    ServiceOrder,
    ServiceOrderAttachment,
    ServiceOrderLine,
)

__all__ = [
    "ChangeOrder",
    "ChangeOrderLine",
    "Contract",
    "ContractLine",
    "ContractLineComponent",
    "ContractSection",
    "Participant",
    "Pricing",
    "RevisionIndex",
    "ServiceOrder",
    "ServiceOrderAttachment",
    "ServiceOrderLine",
]
