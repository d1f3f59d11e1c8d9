from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


def page_of(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    start = (params.page - 1) * params.page_size
    return {"items": list(queryset[start : start + params.page_size]), "count": queryset.count()}
