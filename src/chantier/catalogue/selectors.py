"""Reads of the catalogue, always scoped to one company.

Direct costs are computed in Python (costing.py) from the component graph,
which is loaded in two queries whatever the depth of the assemblies.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Model, ProtectedError, Q, QuerySet
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.catalogue import costing
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.core.models import Company
from chantier.core.pagination import search

SEARCH_FIELDS = ("reference", "name", "supplier_reference")


def item_count(company: Company) -> int:
    return Item.objects.filter(company=company).count()


def item_list(
    company: Company, *, q: str = "", kind: str = "", category: Category | None = None
) -> QuerySet[Item]:
    """Items matching every word of `q` in reference, name or supplier reference."""
    items = Item.objects.filter(company=company).select_related("category__parent", "supplier")
    items = search(items, q, SEARCH_FIELDS)
    if kind:
        items = items.filter(kind=kind)
    if category is not None:
        items = items.filter(Q(category=category) | Q(category__parent=category))
    return items


def active_items(company: Company, *, kind: str = "") -> QuerySet[Item]:
    """Active items with their category path, in reference order (price lists, pickers)."""
    items = Item.objects.filter(company=company, active=True).select_related("category__parent")
    return items.filter(kind=kind) if kind else items


def category_list(company: Company, *, q: str = "") -> list[Category]:
    """Categories with their item and subcategory counts, each parent followed by its
    subcategories, in French reading order ("Électricité" before "Plomberie")."""
    categories = Category.objects.filter(company=company).select_related("parent")
    categories = search(categories, q, ("name", "parent__name"))
    annotated = categories.annotate(
        item_total=Count("items", distinct=True), child_total=Count("children", distinct=True)
    )
    return sorted(annotated, key=_category_sort_key)


def _category_sort_key(category: Category) -> tuple[str, bool, str]:
    top = category.parent.name if category.parent else category.name
    return (french_sort_key(top), category.parent_id is not None, french_sort_key(category.name))


def french_sort_key(text: str) -> str:
    """Accents and case ignored, as a French reader sorts."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def cost_catalogue(
    company: Company, roots: Iterable[int] | None = None
) -> dict[int, costing.CostItem]:
    """The component graph as costing.CostItem rows: every item reachable from `roots`
    (all the company's composite items when None), in two queries."""
    edges: dict[int, list[costing.Component]] = defaultdict(list)
    rows = ItemComponent.objects.filter(company=company).order_by("position", "pk")
    for parent_id, component_id, quantity in rows.values_list(
        "parent_id", "component_id", "quantity"
    ):
        edges[parent_id].append(costing.Component(component_id, quantity))
    wanted = _reachable(edges, edges.keys() if roots is None else roots)
    items = Item.objects.filter(company=company, pk__in=wanted)
    return {
        pk: costing.CostItem(pk, kind, cost, tuple(edges.get(pk, ())))
        for pk, kind, cost in items.values_list("pk", "kind", "purchase_cost")
    }


def direct_costs(company: Company, items: Iterable[Item]) -> dict[int, costing.Cost]:
    """Unit direct cost of each item; composite items are costed from their components."""
    items = list(items)
    composite = [item.pk for item in items if item.structure != Item.Structure.SIMPLE]
    catalogue = cost_catalogue(company, composite) if composite else {}
    for item in items:
        catalogue.setdefault(item.pk, costing.CostItem(item.pk, item.kind, item.purchase_cost))
    return costing.direct_costs([item.pk for item in items], catalogue)


def coefficients(company: Company) -> costing.Coefficients:
    return costing.Coefficients(
        labour=company.labour_coefficient,
        supply=company.supply_coefficient,
        difficulty=company.difficulty_coefficient,
        overhead=company.overhead_coefficient,
    )


@dataclass(frozen=True)
class ComponentLine:
    row: ItemComponent
    unit_cost: costing.Cost
    cost: costing.Cost  # quantity × unit cost, 4 places


@dataclass(frozen=True)
class ItemDetail:
    item: Item
    lines: list[ComponentLine]
    cost: costing.Cost
    suggestion: costing.PriceSuggestion
    used_in: list[Item]


def item_detail(company: Company, item: Item) -> ItemDetail:
    """An item with its components and its computed direct cost (bounded queries)."""
    rows = list(item.components.select_related("component").order_by("position", "pk"))
    catalogue = cost_catalogue(company, [item.pk]) if rows else {}
    catalogue.setdefault(item.pk, costing.CostItem(item.pk, item.kind, item.purchase_cost))
    units = costing.direct_costs([item.pk, *(r.component_id for r in rows)], catalogue)
    lines = [
        ComponentLine(r, units[r.component_id], units[r.component_id].scaled(r.quantity).rounded())
        for r in rows
    ]
    used_in = [
        c.parent for c in item.used_in.select_related("parent").order_by("parent__reference")
    ]
    cost = units[item.pk]
    return ItemDetail(
        item, lines, cost, costing.suggest_sale_price(cost, coefficients(company)), used_in
    )


def component_candidates(item: Item) -> QuerySet[Item]:
    """Items that may be offered as components of `item` (cycles are checked on save)."""
    return (
        Item.objects.filter(company_id=item.company_id)
        .exclude(pk=item.pk)
        .only("pk", "reference", "name", "unit")
    )


def delete_refusal(obj: Model) -> str | None:
    """Why `obj` cannot be deleted (still referenced through a PROTECT key), or None."""
    try:
        Collector(using=DEFAULT_DB_ALIAS).collect([obj])
    except ProtectedError as exc:
        return protected_by_message(obj, exc.protected_objects)
    return None


def protected_by_message(obj: Model, protected: Iterable[Model]) -> str:
    """A sentence naming what still uses `obj`, e.g. the assemblies it is a component of."""
    groups: dict[str, list[str]] = defaultdict(list)
    for other in protected:
        if isinstance(other, ItemComponent):
            groups["component"].append(other.parent.reference)
        elif isinstance(other, Category):
            groups["subcategory"].append(other.name)
        elif isinstance(other, Item):
            groups["item"].append(other.reference)
        else:
            groups[str(other._meta.verbose_name_plural)].append(str(other))
    parts = [_describe(kind, sorted(set(names))) for kind, names in groups.items()]
    return _("It cannot be deleted because it is still used: %(uses)s.") % {
        "uses": "; ".join(parts)
    }


def _describe(kind: str, names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    n = len(names)
    if kind == "component":
        text = ngettext(
            "component of %(n)d item (%(names)s)", "component of %(n)d items (%(names)s)", n
        )
    elif kind == "subcategory":
        text = ngettext("%(n)d subcategory (%(names)s)", "%(n)d subcategories (%(names)s)", n)
    elif kind == "item":
        text = ngettext("%(n)d item (%(names)s)", "%(n)d items (%(names)s)", n)
    else:
        return f"{kind}: {shown}"
    return text % {"n": n, "names": shown}


def _reachable(edges: dict[int, list[costing.Component]], roots: Iterable[int]) -> set[int]:
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(c.item_id for c in edges.get(current, ()))
    return seen
