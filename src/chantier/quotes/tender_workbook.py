"""Opening an untrusted .xlsx and reading its sheets: rows, merged cells, missing formulas.

openpyxl reads in read-only mode (streamed: bounded memory and the fastest of its two
modes) with the cached values of formulas (data_only). Read-only worksheets do not give
merged cells, so the `<mergeCell ref="A5:F5"/>` elements are taken from the sheet's XML,
scanned in chunks. Read-only mode also cannot tell an empty cell from a formula whose
value was never computed: when the sheet's XML has formulas, a second read-only pass
without data_only finds them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# openpyxl ships no type hints: untyped imports (pyproject also ignores them, hence unused-ignore).
from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped,unused-ignore]

from chantier.quotes.tender_model import TenderScheduleError

MAX_COLUMNS = 40
MAX_ROWS = 50_000  # per sheet; a 5,000-line DPGF has ~5,600 rows
MAX_SHEETS = 100
MAX_SHEET_XML = 400 * 1024 * 1024  # bytes of one sheet's XML, uncompressed
_HARD_STOP = 2 * MAX_ROWS  # empty rows read past MAX_ROWS before giving up on the sheet
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_OVERLAP = 512


@dataclass
class SheetRow:
    number: int  # 1-based, as the spreadsheet shows it
    cells: Sequence[Any]  # openpyxl read-only cells: .value, .alignment

    @property
    def values(self) -> list[object]:
        return [cell.value for cell in self.cells]


@dataclass
class SheetData:
    title: str
    hidden: bool
    rows: list[SheetRow]  # rows with at least one value, in order
    merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # row -> col spans
    has_formulas: bool = False
    unvalued_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based col)


def sniff(content: bytes) -> None:
    """Refuse what is plainly not an .xlsx, with the reason."""
    if not content.strip():
        raise TenderScheduleError("empty_file")
    if content.startswith(b"%PDF"):
        raise TenderScheduleError("pdf")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise TenderScheduleError("xls")
    if not content.startswith(b"PK\x03\x04"):
        raise TenderScheduleError("not_xlsx")
    if b"application/vnd.oasis.opendocument" in content[:200]:
        raise TenderScheduleError("ods")


def read_sheets(content: bytes) -> list[SheetData]:
    """Every worksheet of the workbook (chart sheets aside), in the workbook's order."""
    sniff(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # an untrusted file in a third-party parser: any failure is "damaged"
        raise TenderScheduleError("corrupted") from None
    try:
        sheets = [_read_sheet(book, sheet) for sheet in book.worksheets[:MAX_SHEETS]]
        formulas = [i for i, sheet in enumerate(sheets) if sheet.has_formulas]
        if formulas:
            _find_unvalued_formulas(content, sheets, formulas)
    except TenderScheduleError:
        raise
    except Exception:
        raise TenderScheduleError("corrupted") from None
    finally:
        book.close()
    return sheets


def _read_sheet(book: Any, sheet: Any) -> SheetData:
    sheet.reset_dimensions()  # some writers leave a wrong <dimension>: read every row
    rows = list(_rows(sheet))
    merges, has_formulas = _scan_xml(book, sheet)
    return SheetData(sheet.title, sheet.sheet_state != "visible", rows, merges, has_formulas)


def _rows(sheet: Any) -> Iterator[SheetRow]:
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        filled = any(cell.value is not None and cell.value != "" for cell in cells)
        if number > MAX_ROWS:
            if filled:
                raise TenderScheduleError("too_many_rows", max=f"{MAX_ROWS:,}")
            if number > _HARD_STOP:
                return
        elif filled:
            yield SheetRow(number, cells)


def _scan_xml(book: Any, sheet: Any) -> tuple[dict[int, list[tuple[int, int]]], bool]:
    """Merged ranges by anchor row (0-based column spans) and whether there are formulas."""
    archive = getattr(book, "_archive", None)  # openpyxl 3.1 internals: the open zip
    path = getattr(sheet, "_worksheet_path", None)
    if not isinstance(archive, zipfile.ZipFile) or not path:
        return {}, False
    merges: dict[int, list[tuple[int, int]]] = {}
    has_formulas, tail, total = False, b"", 0
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > MAX_SHEET_XML:
                raise TenderScheduleError("too_many_rows", max=f"{MAX_ROWS:,}")
            data = tail + chunk
            for match in _MERGE.finditer(data):
                if match.end() > len(tail):
                    _add_merge(merges, match.group(1).decode("ascii"))
            has_formulas = has_formulas or _FORMULA.search(data) is not None
            tail = data[-_OVERLAP:]
    return merges, has_formulas


def _add_merge(merges: dict[int, list[tuple[int, int]]], ref: str) -> None:
    min_col, min_row, max_col, _max_row = range_boundaries(ref.upper())
    merges.setdefault(min_row, []).append((min_col - 1, max_col - 1))


def _find_unvalued_formulas(content: bytes, sheets: list[SheetData], indexes: list[int]) -> None:
    """Cells holding a formula whose cached value is missing (the file was never calculated)."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        for index in indexes:
            data, sheet = sheets[index], book.worksheets[index]
            sheet.reset_dimensions()
            valued = {row.number: row.values for row in data.rows}
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                if number > MAX_ROWS:
                    break
                values = valued.get(number, [])
                for col, cell in enumerate(cells):
                    if cell.data_type == "f" and (col >= len(values) or values[col] is None):
                        data.unvalued_formulas.add((number, col))
    finally:
        book.close()
