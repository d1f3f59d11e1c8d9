"""Rows of a tender schedule one by one: numbers, quantities, prices, numbering, headers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.quotes.tender_header import column_key
from chantier.quotes.tender_numbers import parse_numbering, split_title
from chantier.quotes.tender_schedule import Chapter, Line, TenderSchedule, parse_tender_schedule
from tests.quotes.schedules import HEADER, Sheet, workbook


def parse(*rows: list[object], header: list[object] = HEADER) -> TenderSchedule:
    return parse_tender_schedule(workbook(Sheet("DPGF", [header, *rows])))


def only_line(*cells: object) -> Line:
    result = parse(["1", "Lot"], ["1.1", "Ouvrage", *cells])
    [line] = result.chapters[0].lines
    return line


def entries(result: TenderSchedule) -> list[str]:
    return [str(entry) for entry in result.report.entries]


@pytest.mark.parametrize(
    ("cells", "quantity", "unit"),
    [
        (("m³", 12.5), "12.500", "m³"),
        (("m³", "12,5"), "12.500", "m³"),
        (("m³", "1 250,00"), "1250.000", "m³"),
        (("m³", "1\u202f250,5"), "1250.500", "m³"),
        (("m³", "1.234,50"), "1234.500", "m³"),
        (("m³", "1,234.50"), "1234.500", "m³"),
        (("m³", 4.85), "4.850", "m³"),
        (("m³", 0.1 + 0.2), "0.300", "m³"),
        (("m", 2.0005), "2.001", "m"),
        ((None, "ens"), "1.000", "ens"),
        ((None, "forfait"), "1.000", "ens"),
        ((None, "Ft"), "1.000", "ens"),
        ((None, "F.F."), "1.000", "ens"),
        (("Fft", "ft"), "1.000", "Fft"),
    ],
)
def test_quantities_in_every_spelling(cells, quantity, unit):
    line = only_line(*cells)

    assert line.quantity == Decimal(quantity)
    assert str(line.quantity) == quantity
    assert line.unit == unit


def test_a_float_price_cell_comes_back_exact():
    assert only_line("u", 3, 4.85).unit_price == Decimal("4.85")
    assert only_line("u", 3, "1 234,5").unit_price == Decimal("1234.50")
    assert only_line("u", 3, 10.005).unit_price == Decimal("10.01")  # half-up to 2 places


def test_text_in_the_number_columns_is_reported_and_the_line_kept():
    result = parse(
        ["1", "Lot"],
        ["1.1", "Ouvrage A", "u", "à définir", "à chiffrer", "voir plan"],
        ["1.2", "Ouvrage B", "u", "1e30", 10, None],
    )

    assert result.chapters[0].lines == [
        Line("1.1", "Ouvrage A", "u", None, None, "à définir"),
        Line("1.2", "Ouvrage B", "u", None, Decimal("10.00")),
    ]
    assert entries(result) == [
        'DPGF, row 3: quantity "à définir" is not a number: the line has no quantity',
        'DPGF, row 3: unit price "à chiffrer" is not a number: left empty',
        'DPGF, row 3: amount "voir plan" is not a number: ignored',
        'DPGF, row 4: the number "1e30" in D4 is out of range: left empty',
    ]


def test_a_missing_unit_price_is_computed_from_the_amount():
    result = parse(["1", "Lot"], ["1.1", "Ouvrage", "u", 3, None, 1000])

    assert result.chapters[0].lines[0].unit_price == Decimal("333.33")
    assert entries(result) == [
        "DPGF, row 3: no unit price: computed from the amount, 1000.00 / 3.000 = 333.33",
        "DPGF, row 3: the amount 1000.00 differs from quantity × unit price = 999.99: "
        "the unit price is kept",
    ]


def test_an_amount_equal_after_rounding_is_no_mismatch():
    result = parse(["1", "Lot"], ["1.1", "Ouvrage", "u", 12.5, 551.49, 6893.625])

    assert result.chapters[0].lines[0].amount == Decimal("6893.63")  # french-rules §11.2
    assert entries(result) == []


def test_a_discount_line_keeps_its_sign():
    assert only_line("ens", 1, -150, -150).amount == Decimal("-150.00")


def test_repeated_headers_rows_without_designation_and_empty_rows():
    result = parse(
        ["1", "Lot"],
        ["1.1", "Ouvrage", "u", 1, 10, 10],
        [],
        ["N°", "Désignation", "U", "Qté", "PU", "Montant"],
        ["1.2", None, "u", 2, 10, 20],
        [None, None, None, None, None, 30],
        ["1.3", "Ouvrage 3", "u", 1, 5, 5],
    )

    assert [line.number for line in result.chapters[0].lines] == ["1.1", "1.3"]
    assert entries(result) == [
        "DPGF, row 5: row skipped: repeated header",
        "DPGF, row 6: row skipped: no designation",
        "DPGF, row 7: row skipped: no designation",
    ]


@pytest.mark.parametrize(
    "label",
    ["Total lot 02", "Sous-total", "S/Total maçonnerie", "TOTAL HT", "Montant TTC", "A reporter"],
)
def test_subtotal_rows_are_skipped_never_lines(label):
    result = parse(["1", "Lot"], ["1.1", "Ouvrage", "u", 1, 10, 10], [None, label, None, 1, 1, 10])

    assert [line.number for line in result.chapters[0].lines] == ["1.1"]
    assert entries(result) == [f'DPGF, row 4: row skipped: subtotal or total ("{label}")']


def test_totality_is_not_a_total():
    line = only_line("ens", 1, 10)
    result = parse(["1", "Lot"], ["1.1", "Totalité des menuiseries", "ens", 1, 10, 10])

    assert result.chapters[0].lines[0].description == "Totalité des menuiseries"
    assert line.description == "Ouvrage"


def test_the_header_is_found_below_a_title_block_whatever_its_spelling():
    header = ["  n° ", "DESIGNATION DES TRAVAUX", "Unité de mesure", "Qtés", "P.U. H.T.", "Total"]
    rows = [[f"Titre {n}"] for n in range(30)] + [header, ["1", "Lot"], ["1.1", "A", "u", 1, 2, 2]]

    result = parse_tender_schedule(workbook(Sheet("DPGF", rows)))

    assert result.chapters == [
        Chapter("1", "Lot", lines=[Line("1.1", "A", "u", Decimal("1.000"), Decimal("2.00"))])
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("N°", "number"),
        ("Réf.", "number"),
        ("Article", "number"),
        ("Désignation", "designation"),
        ("Libellé", "designation"),
        ("Description", "designation"),
        ("U", "unit"),
        ("Unité", "unit"),
        ("Qté", "quantity"),
        ("QUANTITÉ", "quantity"),
        ("Quantité estimée", "quantity"),
        ("PU", "unit_price"),
        ("Prix unitaire HT", "unit_price"),
        ("Prix Unitaire en € H.T.", "unit_price"),
        ("Montant", "amount"),
        ("Total HT", "amount"),
        ("Montant H.T. (€)", "amount"),
        ("Observations", None),
        ("Pu", "unit_price"),
        ("Publication", None),
    ],
)
def test_header_synonyms(name, key):
    assert column_key(name) == key


@pytest.mark.parametrize(
    ("text", "parts", "styles"),
    [
        ("1", ("1",), ("arabic",)),
        ("1.", ("1",), ("arabic",)),
        ("1.1.1", ("1", "1", "1"), ("arabic",) * 3),
        ("02.03.01", ("2", "3", "1"), ("arabic",) * 3),
        ("1.a", ("1", "a"), ("arabic", "letter")),
        ("1.1bis", ("1", "1bis"), ("arabic", "arabic")),
        ("IV", ("iv",), ("ROMAN",)),
        ("I", ("i",), ("LETTER?",)),
        ("B)", ("b",), ("LETTER",)),
        ("Lot 02", ("2",), ("lot",)),
        ("LOT N°3", ("3",), ("lot",)),
    ],
)
def test_numbers_are_parsed(text, parts, styles):
    numbering = parse_numbering(text)

    assert numbering is not None
    assert (numbering.parts, numbering.styles) == (parts, styles)


@pytest.mark.parametrize("text", ["", "GO-001", "CF.12.3x5", "Béton", "1.2.3.4.5.6.7.8.9"])
def test_codes_are_no_numbers(text):
    assert parse_numbering(text) is None


@pytest.mark.parametrize(
    ("text", "number", "title"),
    [
        ("Lot 02 - Gros œuvre", "Lot 02", "Gros œuvre"),
        ("LOT N°3 : CHARPENTE", "LOT N°3", "CHARPENTE"),
        ("1.2 Maçonnerie", "1.2", "Maçonnerie"),
        ("A - Terrassement", "A", "Terrassement"),
        ("II. Second œuvre", "II", "Second œuvre"),
        ("Aménagements extérieurs", "", "Aménagements extérieurs"),
        ("A Terrassement", "", "A Terrassement"),
    ],
)
def test_titles_are_split_from_their_number(text, number, title):
    assert split_title(text) == (number, title)


def test_letters_that_are_roman_numerals_follow_the_sequence():
    result = parse(
        ["I", "Premier"],
        ["H", "Sous-lot H"],
        ["I", "Sous-lot I"],
        ["1", "Ouvrage", "u", 1, 1, 1],
        ["II", "Deuxième"],
        ["IV", "Quatrième"],
        ["V", "Cinquième"],
    )

    assert [(c.number, [s.number for s in c.chapters]) for c in result.chapters] == [
        ("I", ["H", "I"]),
        ("II", []),
        ("IV", []),
        ("V", []),
    ]


def test_numbers_nest_under_lot_rows_and_across_missing_levels():
    result = parse(
        ["Lot 02", "Gros œuvre"],
        ["02.01", "Fondations"],
        ["02.01.01", "Semelles", "m³", 1, 1, 1],
        ["Lot 03", "Charpente"],
        ["1.1", "Fermettes", "u", 1, 1, 1],
        ["2", "Couverture"],
        ["2.1.1", "Tuiles", "m²", 1, 1, 1],
    )

    assert [(c.number, [s.number for s in c.chapters], len(c.lines)) for c in result.chapters] == [
        ("Lot 02", ["02.01"], 0),
        ("Lot 03", ["2"], 1),
    ]
    assert result.chapters[1].chapters[0].lines[0].number == "2.1.1"


def test_unnumbered_chapters_in_a_numbered_sheet_go_under_the_numbered_one():
    result = parse(
        ["1", "Menuiseries"],
        [None, "Variante A"],
        ["1.1", "Fenêtre", "u", 1, 1, 1],
        [None, "Variante B"],
        [None, "Porte", "u", 1, 1, 1],
        ["2", "Serrurerie"],
    )

    assert result.chapters == [
        Chapter(
            "1",
            "Menuiseries",
            lines=[Line("1.1", "Fenêtre", "u", Decimal("1.000"), Decimal("1.00"))],
            chapters=[
                Chapter("", "Variante A"),
                Chapter(
                    "",
                    "Variante B",
                    lines=[Line("", "Porte", "u", Decimal("1.000"), Decimal("1.00"))],
                ),
            ],
        ),
        Chapter("2", "Serrurerie"),
    ]


def test_lines_outside_any_chapter_of_a_single_sheet_stay_at_the_top():
    result = parse(
        ["1", "Installation", "ens", 1, 100, 100],
        ["2", "Gros œuvre"],
        ["2.1", "Béton", "m³", 1, 1, 1],
    )

    assert result.lines == [Line("1", "Installation", "ens", Decimal("1.000"), Decimal("100.00"))]
    assert [c.number for c in result.chapters] == ["2"]


def test_a_number_typed_as_a_number_reads_as_its_text():
    result = parse([1, "Lot"], [1.1, "Ouvrage", "u", 1, 1, 1], [1.2, "Ouvrage", "u", 1, 1, 1])

    assert [line.number for line in result.chapters[0].lines] == ["1.1", "1.2"]


def test_a_title_written_in_the_number_column_or_merged_from_the_left_is_a_chapter():
    content = workbook(
        Sheet(
            "DPGF",
            [
                [None, *HEADER],
                [None, "LOT 02 - GROS ŒUVRE"],  # in the N° column, not merged
                [None, "02.01", "Béton", "m³", 3, 100, 300],
                ["Lot 03 – Charpente"],  # left of the table, merged across it
                [None, "03.01", "Fermettes", "u", 2, 50, 100],
            ],
            merges=["A4:G4"],
        )
    )

    result = parse_tender_schedule(content)

    assert result.chapters == [
        Chapter(
            "LOT 02",
            "GROS ŒUVRE",
            lines=[Line("02.01", "Béton", "m³", Decimal("3.000"), Decimal("100.00"))],
        ),
        Chapter(
            "Lot 03",
            "Charpente",
            lines=[Line("03.01", "Fermettes", "u", Decimal("2.000"), Decimal("50.00"))],
        ),
    ]
    assert entries(result) == []
