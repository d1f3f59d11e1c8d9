"""Catalogue export: CSV as French Excel opens it, and XLSX with numbers as numbers.

The columns are those the import recognises, so an exported file imports back
unchanged (tests/catalogue/test_import_export.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from chantier.catalogue.models import Item
from chantier.catalogue.spreadsheets import COLUMNS, escape_formula

NUMBER_FORMATS = {"purchase_cost": "0.0000", "sale_price": "0.00", "vat_rate": "0.00"}
WIDTHS = {"reference": 16, "name": 40, "description": 40, "datasheet_url": 30}


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def item_values(item: Item) -> dict[str, object]:
    """One item as export cells (labels in the active language; numbers as Decimal)."""
    category = item.category
    top, sub = "", ""
    if category is not None:
        top, sub = (category.parent.name, category.name) if category.parent else (category.name, "")
    return {
        "reference": item.reference,
        "name": item.name,
        "kind": str(item.get_kind_display()),
        "structure": str(item.get_structure_display()),
        "unit": item.unit,
        "purchase_cost": item.purchase_cost,
        "sale_price": item.sale_price,
        "vat_rate": item.vat_rate,
        "supplier": item.supplier.name if item.supplier else "",
        "supplier_reference": item.supplier_reference,
        "category": top,
        "subcategory": sub,
        "datasheet_url": item.datasheet_url,
        "description": item.description,
    }


def _rows(items: Iterable[Item]) -> Iterator[list[object]]:
    for item in items:
        values = item_values(item)
        yield [values[key] for key, _label in COLUMNS]


def export_csv(items: Iterable[Item]) -> bytes:
    """Semicolon-separated, UTF-8 with BOM, decimal comma: what French Excel opens as is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    for row in _rows(items):
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return escape_formula(str(value))


def export_xlsx(items: Iterable[Item]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Catalogue")
    keys = [key for key, _label in COLUMNS]
    for index, key in enumerate(keys):
        sheet.column_dimensions[_letter(index)].width = WIDTHS.get(key, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(items):
        sheet.append([_xlsx_cell(sheet, key, value) for key, value in zip(keys, row, strict=True)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: object, key: str, value: object) -> WriteOnlyCell:
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS.get(key, "General")
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text:
        return WriteOnlyCell(sheet, value=None)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # a name starting with "=" is text, not a formula
    return cell


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
