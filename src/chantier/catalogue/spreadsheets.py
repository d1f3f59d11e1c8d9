"""Reading CSV and XLSX files into rows, and the catalogue's column vocabulary.

French Excel writes CSV with ";" and a decimal comma, in UTF-8 (with BOM) or
Windows-1252; other tools write "," and a decimal point. Both are read. Cells
are converted through chantier.core.money.to_decimal, never through a float (billing.md,
"Pitfalls": a cell 4.85 must stay 4.85).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from chantier.catalogue.models import Item
from chantier.core.exceptions import DomainError
from chantier.core.money import to_decimal

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 20
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (key, header written on export); the header is translated when the file is written.
COLUMNS = [
    ("reference", gettext_lazy("Reference")),
    ("name", pgettext_lazy("item", "Name")),
    ("kind", gettext_lazy("Kind")),
    ("structure", gettext_lazy("Structure")),
    ("unit", gettext_lazy("Unit")),
    ("purchase_cost", gettext_lazy("Purchase cost")),
    ("sale_price", gettext_lazy("Sale price")),
    ("vat_rate", gettext_lazy("VAT")),
    ("supplier", gettext_lazy("Supplier")),
    ("supplier_reference", gettext_lazy("Supplier reference")),
    ("category", gettext_lazy("Category")),
    ("subcategory", gettext_lazy("Subcategory")),
    ("datasheet_url", gettext_lazy("Data sheet")),
    ("description", gettext_lazy("Description")),
]

SYNONYMS = {
    "reference": ["reference", "référence", "réf", "ref", "code", "réf article", "code article"],
    "name": ["name", "désignation", "libellé", "nom", "intitulé"],
    "kind": ["kind", "type", "nature", "type d'article"],
    "structure": ["structure", "composition"],
    "unit": ["unit", "unité", "u", "unité de mesure"],
    "purchase_cost": [
        "purchase cost",
        "cost",
        "coût d'achat",
        "coût",
        "prix d'achat",
        "pa",
        "déboursé",
    ],
    "sale_price": [
        "sale price",
        "price",
        "prix de vente",
        "pu",
        "pv",
        "prix unitaire",
        "prix",
    ],
    "vat_rate": ["vat", "vat rate", "tva", "taux de tva", "taux tva", "tva %"],
    "supplier": ["supplier", "fournisseur"],
    "supplier_reference": [
        "supplier reference",
        "supplier ref",
        "réf fournisseur",
        "référence fournisseur",
        "réf. fournisseur",
        "ref fournisseur",
    ],
    "category": ["category", "catégorie", "famille"],
    "subcategory": [
        "subcategory",
        "sub-category",
        "sous-catégorie",
        "sous catégorie",
        "sous-famille",
    ],
    "datasheet_url": [
        "data sheet",
        "datasheet",
        "fiche technique",
        "lien fiche technique",
        "fiche",
        "url",
    ],
    "description": ["description", "descriptif", "détail"],
}


class SpreadsheetError(DomainError):
    """The file cannot be read as a table, or has no recognisable header: nothing imported."""


def normalise(text: object) -> str:
    """'Prix de vente HT (€)' -> 'prixdevente': lower case, no accents, no punctuation."""
    folded = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").casefold())
    letters = "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))
    # "Prix de vente HT" names the same column as "Prix de vente".
    if letters.endswith("ht") and len(letters) > 3:
        letters = letters.removesuffix("ht")
    return letters


@cache
def _header_keys() -> dict[str, str]:
    keys = {normalise(word): key for key, words in SYNONYMS.items() for word in words}
    for key, label in COLUMNS:
        for lang in ("en", "fr"):
            with translation.override(lang):
                keys.setdefault(normalise(str(label)), key)
    return keys


def choice_values(choices: type[Item.Kind] | type[Item.Structure]) -> dict[str, str]:
    """Every way a choice may be written (code, English or French label) -> its code."""
    found: dict[str, str] = {}
    for code, label in choices.choices:
        found[normalise(code)] = code
        for lang in ("en", "fr"):
            with translation.override(lang):
                found[normalise(str(label))] = code
    return found


def read_rows(content: bytes) -> list[tuple[int, list[object]]]:
    """The file's rows with their 1-based numbers, as the user's spreadsheet shows them."""
    if content.startswith(b"PK\x03\x04"):
        rows = list(_xlsx_rows(content))
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("This is an old Excel .xls file: save it as .xlsx or CSV and import it again."),
            field="file",
        )
    else:
        rows = list(_csv_rows(content))
    if len(rows) > MAX_ROWS:
        raise SpreadsheetError(
            _("The file has more than %(n)d rows: split it.") % {"n": MAX_ROWS}, field="file"
        )
    return rows


def find_header(rows: list[tuple[int, list[object]]]) -> tuple[int, dict[str, int]]:
    """The header row (its index in `rows`) and the column index of each known key."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            key = _header_keys().get(normalise(cell)) if cell is not None else None
            if key is not None:
                columns.setdefault(key, position)
        if "reference" in columns and len(columns) >= 2:
            return index, columns
    raise SpreadsheetError(
        _(
            "No header row found: the first row must name the columns, with at least a "
            "reference column (e.g. Référence; Désignation; Prix de vente)."
        ),
        field="file",
    )


def cell_text(value: object) -> str:
    """A cell as text: 1234.0 from Excel becomes '1234', a CSV-escaped formula is restored."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


def cell_number(value: object) -> Decimal:
    """A cell as Decimal: 4.85 (float cell), '4,85', '1 234,50', '1.234,50' or '1,234.50'."""
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in text and "." in text:
            # The last separator is the decimal one; the other groups thousands.
            text = (
                text.replace(".", "")
                if text.rfind(",") > text.rfind(".")
                else text.replace(",", "")
            )
        value = text
    return to_decimal(value)


def escape_formula(text: str) -> str:
    """CSV cells are read by Excel: a leading = + - @ would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                yield number, []
                break
            yield number, [_xlsx_value(cell) for cell in cells]
        book.close()
    except SpreadsheetError:
        raise
    except Exception:  # an untrusted file in a third-party parser: any failure is "unreadable"
        raise SpreadsheetError(
            _("This file is not a readable spreadsheet (CSV or Excel .xlsx)."), field="file"
        ) from None


def _xlsx_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        return to_decimal(value) * 100  # a cell showing 20 % holds 0.2
    return value


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    text = _decode(content)
    sample = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in sample) for sep in (";", ",", "\t")}
    delimiter = max(counts, key=lambda sep: (counts[sep], sep == ";"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells)
    except csv.Error:
        raise SpreadsheetError(
            _("This file is not a readable spreadsheet (CSV or Excel .xlsx)."), field="file"
        ) from None


def _decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")  # what French Excel writes for "CSV (séparateur: ;)"
        except UnicodeDecodeError:
            text = ""
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
    if not text.strip() or control:
        raise SpreadsheetError(
            _("This file is not a readable spreadsheet (CSV or Excel .xlsx)."), field="file"
        )
    return text
