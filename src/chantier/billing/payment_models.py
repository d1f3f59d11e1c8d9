"""Payments received and retention releases (billing.md "Payments and the décompte général").

A payment is money received from a client. Tied to an invoice it is split between the
amount payable now and the retention (french-rules §2.4: the VAT in the retention falls
due only when it is paid, so the split is kept); money received beyond what an invoice
asks for is recorded as a credit on the client (applies_to "credit", no invoice).
Releasing the retention is an event of its own, never an edit of the invoices.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import Contract
from chantier.core.models import Company
from chantier.core.money import AMOUNT_FIELD
from chantier.parties.models import Client


class AppliesTo(models.TextChoices):
    PAYABLE = "payable", _("Amount payable")
    RETENTION = "retention", _("Retention")
    CREDIT = "credit", _("Credit on the client")


class Method(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class RetentionRelease(models.Model):
    """The retention released at the end of the warranty delay, or the bank guarantee
    ending (loi 71-584 art. 2; french-rules §2.1, §2.5)."""

    class Kind(models.TextChoices):
        RELEASE = "release", _("Retention released")
        GUARANTEE_END = "guarantee_end", _("Bank guarantee released")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="retention_releases"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount received"), **AMOUNT_FIELD)
    open_reserves = models.PositiveIntegerField(_("réserves still open"), default=0)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention release")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="release_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Payment(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="payments", verbose_name=_("client")
    )
    # Seed 002: a payment counts in a contract's décompte only when tied to the contract;
    # one recorded from a contract's invoice always is.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("contract"),
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("invoice"),
    )
    release = models.ForeignKey(
        RetentionRelease,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payments",
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT_FIELD)
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.PAYABLE
    )
    method = models.CharField(
        _("method"), max_length=15, choices=Method.choices, default=Method.TRANSFER
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    # A bank statement line matched by an import: the same line is never recorded twice.
    bank_line_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(applies_to="credit", invoice__isnull=True)
                | ~Q(applies_to="credit") & Q(invoice__isnull=False),
                name="payment_invoice_unless_credit",
            ),
            models.UniqueConstraint(
                fields=["company", "bank_line_key"],
                condition=~Q(bank_line_key=""),
                name="payment_bank_line_once",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-date"]),
            models.Index(fields=["contract", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"
