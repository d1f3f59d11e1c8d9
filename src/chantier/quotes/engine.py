"""Quote (devis travaux) pricing engine. Pure: no Django import, Decimal in, Decimal out.

Fetch → pure compute → persist (DESIGN convention 3): the service builds a `Quote`
of frozen dataclasses, calls `price_quote` (or `filtered_totals` for a filtered
view) and stores the whole `QuotePricing`. Line pricing and validation are in
`engine_lines` and re-exported here.

Rules (french-rules §5, §11; billing.md "Numbers and rounding"):
- line net = round2(quantity × round2(unit price)) (§11.2);
- a chapter subtotal is the exact sum of its counted lines and sub-chapters, never
  re-rounded; the document net is the sum of the counted line nets;
- VAT per rate = round2(Σ nets at that rate × rate / 100), never line by line (§5.2 B);
- gross = net + Σ VAT;
- text lines have no amount; optional lines are shown but never counted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from chantier.core.money import round2
from chantier.quotes.engine_lines import (
    HUNDRED,
    ZERO_AMOUNT,
    EnteredPrice,
    KChained,
    Key,
    KRates,
    Line,
    LineKind,
    LinePrice,
    Pricing,
    PricingError,
    PricingMethod,
    Totals,
    k_chained,
    k_from_rates,
    price_line,
    validate_line,
    validate_pricing,
)

__all__ = [
    "Chapter",
    "ChapterTotals",
    "EnteredPrice",
    "KChained",
    "KRates",
    "Key",
    "Line",
    "LineFilter",
    "LineKind",
    "LinePrice",
    "Pricing",
    "PricingError",
    "PricingMethod",
    "Quote",
    "QuotePricing",
    "Totals",
    "VatAmount",
    "chapter_numbers",
    "filtered_totals",
    "k_chained",
    "k_from_rates",
    "price_line",
    "price_quote",
    "validate_line",
    "validate_pricing",
    "vat_breakdown",
]


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter (chapitre, lot, poste): its lines, then its sub-chapters, to any depth."""

    key: Key
    title: str
    lines: tuple[Line, ...] = ()
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """The document: top-level chapters, and lines outside any chapter (if any)."""

    chapters: tuple[Chapter, ...] = ()
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True, slots=True)
class ChapterTotals:
    key: Key
    number: str  # "1", "1.1", "1.1.1": position in the whole tree, filtered or not
    depth: int  # 1 for a top-level chapter
    totals: Totals

    @property
    def subtotal(self) -> Decimal:
        return self.totals.net


@dataclass(frozen=True, slots=True)
class VatAmount:
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class QuotePricing:
    """The whole result: lines and chapters by key (chapters in tree order), totals."""

    lines: Mapping[Key, LinePrice]
    chapters: Mapping[Key, ChapterTotals]
    totals: Totals  # counted lines only
    vat: tuple[VatAmount, ...]  # by decreasing rate
    optional_net: Decimal  # Σ nets of the optional lines, for "options" on the PDF

    @property
    def net(self) -> Decimal:
        return self.totals.net

    @property
    def vat_total(self) -> Decimal:
        return sum((vat.amount for vat in self.vat), ZERO_AMOUNT)

    @property
    def gross(self) -> Decimal:
        """Gross = net + Σ VAT per rate (french-rules §5.2 A: 15 500.00 + 1 520.00)."""
        return self.net + self.vat_total


@dataclass(frozen=True, slots=True)
class LineFilter:
    """What a filtered quote page shows (seed 001 "Calcul dynamique des totaux").

    `text`: every word must appear, case- and accent-insensitively, in the line's
    reference or description or in the title of one of its chapters. `chapter`: only
    lines of that chapter and its sub-chapters. `kinds`: only those kinds (all when
    empty). `optional`: only optional (True) or only non-optional (False) lines.
    """

    text: str = ""
    chapter: Key | None = None
    kinds: frozenset[LineKind] = field(default_factory=frozenset)
    optional: bool | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.words() or self.kinds) and self.chapter is None and self.optional is None

    def words(self) -> tuple[str, ...]:
        return tuple(fold(self.text).split())

    def shows(
        self, line: Line, chapters: tuple[Key, ...], titles: str, words: tuple[str, ...]
    ) -> bool:
        if self.kinds and line.kind not in self.kinds:
            return False
        if self.optional is not None and line.optional != self.optional:
            return False
        if self.chapter is not None and self.chapter not in chapters:
            return False
        if not words:
            return True
        haystack = f"{fold(line.reference)} {fold(line.description)} {titles}"
        return all(word in haystack for word in words)


def fold(text: str) -> str:
    """Lower case without accents, as `chantier.core.search.fold` (kept Django-free here)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def price_quote(quote: Quote) -> QuotePricing:
    """Price every line and total the document (french-rules §5 and §11)."""
    return _Walk(None).run(quote)


def filtered_totals(quote: Quote, line_filter: LineFilter) -> QuotePricing:
    """Totals of the lines `line_filter` shows: chapter subtotals, net, VAT and gross.

    Seed 001: with a filter applied, chapter amounts are those of the lines shown.
    Chapters keep the numbers they have in the whole quote; a chapter without any
    shown line (in it or below it) is left out, unless the filter is empty.
    """
    return _Walk(None if line_filter.is_empty else line_filter).run(quote)


def vat_breakdown(lines: Iterable[LinePrice]) -> tuple[VatAmount, ...]:
    """VAT per rate = round2(Σ nets at that rate × rate / 100), counted lines only (§5.2 B)."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.counted:
            bases[line.vat_rate] = bases.get(line.vat_rate, ZERO_AMOUNT) + line.net
    return tuple(
        VatAmount(rate, bases[rate], round2(bases[rate] * rate / HUNDRED))
        for rate in sorted(bases, reverse=True)
    )


def chapter_numbers(chapters: tuple[Chapter, ...], prefix: str = "") -> dict[Key, str]:
    """Number chapters 1, 1.1, 1.1.1 … from their order in the tree (issue 3)."""
    numbers: dict[Key, str] = {}
    for index, chapter in enumerate(chapters, start=1):
        number = f"{prefix}{index}"
        numbers[chapter.key] = number
        numbers.update(chapter_numbers(chapter.chapters, f"{number}."))
    return numbers


class _Walk:
    """One depth-first pass: prices the shown lines and totals each chapter bottom-up."""

    def __init__(self, line_filter: LineFilter | None) -> None:
        self.filter = line_filter
        self.words = line_filter.words() if line_filter else ()
        self.lines: dict[Key, LinePrice] = {}
        self.numbers: dict[Key, str] = {}  # every chapter in pre-order, shown or not
        self.chapters: dict[Key, ChapterTotals] = {}

    def run(self, quote: Quote) -> QuotePricing:
        own = self._lines(quote.lines, (), "")
        subtotals = self._chapters(quote.chapters, "", (), "")
        priced = self.lines.values()
        optional = [line.net for line in priced if line.optional and line.kind is not LineKind.TEXT]
        return QuotePricing(
            lines=self.lines,
            chapters={key: self.chapters[key] for key in self.numbers if key in self.chapters},
            totals=Totals.total([*own, *subtotals]),
            vat=vat_breakdown(priced),
            optional_net=sum(optional, ZERO_AMOUNT),
        )

    def _chapters(
        self, chapters: tuple[Chapter, ...], prefix: str, keys: tuple[Key, ...], titles: str
    ) -> list[Totals]:
        subtotals = []
        for index, chapter in enumerate(chapters, start=1):
            number, path = f"{prefix}{index}", (*keys, chapter.key)
            if chapter.key in self.numbers:
                raise ValueError(f"Two chapters share the key {chapter.key!r}.")
            self.numbers[chapter.key] = number
            shown_before = len(self.lines)
            folded = f"{titles} {fold(chapter.title)}" if self.filter else ""
            totals = Totals.total(
                [
                    *self._lines(chapter.lines, path, folded),
                    *self._chapters(chapter.chapters, f"{number}.", path, folded),
                ]
            )
            if self.filter is None or len(self.lines) > shown_before:
                self.chapters[chapter.key] = ChapterTotals(chapter.key, number, len(path), totals)
                subtotals.append(totals)
        return subtotals

    def _lines(self, lines: tuple[Line, ...], keys: tuple[Key, ...], titles: str) -> list[Totals]:
        counted = []
        line_filter = self.filter
        for line in lines:
            if line_filter and not line_filter.shows(line, keys, titles, self.words):
                continue
            if line.key in self.lines:
                raise ValueError(f"Two lines share the key {line.key!r}.")
            priced = self.lines[line.key] = price_line(line)
            if priced.counted:
                counted.append(priced.totals)
        return counted
