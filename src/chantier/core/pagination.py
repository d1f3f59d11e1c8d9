"""Pagination and search shared by every list page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from chantier.core.search import search

__all__ = ["paginate", "search"]

PAGE_SIZE = 25


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE
) -> dict[str, Any]:
    paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {
        "page_obj": page_obj,
        "object_list": page_obj.object_list,
        "q": request.GET.get("q", ""),
        "querystring_without_page": f"{encoded}&" if encoded else "",
    }
