"""Catalogue: items (supply, labour, service, discount, equipment), kits and assemblies."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.core.models import Company
from chantier.core.money import COST_FIELD, QUANTITY_FIELD, UNIT_PRICE_FIELD, VAT_RATE_FIELD
from chantier.parties.models import Supplier


class Category(models.Model):
    """A category, or a subcategory when it has a parent (one level of nesting)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "parent", "name"],
                name="category_unique_name_per_parent",
                violation_error_message=_("A category with this name already exists here."),
            ),
            # NULL parents are distinct in a unique index: top-level names need their own.
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=models.Q(parent__isnull=True),
                name="category_unique_top_level_name",
                violation_error_message=_("A category with this name already exists here."),
            ),
        ]

    def __str__(self) -> str:
        parent = self.parent if self.parent_id else None
        return f"{parent.name} › {self.name}" if parent is not None else self.name


class Item(models.Model):
    class Kind(models.TextChoices):
        SUPPLY = "supply", _("Supply")
        LABOUR = "labour", _("Labour")
        SERVICE = "service", _("Service")
        DISCOUNT = "discount", _("Discount")
        EQUIPMENT = "equipment", _("Equipment")

    class Structure(models.TextChoices):
        SIMPLE = "simple", _("Simple item")
        KIT = "kit", _("Kit")  # sold as one item, made of components (seed 002)
        ASSEMBLY = "assembly", _("Assembly (ouvrage)")  # components per unit, costed

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("reference"), max_length=50)
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SUPPLY)
    structure = models.CharField(
        _("structure"), max_length=10, choices=Structure.choices, default=Structure.SIMPLE
    )
    unit = models.CharField(_("unit"), max_length=20, default="u")
    purchase_cost = models.DecimalField(_("purchase cost"), default=Decimal("0.0000"), **COST_FIELD)
    sale_price = models.DecimalField(_("sale price"), default=Decimal("0.00"), **UNIT_PRICE_FIELD)
    vat_rate = models.DecimalField(_("VAT rate (%)"), default=Decimal("20.00"), **VAT_RATE_FIELD)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("supplier"),
    )
    supplier_reference = models.CharField(_("supplier reference"), max_length=60, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("category"),
    )
    datasheet_url = models.URLField(_("data sheet"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"],
                name="item_unique_reference",
                violation_error_message=_("An item with this reference already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(purchase_cost__gte=0),
                name="item_purchase_cost_not_negative",
                violation_error_message=_("The purchase cost cannot be negative."),
            ),
            # Only a discount item may carry a negative sale price (seed 002, "remise").
            models.CheckConstraint(
                condition=models.Q(sale_price__gte=0) | models.Q(kind="discount"),
                name="item_sale_price_not_negative",
                violation_error_message=_("Only a discount may have a negative sale price."),
            ),
        ]
        indexes = [models.Index(fields=["company", "kind", "reference"])]

    def __str__(self) -> str:
        return f"{self.reference} · {self.name}"


class ItemComponent(models.Model):
    """One component of a kit or an assembly, with its quantity per unit of the parent."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="components", verbose_name=_("kit or assembly")
    )
    component = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="used_in", verbose_name=_("component")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="component_quantity_positive",
                violation_error_message=_("The quantity must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("component")),
                name="component_not_itself",
                violation_error_message=_("An item cannot be a component of itself."),
            ),
            models.UniqueConstraint(
                fields=["parent", "component"],
                name="component_once_per_parent",
                violation_error_message=_("This item is already a component."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component}"
