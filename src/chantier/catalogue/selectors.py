"""Reads of the catalogue, always scoped to one company.

Direct costs are computed in Python (costing.py) from the component graph below the
items shown, loaded level by level: one query per level of nesting, whatever the size
of the catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.catalogue import costing
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.core.models import Company
from chantier.core.pagination import search
from chantier.core.web import french_sort_key

SEARCH_FIELDS = ("reference", "name", "supplier_reference")
COMPONENT_SEARCH_FIELDS = ("reference", "name")
COMPONENT_SEARCH_LIMIT = 20


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
    items = (
        Item.objects.filter(company=company, active=True)
        .select_related("category__parent")
        .order_by("reference", "pk")
    )
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


def cost_catalogue(company: Company, roots: Iterable[Item]) -> dict[int, costing.CostItem]:
    """The component graph below `roots` as costing.CostItem rows (the roots included).

    Loaded level by level, only from the kits and assemblies met on the way: one query
    per level of nesting (an assembly of assemblies of items is 3), whatever the size of
    the company's catalogue. Only a kit or an assembly has components (the services
    refuse components on a simple item), so a simple item ends its branch.
    """
    known: dict[int, tuple[str, Decimal]] = {}
    frontier: set[int] = set()
    for item in roots:
        known[item.pk] = (item.kind, item.purchase_cost)
        if item.structure != Item.Structure.SIMPLE:
            frontier.add(item.pk)
    edges = _load_edges(company, frontier, known)
    return _cost_items(known, edges)


def _load_edges(
    company: Company,
    frontier: set[int],
    known: dict[int, tuple[str, Decimal]],
    edges: dict[int, list[costing.Component]] | None = None,
) -> dict[int, list[costing.Component]]:
    """Follow the components down from `frontier`, filling `known` with each item met;
    `edges` may hold levels loaded already (their parents are not loaded again)."""
    edges = defaultdict(list) if edges is None else edges
    expanded = set(edges)
    while frontier:
        expanded |= frontier
        rows = (
            ItemComponent.objects.filter(company=company, parent_id__in=frontier)
            .order_by("parent_id", "position", "pk")
            .values_list(
                "parent_id",
                "component_id",
                "quantity",
                "component__kind",
                "component__structure",
                "component__purchase_cost",
            )
        )
        frontier = set()
        for parent_id, component_id, quantity, kind, structure, cost in rows:
            edges[parent_id].append(costing.Component(component_id, quantity))
            known[component_id] = (kind, cost)
            if structure != Item.Structure.SIMPLE and component_id not in expanded:
                frontier.add(component_id)
    return edges


def _cost_items(
    known: dict[int, tuple[str, Decimal]], edges: dict[int, list[costing.Component]]
) -> dict[int, costing.CostItem]:
    return {
        pk: costing.CostItem(pk, kind, cost, tuple(edges.get(pk, ())))
        for pk, (kind, cost) in known.items()
    }


def direct_costs(company: Company, items: Iterable[Item]) -> dict[int, costing.Cost]:
    """Unit direct cost of each item; composite items are costed from their components."""
    items = list(items)
    catalogue = cost_catalogue(company, items)
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
    # The first level is `rows`; the graph below its kits and assemblies is loaded from there.
    known = {item.pk: (item.kind, item.purchase_cost)}
    edges: dict[int, list[costing.Component]] = defaultdict(list)
    frontier: set[int] = set()
    for r in rows:
        edges[item.pk].append(costing.Component(r.component_id, r.quantity))
        known[r.component_id] = (r.component.kind, r.component.purchase_cost)
        if r.component.structure != Item.Structure.SIMPLE:
            frontier.add(r.component_id)
    catalogue = _cost_items(known, _load_edges(company, frontier, known, edges))
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


def component_search(item: Item, q: str) -> list[Item]:
    """Items matching every word of `q` in reference or name, that may be offered as
    components of `item` (itself excluded; cycles are checked on save): at most 20."""
    candidates = (
        Item.objects.filter(company_id=item.company_id)
        .exclude(pk=item.pk)
        .only("pk", "reference", "name", "unit")
        .order_by("reference", "pk")
    )
    return list(search(candidates, q, COMPONENT_SEARCH_FIELDS)[:COMPONENT_SEARCH_LIMIT])


def component_by_reference(item: Item, reference: str) -> Item | None:
    """The company's item with this exact reference, or None."""
    return Item.objects.filter(company_id=item.company_id, reference=reference).first()


def describe_blockers(obj: Model, blockers: Iterable[Model]) -> str:
    """Why `obj` cannot be deleted, naming what still uses it, e.g. the assemblies it is a
    component of (core.deletion's `describe`)."""
    blockers = list(blockers)
    parents = {b.parent_id for b in blockers if isinstance(b, ItemComponent)}
    parent_refs = dict(Item.objects.filter(pk__in=parents).values_list("pk", "reference"))
    groups: dict[str, list[str]] = defaultdict(list)
    for other in blockers:
        if isinstance(other, ItemComponent):
            groups["component"].append(parent_refs.get(other.parent_id, "?"))
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
