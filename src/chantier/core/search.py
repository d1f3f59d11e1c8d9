"""Accent- and case-insensitive text search on SQLite and PostgreSQL alike.

French users type "electricite" or "ÉLECTRICITÉ" for "Électricité". PostgreSQL's
`unaccent` extension (created by core migration 0002) and an SQLite function of the
same name registered on each connection (CoreConfig.ready) fold both sides the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, F, Func, Q, QuerySet
from django.db.models.functions import Lower


def fold(text: str) -> str:
    """Lower case without accents: 'Électricité' -> 'electricite'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Unaccent(Func):
    function = "UNACCENT"
    output_field = CharField()


def sqlite_unaccent(value: Any) -> Any:
    return fold(value) if isinstance(value, str) else value


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, sqlite_unaccent, deterministic=True)


def search(queryset: QuerySet[Any], q: str, fields: tuple[str, ...] | list[str]) -> QuerySet[Any]:
    """Every word of `q` must be found in one of `fields`, ignoring case and accents."""
    words = [fold(word) for word in q.replace("\x00", "").split()]
    if not words:
        return queryset
    aliases = {f"_folded_{i}": Unaccent(Lower(F(field))) for i, field in enumerate(fields)}
    queryset = queryset.alias(**aliases)
    for word in words:
        condition = Q()
        for alias in aliases:
            condition |= Q(**{f"{alias}__contains": word})
        queryset = queryset.filter(condition)
    return queryset
