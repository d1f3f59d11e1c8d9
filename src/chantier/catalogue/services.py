"""Writes of the catalogue: items, categories and the components of kits and assemblies.

Every function checks the acting user's role, validates, writes and leaves an
audit entry, inside one transaction; a refusal raises DomainError (with the
field at fault) or InUse and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model, ProtectedError
from django.utils.translation import gettext as _

from chantier.catalogue import costing
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.catalogue.selectors import cost_catalogue, protected_by_message
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, InUse
from chantier.core.models import Company, User
from chantier.core.money import VAT_RATES, round2, round3, round4, to_decimal
from chantier.core.services import audit_log
from chantier.parties.models import Supplier

COMPOSITE = (Item.Structure.KIT, Item.Structure.ASSEMBLY)


class ItemData(TypedDict, total=False):
    reference: str
    name: str
    description: str
    kind: str
    structure: str
    unit: str
    purchase_cost: Decimal
    sale_price: Decimal
    vat_rate: Decimal
    supplier: Supplier | None
    supplier_reference: str
    category: Category | None
    datasheet_url: str
    active: bool


ITEM_FIELDS = frozenset(ItemData.__annotations__)


@transaction.atomic
def item_create(*, user: User, data: ItemData) -> Item:
    """Create a catalogue item (seed 002: articles of every kind, kits, ouvrages)."""
    company = require_writer(user).company
    item = Item(company=company)
    _apply_item(item, data)
    _validate_item(item)
    item.save()
    audit_log(company=company, user=user, action="item_create", obj=item)
    return item


@transaction.atomic
def item_update(*, user: User, item: Item, data: Mapping[str, Any]) -> Item:
    """Change an item; only the fields in `data` change."""
    company = require_writer(user).company
    locked = Item.objects.select_for_update().get(pk=item.pk, company=company)
    before = {name: getattr(locked, name) for name in data}
    _apply_item(locked, data)
    _validate_item(locked)
    if locked.structure == Item.Structure.SIMPLE and locked.components.exists():
        raise DomainError(
            _("This item has components: remove them before making it a simple item."),
            field="structure",
        )
    locked.save()
    changed = sorted(name for name in data if getattr(locked, name) != before[name])
    audit_log(
        company=company, user=user, action="item_update", obj=locked, data={"fields": changed}
    )
    return locked


@transaction.atomic
def item_delete(*, user: User, item: Item) -> None:
    """Delete an item; refused while it is a component of another item or used elsewhere."""
    company = require_writer(user).company
    locked = Item.objects.select_for_update().get(pk=item.pk, company=company)
    pk, reference = locked.pk, locked.reference
    _delete(locked)
    audit_log(
        company=company,
        user=user,
        action="item_delete",
        obj=Item(pk=pk),
        data={"reference": reference},
    )


@transaction.atomic
def category_create(*, user: User, name: str, parent: Category | None = None) -> Category:
    """Create a category, or a subcategory when `parent` is given (one level of nesting)."""
    company = require_writer(user).company
    category = Category(company=company, name=name.strip(), parent=parent)
    _validate_category(category)
    category.save()
    audit_log(company=company, user=user, action="category_create", obj=category)
    return category


@transaction.atomic
def category_update(
    *, user: User, category: Category, name: str, parent: Category | None = None
) -> Category:
    company = require_writer(user).company
    locked = Category.objects.select_for_update().get(pk=category.pk, company=company)
    locked.name, locked.parent = name.strip(), parent
    _validate_category(locked)
    locked.save()
    audit_log(company=company, user=user, action="category_update", obj=locked)
    return locked


@transaction.atomic
def category_delete(*, user: User, category: Category) -> None:
    """Delete a category; refused while items or subcategories use it."""
    company = require_writer(user).company
    locked = Category.objects.select_for_update().get(pk=category.pk, company=company)
    pk, name = locked.pk, locked.name
    _delete(locked)
    audit_log(
        company=company,
        user=user,
        action="category_delete",
        obj=Category(pk=pk),
        data={"name": name},
    )


@transaction.atomic
def component_add(*, user: User, parent: Item, component: Item, quantity: Decimal) -> ItemComponent:
    """Add `quantity` of `component` per unit of the kit or assembly `parent`."""
    company = _lock_component_graph(user)
    parent = Item.objects.get(pk=parent.pk, company=company)
    if parent.structure not in COMPOSITE:
        raise DomainError(
            _("A simple item has no components: make it a kit or an assembly first."),
            field="component",
        )
    if component.company_id != company.pk:
        raise DomainError(_("Unknown item."), field="component")
    quantity = _check_quantity(quantity)
    if parent.components.filter(component=component).exists():
        raise DomainError(
            _("%(ref)s is already a component of this item: change its quantity instead.")
            % {"ref": component.reference},
            field="component",
        )
    if costing.would_create_cycle(cost_catalogue(company), parent.pk, component.pk):
        raise DomainError(
            _("%(ref)s contains %(parent)s: adding it would make the item contain itself.")
            % {"ref": component.reference, "parent": parent.reference},
            field="component",
        )
    position = (parent.components.aggregate(m=Max("position"))["m"] or 0) + 1
    row = ItemComponent.objects.create(
        company=company, parent=parent, component=component, quantity=quantity, position=position
    )
    audit_log(
        company=company,
        user=user,
        action="component_add",
        obj=parent,
        data={"component": component.reference, "quantity": str(quantity)},
    )
    return row


@transaction.atomic
def component_update(*, user: User, component: ItemComponent, quantity: Decimal) -> ItemComponent:
    company = _lock_component_graph(user)
    row = ItemComponent.objects.select_related("component", "parent").get(
        pk=component.pk, company=company
    )
    row.quantity = _check_quantity(quantity)
    row.save(update_fields=["quantity"])
    audit_log(
        company=company,
        user=user,
        action="component_update",
        obj=row.parent,
        data={"component": row.component.reference, "quantity": str(row.quantity)},
    )
    return row


@transaction.atomic
def component_remove(*, user: User, component: ItemComponent) -> None:
    company = _lock_component_graph(user)
    row = ItemComponent.objects.select_related("component", "parent").get(
        pk=component.pk, company=company
    )
    row.delete()
    audit_log(
        company=company,
        user=user,
        action="component_remove",
        obj=row.parent,
        data={"component": row.component.reference},
    )


# Helpers ---------------------------------------------------------------------------------


def _apply_item(item: Item, data: Mapping[str, Any]) -> None:
    unknown = set(data) - ITEM_FIELDS
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    for name, value in data.items():
        if isinstance(value, str) and name != "description":
            value = value.strip()
        setattr(item, name, value)
    # Costs keep 4 places, prices 2 (DESIGN "Money"): extra decimals round half-up.
    item.purchase_cost = round4(_decimal(item.purchase_cost, "purchase_cost"))
    item.sale_price = round2(_decimal(item.sale_price, "sale_price"))
    item.vat_rate = _decimal(item.vat_rate, "vat_rate")


def _decimal(value: object, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        raise DomainError(_("%(value)r is not a number.") % {"value": value}, field=field) from None


def _validate_item(item: Item) -> None:
    """The business rules of an item (seed 002, french-rules §5), then the field formats."""
    if not item.reference:
        raise DomainError(_("The reference is required."), field="reference")
    if not item.name:
        raise DomainError(_("The name is required."), field="name")
    if item.kind not in Item.Kind.values:
        raise DomainError(_("Unknown kind %(kind)r.") % {"kind": item.kind}, field="kind")
    if item.structure not in Item.Structure.values:
        raise DomainError(_("Unknown structure."), field="structure")
    if item.vat_rate not in VAT_RATES:
        raise DomainError(
            _("Unknown VAT rate %(rate)s: choose 20, 10, 5.5 or 0.") % {"rate": item.vat_rate},
            field="vat_rate",
        )
    item.vat_rate = round2(item.vat_rate)
    if item.purchase_cost < 0:
        raise DomainError(_("The purchase cost cannot be negative."), field="purchase_cost")
    if item.sale_price < 0 and item.kind != Item.Kind.DISCOUNT:
        raise DomainError(_("Only a discount may have a negative sale price."), field="sale_price")
    _check_same_company(item.company_id, item.supplier, "supplier")
    _check_same_company(item.company_id, item.category, "category")
    duplicate = Item.objects.filter(company_id=item.company_id, reference=item.reference)
    if duplicate.exclude(pk=item.pk).exists():
        raise DomainError(
            _("An item with the reference %(ref)s already exists.") % {"ref": item.reference},
            field="reference",
        )
    _full_clean(item)


def _validate_category(category: Category) -> None:
    if not category.name:
        raise DomainError(_("The name is required."), field="name")
    parent = category.parent
    if parent is not None:
        _check_same_company(category.company_id, parent, "parent")
        if parent.parent_id is not None:
            raise DomainError(
                _("A subcategory cannot have subcategories of its own."), field="parent"
            )
        if parent.pk == category.pk:
            raise DomainError(_("A category cannot be its own parent."), field="parent")
        if category.pk and category.children.exists():
            raise DomainError(
                _("This category has subcategories: it cannot become a subcategory."),
                field="parent",
            )
    siblings = Category.objects.filter(
        company_id=category.company_id, parent=parent, name__iexact=category.name
    )
    if siblings.exclude(pk=category.pk).exists():
        raise DomainError(
            _("A category named %(name)s already exists here.") % {"name": category.name},
            field="name",
        )
    _full_clean(category)


def _check_same_company(company_id: int, obj: Model | None, field: str) -> None:
    """A supplier, category or parent of another company is as unknown as a missing one."""
    if obj is not None and getattr(obj, "company_id", None) != company_id:
        messages = {
            "supplier": _("Unknown supplier."),
            "category": _("Unknown category."),
            "parent": _("Unknown parent category."),
        }
        raise DomainError(messages[field], field=field)


def _full_clean(obj: Model) -> None:
    """Field formats (lengths, URL, digits) as DomainError on the first faulty field."""
    try:
        # company, supplier and category are checked above without a query each.
        obj.full_clean(
            exclude=["company", "supplier", "category", "parent"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


def _check_quantity(quantity: Decimal) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise DomainError(_("The quantity must be a number."), field="quantity")
    rounded = round3(quantity)
    if rounded <= 0:
        raise DomainError(_("The quantity must be greater than 0."), field="quantity")
    if rounded >= Decimal("1e11"):
        raise DomainError(_("The quantity is too large."), field="quantity")
    return rounded


def _lock_component_graph(user: User) -> Company:
    """Serialise component changes per company, so two concurrent additions cannot
    close a cycle that neither would close alone (DESIGN convention 4)."""
    company = require_writer(user).company
    return Company.objects.select_for_update().get(pk=company.pk)


def _delete(obj: Model) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise InUse(protected_by_message(obj, exc.protected_objects)) from None
