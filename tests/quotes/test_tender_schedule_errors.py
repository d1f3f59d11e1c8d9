"""Files refused as a whole: a specific error with a stable code, nothing returned."""

from __future__ import annotations

import io
import zipfile

import pytest

from chantier.catalogue.spreadsheets import SpreadsheetError
from chantier.core.exceptions import DomainError
from chantier.quotes.tender_schedule import TenderScheduleError, parse_tender_schedule
from tests.quotes import schedules


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


BROKEN = {
    "empty": (b"", "empty_file", "The file is empty."),
    "blank": (b"  \n", "empty_file", "The file is empty."),
    "pdf": (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
        "pdf",
        "This is a PDF file: a tender schedule can be imported from an Excel .xlsx file.",
    ),
    "xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
        "xls",
        "This is an old Excel .xls file (or a workbook protected by a password): "
        "save it as .xlsx and import it again.",
    ),
    "csv": (
        "N°;Désignation;U;Qté;PU\n1.1;Béton;m³;12,5;95\n".encode(),
        "not_xlsx",
        "This file is not an Excel .xlsx spreadsheet.",
    ),
    "ods": (
        _ods(),
        "ods",
        "This is an OpenDocument .ods file: save it as Excel .xlsx and import it again.",
    ),
    "truncated": (
        schedules.titled_dpgf()[:1500],
        "corrupted",
        "This .xlsx file is damaged and cannot be read.",
    ),
    "garbage zip": (
        b"PK\x03\x04" + b"\x00garbage" * 50,
        "corrupted",
        "This .xlsx file is damaged and cannot be read.",
    ),
    "zip without workbook": (
        _zip_without_workbook(),
        "corrupted",
        "This .xlsx file is damaged and cannot be read.",
    ),
    "empty workbook": (schedules.empty_workbook(), "empty_workbook", "The workbook has no data."),
    "no header": (
        schedules.no_header(),
        "no_header",
        "No header row found: the schedule needs a row naming its columns, with at least "
        "Désignation and two of N°, U, Qté, PU, Montant.",
    ),
    "header but no rows": (
        schedules.header_only(),
        "no_rows",
        "The schedule has a header but no rows to import.",
    ),
}


@pytest.mark.parametrize(("content", "code", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_file_that_cannot_be_imported_is_refused_with_its_reason(content, code, message):
    with pytest.raises(TenderScheduleError) as refused:
        parse_tender_schedule(content)

    assert refused.value.code == code
    assert refused.value.message == message
    assert refused.value.field == "file"


def test_the_error_is_a_domain_error_the_views_already_map():
    assert issubclass(TenderScheduleError, SpreadsheetError)
    assert issubclass(TenderScheduleError, DomainError)


def test_only_summary_and_hidden_sheets_is_no_header():
    content = schedules.workbook(
        schedules.Sheet("Récapitulatif", [schedules.HEADER, ["1", "Lot 1", "ens", 1, 1, 1]]),
        schedules.Sheet("Data", [schedules.HEADER, ["1", "Métré", "ens", 1, 1, 1]], hidden=True),
    )

    with pytest.raises(TenderScheduleError) as refused:
        parse_tender_schedule(content)

    assert refused.value.code == "no_header"


def test_too_many_rows_is_refused(monkeypatch):
    from chantier.quotes import tender_workbook

    monkeypatch.setattr(tender_workbook, "MAX_ROWS", 10)
    content = schedules.workbook(
        schedules.Sheet("DPGF", [schedules.HEADER] + [["1", "x", "u", 1, 1, 1]] * 11)
    )

    with pytest.raises(TenderScheduleError) as refused:
        parse_tender_schedule(content)

    assert refused.value.code == "too_many_rows"
    assert refused.value.message == "The file has more than 10 rows: split it."
