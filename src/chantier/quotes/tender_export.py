"""Writing a tender schedule tree back to .xlsx, in the layout the parser reads.

Columns N°, Désignation, U, Qté, PU, Montant; a chapter is a bold row without quantity,
a line a row with its numbers (amounts are values with 2 decimals, never formulas).
The hierarchy is written twice: by the numbers as they are, and by the designation's
alignment indent (the depth), so a tree without numbers reads back the same. Each
chapter's lines come before its sub-chapters (the tree's order). Subtotal rows ("Total
...") after each priced chapter and a final "Total HT" are for the reader: the parser
skips them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

# openpyxl ships no type hints: untyped imports (pyproject also ignores them, hence unused-ignore).
from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped,unused-ignore]

from chantier.quotes.tender_header import is_summary_sheet
from chantier.quotes.tender_model import Chapter, Line

HEADERS = ("N°", "Désignation", "U", "Qté", "PU", "Montant")
WIDTHS = {"A": 12, "B": 60, "C": 8, "D": 12, "E": 14, "F": 16}
QUANTITY_FORMAT = "#,##0.00#"
MONEY_FORMAT = "#,##0.00"
_BOLD = Font(bold=True)
_TOTAL = Font(bold=True, italic=True)
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

Row = list[Any]


def export_tender_schedule(
    chapters: Sequence[Chapter],
    lines: Sequence[Line] = (),
    *,
    sheet_per_chapter: bool = False,
    subtotals: bool = True,
) -> bytes:
    """The .xlsx bytes: one sheet, or one sheet per top-level chapter (one per lot).

    With `sheet_per_chapter` the schedule cannot have lines outside any chapter: they
    would read back as a chapter of their own (ValueError).
    """
    if sheet_per_chapter and lines:
        raise ValueError("lines outside any chapter need a single-sheet export")
    book = Workbook(write_only=True)
    if sheet_per_chapter and chapters:
        names: set[str] = set()
        for chapter in chapters:
            _write_sheet(book, _sheet_name(chapter, names), [chapter], [], subtotals)
    else:
        _write_sheet(book, "DPGF", chapters, lines, subtotals)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(
    book: Any, name: str, chapters: Sequence[Chapter], lines: Sequence[Line], subtotals: bool
) -> None:
    sheet = book.create_sheet(name)
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, header, font=_BOLD) for header in HEADERS])
    for line in lines:
        sheet.append(_line_row(sheet, line, 0))
    for chapter in chapters:
        for row in _chapter_rows(sheet, chapter, 0, subtotals):
            sheet.append(row)
    total = _total(chapters, lines)
    if subtotals and total is not None:
        sheet.append(_total_row(sheet, "Total HT", total, 0))


def _chapter_rows(sheet: Any, chapter: Chapter, depth: int, subtotals: bool) -> Iterator[Row]:
    yield [
        _cell(sheet, chapter.number, font=_BOLD),
        _cell(sheet, chapter.title, font=_BOLD, indent=depth),
    ]
    for line in chapter.lines:
        yield _line_row(sheet, line, depth + 1)
    for child in chapter.chapters:
        yield from _chapter_rows(sheet, child, depth + 1, subtotals)
    subtotal = chapter.subtotal
    if subtotals and subtotal is not None:
        label = " ".join(part for part in ("Total", chapter.number, chapter.title) if part)
        yield _total_row(sheet, label, subtotal, depth)


def _line_row(sheet: Any, line: Line, depth: int) -> Row:
    quantity = line.quantity if line.quantity is not None else line.quantity_text or None
    return [
        _cell(sheet, line.number),
        _cell(sheet, line.description, indent=depth),
        _cell(sheet, line.unit),
        _cell(sheet, quantity, number_format=QUANTITY_FORMAT),
        _cell(sheet, line.unit_price, number_format=MONEY_FORMAT),
        _cell(sheet, line.amount, number_format=MONEY_FORMAT),
    ]


def _total_row(sheet: Any, label: str, amount: Decimal, depth: int) -> Row:
    return [
        None,
        _cell(sheet, label, font=_TOTAL, indent=depth),
        None,
        None,
        None,
        _cell(sheet, amount, font=_TOTAL, number_format=MONEY_FORMAT),
    ]


def _total(chapters: Sequence[Chapter], lines: Sequence[Line]) -> Decimal | None:
    amounts = [line.amount for line in lines] + [chapter.subtotal for chapter in chapters]
    priced = [amount for amount in amounts if amount is not None]
    return sum(priced, Decimal("0.00")) if priced else None


def _cell(
    sheet: Any,
    value: object,
    *,
    font: Font | None = None,
    indent: int = 0,
    number_format: str | None = None,
) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value) or None
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a designation, never a formula
    if font is not None:
        cell.font = font
    if indent:
        cell.alignment = Alignment(indent=min(indent, 250))
    if number_format is not None and isinstance(value, Decimal):
        cell.number_format = number_format
    return cell


def _sheet_name(chapter: Chapter, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = _SHEET_NAME.sub(" ", f"{chapter.number} {chapter.title}").strip()[:31].strip()
    if not base or is_summary_sheet(base):
        base = f"Lot {len(taken) + 1} {base}"[:31].strip()  # a summary sheet is skipped
    name, counter = base, 1
    while name.casefold() in taken:
        counter += 1
        suffix = f" ({counter})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name
