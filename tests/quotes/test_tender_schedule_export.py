"""Exporting a tree to .xlsx in the import's layout: round trips, cells, any tree."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chantier.quotes.tender_rows import is_total
from chantier.quotes.tender_schedule import (
    Chapter,
    Line,
    export_tender_schedule,
    parse_tender_schedule,
)
from tests.quotes import schedules

LAYOUTS = [
    "titled_dpgf",
    "outline_english",
    "lettered",
    "indented",
    "merged",
    "formulas_cached",
    "formulas_uncached",
    "to_price",
    "bpu",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("subtotals", [True, False])
def test_import_export_import_gives_the_same_tree(layout, subtotals):
    first = parse_tender_schedule(getattr(schedules, layout)())

    again = parse_tender_schedule(
        export_tender_schedule(first.chapters, first.lines, subtotals=subtotals)
    )

    assert (again.chapters, again.lines) == (first.chapters, first.lines)
    assert again.report.sheets[0].chapters == sum(c.count()[0] for c in first.chapters)


def test_several_lots_round_trip_one_sheet_per_lot():
    first = parse_tender_schedule(schedules.several_lots())

    content = export_tender_schedule(first.chapters, sheet_per_chapter=True)
    again = parse_tender_schedule(content)

    assert again.chapters == first.chapters
    names = openpyxl.load_workbook(io.BytesIO(content)).sheetnames
    assert names == ["Lot 01 Terrassement", "Lot 02 Gros œuvre", "3 Charpente"]


def test_the_sheet_has_the_layout_numbers_and_bold_chapters():
    first = parse_tender_schedule(schedules.titled_dpgf())

    sheet = openpyxl.load_workbook(io.BytesIO(export_tender_schedule(first.chapters))).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["N°", "Désignation", "U", "Qté", "PU", "Montant"]
    assert rows[1] == ["1", "INSTALLATION DE CHANTIER", None, None, None, None]
    assert rows[2] == ["1.1", "Installation et repli", "ens", 1, 2500, 2500]
    assert rows[6] == ["2.2", "Blindage des fouilles", "ens", 1, 800, 800]
    assert rows[7] == ["2.3", "Pompage éventuel", "h", "PM", None, None]
    assert rows[9] == ["2.1.1", "Fouilles en rigole", "m³", 12.5, 4.85, 60.63]
    assert rows[-1] == [None, "Total HT", None, None, None, 27061.13]  # remblais: 250, not 260
    assert sheet["A2"].font.bold and sheet["B2"].font.bold
    assert not sheet["B3"].font.bold
    assert sheet["B3"].alignment.indent == 1
    assert sheet["B10"].alignment.indent == 2
    assert sheet["F10"].number_format == "#,##0.00"
    assert sheet["F10"].data_type == "n"  # a value, not a formula


def test_texts_that_look_like_formulas_stay_texts():
    tree = [Chapter("1", '=HYPERLINK("http://x")', lines=[Line("1.1", "=1+1", "u", Decimal(1))])]

    content = export_tender_schedule(tree)

    assert parse_tender_schedule(content).chapters == tree


def test_lines_outside_chapters_need_a_single_sheet():
    with pytest.raises(ValueError):
        export_tender_schedule([], [Line("1", "Ouvrage", "u", Decimal(1))], sheet_per_chapter=True)


# Any tree: numbered 1/1.1/1.1.1, I/A/1/a, or not at all (then nested by indentation).

_letters = st.characters(categories=["L", "N"], max_codepoint=0x17F)
_texts = (
    st.text(st.one_of(_letters, st.sampled_from(" -'/()°²³,.&")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda text: text and text[0].isalpha() and not is_total(text))
)
_units = st.sampled_from(["", "u", "m²", "m³", "ml", "kg", "ens", "h"])
_quantities = st.decimals(min_value=-99999, max_value=99999, places=3, allow_nan=False)
_prices = st.decimals(min_value=-999999, max_value=999999, places=2, allow_nan=False)


@st.composite
def _lines(draw: st.DrawFn) -> Line:
    quantity = draw(st.none() | _quantities)
    price = draw(st.none() | _prices)
    unit = draw(_units)
    text = ""
    if (quantity is None and draw(st.booleans())) or not (quantity is not None or unit or price):
        text = draw(st.sampled_from(["PM", "à définir", "voir plan"]))
    return Line("", draw(_texts), unit, quantity, price, text)


@st.composite
def _chapters(draw: st.DrawFn, depth: int) -> Chapter:
    lines = draw(st.lists(_lines(), max_size=3))
    children = draw(st.lists(_chapters(depth + 1), max_size=3)) if depth < 3 else []
    return Chapter("", draw(_texts), lines, children)


_OUTLINE = [
    lambda n: ["I", "II", "III", "IV", "V", "VI", "VII"][n - 1],
    lambda n: chr(ord("A") + n - 1),
    str,
    lambda n: chr(ord("a") + n - 1),
]


def _number(tree: list[Chapter], lines: list[Line], style: str, prefix: str = "", depth: int = 0):
    for position, node in enumerate([*lines, *tree], start=1):
        if style == "dotted":
            node.number = f"{prefix}{position}"
        elif style == "outline":
            node.number = _OUTLINE[depth](position)
        if isinstance(node, Chapter):
            _number(node.chapters, node.lines, style, f"{node.number}.", depth + 1)


@st.composite
def _trees(draw: st.DrawFn, root_lines: bool) -> tuple[list[Chapter], list[Line]]:
    chapters = draw(st.lists(_chapters(1), min_size=1, max_size=3))
    lines = draw(st.lists(_lines(), max_size=2)) if root_lines else []
    _number(chapters, lines, draw(st.sampled_from(["dotted", "outline", "none"])))
    return chapters, lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees(root_lines=True), subtotals=st.booleans())
def test_any_tree_exported_then_imported_is_equal(tree, subtotals):
    chapters, lines = tree

    result = parse_tender_schedule(export_tender_schedule(chapters, lines, subtotals=subtotals))

    assert (result.chapters, result.lines) == (chapters, lines)
    expected = {"subtotal", "quantity_text", "quantity_missing"}  # what the tree itself says
    assert {entry.code for entry in result.report.entries} <= expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees(root_lines=False))
def test_any_tree_exported_one_sheet_per_chapter_then_imported_is_equal(tree):
    chapters, _ = tree

    result = parse_tender_schedule(export_tender_schedule(chapters, sheet_per_chapter=True))

    assert result.chapters == chapters
