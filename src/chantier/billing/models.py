"""Invoices of every kind, their lines, VAT breakdown and deductions, and index values.

Every amount here is the billing engine's output, stored once when the draft is saved
(billing.md: "one engine, many outputs, provably equal"): pages, PDF, API and Factur-X
read these columns and never recompute them. Works lines keep both the cumulative and
the delta amounts (french-rules §1.2: "store both explicitly").
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import Contract, ContractLine
from chantier.core.models import Company
from chantier.core.money import (
    AMOUNT_FIELD,
    QUANTITY_FIELD,
    RATE_FIELD,
    UNIT_PRICE_FIELD,
    VAT_RATE_FIELD,
)
from chantier.parties.models import Client

ZERO = Decimal("0.00")


class Kind(models.TextChoices):
    DOWN_PAYMENT = "down_payment", _("Down payment")
    PROGRESS = "progress", _("Progress statement")
    FINAL = "final", _("Final invoice")
    SUPPLEMENTARY = "supplementary", _("Supplementary invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


# Kinds that record progress on the contract's lines (statements, in billing.md's words).
STATEMENT_KINDS = (Kind.PROGRESS, Kind.FINAL, Kind.SUPPLEMENTARY)


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    class Presentation(models.TextChoices):
        DETAILED = "detailed", _("Detailed (every line)")
        GROUPED = "grouped", _("Grouped (one line per chapter and VAT rate)")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="invoices")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    type_code = models.CharField(_("type code"), max_length=3)  # 380, 381, 386, 503
    framework = models.CharField(max_length=3, default="S1")  # BT-23: S1, S4 (final)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    statement_number = models.PositiveIntegerField(_("statement n°"), null=True, blank=True)
    period_date = models.DateField(_("statement date"))
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    presentation = models.CharField(
        _("presentation"),
        max_length=10,
        choices=Presentation.choices,
        default=Presentation.DETAILED,
    )
    show_recap = models.BooleanField(_("recap of previous statements"), default=False)
    reverse_charge = models.BooleanField(_("VAT reverse charge"), default=False)

    # What the user entered, kept to recompute the draft against the latest history.
    inputs = models.JSONField(default=dict, blank=True)
    # Engine output (billing.md "The invoice kinds and their order").
    net = models.DecimalField(_("net"), default=ZERO, **AMOUNT_FIELD)
    vat_total = models.DecimalField(_("VAT"), default=ZERO, **AMOUNT_FIELD)
    gross = models.DecimalField(_("gross"), default=ZERO, **AMOUNT_FIELD)
    works_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    works_net_cumulative = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    works_gross = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    works_gross_cumulative = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    retention_rate = models.DecimalField(default=ZERO, **RATE_FIELD)
    retention = models.DecimalField(_("retention"), default=ZERO, **AMOUNT_FIELD)
    retention_cumulative = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    deductions_total = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    payable = models.DecimalField(_("amount payable"), default=ZERO, **AMOUNT_FIELD)
    base_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)  # billing base at the time
    global_percent = models.DecimalField(default=ZERO, **RATE_FIELD)
    revision_coefficient = models.DecimalField(null=True, blank=True, **RATE_FIELD)
    warnings = models.JSONField(default=list, blank=True)
    # Received so far (billing.payment_services keeps them with F() under the invoice's
    # lock): not part of the issued content, so not in the hash.
    paid_payable = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    paid_retention = models.DecimalField(default=ZERO, **AMOUNT_FIELD)

    # Issue: number, hash chain (DESIGN "Issued is final").
    chain_position = models.PositiveIntegerField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=~Q(number=""),
                name="invoice_number_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "chain_position"],
                condition=Q(chain_position__isnull=False),
                name="invoice_chain_position_unique",
            ),
            # billing.md: "Only one draft statement per contract at a time".
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="draft", kind__in=["progress", "final", "supplementary"]),
                name="invoice_one_draft_statement",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number="") | Q(status="issued") & ~Q(number=""),
                name="invoice_number_iff_issued",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "-created_at"]),
            models.Index(fields=["contract", "status", "kind"]),
            models.Index(fields=["company", "status", "due_date"]),
            models.Index(fields=["company", "status", "issue_date"]),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} ({_('draft')})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_credit(self) -> bool:
        return self.type_code in ("381", "503")

    @property
    def is_statement(self) -> bool:
        return self.kind in STATEMENT_KINDS

    @property
    def paid_total(self) -> Decimal:
        """Received on this invoice: the payable part and the retention released."""
        return self.paid_payable + self.paid_retention


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        WORK = "work", _("Works")
        REVISION = "revision", _("Price revision")
        DOWN_PAYMENT = "down_payment", _("Down payment")
        DEDUCTION = "deduction_of_down_payment", _("Down-payment deduction")
        CREDIT = "credit", _("Credit")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    contract_line = models.ForeignKey(
        ContractLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    section = models.CharField(max_length=300, blank=True)  # "1.2 Gros œuvre" for grouping
    description = models.TextField()
    unit = models.CharField(max_length=20, blank=True)
    quantity = models.DecimalField(default=Decimal("0.000"), **QUANTITY_FIELD)
    unit_price = models.DecimalField(default=ZERO, **UNIT_PRICE_FIELD)
    net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    vat_rate = models.DecimalField(default=Decimal("20.00"), **VAT_RATE_FIELD)
    base_net = models.DecimalField(default=ZERO, **AMOUNT_FIELD)  # B of the contract line
    contract_quantity = models.DecimalField(default=Decimal("0.000"), **QUANTITY_FIELD)
    cumulative_quantity = models.DecimalField(default=Decimal("0.000"), **QUANTITY_FIELD)
    cumulative_percent = models.DecimalField(default=ZERO, **RATE_FIELD)
    cumulative_amount = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    previous_amount = models.DecimalField(default=ZERO, **AMOUNT_FIELD)
    previous_quantity = models.DecimalField(default=Decimal("0.000"), **QUANTITY_FIELD)
    previous_percent = models.DecimalField(default=ZERO, **RATE_FIELD)
    down_payment_invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # On a credit note: the line of the credited invoice this one reverses.
    credited_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["invoice", "position"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_work(self) -> bool:
        return self.kind == self.Kind.WORK


class InvoiceVat(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="vat_lines")
    rate = models.DecimalField(**VAT_RATE_FIELD)
    base = models.DecimalField(**AMOUNT_FIELD)
    amount = models.DecimalField(**AMOUNT_FIELD)
    category = models.CharField(max_length=2, default="S")

    class Meta:
        ordering = ["-rate"]

    def __str__(self) -> str:
        return f"{self.rate} %: {self.base} → {self.amount}"


class InvoiceDeduction(models.Model):
    """Penalties and other retentions below the gross (billing.md "Other deductions")."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="deductions")
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(max_length=20, default="other")
    amount = models.DecimalField(_("amount"), **AMOUNT_FIELD)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class IndexValue(models.Model):
    """One published value of a price index (BT01, TP01…) for one month."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("index"), max_length=40)
    month = models.DateField(_("month"))  # first day of the month
    value = models.DecimalField(_("value"), **RATE_FIELD)

    class Meta:
        verbose_name = _("index value")
        verbose_name_plural = _("index values")
        ordering = ["name", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name", "month"], name="index_value_one_per_month"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="index_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.month:%m/%Y}: {self.value}"


from chantier.billing.payment_models import (  # noqa: E402  (models of this app, kept apart)
    AppliesTo,
    Method,
    Payment,
    RetentionRelease,
)

__all__ = [
    "STATEMENT_KINDS",
    "AppliesTo",
    "IndexValue",
    "Invoice",
    "InvoiceDeduction",
    "InvoiceLine",
    "InvoiceVat",
    "Kind",
    "Method",
    "Payment",
    "RetentionRelease",
]
