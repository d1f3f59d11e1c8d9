"""Tenants (companies), users, memberships with roles, API tokens, sequences, audit."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.core.money import RATE_FIELD


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    ACCOUNTANT = "accountant", _("Accountant")
    SALES = "sales", _("Sales")
    SITE = "site", _("Site worker")


# Seed 002: contracts and documents are editable by admin/manager only.
WRITER_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class LegalForm(models.TextChoices):
    EI = "EI", "EI"
    EURL = "EURL", "EURL"
    SARL = "SARL", "SARL"
    SAS = "SAS", "SAS"
    SASU = "SASU", "SASU"
    SA = "SA", "SA"
    SCOP = "SCOP", "SCOP"
    OTHER = "other", _("Other")


class PaymentTerms(models.TextChoices):
    DAYS_60 = "60d", _("60 days from invoice date")
    DAYS_45_EOM = "45d_eom", _("45 days end of month")
    DAYS_30 = "30d", _("30 days from invoice date")
    ON_RECEIPT = "receipt", _("On receipt")


class Company(models.Model):
    """The tenant: every business row belongs to exactly one company."""

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(
        _("legal form"), max_length=10, choices=LegalForm.choices, default=LegalForm.SAS
    )
    share_capital = models.DecimalField(
        _("share capital"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    rcs = models.CharField(_("RCS registration"), max_length=100, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    insurance_text = models.TextField(
        _("ten-year liability insurance (décennale)"),
        blank=True,
        help_text=_("Insurer, policy number and geographical coverage, printed on documents."),
    )

    # Document settings
    default_vat_rate = models.DecimalField(
        _("default VAT rate (%)"), max_digits=6, decimal_places=2, default=Decimal("20.00")
    )
    payment_terms = models.CharField(
        _("payment terms"),
        max_length=10,
        choices=PaymentTerms.choices,
        default=PaymentTerms.DAYS_60,
    )
    late_penalty_text = models.TextField(
        _("late payment wording"),
        default=(
            "En cas de retard de paiement, des pénalités au taux de la BCE majoré de 10 points "
            "sont exigibles, ainsi qu'une indemnité forfaitaire de 40 € pour frais de "
            "recouvrement (art. L441-10 du Code de commerce)."
        ),
    )
    # L441-10: ECB refinancing rate + 10 points by default (an ECB figure of 2.15 % here,
    # to be updated by the company); act/365 day count (french-rules §6.3, 6.B).
    late_penalty_rate = models.DecimalField(
        _("late payment interest rate (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("12.15"),
    )
    recovery_indemnity = models.DecimalField(
        _("recovery indemnity (€)"), max_digits=8, decimal_places=2, default=Decimal("40.00")
    )
    payment_future_days = models.PositiveSmallIntegerField(
        _("payments may be dated up to (days ahead)"),
        default=7,
        help_text=_("A payment dated further in the future is refused (a typing error)."),
    )
    quote_number_format = models.CharField(
        _("quote numbering"), max_length=40, default="DEV{YYYY}-{seq}"
    )
    invoice_number_format = models.CharField(
        _("invoice numbering"), max_length=40, default="FA{YYYY}-{seq:05d}"
    )
    credit_note_number_format = models.CharField(
        _("credit note numbering"), max_length=40, default="FA{YYYY}-{seq:05d}"
    )
    quote_validity_days = models.PositiveIntegerField(_("quote validity (days)"), default=30)
    header_text = models.TextField(_("default header text"), blank=True)
    footer_text = models.TextField(_("default footer text"), blank=True)
    terms_text = models.TextField(_("terms and conditions"), blank=True)
    # Seed 001 "saisie rapide": typed before a line's reference on a quote.
    assembly_search_prefix = models.CharField(
        _("prefix searching assemblies"), max_length=3, default="*"
    )
    chapter_entry_prefix = models.CharField(
        _("prefix opening a new chapter"), max_length=3, default="#"
    )

    # Pricing coefficients (seed 001, "Tableau Coefficients")
    labour_coefficient = models.DecimalField(
        _("labour sale coefficient"), default=Decimal("1.0000"), **RATE_FIELD
    )
    supply_coefficient = models.DecimalField(
        _("supply sale coefficient"), default=Decimal("1.0000"), **RATE_FIELD
    )
    difficulty_coefficient = models.DecimalField(
        _("difficulty coefficient"), default=Decimal("1.0000"), **RATE_FIELD
    )
    overhead_coefficient = models.DecimalField(
        _("overhead coefficient"), default=Decimal("1.0000"), **RATE_FIELD
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(labour_coefficient__gt=0)
                & models.Q(supply_coefficient__gt=0)
                & models.Q(difficulty_coefficient__gt=0)
                & models.Q(overhead_coefficient__gt=0),
                name="company_coefficients_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in; belongs to one company through a Membership."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token is shown once."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="API")
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Sequence(models.Model):
    """Last number given in one series for one company and year (see ADR 0002)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=30)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "series", "year"], name="sequence_one_per_series_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last}"


class AuditEntry(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["company", "object_type", "object_id"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"
