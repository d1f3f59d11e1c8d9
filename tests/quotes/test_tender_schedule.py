"""Importing tender schedules (DPGF/BPU) of different layouts: exact trees, exact reports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.quotes.tender_schedule import Chapter, Line, parse_tender_schedule
from tests.quotes import schedules


def line(
    number: str,
    description: str,
    unit: str,
    quantity: str | None,
    unit_price: str | None,
    quantity_text: str = "",
) -> Line:
    return Line(
        number,
        description,
        unit,
        None if quantity is None else Decimal(quantity),
        None if unit_price is None else Decimal(unit_price),
        quantity_text,
    )


def test_title_rows_french_synonyms_numbering_totals_and_odd_quantities():
    result = parse_tender_schedule(schedules.titled_dpgf())

    assert result.lines == []
    assert result.chapters == [
        Chapter(
            "1",
            "INSTALLATION DE CHANTIER",
            lines=[
                line("1.1", "Installation et repli", "ens", "1.000", "2500.00"),
                line("1.2", "Panneau de chantier", "u", "1.000", "450.50"),
            ],
        ),
        Chapter(
            "2",
            "TERRASSEMENTS",
            lines=[
                line("2.2", "Blindage des fouilles", "ens", "1.000", "800.00"),
                line("2.3", "Pompage éventuel", "h", None, None, quantity_text="PM"),
            ],
            chapters=[
                Chapter(
                    "2.1",
                    "Fouilles",
                    lines=[
                        line("2.1.1", "Fouilles en rigole", "m³", "12.500", "4.85"),
                        line("2.1.2", "Évacuation des déblais", "m³", "1250.000", "18.40"),
                        line("2.1.3", "Remblais", "m³", "12.500", "20.00"),
                    ],
                )
            ],
        ),
    ]
    assert result.report.lines() == [
        "DPGF Lot 02: imported 3 chapters, 7 lines",
        'DPGF Lot 02, row 9: row skipped: subtotal or total ("Sous-total 1")',
        "DPGF Lot 02, row 14: the amount 260.00 differs from quantity × unit price = 250.00: "
        "the unit price is kept",
        "DPGF Lot 02, row 15: line after a sub-chapter: placed before the sub-chapters of its "
        "chapter",
        'DPGF Lot 02, row 16: quantity "PM" is not a number: the line has no quantity',
        "DPGF Lot 02, row 16: line after a sub-chapter: placed before the sub-chapters of its "
        "chapter",
        'DPGF Lot 02, row 17: row skipped: subtotal or total ("Total 2 TERRASSEMENTS")',
        'DPGF Lot 02, row 19: row skipped: subtotal or total ("TOTAL HT")',
        'DPGF Lot 02, row 20: row skipped: subtotal or total ("TVA 20 %")',
        'DPGF Lot 02, row 21: row skipped: subtotal or total ("TOTAL TTC")',
    ]
    assert result.report.sheets[0].title == "Lot 02 - Gros œuvre"
    assert [entry.code for entry in result.report.skipped] == ["subtotal"] * 5


def test_a_float_cell_keeps_its_shortest_text_and_amounts_round_half_up():
    fouilles = parse_tender_schedule(schedules.titled_dpgf()).chapters[1].chapters[0]
    rigole = fouilles.lines[0]

    assert rigole.unit_price == Decimal("4.85")
    assert str(rigole.quantity) == "12.500"
    assert rigole.amount == Decimal("60.63")  # 12.5 × 4.85 = 60.625, half-up
    assert fouilles.subtotal == Decimal("60.63") + Decimal("23000.00") + Decimal("250.00")


def test_english_headers_and_roman_letter_arabic_outline():
    result = parse_tender_schedule(schedules.outline_english())

    assert result.chapters == [
        Chapter(
            "I",
            "SUBSTRUCTURE",
            chapters=[
                Chapter(
                    "A",
                    "Excavation",
                    lines=[
                        line("1", "Bulk excavation", "m3", "100.000", "12.00"),
                        line("2", "Trenches", "m", "40.000", "25.50"),
                    ],
                ),
                Chapter("B", "Concrete", lines=[line("1", "Blinding", "m2", "30.000", "9.90")]),
                Chapter(
                    "C", "Reinforcement", lines=[line("1", "Rebars", "kg", "1200.000", "1.85")]
                ),
            ],
        ),
        Chapter(
            "II",
            "SUPERSTRUCTURE",
            chapters=[
                Chapter("A", "Walls", lines=[line("1", "Blockwork", "m2", "250.000", "42.00")])
            ],
        ),
        Chapter("III", "ROOF", lines=[line("1", "Tiles", "m2", "120.000", "35.00")]),
    ]
    assert result.report.lines() == ["BoQ: imported 7 chapters, 6 lines"]


def test_numbering_with_letters_after_a_dot():
    result = parse_tender_schedule(schedules.lettered())

    assert result.chapters == [
        Chapter(
            "1",
            "Maçonnerie",
            lines=[
                line("1.a", "Mur en parpaings de 20", "m²", "85.000", "48.50"),
                line("1.b", "Linteaux", "ml", "12.500", "22.00"),
            ],
        ),
        Chapter("2", "Enduits", lines=[line("2.a", "Enduit monocouche", "m²", "85.000", "31.20")]),
    ]
    assert result.report.lines() == ["Maçonnerie: imported 2 chapters, 3 lines"]


INDENTED = [
    Chapter(
        "",
        "PLÂTRERIE",
        chapters=[
            Chapter(
                "",
                "Cloisons",
                lines=[
                    line("", "Cloison 72/48", "m²", "42.000", "38.50"),
                    line("", "Cloison 98/48", "m²", "12.000", "44.00"),
                ],
            ),
            Chapter("", "Doublages", lines=[line("", "Doublage 10+40", "m²", "80.000", "29.90")]),
        ],
    ),
    Chapter("", "PEINTURE", lines=[line("", "Peinture murs", "m²", "300.000", "9.50")]),
]


@pytest.mark.parametrize(
    "options",
    [{}, {"spaces": True}, {"flush_lines": True}, {"spaces": True, "flush_lines": True}],
    ids=["alignment", "spaces", "alignment-lines-flush", "spaces-lines-flush"],
)
def test_without_numbers_the_indentation_nests(options):
    result = parse_tender_schedule(schedules.indented(**options))

    assert result.chapters == INDENTED
    assert result.report.lines() == ["Second œuvre: imported 4 chapters, 4 lines"]


def test_merged_designations_and_titles_merged_across_the_row():
    result = parse_tender_schedule(schedules.merged())

    assert result.chapters == [
        Chapter(
            "1",
            "STRUCTURE BOIS",
            lines=[
                line("1.1", "Poteaux lamellé-collé", "u", "8.000", "320.00"),
                line("1.2", "Poutres", "ml", "42.500", "85.00"),
            ],
        ),
        Chapter("2", "COUVERTURE", lines=[line("2.1", "Liteaunage", "m²", "120.000", "12.40")]),
    ]
    assert result.report.lines() == [
        "Charpente: imported 2 chapters, 3 lines",
        'Charpente, row 8: row skipped: subtotal or total ("TOTAL LOT 03")',
    ]
    assert result.report.sheets[0].title == "LOT 03 CHARPENTE"


def test_one_sheet_per_lot_becomes_a_top_level_chapter():
    result = parse_tender_schedule(schedules.several_lots())

    assert result.lines == []
    assert result.chapters == [
        Chapter(
            "Lot 01",
            "Terrassement",
            chapters=[
                Chapter(
                    "1",
                    "Préparation",
                    lines=[line("1.1", "Décapage de la terre végétale", "m²", "450.000", "2.10")],
                ),
                Chapter(
                    "2",
                    "Fouilles",
                    lines=[line("2.1", "Fouilles en pleine masse", "m³", "180.000", "14.00")],
                ),
            ],
        ),
        Chapter(
            "Lot 02",
            "Gros œuvre",
            chapters=[
                Chapter(
                    "02.01",
                    "Fondations",
                    lines=[line("02.01.01", "Semelles filantes", "m³", "18.000", "165.00")],
                ),
                Chapter(
                    "02.02",
                    "Élévations",
                    lines=[line("02.02.01", "Voiles béton", "m²", "64.000", "98.00")],
                ),
            ],
        ),
        Chapter("3", "Charpente", lines=[line("3.1", "Fermettes", "u", "14.000", "95.00")]),
    ]
    assert result.report.lines() == [
        "Lot 01 Terrassement: imported 2 chapters, 2 lines",
        "Lot 02: imported 2 chapters, 2 lines",
        "Lot 03: imported 1 chapter, 1 line",
        "Page de garde: sheet skipped: no header row (N°, Désignation, U, Qté, PU, Montant)",
        "Calculs: hidden sheet skipped",
        "Récapitulatif: summary sheet skipped",
        "Feuil3: empty sheet skipped",
    ]


def test_formulas_are_read_through_their_cached_values():
    result = parse_tender_schedule(schedules.formulas_cached())

    assert result.chapters == [
        Chapter(
            "1",
            "Menuiseries extérieures",
            lines=[
                line("1.1", "Fenêtre 2 vantaux", "u", "6.000", "640.00"),
                line("1.2", "Porte-fenêtre", "u", "4.000", "910.40"),
                line("1.3", "Volets roulants", "u", "10.000", "160.00"),
            ],
        )
    ]
    assert result.report.lines() == [
        "Menuiseries: imported 1 chapter, 3 lines",
        'Menuiseries, row 6: row skipped: subtotal or total ("Total 1")',
    ]


def test_formulas_without_cached_values_are_reported_and_read_as_empty():
    result = parse_tender_schedule(schedules.formulas_uncached())

    assert result.chapters[0].lines == [
        line("1.1", "Fenêtre 2 vantaux", "u", "6.000", "640.00"),
        line("1.2", "Porte-fenêtre", "u", None, "910.40"),
        line("1.3", "Volets roulants", "u", "10.000", None),
    ]
    hint = "has no computed value (open and save the file in Excel or LibreOffice): read as empty"
    assert result.report.lines() == [
        "Menuiseries: imported 1 chapter, 3 lines",
        f"Menuiseries, row 3: the formula in F3 {hint}",
        f"Menuiseries, row 4: the formula in D4 {hint}",
        f"Menuiseries, row 4: the formula in F4 {hint}",
        f"Menuiseries, row 5: the formula in E5 {hint}",
        f"Menuiseries, row 5: the formula in F5 {hint}",
        'Menuiseries, row 6: row skipped: subtotal or total ("Total 1")',
    ]
    assert {entry.code for entry in result.report.warnings} == {"formula_no_value"}


def test_a_schedule_to_price_keeps_its_lines_without_prices():
    result = parse_tender_schedule(schedules.to_price())

    assert result.chapters == [
        Chapter(
            "1",
            "Carrelage",
            lines=[
                line("1.1", "Carrelage 45x45", "m²", "64.250", None),
                line("1.2", "Plinthes", "ml", "58.000", None),
                line("1.3", "Seuils", "u", None, None),
            ],
        )
    ]
    assert all(line.amount is None for line in result.chapters[0].lines)
    assert result.chapters[0].subtotal is None
    assert result.report.lines() == [
        "DPGF: imported 1 chapter, 3 lines",
        "DPGF, row 5: the line has no quantity",
    ]


def test_a_bpu_without_quantity_column_gives_lines_by_their_unit():
    result = parse_tender_schedule(schedules.bpu())

    assert result.chapters == [
        Chapter(
            "A",
            "Maçonnerie",
            lines=[
                line("A.1", "Mur en briques", "m²", None, "52.30"),
                line("A.2", "Chaînage", "ml", None, None),
            ],
        )
    ]
    assert result.report.lines() == ["BPU: imported 1 chapter, 2 lines"]


def test_nodes_remember_where_they_came_from_without_it_being_part_of_their_value():
    result = parse_tender_schedule(schedules.several_lots())
    semelles = result.chapters[1].chapters[0].lines[0]

    assert (semelles.sheet, semelles.row) == ("Lot 02", 5)
    assert semelles == line("02.01.01", "Semelles filantes", "m³", "18.000", "165.00")


def test_a_lot_title_naming_the_sheet_s_only_chapter_is_not_nested_twice():
    header = schedules.HEADER
    content = schedules.workbook(
        schedules.Sheet(
            "Plomberie",
            [
                ["DPGF - LOT 04 - PLOMBERIE"],
                header,
                ["4", "Plomberie"],
                ["4.1", "WC", "u", 2, 310, 620],
            ],
        ),
        schedules.Sheet(
            "Électricité",
            [
                ["Lot 05 - Électricité"],
                header,
                ["1", "Tableau"],
                ["1.1", "Tableau", "u", 1, 900, 900],
            ],
        ),
    )

    result = parse_tender_schedule(content)

    assert result.chapters == [
        Chapter("4", "Plomberie", lines=[line("4.1", "WC", "u", "2.000", "310.00")]),
        Chapter(
            "Lot 05",
            "Électricité",
            chapters=[
                Chapter("1", "Tableau", lines=[line("1.1", "Tableau", "u", "1.000", "900.00")])
            ],
        ),
    ]
    assert [summary.title for summary in result.report.sheets] == [
        "LOT 04 - PLOMBERIE",
        "Lot 05 - Électricité",
    ]
