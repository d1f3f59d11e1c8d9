"""Writes of the catalogue: items, categories and the components of kits and assemblies.

Every function checks the acting user's role, validates, writes and leaves an
audit entry, inside one transaction; a refusal raises DomainError (with the
field at fault) or InUse and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Max, Model
from django.utils.translation import gettext as _

from chantier.catalogue import costing
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.catalogue.selectors import cost_catalogue, describe_blockers
from chantier.core.access import require_writer
from chantier.core.deletion import delete_audited
from chantier.core.exceptions import DomainError
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
    apply_item_data(item, data)
    check_item_rules(item)
    _check_reference_free(item)
    _save_item(item)
    audit_log(company=company, user=user, action="item_create", obj=item)
    return item


@transaction.atomic
def item_update(*, user: User, item: Item, data: Mapping[str, Any]) -> Item:
    """Change an item; only the fields in `data` change."""
    company = require_writer(user).company
    locked = Item.objects.select_for_update().get(pk=item.pk, company=company)
    before = {name: getattr(locked, name) for name in data}
    apply_item_data(locked, data)
    check_item_rules(locked)
    _check_reference_free(locked)
    if locked.structure == Item.Structure.SIMPLE and locked.components.exists():
        raise simple_with_components_error()
    _save_item(locked)
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
    delete_audited(
        user=user,
        company=company,
        obj=locked,
        action="item_delete",
        data={"reference": locked.reference},
        describe=describe_blockers,
    )


@transaction.atomic
def category_create(*, user: User, name: str, parent: Category | None = None) -> Category:
    """Create a category, or a subcategory when `parent` is given (one level of nesting)."""
    company = require_writer(user).company
    category = Category(company=company, name=name.strip(), parent=parent)
    check_category_rules(category)
    _check_category_name_free(category)
    _save_category(category)
    audit_log(company=company, user=user, action="category_create", obj=category)
    return category


@transaction.atomic
def category_update(
    *, user: User, category: Category, name: str, parent: Category | None = None
) -> Category:
    company = require_writer(user).company
    locked = Category.objects.select_for_update().get(pk=category.pk, company=company)
    locked.name, locked.parent = name.strip(), parent
    check_category_rules(locked)
    _check_category_name_free(locked)
    _save_category(locked)
    audit_log(company=company, user=user, action="category_update", obj=locked)
    return locked


@transaction.atomic
def category_delete(*, user: User, category: Category) -> None:
    """Delete a category; refused while items or subcategories use it."""
    company = require_writer(user).company
    locked = Category.objects.select_for_update().get(pk=category.pk, company=company)
    delete_audited(
        user=user,
        company=company,
        obj=locked,
        action="category_delete",
        data={"name": locked.name},
        describe=describe_blockers,
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
    # Only the items below `component` can lead back to `parent`.
    if costing.would_create_cycle(cost_catalogue(company, [component]), parent.pk, component.pk):
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
# apply_item_data, check_item_rules and check_category_rules run no query: the import
# (importing.py) checks thousands of rows with them before writing in bulk.

# Costs keep 4 places, prices 2 (DESIGN "Money"): extra decimals round half-up.
_ROUNDING: dict[int, Callable[[Decimal], Decimal]] = {2: round2, 3: round3, 4: round4}


def apply_item_data(item: Item, data: Mapping[str, Any]) -> None:
    """Set the fields in `data` on `item`, numbers converted, range-checked and rounded."""
    unknown = set(data) - ITEM_FIELDS
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    for name, value in data.items():
        if isinstance(value, str) and name != "description":
            value = value.strip()
        setattr(item, name, value)
    item.purchase_cost = stored_amount(item.purchase_cost, "purchase_cost")
    item.sale_price = stored_amount(item.sale_price, "sale_price")
    # A VAT rate is one of a few values: checked as given, not rounded to one of them.
    item.vat_rate = _number(item.vat_rate, "vat_rate")


def stored_amount(value: object, field: str) -> Decimal:
    """`value` as Item.<field> stores it: a number within the field's range (max_digits,
    decimal_places), extra decimals rounded half-up (DESIGN "Money").

    Anything larger is refused before rounding: quantizing 1e30 to 4 places would
    exceed the decimal context's precision (InvalidOperation), and the database
    column could not hold it anyway.
    """
    number = _number(value, field)
    model_field = Item._meta.get_field(field)
    assert isinstance(model_field, DecimalField)
    digits = model_field.max_digits - model_field.decimal_places
    limit = Decimal(10) ** digits
    try:
        if abs(number) < limit:
            rounded = _ROUNDING[model_field.decimal_places](number)
            if abs(rounded) < limit:  # 9999999999.99995 rounds up to 11 digits
                return rounded
    except InvalidOperation:
        pass
    raise DomainError(
        _("The %(field)s %(value)s is too large: at most %(digits)d digits before the point.")
        % {"field": model_field.verbose_name, "value": value, "digits": digits},
        field=field,
    )


def _number(value: object, field: str) -> Decimal:
    try:
        number = to_decimal(value)
    except ValueError:
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("%(value)r is not a number.") % {"value": value}, field=field)
    return number


def check_item_rules(item: Item) -> None:
    """The business rules of an item (seed 002, french-rules §5), then the field formats.

    No query: the uniqueness of the reference is checked by the caller."""
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
    _full_clean(item)


def reference_taken_error(reference: str) -> DomainError:
    return DomainError(
        _("An item with the reference %(ref)s already exists.") % {"ref": reference},
        field="reference",
    )


def simple_with_components_error() -> DomainError:
    return DomainError(
        _("This item has components: remove them before making it a simple item."),
        field="structure",
    )


def _check_reference_free(item: Item) -> None:
    duplicate = Item.objects.filter(company_id=item.company_id, reference=item.reference)
    if duplicate.exclude(pk=item.pk).exists():
        raise reference_taken_error(item.reference)


def _save_item(item: Item) -> None:
    """Save in a savepoint: a concurrent save of the same reference, between the check
    above and this write, is refused with the same message instead of a server error."""
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise reference_taken_error(item.reference) from None


def check_category_rules(category: Category) -> None:
    """One level of nesting, same company, field formats; no query for a new category."""
    if not category.name:
        raise DomainError(_("The name is required."), field="name")
    parent = category.parent
    if parent is not None:
        _check_same_company(category.company_id, parent, "parent")
        if parent.parent_id is not None:
            raise DomainError(
                _("A subcategory cannot have subcategories of its own."), field="parent"
            )
        if parent is category or (category.pk is not None and parent.pk == category.pk):
            raise DomainError(_("A category cannot be its own parent."), field="parent")
        if category.pk is not None and category.children.exists():
            raise DomainError(
                _("This category has subcategories: it cannot become a subcategory."),
                field="parent",
            )
    _full_clean(category)


def category_name_taken_error(name: str) -> DomainError:
    return DomainError(
        _("A category named %(name)s already exists here.") % {"name": name}, field="name"
    )


def _check_category_name_free(category: Category) -> None:
    siblings = Category.objects.filter(
        company_id=category.company_id, parent=category.parent, name__iexact=category.name
    )
    if siblings.exclude(pk=category.pk).exists():
        raise category_name_taken_error(category.name)


def _save_category(category: Category) -> None:
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise category_name_taken_error(category.name) from None


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
    # Checked before rounding too: quantizing 1e30 exceeds the decimal precision.
    if quantity <= 0:
        raise DomainError(_("The quantity must be greater than 0."), field="quantity")
    if quantity >= Decimal("1e11"):
        raise DomainError(_("The quantity is too large."), field="quantity")
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
