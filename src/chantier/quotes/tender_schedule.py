"""Tender schedules (DPGF, BPU) from and to .xlsx: a pure parser and its inverse.

`parse_tender_schedule(content)` reads an .xlsx into a tree of chapters and lines with a
report of what was imported and of every row skipped, or raises `TenderScheduleError`
(nothing returned) when the file is no readable spreadsheet or has no recognisable
header. No Django model, no database: a later step turns the tree into a quote.
`export_tender_schedule(chapters, lines)` writes a tree back in the same layout, so that
parsing the export gives the same tree.

How a workbook is read:
- each sheet's header row is found by the names of its columns (`tender_header`), below
  any title rows; the rows under it are chapters or lines (`tender_rows`), nested by their
  numbers or their indentation (`tender_tree`);
- hidden sheets, empty sheets, summary sheets ("Récapitulatif", "Synthèse"...) and sheets
  without a header are skipped and reported;
- with several sheets left (one per lot), each becomes a top-level chapter, named after
  the lot title above its header ("DPGF - Lot 02 - Gros œuvre") or else after the sheet;
  a sheet whose rows form a single chapter gives that chapter, unless a lot title above
  the header names something else (then it is wrapped in a chapter for the lot). With
  one sheet, its chapters are the top level and its lines outside any chapter are the
  schedule's own lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chantier.catalogue.spreadsheets import cell_text, normalise
from chantier.quotes.tender_export import export_tender_schedule
from chantier.quotes.tender_header import Header, find_header, is_summary_sheet
from chantier.quotes.tender_model import (
    MESSAGES,
    Chapter,
    ImportReport,
    Line,
    ReportEntry,
    SheetSummary,
    TenderSchedule,
    TenderScheduleError,
)
from chantier.quotes.tender_numbers import parse_numbering, split_title
from chantier.quotes.tender_rows import read_rows
from chantier.quotes.tender_tree import build_tree
from chantier.quotes.tender_workbook import SheetData, read_sheets

__all__ = [
    "MESSAGES",
    "Chapter",
    "ImportReport",
    "Line",
    "ReportEntry",
    "SheetSummary",
    "TenderSchedule",
    "TenderScheduleError",
    "export_tender_schedule",
    "parse_tender_schedule",
]

_LOT_TITLE = re.compile(r"\blot\s*(?:n\s*[°º.]?\s*)?\d+.*", re.IGNORECASE | re.DOTALL)


@dataclass
class _Sheet:
    name: str
    title: str  # the lot title above the header, if any
    root: Chapter  # the sheet's top-level chapters and lines


def parse_tender_schedule(content: bytes) -> TenderSchedule:
    """The schedule's tree and report; TenderScheduleError when nothing can be imported."""
    sheets = read_sheets(content)
    if not any(sheet.rows for sheet in sheets):
        raise TenderScheduleError("empty_workbook")
    report = ImportReport()
    parsed: list[_Sheet] = []
    headers = 0
    for sheet in sheets:
        header = _header(sheet, report)
        headers += header is not None
        found = _parse_sheet(sheet, header, report) if header is not None else None
        if found is not None:
            parsed.append(found)
    if not parsed:
        raise TenderScheduleError("no_rows" if headers else "no_header")
    if len(parsed) == 1:
        return TenderSchedule(parsed[0].root.chapters, parsed[0].root.lines, report)
    return TenderSchedule([_sheet_chapter(sheet) for sheet in parsed], [], report)


def _header(sheet: SheetData, report: ImportReport) -> Header | None:
    """The sheet's header, or None with the reason the sheet is skipped."""
    if not sheet.rows:
        code = "empty_sheet"
    elif sheet.hidden:
        code = "hidden_sheet"
    elif is_summary_sheet(sheet.title):
        code = "summary_sheet"
    else:
        header = find_header([row.values for row in sheet.rows])
        if header is not None:
            return header
        code = "no_header_sheet"
    report.entries.append(ReportEntry(code, sheet.title))
    return None


def _parse_sheet(sheet: SheetData, header: Header, report: ImportReport) -> _Sheet | None:
    rows = read_rows(sheet, header)
    if not rows.items:
        report.entries.append(ReportEntry("no_rows_sheet", sheet.title))
        report.entries.extend(rows.entries)
        return None
    tree = build_tree(rows.items)
    report.entries.extend(sorted(rows.entries + tree.entries, key=lambda e: e.row or 0))
    chapters = sum(1 for item in rows.items if isinstance(item.node, Chapter))
    title = _lot_title(sheet, header)
    report.sheets.append(SheetSummary(sheet.title, chapters, len(rows.items) - chapters, title))
    return _Sheet(sheet.title, title, tree.root)


def _lot_title(sheet: SheetData, header: Header) -> str:
    """'Lot 02 - Gros œuvre' from a title row above the header ('DPGF - Lot 02 - ...')."""
    for row in sheet.rows[: header.index]:
        for value in row.values:
            match = _LOT_TITLE.search(cell_text(value)) if isinstance(value, str) else None
            if match:
                return match.group(0).strip()
    return ""


def _sheet_chapter(sheet: _Sheet) -> Chapter:
    """The top-level chapter a sheet of a several-lot workbook becomes."""
    root = sheet.root
    number, title = split_title(sheet.title or sheet.name)
    if not root.lines and len(root.chapters) == 1:
        only = root.chapters[0]
        if not sheet.title or _same(number, title, only):
            return only  # the sheet's rows are one chapter: the lot itself
    return Chapter(number, title, root.lines, root.chapters, sheet=sheet.name)


def _same(number: str, title: str, chapter: Chapter) -> bool:
    """The lot title above the header names the chapter of the rows ("Lot 02" twice)."""
    if normalise(title) == normalise(chapter.title):
        return True
    lot, numbering = parse_numbering(number), parse_numbering(chapter.number)
    return lot is not None and numbering is not None and lot.parts == numbering.parts
