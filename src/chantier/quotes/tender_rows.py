"""Reading the rows of one sheet under its header: chapters, lines, rows skipped.

A row is a line when it has a quantity, a unit or a unit price (a BPU has no quantity
column; a DPGF may leave quantities to the bidder); otherwise it is a chapter. Subtotal
and total rows, repeated headers and rows without a designation are skipped and reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

# openpyxl ships no type hints: untyped imports (pyproject also ignores them, hence unused-ignore).
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

from chantier.catalogue.spreadsheets import cell_text
from chantier.quotes.tender_header import (
    AMOUNT,
    DESIGNATION,
    NUMBER,
    QUANTITY,
    UNIT,
    UNIT_PRICE,
    Header,
    repeats_header,
)
from chantier.quotes.tender_model import Chapter, Line, ReportEntry
from chantier.quotes.tender_numbers import Numbering, parse_numbering, split_title
from chantier.quotes.tender_tree import Indent, RowItem
from chantier.quotes.tender_values import Issue, read_price, read_quantity, settle_price
from chantier.quotes.tender_workbook import SheetData, SheetRow

_TOTAL_WORDS = frozenset({"total", "totaux", "subtotal", "soustotal", "tva", "ttc", "report"})
_TOTAL_PAIRS = frozenset(
    {
        ("sous", "total"),
        ("s", "total"),
        ("montant", "ht"),
        ("montant", "ttc"),
        ("montant", "tva"),
        ("montant", "total"),
        ("a", "reporter"),
        ("net", "a"),
    }
)
_SPACES = " \u00a0\u2007\u202f\t"


def is_total(text: str) -> bool:
    """'Total lot 02', 'Sous-total', 'TOTAL HT', 'TVA 20 %', 'A reporter'..."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    words = re.findall(r"[a-z0-9]+", "".join(c for c in folded if not unicodedata.combining(c)))
    return bool(words) and (words[0] in _TOTAL_WORDS or tuple(words[:2]) in _TOTAL_PAIRS)


@dataclass
class SheetRows:
    items: list[RowItem] = field(default_factory=list)
    entries: list[ReportEntry] = field(default_factory=list)


@dataclass
class _Context:
    sheet: SheetData
    header: Header
    width: int
    out: SheetRows


def read_rows(sheet: SheetData, header: Header) -> SheetRows:
    """The chapters and lines below the header, in order, and the report's entries."""
    width = max(header.columns.values()) + 1
    context = _Context(sheet, header, width, SheetRows())
    for row in sheet.rows[header.index + 1 :]:
        item = _read_row(context, row)
        if item is not None:
            context.out.items.append(item)
    return context.out


def _read_row(context: _Context, row: SheetRow) -> RowItem | None:
    values = row.values
    values += [None] * (context.width - len(values))
    if repeats_header(values, context.header):
        _skip(context, row, "repeated_header")
        return None
    designation, indent, outside = _designation(context, row, values)
    number = _text(values, context.header.columns.get(NUMBER))
    if is_total(designation) or is_total(number):
        _skip(context, row, "subtotal", text=designation or number)
        return None
    _report_formulas(context, row)
    if not designation:
        _skip(context, row, "no_designation")
        return None
    if any(_present(context, row, values, key) for key in (QUANTITY, UNIT, UNIT_PRICE)):
        line = _line(context, row, values, number, designation)
        return RowItem(line, _numbering(number), indent)
    if outside:
        number, designation = split_title(designation)
    chapter = Chapter(number, designation, sheet=context.sheet.title, row=row.number)
    return RowItem(chapter, _numbering(number), indent)


def _numbering(number: str) -> Numbering | None:
    return parse_numbering(number) if number else None


def _skip(context: _Context, row: SheetRow, code: str, **params: str) -> None:
    context.out.entries.append(ReportEntry(code, context.sheet.title, row.number, params))


def _text(values: Sequence[object], column: int | None) -> str:
    return "" if column is None else cell_text(values[column])


def _designation(
    context: _Context, row: SheetRow, values: list[object]
) -> tuple[str, Indent, bool]:
    """The designation, its indentation and whether it stood outside the designation column.

    Looked for in the designation column and the unnamed columns after it, then in a
    merged cell covering the designation column (a chapter title merged across the row),
    then in the N° column when what it holds is no number ("LOT 02 - GROS ŒUVRE").
    """
    span = context.header.designation_span(len(values))
    for column in span:
        text = cell_text(values[column])
        if text:
            return text, _indent(row.cells[column], column - span.start), False
    for first, last in context.sheet.merges.get(row.number, []):
        if first < span.start <= last and first < len(values):
            text = cell_text(values[first])
            if text:
                values[first] = None  # the N° cell under a merged title holds no number
                return text, (first - span.start, 0, 0), True
    number_column = context.header.columns.get(NUMBER)
    number = _text(values, number_column)
    if number and number_column is not None and parse_numbering(number) is None:
        values[number_column] = None
        return number, (number_column - span.start, 0, 0), True
    return "", (0, 0, 0), False


def _indent(cell: object, offset: int) -> Indent:
    alignment = getattr(cell, "alignment", None)
    level = int(getattr(alignment, "indent", 0) or 0)
    value = getattr(cell, "value", None)
    spaces = len(value) - len(value.lstrip(_SPACES)) if isinstance(value, str) else 0
    return offset, level, spaces


def _cell(context: _Context, row: SheetRow, key: str) -> str:
    column = context.header.columns.get(key)
    return "" if column is None else f"{get_column_letter(column + 1)}{row.number}"


def _present(context: _Context, row: SheetRow, values: list[object], key: str) -> bool:
    column = context.header.columns.get(key)
    if column is None:
        return False
    value = values[column]
    filled = value is not None and not (isinstance(value, str) and not value.strip())
    return filled or (row.number, column) in context.sheet.unvalued_formulas


def _report_formulas(context: _Context, row: SheetRow) -> None:
    for key in (NUMBER, DESIGNATION, UNIT, QUANTITY, UNIT_PRICE, AMOUNT):
        column = context.header.columns.get(key)
        if column is not None and (row.number, column) in context.sheet.unvalued_formulas:
            _warn(context, row, [("formula_no_value", {"cell": _cell(context, row, key)})])


def _warn(context: _Context, row: SheetRow, issues: list[Issue]) -> None:
    for code, params in issues:
        context.out.entries.append(ReportEntry(code, context.sheet.title, row.number, params))


def _line(
    context: _Context, row: SheetRow, values: list[object], number: str, designation: str
) -> Line:
    columns = context.header.columns
    unit = _text(values, columns.get(UNIT))
    cell = {key: _cell(context, row, key) for key in (QUANTITY, UNIT_PRICE, AMOUNT)}
    quantity, unit = read_quantity(_value(values, columns.get(QUANTITY)), unit, cell=cell[QUANTITY])
    price = read_price(
        _value(values, columns.get(UNIT_PRICE)), cell=cell[UNIT_PRICE], code="price_text"
    )
    amount = read_price(_value(values, columns.get(AMOUNT)), cell=cell[AMOUNT], code="amount_text")
    unit_price, issues = settle_price(quantity.value, price.value, amount.value)
    _warn(context, row, quantity.issues + price.issues + amount.issues + issues)
    if quantity.value is None and not quantity.issues and _missing(context, row, QUANTITY):
        _warn(context, row, [("quantity_missing", {})])
    return Line(
        number,
        designation,
        unit,
        quantity.value,
        unit_price,
        quantity.text,
        sheet=context.sheet.title,
        row=row.number,
    )


def _missing(context: _Context, row: SheetRow, key: str) -> bool:
    """The column exists and the cell is empty (no formula waiting for its value)."""
    column = context.header.columns.get(key)
    return column is not None and (row.number, column) not in context.sheet.unvalued_formulas


def _value(values: list[object], column: int | None) -> object:
    return None if column is None else values[column]
