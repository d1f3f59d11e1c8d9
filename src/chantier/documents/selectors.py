"""Reads of the documents app: render jobs, and the data of the documents it prints."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from chantier.catalogue.models import Category, Item
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.documents.models import RenderJob


def render_jobs(company: Company) -> QuerySet[RenderJob]:
    """The company's generated documents, newest first, with their author in one query."""
    return RenderJob.objects.filter(company=company).select_related("created_by")


def get_render_job_for_user(user: User, pk: object) -> RenderJob:
    """The job, or 404 when it is missing or another company's."""
    return get_for_company(RenderJob.objects.select_related("created_by"), user, pk)


# --- Price list ("Tarif") -------------------------------------------------------------
# Reads the catalogue's tables directly until the catalogue app offers this selector.


@dataclass
class PriceListGroup:
    label: str
    items: list[Item] = field(default_factory=list)


def price_list_items(company: Company, *, kind: str = "") -> QuerySet[Item]:
    items = Item.objects.filter(company=company, active=True)
    if kind:
        items = items.filter(kind=kind)
    return items


def price_list_count(company: Company, *, kind: str = "") -> int:
    return price_list_items(company, kind=kind).count()


def price_list_groups(company: Company, *, kind: str = "") -> list[PriceListGroup]:
    """Active items grouped by category ("Parent › Child"), groups in name order and the
    uncategorised items last; items in reference order. One query."""
    items = (
        price_list_items(company, kind=kind)
        .select_related("category__parent")
        .only(
            "reference",
            "name",
            "unit",
            "sale_price",
            "vat_rate",
            "kind",
            "category__name",
            "category__parent__name",
        )
        .order_by("reference", "pk")
    )
    return group_by_category(items)


def group_by_category(items: Iterable[Item]) -> list[PriceListGroup]:
    groups: dict[int | None, PriceListGroup] = {}
    for item in items:
        group = groups.get(item.category_id)
        if group is None:
            label = category_label(item.category) if item.category else ""
            group = groups[item.category_id] = PriceListGroup(label=label)
        group.items.append(item)
    return sorted(groups.values(), key=lambda g: (g.label == "", sort_key(g.label)))


def sort_key(text: str) -> str:
    """French reading order: "Électricité" between "Cloisons" and "Plomberie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def category_label(category: Category) -> str:
    if category.parent_id and category.parent is not None:
        return f"{category.parent.name} › {category.name}"
    return category.name
