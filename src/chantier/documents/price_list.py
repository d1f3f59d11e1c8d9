"""The catalogue price list ("Tarif"): every active item with its sale price excl. VAT
and VAT rate, grouped by category; optionally one kind of item only."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.catalogue.models import Item
from chantier.core.exceptions import DomainError
from chantier.core.models import Company
from chantier.documents import selectors
from chantier.documents.registry import DocumentKind, Params, register

KEY = "price_list"


def clean_params(params: Params) -> dict[str, Any]:
    kind = str(params.get("kind") or "")
    if kind and kind not in Item.Kind.values:
        raise DomainError(_("Choose a valid kind of item."), field="kind")
    return {"kind": kind} if kind else {}


def title(company: Company, params: Params) -> str:
    date = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    text = _("Price list of %(date)s") % {"date": date}
    if kind := params.get("kind"):
        text = f"{text} – {Item.Kind(kind).label}"
    return text


def estimate_rows(company: Company, params: Params) -> int:
    return selectors.price_list_count(company, kind=params.get("kind", ""))


def build_context(company: Company, params: Params) -> dict[str, Any]:
    kind = params.get("kind", "")
    groups = selectors.price_list_groups(company, kind=kind)
    return {
        "groups": groups,
        "item_count": sum(len(group.items) for group in groups),
        "kind_label": Item.Kind(kind).label if kind else "",
    }


PRICE_LIST = register(
    DocumentKind(
        key=KEY,
        label=gettext_lazy("Price list"),
        template_name="documents/pdf/price_list.html",
        build_context=build_context,
        estimate_rows=estimate_rows,
        title=title,
        clean_params=clean_params,
    )
)
