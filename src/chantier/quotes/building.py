"""Whole-tree writes on a quote: build from posted chapters (API, tender import), copy.

A tree is built in bulk (a 5,000-line schedule), every line validated and priced first:
one faulty line refuses the whole tree with its path (`chapters.0.lines.3.quantity`)
and nothing is saved. Positions, sort keys, numbers and prices are set while building,
so the final `recompute` only totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chantier.core.exceptions import DomainError, FieldErrors
from chantier.quotes import engine, pricing
from chantier.quotes.line_services import apply_line_data, price_or_refuse
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine
from chantier.quotes.tender_model import Chapter as TenderChapter
from chantier.quotes.tender_model import Line as TenderLine
from chantier.quotes.tender_model import TenderSchedule

MAX_ERRORS = 50
BATCH = 1000


@dataclass
class _Plan:
    chapters_by_depth: list[list[tuple[Chapter, Chapter | None]]] = field(default_factory=list)
    lines: list[tuple[QuoteLine, Chapter | None]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def build_tree(
    quote: Quote,
    *,
    chapters: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Create the posted chapters and lines under `quote` (API.md shape), then total it.

    Each chapter is `{title, chapters?, lines?}`, each line `{reference?, description,
    unit, quantity, unit_price, vat_rate, kind?, optional?}`. Raises FieldErrors naming
    every faulty field by its path; the caller's transaction keeps the database as it was.
    """
    plan = _Plan()
    _plan_lines(quote, plan, lines, None, "", "lines")
    _plan_chapters(quote, plan, chapters, None, "", "chapters", depth=1)
    if plan.errors:
        raise FieldErrors(plan.errors)
    _total(quote, plan)
    _save(plan)


def _total(quote: Quote, plan: _Plan) -> None:
    """Chapter subtotals bottom-up and quote totals from the lines priced while planning.

    The same sums `pricing.recompute` makes (exact, never re-rounded; VAT on the bases).
    """
    own: dict[int, engine.Totals] = {}
    bases: dict[Decimal, Decimal] = {}
    optional_net = Decimal("0.00")
    top: list[engine.Totals] = []
    for line, chapter in plan.lines:
        amounts = pricing.LineAmounts.of(line)
        if amounts.counted:
            key = id(chapter) if chapter is not None else 0
            own[key] = own.get(key, engine.Totals()) + amounts.totals
            rate = amounts.vat_rate.quantize(Decimal("0.01"))
            bases[rate] = bases.get(rate, Decimal("0.00")) + amounts.totals.net
            if chapter is None:
                top.append(amounts.totals)
        elif amounts.optional:
            optional_net += amounts.totals.net
    below: dict[int, list[engine.Totals]] = {}
    for level in reversed(plan.chapters_by_depth):
        for chapter, parent in level:
            totals = engine.Totals.total(
                [own.get(id(chapter), engine.Totals()), *below.get(id(chapter), [])]
            )
            chapter.net, chapter.labour_cost = totals.net, totals.labour_cost
            chapter.supply_cost, chapter.labour_hours = totals.supply_cost, totals.labour_hours
            if parent is None:
                top.append(totals)
            else:
                below.setdefault(id(parent), []).append(totals)
    pricing.store_quote_totals(
        quote,
        totals=engine.Totals.total(top),
        bases=bases,
        optional_net=optional_net,
        line_count=len(plan.lines),
    )


def _plan_chapters(
    quote: Quote,
    plan: _Plan,
    chapters: Sequence[Mapping[str, Any]],
    parent: Chapter | None,
    parent_key: str,
    path: str,
    *,
    depth: int,
) -> None:
    if depth > 8 and chapters:  # a chapter at depth 8 may still hold an empty list
        plan.errors.setdefault(
            path, [_("Chapters nest at most %(depth)d levels deep.") % {"depth": 8}]
        )
        return
    for index, data in enumerate(chapters, start=1):
        here = f"{path}.{index - 1}"
        title = str(data.get("title") or "").strip()
        if not title:
            plan.errors.setdefault(f"{here}.title", [_("A chapter needs a title.")])
        key = pricing.chapter_sort_key(parent_key, index)
        chapter = Chapter(
            company=quote.company,
            quote=quote,
            position=index,
            title=title[:250],
            number=f"{parent.number}.{index}" if parent else str(index),
            depth=depth,
            sort_key=key,
        )
        while len(plan.chapters_by_depth) < depth:
            plan.chapters_by_depth.append([])
        plan.chapters_by_depth[depth - 1].append((chapter, parent))
        _plan_lines(quote, plan, data.get("lines") or (), chapter, key, f"{here}.lines")
        _plan_chapters(
            quote,
            plan,
            data.get("chapters") or (),
            chapter,
            key,
            f"{here}.chapters",
            depth=depth + 1,
        )


def _plan_lines(
    quote: Quote,
    plan: _Plan,
    lines: Sequence[Mapping[str, Any]],
    chapter: Chapter | None,
    chapter_key: str,
    path: str,
) -> None:
    for index, data in enumerate(lines, start=1):
        here = f"{path}.{index - 1}"
        line = QuoteLine(
            company=quote.company,
            quote=quote,
            position=index,
            sort_key=pricing.line_sort_key(chapter_key, index),
            vat_rate=quote.company.default_vat_rate,
        )
        try:
            apply_line_data(line, dict(data))  # type: ignore[arg-type]
            price_or_refuse(line, quote)
        except FieldErrors as error:
            for name, messages in error.errors.items():
                plan.errors.setdefault(f"{here}.{name}", messages)
        except DomainError as error:
            plan.errors.setdefault(f"{here}.{error.field or 'line'}", [error.message])
        if len(plan.errors) >= MAX_ERRORS:
            raise FieldErrors(plan.errors)
        plan.lines.append((line, chapter))


def _save(plan: _Plan) -> None:
    for level in plan.chapters_by_depth:
        for chapter, parent in level:
            chapter.parent = parent
        Chapter.objects.bulk_create([chapter for chapter, _parent in level], batch_size=BATCH)
    for line, line_chapter in plan.lines:
        line.chapter = line_chapter
    pricing.insert_rows(QuoteLine, [line for line, _chapter in plan.lines])


def schedule_tree(
    schedule: TenderSchedule,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """A parsed DPGF/BPU as the API's tree; also how many lines had no quantity.

    A schedule line without a quantity (a BPU, "PM") comes in as an optional line of
    quantity 1: shown with its price, not counted, until the user sets its quantity.
    A schedule to price (no unit price) comes in at 0.00 € to be priced; a negative unit
    price comes in as a discount line.
    """
    unquantified = 0

    def line(row: TenderLine) -> dict[str, Any]:
        nonlocal unquantified
        quantity = row.quantity
        optional = quantity is None or quantity <= 0
        unquantified += optional
        price = row.unit_price if row.unit_price is not None else Decimal(0)
        return {
            "reference": row.number[:50],
            "description": row.description,
            "unit": row.unit[:20],
            "quantity": Decimal(1) if optional else quantity,
            "unit_price": price,
            # A negative price in a schedule is a discount (remise, seed 002).
            "kind": "discount" if price < 0 else "item",
            "optional": optional,
        }

    def chapter(node: TenderChapter) -> dict[str, Any]:
        title = " ".join(part for part in (node.number, node.title) if part).strip()
        return {
            "title": title or node.sheet or "—",
            "lines": [line(row) for row in node.lines],
            "chapters": [chapter(child) for child in node.chapters],
        }

    chapters = [chapter(node) for node in schedule.chapters]
    lines = [line(row) for row in schedule.lines]
    return chapters, lines, unquantified


def copy_content(source: Quote, target: Quote) -> None:
    """Copy chapters, lines and components with their stored amounts (versions, alternatives)."""
    chapters = list(Chapter.objects.filter(quote=source).order_by("depth", "sort_key"))
    mapping: dict[int, Chapter] = {}
    by_depth: dict[int, list[tuple[int, Chapter]]] = {}
    for chapter in chapters:
        old_pk, old_parent = chapter.pk, chapter.parent_id
        chapter.pk = None
        chapter.quote = target
        chapter.company = target.company
        chapter.parent_id = old_parent  # mapped after the parents exist
        by_depth.setdefault(chapter.depth, []).append((old_pk, chapter))
    for depth in sorted(by_depth):
        level = by_depth[depth]
        for _old, chapter in level:
            if chapter.parent_id is not None:
                chapter.parent = mapping[chapter.parent_id]
        Chapter.objects.bulk_create([chapter for _old, chapter in level], batch_size=BATCH)
        for old_pk, chapter in level:
            mapping[old_pk] = chapter
    lines = list(QuoteLine.objects.filter(quote=source).order_by("sort_key", "pk"))
    old_line_ids = []
    for line in lines:
        old_line_ids.append(line.pk)
        line.pk = None
        line.quote = target
        line.company = target.company
        if line.chapter_id is not None:
            line.chapter = mapping[line.chapter_id]
    QuoteLine.objects.bulk_create(lines, batch_size=BATCH)
    new_line = dict(zip(old_line_ids, lines, strict=True))
    components = list(LineComponent.objects.filter(line__quote=source))
    for component in components:
        component.pk = None
        component.line = new_line[component.line_id]
        component.company = target.company
    LineComponent.objects.bulk_create(components, batch_size=BATCH)
