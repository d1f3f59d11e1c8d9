"""Fetch → pure compute → persist for quotes: the only writer of stored amounts.

`recompute` prices the whole quote with the engine and stores every line, chapter
and quote total (after structural changes, imports, a pricing-method change).
`apply_line_change` is the fast path for one line added, changed or removed: the
line is priced alone and the difference is added to its chapters and to the quote.
Both give the same stored values because subtotals are exact sums (never
re-rounded) and VAT is computed once per rate from the stored bases (§5.2 B); a
property test holds them to it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import DecimalField, Field, Model
from django.utils.translation import gettext as _

from chantier.catalogue.costing import Coefficients, Cost
from chantier.core.money import round2, to_decimal
from chantier.quotes import engine
from chantier.quotes.engine import (
    EnteredPrice,
    KChained,
    KRates,
    LineKind,
    LinePrice,
    Pricing,
    PricingError,
)
from chantier.quotes.models import Chapter, Quote, QuoteLine

ZERO = Decimal("0.00")
ZERO_HOURS = Decimal("0.0000")
HUNDRED = Decimal(100)
# What the stored columns hold (core.money): amounts 12 digits before the point, hours 10.
AMOUNT_LIMIT = Decimal("1e12")
HOURS_LIMIT = Decimal("1e10")


def refuse_overflow(amounts: Iterable[Decimal], hours: Decimal, *, field: str) -> None:
    """Refuse amounts their columns cannot hold (PostgreSQL would fail, SQLite keep them
    unreadable): bad input gets a 400, never a 500 (DESIGN "Bad input")."""
    if abs(hours) >= HOURS_LIMIT or any(abs(amount) >= AMOUNT_LIMIT for amount in amounts):
        message = _("This line's amount is too large.") if field else _("The total is too large.")
        raise PricingError(message, field=field)


# What the engine writes on a line (QuoteLine fields).
LINE_PRICE_FIELDS = (
    "unit_price",
    "net",
    "k",
    "labour_cost",
    "supply_cost",
    "labour_hours",
    "labour_net",
    "supply_net",
)
CHAPTER_FIELDS = (
    "number",
    "depth",
    "sort_key",
    "net",
    "labour_cost",
    "supply_cost",
    "labour_hours",
)
QUOTE_TOTAL_FIELDS = (
    "net",
    "vat_total",
    "gross",
    "vat_breakdown",
    "optional_net",
    "labour_cost",
    "supply_cost",
    "labour_hours",
    "labour_net",
    "supply_net",
    "line_count",
)
# Columns `recompute` reads (the rest of a line is text the engine does not need).
LINE_READ_FIELDS = (
    "pk",
    "chapter_id",
    "position",
    "kind",
    "optional",
    "quantity",
    "price_mode",
    "entered_price",
    "vat_rate",
    "unit_labour_hours",
    "unit_labour_cost",
    "unit_supply_cost",
    "reference",
    *LINE_PRICE_FIELDS,
    "sort_key",
)


def method_of(quote: Quote) -> Pricing:
    """The pricing from cost the quote records (seed 001 coefficients, or K: §11.1)."""
    method = quote.pricing_method
    if method == Quote.PricingMethod.K_RATES:
        return KRates(quote.site_costs_rate, quote.overheads_rate, quote.profit_rate)
    if method == Quote.PricingMethod.K_CHAINED:
        return KChained(parse_multipliers(quote.k_multipliers))
    return Coefficients(
        labour=quote.labour_coefficient,
        supply=quote.supply_coefficient,
        difficulty=quote.difficulty_coefficient,
        overhead=quote.overhead_coefficient,
    )


def parse_multipliers(text: str) -> tuple[Decimal, ...]:
    """ "1,10 × 1,15 × 1,05" or "1.1 1.15 1.05" → the multipliers (French commas accepted)."""
    parts = [part for part in re.split(r"[\s;×x*]+", text.strip()) if part]
    try:
        return tuple(to_decimal(part) for part in parts)
    except ValueError:
        raise PricingError(
            "Write the multipliers as numbers separated by spaces, e.g. 1.10 1.15 1.05.",
            field="k_multipliers",
        ) from None


def engine_line(line: QuoteLine, method: Pricing) -> engine.Line:
    pricing: Pricing
    if line.price_mode == QuoteLine.PriceMode.COST and line.kind == QuoteLine.Kind.ITEM:
        pricing = method
    else:
        pricing = EnteredPrice(line.entered_price if line.entered_price is not None else ZERO)
    return engine.Line(
        key=line.pk or 0,
        quantity=line.quantity,
        pricing=pricing,
        vat_rate=line.vat_rate,
        cost=Cost(line.unit_labour_hours, line.unit_labour_cost, line.unit_supply_cost),
        kind=LineKind(line.kind),
        optional=line.optional,
        reference=line.reference,
    )


def price_one(line: QuoteLine, method: Pricing) -> LinePrice:
    """Price one line (raises PricingError naming the field) and store the result on it."""
    priced = engine.price_line(engine_line(line, method))
    store_line_price(line, priced)
    return priced


def store_line_price(line: QuoteLine, priced: LinePrice) -> bool:
    """Copy the engine's result onto the row; True when something changed."""
    totals = priced.totals
    values = {
        "unit_price": priced.unit_price,
        "net": totals.net,
        "k": priced.k,
        "labour_cost": totals.labour_cost,
        "supply_cost": totals.supply_cost,
        "labour_hours": totals.labour_hours,
        "labour_net": totals.labour_net,
        "supply_net": totals.supply_net,
    }
    changed = False
    for name, value in values.items():
        if getattr(line, name) != value:
            setattr(line, name, value)
            changed = True
    return changed


def chapter_sort_key(parent_key: str, position: int) -> str:
    return f"{parent_key}.{position:04d}" if parent_key else f"{position:04d}"


def line_sort_key(chapter_key: str, position: int) -> str:
    # "-" sorts before ".": a chapter's own lines come before its sub-chapters.
    return f"{chapter_key}-{position:06d}"


@dataclass
class _Tree:
    chapters: dict[int, Chapter]
    children: dict[int | None, list[Chapter]]
    lines: dict[int | None, list[QuoteLine]]


def _chapter_state(chapter: Chapter) -> tuple[object, ...]:
    return (*(getattr(chapter, name) for name in CHAPTER_FIELDS), chapter.position)


def _tree(chapters: Iterable[Chapter], lines: Iterable[QuoteLine]) -> _Tree:
    children: dict[int | None, list[Chapter]] = defaultdict(list)
    by_id: dict[int, Chapter] = {}
    for chapter in chapters:
        chapter._loaded = _chapter_state(chapter)  # type: ignore[attr-defined]
        by_id[chapter.pk] = chapter
        children[chapter.parent_id].append(chapter)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.pk))
    by_chapter: dict[int | None, list[QuoteLine]] = defaultdict(list)
    for line in lines:
        by_chapter[line.chapter_id].append(line)
    for rows in by_chapter.values():
        rows.sort(key=lambda row: (row.position, row.pk))
    return _Tree(by_id, children, by_chapter)


def recompute(quote: Quote) -> engine.QuotePricing:
    """Price the whole quote, renumber its chapters and store every changed amount.

    Chapter numbers (1, 1.1, 1.1.1) and positions come from the tree order; positions
    are rewritten 1, 2, 3 … so that gaps left by deletions or moves disappear.
    """
    method = method_of(quote)
    tree = _tree(
        Chapter.objects.filter(quote=quote),
        QuoteLine.objects.filter(quote=quote).only(*LINE_READ_FIELDS),
    )
    changed_lines: list[QuoteLine] = []
    changed_chapters: list[Chapter] = []

    def lines_of(chapter_id: int | None, key: str) -> tuple[engine.Line, ...]:
        result = []
        for position, line in enumerate(tree.lines.get(chapter_id, ()), start=1):
            sort_key = line_sort_key(key, position)
            if (line.position, line.sort_key) != (position, sort_key):
                line.position, line.sort_key = position, sort_key
                line._moved = True  # type: ignore[attr-defined]  # flag for the bulk update
            result.append(engine_line(line, method))
        return tuple(result)

    def chapters_of(parent_id: int | None, parent_key: str) -> tuple[engine.Chapter, ...]:
        result = []
        for position, chapter in enumerate(tree.children.get(parent_id, ()), start=1):
            key = chapter_sort_key(parent_key, position)
            chapter.position, chapter.sort_key = position, key
            result.append(
                engine.Chapter(
                    key=chapter.pk,
                    title=chapter.title,
                    lines=lines_of(chapter.pk, key),
                    chapters=chapters_of(chapter.pk, key),
                )
            )
        return tuple(result)

    document = engine.Quote(chapters=chapters_of(None, ""), lines=lines_of(None, ""))
    priced = engine.price_quote(document)
    for lines in tree.lines.values():
        for line in lines:
            if store_line_price(line, priced.lines[line.pk]) or getattr(line, "_moved", False):
                changed_lines.append(line)
    for chapter in tree.chapters.values():
        totals = priced.chapters[chapter.pk]
        chapter.number, chapter.depth = totals.number, totals.depth
        _set_totals(chapter, totals.totals)
        if _chapter_state(chapter) != chapter._loaded:  # type: ignore[attr-defined]
            changed_chapters.append(chapter)
    save_rows(QuoteLine, changed_lines, [*LINE_PRICE_FIELDS, "position", "sort_key"])
    save_rows(Chapter, changed_chapters, [*CHAPTER_FIELDS, "position"])
    store_quote_totals(
        quote,
        totals=priced.totals,
        bases={vat.rate: vat.base for vat in priced.vat},
        optional_net=priced.optional_net,
        line_count=sum(len(lines) for lines in tree.lines.values()),
    )
    return priced


def insert_rows(model: type[Model], rows: Sequence[Model]) -> None:
    """INSERT the rows as one executemany, without reading ids back (lines of a build).

    bulk_create compiles every row through the ORM: 5,000 lines took ~1.5 s; the same
    rows through one prepared statement take a fraction of that.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [field for field in meta.concrete_fields if not field.primary_key]
    name = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        name(meta.db_table),
        ", ".join(name(str(field.column)) for field in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [
        [_db_value(field, field.pre_save(row, True), connection) for field in columns]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _db_value(field: Field[Any, Any], value: object, connection: Any) -> Any:
    # Both drivers take a Decimal as it is (Django's SQLite backend registers an adapter);
    # DecimalField's own preparation re-validates each value and was the slowest part.
    if isinstance(value, Decimal) and isinstance(field, DecimalField):
        return value
    return field.get_db_prep_save(value, connection)


def save_rows(model: type[Model], rows: Sequence[Model], fields: Sequence[str]) -> None:
    """UPDATE … WHERE id = … for each row, as one executemany.

    Django's bulk_update builds a CASE per field and row: 550 chapters × 8 fields took
    3.8 s on SQLite; one prepared statement run per row takes milliseconds.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [field for name in fields if isinstance(field := meta.get_field(name), Field)]
    assert meta.pk is not None and len(columns) == len(fields)
    name = connection.ops.quote_name
    assignments = ", ".join(f"{name(str(field.column))} = %s" for field in columns)
    sql = f"UPDATE {name(meta.db_table)} SET {assignments} WHERE {name(str(meta.pk.column))} = %s"
    params = [
        [
            *(_db_value(field, getattr(row, field.attname), connection) for field in columns),
            row.pk,
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _set_totals(chapter: Chapter, totals: engine.Totals) -> None:
    chapter.net = totals.net
    chapter.labour_cost = totals.labour_cost
    chapter.supply_cost = totals.supply_cost
    chapter.labour_hours = totals.labour_hours


def vat_lines(bases: Mapping[Decimal, Decimal]) -> list[dict[str, str]]:
    """VAT per rate = round2(base × rate / 100) on the sum of nets (§5.2 B), by rate desc.

    Rates whose base is zero are left out, whichever path computed the bases.
    """
    return [
        {
            "rate": str(rate.quantize(Decimal("0.01"))),
            "base": str(round2(bases[rate])),
            "amount": str(round2(bases[rate] * rate / HUNDRED)),
        }
        for rate in sorted(bases, reverse=True)
        if bases[rate]
    ]


def store_quote_totals(
    quote: Quote,
    *,
    totals: engine.Totals,
    bases: Mapping[Decimal, Decimal],
    optional_net: Decimal,
    line_count: int,
) -> None:
    vat = vat_lines(bases)
    quote.net = totals.net
    quote.vat_breakdown = vat
    quote.vat_total = sum((Decimal(v["amount"]) for v in vat), ZERO)
    quote.gross = quote.net + quote.vat_total
    quote.optional_net = optional_net
    quote.labour_cost = totals.labour_cost
    quote.supply_cost = totals.supply_cost
    quote.labour_hours = totals.labour_hours
    quote.labour_net = totals.labour_net
    quote.supply_net = totals.supply_net
    quote.line_count = line_count
    refuse_overflow(
        (quote.net, quote.gross, quote.optional_net, quote.labour_cost, quote.supply_cost),
        quote.labour_hours,
        field="",
    )
    quote.save(update_fields=[*QUOTE_TOTAL_FIELDS, "updated_at"])


@dataclass(frozen=True)
class LineAmounts:
    """What one line adds to its chapters and to the quote."""

    counted: bool
    optional: bool
    vat_rate: Decimal
    totals: engine.Totals

    @staticmethod
    def of(line: QuoteLine | None) -> LineAmounts:
        if line is None:
            return LineAmounts(False, False, Decimal("20.00"), engine.Totals())
        counted = line.kind != QuoteLine.Kind.TEXT and not line.optional
        return LineAmounts(
            counted,
            line.optional and line.kind != QuoteLine.Kind.TEXT,
            line.vat_rate,
            engine.Totals(
                net=line.net,
                labour_cost=line.labour_cost,
                supply_cost=line.supply_cost,
                labour_hours=line.labour_hours,
                labour_net=line.labour_net,
                supply_net=line.supply_net,
            ),
        )


def apply_line_change(
    quote: Quote,
    *,
    chapters: Sequence[Chapter],
    before: LineAmounts,
    after: LineAmounts,
    line_count_delta: int = 0,
) -> list[Chapter]:
    """Add (after − before) to the line's chapters (innermost first) and to the quote.

    `chapters` are the line's chapter and its ancestors (already loaded); returns them
    saved. The quote's VAT is recomputed from its bases, never by line (§5.2 B).
    """
    signed = [(before, -1), (after, 1)]
    changed: list[Chapter] = []
    for chapter in chapters:
        for amounts, sign in signed:
            if amounts.counted:
                _add(chapter, amounts.totals, sign)
        changed.append(chapter)
    save_rows(Chapter, changed, ["net", "labour_cost", "supply_cost", "labour_hours"])
    bases = {Decimal(v["rate"]): Decimal(v["base"]) for v in quote.vat_breakdown}
    totals = engine.Totals(
        quote.net,
        quote.labour_cost,
        quote.supply_cost,
        quote.labour_hours,
        quote.labour_net,
        quote.supply_net,
    )
    optional_net = quote.optional_net
    for amounts, sign in signed:
        if amounts.counted:
            totals = _signed_sum(totals, amounts.totals, sign)
            rate = amounts.vat_rate.quantize(Decimal("0.01"))
            bases[rate] = bases.get(rate, ZERO) + sign * amounts.totals.net
        elif amounts.optional:
            optional_net += sign * amounts.totals.net
    store_quote_totals(
        quote,
        totals=totals,
        bases=bases,
        optional_net=optional_net,
        line_count=quote.line_count + line_count_delta,
    )
    return changed


def _add(chapter: Chapter, totals: engine.Totals, sign: int) -> None:
    chapter.net += sign * totals.net
    chapter.labour_cost += sign * totals.labour_cost
    chapter.supply_cost += sign * totals.supply_cost
    chapter.labour_hours += sign * totals.labour_hours


def _signed_sum(a: engine.Totals, b: engine.Totals, sign: int) -> engine.Totals:
    return engine.Totals(
        a.net + sign * b.net,
        a.labour_cost + sign * b.labour_cost,
        a.supply_cost + sign * b.supply_cost,
        a.labour_hours + sign * b.labour_hours,
        a.labour_net + sign * b.labour_net,
        a.supply_net + sign * b.supply_net,
    )


def ancestors(chapter_id: int | None, chapters: Mapping[int, Chapter]) -> list[Chapter]:
    """The chapter and its parents, innermost first."""
    result = []
    while chapter_id is not None:
        chapter = chapters[chapter_id]
        result.append(chapter)
        chapter_id = chapter.parent_id
    return result


def validate_method(quote: Quote) -> None:
    """The quote's cost pricing is usable: coefficients > 0, K rates sane (§11.1)."""
    engine.validate_pricing(method_of(quote))
