"""Reads of the quotes app: company-scoped lists and loaders for the pages, PDF and API."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, cast

from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from chantier.catalogue import selectors as catalogue_selectors
from chantier.catalogue.models import Item
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.money import round2
from chantier.core.pagination import search
from chantier.quotes import engine, pricing
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine, TermsText

# --- editor: the quote's content page (chapters, lines, totals, filter, quick entry) -----

EDITOR_PAGE_SIZE = 200
CATALOGUE_CHOICES_LIMIT = 20


def quote_for_user(user: User, pk: object) -> Quote:
    """The quote with its client and site; 404 for a missing or another company's quote."""
    return get_for_company(Quote.objects.select_related("client", "site"), user, pk)


def chapter_for_user(user: User, pk: object) -> Chapter:
    return get_for_company(Chapter.objects.select_related("quote__client", "quote__site"), user, pk)


def line_for_user(user: User, pk: object) -> QuoteLine:
    return get_for_company(
        QuoteLine.objects.select_related("quote__client", "quote__site", "chapter"), user, pk
    )


def quote_chapters(quote: Quote) -> list[Chapter]:
    """Every chapter of the quote in tree order (1, 1.1, 1.1.1, 1.2, 2 …): one query."""
    return list(Chapter.objects.filter(quote=quote).order_by("sort_key", "pk"))


@dataclass(frozen=True)
class EditorFilter:
    """What the editor shows (seed 001 "calcul dynamique des totaux"); empty = everything."""

    text: str = ""
    chapter: int | None = None
    kind: str = ""
    optional: bool | None = None

    @property
    def is_empty(self) -> bool:
        return self.engine_filter().is_empty

    def engine_filter(self) -> engine.LineFilter:
        kinds = frozenset({engine.LineKind(self.kind)}) if self.kind else frozenset()
        return engine.LineFilter(
            text=self.text, chapter=self.chapter, kinds=kinds, optional=self.optional
        )


@dataclass(frozen=True)
class ComponentRow:
    """An assembly component under its line (seed 002, greyed): quantities for the line."""

    component: LineComponent
    quantity: Decimal  # line quantity × quantity per unit
    cost: Decimal  # quantity × unit cost, 2 places


@dataclass(frozen=True)
class LineRow:
    line: QuoteLine
    components: list[ComponentRow]
    totals: engine.Totals  # the line's stored amounts
    is_heading = False


@dataclass(frozen=True)
class Heading:
    chapter: Chapter
    totals: engine.Totals  # stored subtotal, or the filtered lines' subtotal
    continued: bool  # the chapter began on an earlier page: its heading is repeated
    is_heading = True


@dataclass(frozen=True)
class VatRow:
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class EditorTotals:
    """The totals panel: the stored totals, or those of the filtered lines."""

    totals: engine.Totals
    vat: list[VatRow]
    optional_net: Decimal
    filtered: bool

    @property
    def vat_total(self) -> Decimal:
        return sum((row.amount for row in self.vat), Decimal("0.00"))

    @property
    def gross(self) -> Decimal:
        return self.totals.net + self.vat_total


@dataclass
class EditorPage:
    """One page of the editor: chapter headings and lines in document order."""

    quote: Quote
    chapters: list[Chapter]
    rows: list[Heading | LineRow]
    totals: EditorTotals
    chapter_totals: dict[int, engine.Totals]
    number: int
    num_pages: int
    count: int  # lines shown over all pages
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def editor_page(
    quote: Quote,
    *,
    chapters: list[Chapter],
    line_filter: EditorFilter | None = None,
    page: object = 1,
    page_size: int = EDITOR_PAGE_SIZE,
) -> EditorPage:
    """A page of the quote's lines with the chapter headings they fall under.

    Unfiltered, the amounts are the stored ones and the queries do not depend on the
    number of lines or chapters: `chapters` (loaded once), the page's lines (one query,
    the last line of the previous page included to place the headings) and their
    components (one). Filtered, every line is read once more (light columns) and the
    filtered totals are computed by `engine.filtered_totals` (seed 001).
    """
    line_filter = line_filter or EditorFilter()
    if line_filter.is_empty:
        return _stored_page(quote, chapters, page, page_size)
    return _filtered_page(quote, chapters, line_filter, page, page_size)


def _with_components(lines: QuerySet[QuoteLine]) -> QuerySet[QuoteLine]:
    return lines.prefetch_related(
        Prefetch("components", queryset=LineComponent.objects.order_by("position", "pk"))
    )


def _page_number(value: object, num_pages: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 1
    return max(1, min(number, num_pages))


def _stored_page(quote: Quote, chapters: list[Chapter], page: object, page_size: int) -> EditorPage:
    count = quote.line_count
    num_pages = max(1, math.ceil(count / page_size))
    number = _page_number(page, num_pages)
    offset = (number - 1) * page_size
    lines = list(
        _with_components(QuoteLine.objects.filter(quote=quote)).order_by("sort_key", "pk")[
            max(0, offset - 1) : offset + page_size
        ]
    )
    previous_key = lines.pop(0).sort_key if offset and lines else None
    chapter_totals = {chapter.pk: stored_totals(chapter) for chapter in chapters}
    return EditorPage(
        quote=quote,
        chapters=chapters,
        rows=_rows(lines, chapters, chapter_totals, previous_key, number >= num_pages),
        totals=stored_quote_totals(quote),
        chapter_totals=chapter_totals,
        number=number,
        num_pages=num_pages,
        count=count,
        page_size=page_size,
    )


def _filtered_page(
    quote: Quote,
    chapters: list[Chapter],
    line_filter: EditorFilter,
    page: object,
    page_size: int,
) -> EditorPage:
    totals, chapter_totals, shown = filtered_totals(quote, chapters, line_filter)
    count = len(shown)
    num_pages = max(1, math.ceil(count / page_size))
    number = _page_number(page, num_pages)
    offset = (number - 1) * page_size
    window = shown[offset : offset + page_size]
    previous_key = shown[offset - 1].sort_key if offset and window else None
    full: dict[int, QuoteLine] = {}
    if window:
        full = {
            line.pk: line
            for line in _with_components(
                QuoteLine.objects.filter(quote=quote, pk__in=[line.pk for line in window])
            )
        }
    lines = [full[line.pk] for line in window if line.pk in full]
    return EditorPage(
        quote=quote,
        chapters=chapters,
        rows=_rows(lines, chapters, chapter_totals, previous_key, number >= num_pages),
        totals=totals,
        chapter_totals=chapter_totals,
        number=number,
        num_pages=num_pages,
        count=count,
        page_size=page_size,
    )


class StoredLine(NamedTuple):
    """What the engine reads of a stored line; read as tuples, not model instances (a
    5,000-line quote is filtered in one pass)."""

    pk: int
    chapter_id: int | None
    sort_key: str
    kind: str
    optional: bool
    reference: str
    description: str
    price_mode: str
    quantity: Decimal  # the decimals last, in STORED_DECIMALS order
    entered_price: Decimal | None
    vat_rate: Decimal
    unit_labour_hours: Decimal
    unit_labour_cost: Decimal
    unit_supply_cost: Decimal


STORED_DECIMALS = (
    "quantity",
    "entered_price",
    "vat_rate",
    "unit_labour_hours",
    "unit_labour_cost",
    "unit_supply_cost",
)


def stored_lines(quote: Quote, lines: QuerySet[QuoteLine] | None = None) -> list[StoredLine]:
    """The quote's lines (or `lines`) as the engine reads them, in document order.

    The decimals are read as text and parsed here: Django's SQLite converter (float,
    then Decimal, then quantize, per value) took three times as long on 5,000 lines;
    the engine rounds what it computes itself.
    """
    texts = {f"{name}_text": Cast(name, TextField()) for name in STORED_DECIMALS}
    rows = (
        (QuoteLine.objects.filter(quote=quote) if lines is None else lines)
        .order_by("sort_key", "pk")
        .annotate(**texts)
        .values_list(*StoredLine._fields[:8], *texts)
    )
    return [
        StoredLine(*row[:8], *(None if text is None else Decimal(text) for text in row[8:]))
        for row in rows
    ]


def filtered_totals(
    quote: Quote, chapters: list[Chapter], line_filter: EditorFilter
) -> tuple[EditorTotals, dict[int, engine.Totals], list[StoredLine]]:
    """Totals, chapter subtotals and lines (light columns, document order) of a filter.

    Seed 001: with a filter applied, chapter amounts and totals are those of the lines
    shown; VAT per rate is computed on the shown lines' bases (§5.2 B).
    """
    lines = stored_lines(quote, _candidates(quote, chapters, line_filter))
    document = engine_quote(quote, chapters, lines, texts=bool(line_filter.text.strip()))
    priced = engine.filtered_totals(document, line_filter.engine_filter())
    totals = EditorTotals(
        totals=priced.totals,
        vat=[VatRow(vat.rate, vat.base, vat.amount) for vat in priced.vat if vat.base],
        optional_net=priced.optional_net,
        filtered=True,
    )
    chapter_totals = {int(key): found.totals for key, found in priced.chapters.items()}
    return totals, chapter_totals, [line for line in lines if line.pk in priced.lines]


def _candidates(
    quote: Quote, chapters: list[Chapter], line_filter: EditorFilter
) -> QuerySet[QuoteLine]:
    """The lines the filter may show: its kind, option and chapter criteria applied in SQL.

    The engine applies the whole filter again (words included), so this only spares it
    the lines that cannot be shown; the totals are the same.
    """
    lines = QuoteLine.objects.filter(quote=quote)
    if line_filter.kind:
        lines = lines.filter(kind=line_filter.kind)
    if line_filter.optional is not None:
        lines = lines.filter(optional=line_filter.optional)
    if line_filter.chapter is not None:
        inside = {line_filter.chapter}
        for chapter in sorted(chapters, key=lambda c: c.depth):  # parents before children
            if chapter.parent_id in inside:
                inside.add(chapter.pk)
        lines = lines.filter(chapter_id__in=inside)
    return lines


def engine_quote(
    quote: Quote,
    chapters: Sequence[Chapter],
    lines: Sequence[QuoteLine | StoredLine],
    *,
    texts: bool = True,
) -> engine.Quote:
    """The stored quote as the engine's frozen tree (chapters and lines in tree order).

    `texts`: give the engine the lines' descriptions (a text filter reads them).
    """
    method = pricing.method_of(quote)
    children: dict[int | None, list[Chapter]] = defaultdict(list)
    for chapter in sorted(chapters, key=lambda c: (c.sort_key, c.pk)):
        children[chapter.parent_id].append(chapter)
    own: dict[int | None, list[engine.Line]] = defaultdict(list)
    for line in sorted(lines, key=lambda row: (row.sort_key, row.pk)):
        # A StoredLine has every attribute engine_line reads.
        priced = pricing.engine_line(cast(QuoteLine, line), method)
        if texts:
            priced = dataclasses.replace(priced, description=line.description)
        own[line.chapter_id].append(priced)

    def tree(parent: int | None) -> tuple[engine.Chapter, ...]:
        return tuple(
            engine.Chapter(
                key=chapter.pk,
                title=chapter.title,
                lines=tuple(own.get(chapter.pk, ())),
                chapters=tree(chapter.pk),
            )
            for chapter in children.get(parent, ())
        )

    return engine.Quote(chapters=tree(None), lines=tuple(own.get(None, ())))


def stored_totals(row: Chapter | QuoteLine) -> engine.Totals:
    return engine.Totals(
        net=row.net,
        labour_cost=row.labour_cost,
        supply_cost=row.supply_cost,
        labour_hours=row.labour_hours,
        labour_net=getattr(row, "labour_net", Decimal("0.00")),
        supply_net=getattr(row, "supply_net", Decimal("0.00")),
    )


def stored_quote_totals(quote: Quote) -> EditorTotals:
    """The quote's stored totals (pricing.py wrote them): what the PDF and the API show."""
    return EditorTotals(
        totals=engine.Totals(
            net=quote.net,
            labour_cost=quote.labour_cost,
            supply_cost=quote.supply_cost,
            labour_hours=quote.labour_hours,
            labour_net=quote.labour_net,
            supply_net=quote.supply_net,
        ),
        vat=[
            VatRow(Decimal(vat["rate"]), Decimal(vat["base"]), Decimal(vat["amount"]))
            for vat in quote.vat_breakdown
        ],
        optional_net=quote.optional_net,
        filtered=False,
    )


def editor_totals(
    quote: Quote, line_filter: EditorFilter | None = None
) -> tuple[EditorTotals, dict[int, Chapter], dict[int, engine.Totals]]:
    """After an edit: the totals panel, the chapters and their subtotals (as the page)."""
    chapters = quote_chapters(quote)
    by_id = {chapter.pk: chapter for chapter in chapters}
    if line_filter is None or line_filter.is_empty:
        return (
            stored_quote_totals(quote),
            by_id,
            {chapter.pk: stored_totals(chapter) for chapter in chapters},
        )
    totals, chapter_totals, _shown = filtered_totals(quote, chapters, line_filter)
    return totals, by_id, chapter_totals


def line_row(line: QuoteLine) -> LineRow:
    quantity = line.quantity
    components = [
        ComponentRow(
            component,
            quantity * component.quantity_per_unit,
            round2(quantity * component.quantity_per_unit * component.unit_cost),
        )
        for component in line.components.all()
    ]
    return LineRow(line, components, stored_totals(line))


def _rows(
    lines: list[QuoteLine],
    chapters: list[Chapter],
    chapter_totals: dict[int, engine.Totals],
    previous_key: str | None,
    last_page: bool,
) -> list[Heading | LineRow]:
    """Headings and lines of one page in document order (sort keys order both).

    A page starting inside a chapter repeats the headings of the chapters it continues;
    the chapters that begin after the page's last line (empty ones included) are shown
    on the next page, or at the end of the last one.
    """
    by_id = {chapter.pk: chapter for chapter in chapters}
    rows: list[Heading | LineRow] = []
    if lines and previous_key is not None:
        for chapter in reversed(pricing.ancestors(lines[0].chapter_id, by_id)):
            if chapter.sort_key < previous_key:
                rows.append(Heading(chapter, chapter_totals[chapter.pk], continued=True))
    upper = lines[-1].sort_key if lines and not last_page else None
    merged: list[tuple[str, int, int, Heading | LineRow]] = []
    for index, chapter in enumerate(chapters):
        key = chapter.sort_key
        if chapter.pk not in chapter_totals:
            continue
        if (previous_key is None or key > previous_key) and (upper is None or key < upper):
            merged.append((key, 0, index, Heading(chapter, chapter_totals[chapter.pk], False)))
    for index, line in enumerate(lines):
        merged.append((line.sort_key, 1, index, line_row(line)))
    merged.sort(key=lambda entry: entry[:3])
    rows.extend(entry[3] for entry in merged)
    return rows


def line_page(line: QuoteLine, page_size: int = EDITOR_PAGE_SIZE) -> int:
    """The editor page (unfiltered) the line is on."""
    before = (
        QuoteLine.objects.filter(quote_id=line.quote_id)
        .filter(Q(sort_key__lt=line.sort_key) | Q(sort_key=line.sort_key, pk__lt=line.pk))
        .count()
    )
    return before // page_size + 1


def chapter_page(chapter: Chapter, line_count: int, page_size: int = EDITOR_PAGE_SIZE) -> int:
    """The editor page (unfiltered) showing the chapter's heading (see `_rows`)."""
    before = QuoteLine.objects.filter(
        quote_id=chapter.quote_id, sort_key__lt=chapter.sort_key
    ).count()
    return min(before // page_size + 1, max(1, math.ceil(line_count / page_size)))


def chapter_line_count(chapter: Chapter) -> int:
    """Lines in the chapter and its sub-chapters (what deleting it deletes)."""
    key = chapter.sort_key
    return QuoteLine.objects.filter(
        Q(sort_key__startswith=f"{key}-") | Q(sort_key__startswith=f"{key}."),
        quote_id=chapter.quote_id,
    ).count()


def catalogue_choices(company: Company, q: str) -> list[Item]:
    """Active catalogue items matching every word of `q`: the new-line item field's list."""
    items = catalogue_selectors.item_list(company, q=q).filter(active=True)
    return list(items.order_by("reference", "pk")[:CATALOGUE_CHOICES_LIMIT])


def assembly_choices(company: Company, q: str) -> list[Item]:
    """Active assemblies (ouvrages) matching `q`: quick entry with the assembly prefix."""
    items = catalogue_selectors.item_list(company, q=q).filter(
        active=True, structure=Item.Structure.ASSEMBLY
    )
    return list(items.order_by("reference", "pk")[:CATALOGUE_CHOICES_LIMIT])


def catalogue_item(company: Company, *, reference: str = "", pk: object = None) -> Item | None:
    """The company's catalogue item with this exact reference (or id), or None."""
    items = catalogue_selectors.item_list(company)
    if pk not in (None, ""):
        try:
            return items.filter(pk=int(str(pk))).first()
        except ValueError:
            return None
    return items.filter(reference=reference.strip()).first() if reference.strip() else None


# --- document pages: list, versions, saved texts, export tree ----------------------------

QUOTE_SEARCH = ("number", "title", "client__name", "site__city")


def quote_list(company: Company, q: str = "", status: str = "", kind: str = "") -> QuerySet[Quote]:
    """The company's current quotes (no superseded version), newest first.

    Every word of `q` is found in the number, the title, the client's name or the
    site's city; `status` and `kind` filter when they are known values.
    """
    queryset = Quote.objects.filter(company=company, superseded=False)
    if status in Quote.Status.values:
        queryset = queryset.filter(status=status)
    if kind in Quote.Kind.values:
        queryset = queryset.filter(kind=kind)
    queryset = search(queryset, q, QUOTE_SEARCH)
    return queryset.select_related("client", "site").order_by("-date", "-pk")


def quote_versions(quote: Quote) -> list[Quote]:
    """Every version of the quote's family, oldest first (the quote itself included)."""
    family = quote.family_id or quote.pk
    return list(
        Quote.objects.filter(company_id=quote.company_id, family_id=family)
        .only("pk", "company_id", "family_id", "version", "number", "status", "superseded")
        .order_by("version", "pk")
    )


def terms_text_list(company: Company) -> QuerySet[TermsText]:
    return TermsText.objects.filter(company=company).order_by("title", "pk")


@dataclass(frozen=True)
class QuoteTree:
    """A quote's chapters and lines in tree order, for an export (two queries)."""

    chapters: list[Chapter]
    lines: list[QuoteLine]


def quote_tree(quote: Quote) -> QuoteTree:
    chapters = Chapter.objects.filter(quote=quote).only(
        "pk", "parent_id", "number", "title", "sort_key", "net"
    )
    lines = QuoteLine.objects.filter(quote=quote).only(
        "pk",
        "chapter_id",
        "kind",
        "optional",
        "reference",
        "description",
        "unit",
        "quantity",
        "unit_price",
        "net",
        "sort_key",
    )
    return QuoteTree(
        list(chapters.order_by("sort_key", "pk")), list(lines.order_by("sort_key", "pk"))
    )
