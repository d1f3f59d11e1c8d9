"""Catalogue API (API.md conventions): items, and one item with its components and cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from chantier.api.errors import responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.catalogue import costing, selectors
from chantier.catalogue.models import Item
from chantier.core.access import acting_user, get_for_company, membership_of
from chantier.core.exceptions import DomainError
from chantier.core.money import round2, round3, round4

router = Router(tags=["catalogue"])


_ROUND = {2: round2, 3: round3, 4: round4}


def _places(value: Decimal, places: int) -> str:
    """A decimal as API.md wants it: a string with fixed places, rounded half-up (ADR 0001)
    by chantier.core.money, never by format()'s half-even."""
    return f"{_ROUND[places](value):.{places}f}"


class ItemOut(Schema):
    id: int
    reference: str
    name: str
    kind: str
    structure: str
    unit: str
    purchase_cost: str
    sale_price: str
    vat_rate: str
    supplier_id: int | None
    supplier: str | None
    supplier_reference: str
    category_id: int | None
    category: str | None
    datasheet_url: str
    active: bool


class ComponentOut(Schema):
    id: int
    component_id: int
    reference: str
    name: str
    kind: str
    unit: str
    quantity: str
    unit_cost: str
    cost: str


class CostOut(Schema):
    total: str
    labour_hours: str
    labour_cost: str
    supply_cost: str
    suggested_sale_price: str


class ItemDetailOut(ItemOut):
    description: str
    components: list[ComponentOut]
    direct_cost: CostOut


@router.get("/items", response=responses({200: Page[ItemOut]}), summary="List catalogue items")
def list_items(
    request: HttpRequest, params: Query[PageParams], q: str = "", kind: str = ""
) -> dict[str, Any]:
    """`?q=` searches reference, name and supplier reference; `?kind=` filters by kind."""
    if kind and kind not in Item.Kind.values:
        raise DomainError(
            f"Unknown kind {kind!r}; choose one of {', '.join(Item.Kind.values)}.", field="kind"
        )
    company = membership_of(acting_user(request)).company
    page = page_of(selectors.item_list(company, q=q, kind=kind), params)
    return {**page, "items": [_item(item) for item in page["items"]]}


@router.get("/items/{item_id}", response=responses({200: ItemDetailOut}), summary="One item")
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """An item with its components (quantities per unit) and its computed direct cost."""
    user = acting_user(request)
    item = get_for_company(
        Item.objects.select_related("category__parent", "supplier"), user, item_id
    )
    detail = selectors.item_detail(membership_of(user).company, item)
    return {
        **_item(item),
        "description": item.description,
        "components": [_component(line) for line in detail.lines],
        "direct_cost": _cost(detail.cost, detail.suggestion),
    }


def _item(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "reference": item.reference,
        "name": item.name,
        "kind": item.kind,
        "structure": item.structure,
        "unit": item.unit,
        "purchase_cost": _places(item.purchase_cost, 4),
        "sale_price": _places(item.sale_price, 2),
        "vat_rate": _places(item.vat_rate, 2),
        "supplier_id": item.supplier_id,
        "supplier": item.supplier.name if item.supplier else None,
        "supplier_reference": item.supplier_reference,
        "category_id": item.category_id,
        "category": str(item.category) if item.category else None,
        "datasheet_url": item.datasheet_url,
        "active": item.active,
    }


def _component(line: selectors.ComponentLine) -> dict[str, Any]:
    row = line.row
    return {
        "id": row.pk,
        "component_id": row.component_id,
        "reference": row.component.reference,
        "name": row.component.name,
        "kind": row.component.kind,
        "unit": row.component.unit,
        "quantity": _places(row.quantity, 3),
        "unit_cost": _places(line.unit_cost.total, 4),
        "cost": _places(line.cost.total, 4),
    }


def _cost(cost: costing.Cost, suggestion: costing.PriceSuggestion) -> dict[str, str]:
    return {
        "total": _places(cost.total, 4),
        "labour_hours": _places(cost.labour_hours, 4),
        "labour_cost": _places(cost.labour_cost, 4),
        "supply_cost": _places(cost.supply_cost, 4),
        "suggested_sale_price": _places(suggestion.sale_price, 2),
    }
