"""What a tender schedule (DPGF/BPU) import returns: a tree of chapters and lines, a report.

Pure data: no Django model, no database. The tree has the shape of the quote engine
(`chantier.quotes.engine`) and of the API: a chapter holds its lines, then its
sub-chapters; the schedule holds its top-level chapters and the lines outside any chapter.
Where a file row came from (`sheet`, `row`) is kept on each node for messages but is not
part of its value: two trees read from different files compare equal when their content
does.

Messages are plain English with a stable `code`, so that the caller can translate them
(each template is a msgid with %-style named parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from chantier.catalogue.spreadsheets import SpreadsheetError
from chantier.core.money import round2


@dataclass(eq=True)
class Line:
    """A priced (or to-be-priced) row: a quantity, or a unit, or a unit price.

    quantity has 3 places and unit_price 2 (billing.md), either may be None: a schedule
    to price has no unit prices, a BPU has no quantities. `quantity_text` keeps what the
    quantity column said when it was not a number ("PM", "à définir").
    """

    number: str
    description: str
    unit: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    quantity_text: str = ""
    sheet: str = field(default="", compare=False, repr=False)
    row: int | None = field(default=None, compare=False, repr=False)

    @property
    def amount(self) -> Decimal | None:
        """round2(quantity × unit price), the quote's line net (french-rules §11)."""
        if self.quantity is None or self.unit_price is None:
            return None
        return round2(self.quantity * self.unit_price)


@dataclass(eq=True)
class Chapter:
    """A row without quantity (chapitre, lot, poste): its lines, then its sub-chapters."""

    number: str
    title: str
    lines: list[Line] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    sheet: str = field(default="", compare=False, repr=False)
    row: int | None = field(default=None, compare=False, repr=False)

    @property
    def subtotal(self) -> Decimal | None:
        """Σ of the priced lines below, never re-rounded; None when nothing is priced."""
        amounts = [a for a in (line.amount for line in self.lines) if a is not None]
        amounts += [s for s in (c.subtotal for c in self.chapters) if s is not None]
        return sum(amounts, Decimal("0.00")) if amounts else None

    def count(self) -> tuple[int, int]:
        """(chapters, lines) in this chapter, itself included."""
        chapters, lines = 1, len(self.lines)
        for child in self.chapters:
            sub_chapters, sub_lines = child.count()
            chapters, lines = chapters + sub_chapters, lines + sub_lines
        return chapters, lines


# code -> English message template (a msgid); the report's entries fill the parameters.
MESSAGES: Mapping[str, str] = {
    # a sheet not imported
    "summary_sheet": "summary sheet skipped",
    "hidden_sheet": "hidden sheet skipped",
    "empty_sheet": "empty sheet skipped",
    "no_header_sheet": "sheet skipped: no header row (N°, Désignation, U, Qté, PU, Montant)",
    "no_rows_sheet": "sheet skipped: a header but no rows",
    # a row not imported
    "subtotal": 'row skipped: subtotal or total ("%(text)s")',
    "repeated_header": "row skipped: repeated header",
    "no_designation": "row skipped: no designation",
    # a row imported, with something to check
    "formula_no_value": (
        "the formula in %(cell)s has no computed value (open and save the file in "
        "Excel or LibreOffice): read as empty"
    ),
    "quantity_text": 'quantity "%(text)s" is not a number: the line has no quantity',
    "quantity_missing": "the line has no quantity",
    "price_text": 'unit price "%(text)s" is not a number: left empty',
    "amount_text": 'amount "%(text)s" is not a number: ignored',
    "out_of_range": 'the number "%(text)s" in %(cell)s is out of range: left empty',
    "price_from_amount": (
        "no unit price: computed from the amount, %(amount)s / %(quantity)s = %(unit_price)s"
    ),
    "amount_mismatch": (
        "the amount %(amount)s differs from quantity × unit price = %(computed)s: "
        "the unit price is kept"
    ),
    "line_moved": "line after a sub-chapter: placed before the sub-chapters of its chapter",
}
SKIP_CODES = frozenset(
    {
        "summary_sheet",
        "hidden_sheet",
        "empty_sheet",
        "no_header_sheet",
        "no_rows_sheet",
        "subtotal",
        "repeated_header",
        "no_designation",
    }
)


@dataclass(frozen=True)
class ReportEntry:
    """A sheet or row skipped (`skipped`), or a row imported with a warning."""

    code: str
    sheet: str
    row: int | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return self.code in SKIP_CODES

    @property
    def message(self) -> str:
        return MESSAGES[self.code] % dict(self.params)

    def __str__(self) -> str:
        where = self.sheet if self.row is None else f"{self.sheet}, row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SheetSummary:
    """What one sheet gave: its counts of chapter and line rows, its lot title if any."""

    sheet: str
    chapters: int
    lines: int
    title: str = ""

    def __str__(self) -> str:
        counts = f"{_count(self.chapters, 'chapter')}, {_count(self.lines, 'line')}"
        return f"{self.sheet}: imported {counts}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass
class ImportReport:
    sheets: list[SheetSummary] = field(default_factory=list)
    entries: list[ReportEntry] = field(default_factory=list)

    @property
    def skipped(self) -> list[ReportEntry]:
        return [entry for entry in self.entries if entry.skipped]

    @property
    def warnings(self) -> list[ReportEntry]:
        return [entry for entry in self.entries if not entry.skipped]

    def lines(self) -> list[str]:
        """The report as text: one line per imported sheet, then one per entry."""
        return [str(summary) for summary in self.sheets] + [str(e) for e in self.entries]


@dataclass
class TenderSchedule:
    """The imported tree: top-level chapters, and lines outside any chapter (single sheet)."""

    chapters: list[Chapter]
    lines: list[Line]
    report: ImportReport


ERRORS: Mapping[str, str] = {
    "empty_file": "The file is empty.",
    "xls": (
        "This is an old Excel .xls file (or a workbook protected by a password): "
        "save it as .xlsx and import it again."
    ),
    "ods": "This is an OpenDocument .ods file: save it as Excel .xlsx and import it again.",
    "pdf": "This is a PDF file: a tender schedule can be imported from an Excel .xlsx file.",
    "corrupted": "This .xlsx file is damaged and cannot be read.",
    "not_xlsx": "This file is not an Excel .xlsx spreadsheet.",
    "empty_workbook": "The workbook has no data.",
    "no_header": (
        "No header row found: the schedule needs a row naming its columns, with at least "
        "Désignation and two of N°, U, Qté, PU, Montant."
    ),
    "no_rows": "The schedule has a header but no rows to import.",
    "too_many_rows": "The file has more than %(max)s rows: split it.",
}


class TenderScheduleError(SpreadsheetError):
    """The file is refused as a whole: nothing is imported. `code` is stable (see ERRORS)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(ERRORS[code] % params if params else ERRORS[code], field="file")
        self.code = code
        self.params = params
