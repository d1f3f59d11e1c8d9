"""Finding the header row of a tender schedule by the names of its columns.

Names are compared through `chantier.catalogue.spreadsheets.normalise` (case, accents,
spaces, punctuation and a trailing "HT" ignored): "Prix unitaire H.T. (€)" is "PU".
The catalogue's own `find_header` wants a reference column and the first rows only;
a schedule needs a designation column and may have title rows above its header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from chantier.catalogue.spreadsheets import normalise

HEADER_SEARCH_ROWS = 40  # a DPGF starts with a title block: operation, client, lot...
NUMBER, DESIGNATION, UNIT, QUANTITY, UNIT_PRICE, AMOUNT = (
    "number",
    "designation",
    "unit",
    "quantity",
    "unit_price",
    "amount",
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    NUMBER: (
        "n°",
        "no",
        "nº",
        "num",
        "numéro",
        "n° prix",
        "n° article",
        "réf",
        "ref",
        "référence",
        "article",
        "art",
        "item",
        "code",
        "poste",
        "repère",
        "rep",
        "index",
    ),
    DESIGNATION: (
        "désignation",
        "libellé",
        "description",
        "intitulé",
        "désignation des ouvrages",
        "désignation des travaux",
        "nature des ouvrages",
        "nature des travaux",
        "ouvrage",
        "ouvrages",
        "descriptif",
    ),
    UNIT: ("u", "unité", "unités", "un", "unit", "unité de mesure"),
    QUANTITY: ("qté", "qte", "qtés", "quantité", "quantités", "quant", "qty", "quantity"),
    UNIT_PRICE: ("pu", "p.u.", "prix unitaire", "prix unit", "prix", "unit price", "price"),
    AMOUNT: (
        "montant",
        "montant total",
        "total",
        "total ht",
        "prix total",
        "amount",
        "total price",
    ),
}
SUMMARY_SHEETS = ("recap", "synthese", "resume", "summary", "sommaire", "totaux", "total")
PREFIX_MIN = 5  # "Quantité estimée" is a quantity; "PU" must be written in full


@dataclass(frozen=True)
class Header:
    """Row index (in the rows read) of the header and the 0-based column of each key."""

    index: int
    columns: dict[str, int]

    def designation_span(self, width: int) -> range:
        """The designation column and the unnamed columns after it (a merged header)."""
        start = self.columns[DESIGNATION]
        after = [col for col in self.columns.values() if col > start]
        return range(start, min([*after, width, start + 4]))


@cache
def _exact() -> dict[str, str]:
    return {normalise(word): key for key, words in SYNONYMS.items() for word in words}


@cache
def _prefixes() -> list[tuple[str, str]]:
    found = [(word, key) for word, key in _exact().items() if len(word) >= PREFIX_MIN]
    return sorted(found, key=lambda pair: -len(pair[0]))


def column_key(value: object) -> str | None:
    """The key a header cell names, if any."""
    if not isinstance(value, str):
        return None
    text = normalise(value)
    if not text:
        return None
    key = _exact().get(text)
    if key is None:
        key = next((k for word, k in _prefixes() if text.startswith(word)), None)
    return key


def header_columns(cells: Sequence[object]) -> dict[str, int]:
    """Each key named by the row's cells, at its first column."""
    columns: dict[str, int] = {}
    for position, value in enumerate(cells):
        key = column_key(value)
        if key is not None:
            columns.setdefault(key, position)
    return columns


def is_header(columns: dict[str, int]) -> bool:
    return DESIGNATION in columns and len(columns) >= 3


def find_header(rows: Sequence[Sequence[object]]) -> Header | None:
    """The first row naming a designation column and two other columns."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = header_columns(cells)
        if is_header(columns):
            return Header(index, columns)
    return None


def repeats_header(cells: Sequence[object], header: Header) -> bool:
    """A header printed again further down (page breaks of an exported PDF-like sheet)."""
    if column_key(cells[header.columns[DESIGNATION]]) != DESIGNATION:
        return False
    columns = header_columns(cells)
    same = sum(1 for key, col in columns.items() if header.columns.get(key) == col)
    return same >= 3 and DESIGNATION in columns


def is_summary_sheet(name: str) -> bool:
    """'Récapitulatif', 'Synthèse', 'Total général'...: a summary of the other sheets."""
    return normalise(name).startswith(SUMMARY_SHEETS)
