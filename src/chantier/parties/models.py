"""Clients, suppliers and subcontractors, contacts, sites, interactions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.core.formatting import address_lines
from chantier.core.models import Company


class Address(models.Model):
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        return address_lines(self)


class Client(Address):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["company", "name"])]

    def __str__(self) -> str:
        return self.name


class Supplier(Address):
    """A supplier of goods, or a subcontractor (kind)."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.SUPPLIER)
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    trade = models.CharField(_("trade"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["company", "kind", "name"])]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a client or a supplier."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(_("function"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(client__isnull=False) & models.Q(supplier__isnull=False)),
                name="contact_one_organisation_at_most",
            )
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Site(Address):
    """A works site (chantier): where the works happen, may differ from the client's address."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    access_notes = models.TextField(_("access notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """A note, call, email or visit logged on a client (later also on a contract)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    # PROTECT: the history of a client (notes, calls, emails sent) is not lost with it;
    # deleting a client is refused while it has interactions (parties.services).
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    # Logged on a contract too (seed 002); deleting the contract keeps the interaction.
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    date = models.DateTimeField(_("date"))
    subject = models.CharField(_("subject"), max_length=250)
    detail = models.TextField(_("detail"), blank=True)
    private = models.BooleanField(_("private"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("interaction")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["company", "client", "-date"]),
            models.Index(fields=["company", "contract", "-date"]),
        ]

    def __str__(self) -> str:
        return self.subject
