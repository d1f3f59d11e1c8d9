"""Reads of the documents app: render jobs, and the data of the documents it prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from chantier.catalogue.models import Item
from chantier.catalogue.selectors import active_items
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.web import french_sort_key
from chantier.documents.models import RenderJob


def render_jobs(company: Company) -> QuerySet[RenderJob]:
    """The company's generated documents, newest first, with their author in one query."""
    return RenderJob.objects.filter(company=company).select_related("created_by")


def get_render_job_for_user(user: User, pk: object) -> RenderJob:
    """The job, or 404 when it is missing or another company's."""
    return get_for_company(RenderJob.objects.select_related("created_by"), user, pk)


# --- Price list ("Tarif") -------------------------------------------------------------
# The items are the catalogue's own selection (catalogue.selectors.active_items).


@dataclass
class PriceListGroup:
    label: str
    items: list[Item] = field(default_factory=list)


def price_list_count(company: Company, *, kind: str = "") -> int:
    return active_items(company, kind=kind).count()


def price_list_groups(company: Company, *, kind: str = "") -> list[PriceListGroup]:
    """Active items grouped by category ("Parent › Child"), groups in French reading order
    and the uncategorised items last; items in reference order. One query."""
    items = active_items(company, kind=kind).only(
        "reference",
        "name",
        "unit",
        "sale_price",
        "vat_rate",
        "kind",
        "category__name",
        "category__parent__name",
    )
    return group_by_category(items)


def group_by_category(items: Iterable[Item]) -> list[PriceListGroup]:
    groups: dict[int | None, PriceListGroup] = {}
    for item in items:
        group = groups.get(item.category_id)
        if group is None:
            label = str(item.category) if item.category else ""
            group = groups[item.category_id] = PriceListGroup(label=label)
        group.items.append(item)
    return sorted(groups.values(), key=lambda g: (g.label == "", french_sort_key(g.label)))
