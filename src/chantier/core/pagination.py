"""Pagination and search shared by every list page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def search(queryset: QuerySet[Any], q: str, fields: Sequence[str]) -> QuerySet[Any]:
    """Every word of `q` must match one of `fields` (case-insensitive contains)."""
    # PostgreSQL refuses NUL in a string literal; such a character matches nothing anyway.
    for word in q.replace("\x00", "").split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


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
