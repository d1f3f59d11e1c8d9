"""Tender schedules (DPGF/BPU) built with openpyxl, laid out as architects send them.

`workbook(Sheet(...), ...)` writes rows of plain values or `Styled` cells; each builder
below gives the bytes of one schedule layout. openpyxl cannot compute formulas: it writes
them without a value, as a file saved by a tool that never calculated. `cache_formulas`
puts the values a spreadsheet program would have stored into the file's XML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Alignment, Font


@dataclass
class Styled:
    value: object
    indent: int = 0
    bold: bool = False


@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[object]]
    merges: Sequence[str] = ()
    hidden: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)  # cell -> value, e.g. {"H40": 1}


def workbook(*sheets: Sheet) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        for number, row in enumerate(spec.rows, start=1):
            for column, value in enumerate(row, start=1):
                _write(sheet.cell(number, column), value)
        for coordinate, value in spec.extra.items():
            sheet[coordinate] = value
        for merged in spec.merges:
            sheet.merge_cells(merged)
        if spec.hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(cell: openpyxl.cell.Cell, value: object) -> None:
    if isinstance(value, Styled):
        cell.value = value.value
        if value.indent:
            cell.alignment = Alignment(indent=value.indent)
        if value.bold:
            cell.font = Font(bold=True)
    else:
        cell.value = value


def cache_formulas(content: bytes, values: Mapping[tuple[int, str], object]) -> bytes:
    """Store computed values of formulas: {(sheet index, "F5"): 60.63}."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            for (index, cell), value in values.items():
                if item.filename == f"xl/worksheets/sheet{index + 1}.xml":
                    data = _cache(data, cell, value)
            target.writestr(item, data)
    return buffer.getvalue()


def _cache(xml: bytes, cell: str, value: object) -> bytes:
    """openpyxl writes <c r="F5"><f>D5*E5</f><v></v></c>: fill the <v>."""
    formula = rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)(?:<v\s*/>|<v></v>)'
    text, count = re.subn(formula, lambda match: f"{match.group(1)}<v>{value}</v>", xml.decode())
    assert count == 1, cell
    return text.encode()


HEADER = ["N°", "Désignation", "U", "Qté", "PU", "Montant"]


def titled_dpgf() -> bytes:
    """Title rows above the header, French synonyms, 1 / 1.1 / 1.1.1, totals, odd quantities."""
    rows = [
        ["DOSSIER DE CONSULTATION DES ENTREPRISES"],
        ["Construction de 12 logements – Lyon 3e"],
        [None, "DPGF - Lot 02 - Gros œuvre"],
        [],
        ["N°", "Désignation des ouvrages", "U", "Quantité", "Prix unitaire HT (€)", "Montant HT"],
        ["1", "INSTALLATION DE CHANTIER"],
        ["1.1", "Installation et repli", None, "forfait", 2500, 2500],
        ["1.2", "Panneau de chantier", "u", 1, 450.5, 450.5],
        [None, "Sous-total 1", None, None, None, 2950.5],
        ["2", "TERRASSEMENTS"],
        ["2.1", "Fouilles"],
        ["2.1.1", "Fouilles en rigole", "m³", 12.5, 4.85, 60.63],
        ["2.1.2", "Évacuation des déblais", "m³", "1 250,00", "18,40", 23000],
        ["2.1.3", "Remblais", "m³", "12,5", 20, 260],
        ["2.2", "Blindage des fouilles", "ens", "ens", 800, 800],
        ["2.3", "Pompage éventuel", "h", "PM", None, None],
        [None, "Total 2 TERRASSEMENTS", None, None, None, 24110.63],
        [],
        [None, "TOTAL HT", None, None, None, 27060.63],
        [None, "TVA 20 %", None, None, None, 5412.13],
        [None, "TOTAL TTC", None, None, None, 32472.76],
    ]
    return workbook(Sheet("DPGF Lot 02", rows))


def outline_english() -> bytes:
    """English-ish headers, numbering I / A / 1 (a letter C after B, a line under a roman)."""
    rows = [
        ["Item", "Description", "Unit", "Qty", "Unit price", "Amount"],
        ["I", "SUBSTRUCTURE"],
        ["A", "Excavation"],
        ["1", "Bulk excavation", "m3", 100, 12, 1200],
        ["2", "Trenches", "m", 40, 25.5, 1020],
        ["B", "Concrete"],
        ["1", "Blinding", "m2", 30, 9.9, 297],
        ["C", "Reinforcement"],
        ["1", "Rebars", "kg", 1200, 1.85, 2220],
        ["II", "SUPERSTRUCTURE"],
        ["A", "Walls"],
        ["1", "Blockwork", "m2", 250, 42, 10500],
        ["III", "ROOF"],
        ["1", "Tiles", "m2", 120, 35, 4200],
    ]
    return workbook(Sheet("BoQ", rows))


def lettered() -> bytes:
    """Numbering 1 / 1.a, other synonyms, a number typed as a number."""
    rows = [
        ["Réf.", "Libellé", "Unité", "Qté", "P.U.", "Total HT"],
        ["1", "Maçonnerie"],
        ["1.a", "Mur en parpaings de 20", "m²", 85, 48.5, 4122.5],
        ["1.b", "Linteaux", "ml", "12,5", 22, 275],
        [2, "Enduits"],
        ["2.a", "Enduit monocouche", "m²", 85, 31.2, 2652],
    ]
    return workbook(Sheet("Maçonnerie", rows))


def indented(*, spaces: bool = False, flush_lines: bool = False) -> bytes:
    """No N° column: chapters and lines nest by alignment indent (or leading spaces)."""

    def cell(text: str, level: int, line: bool = False) -> object:
        if line and flush_lines:
            return text
        if spaces:
            return "    " * level + text
        return Styled(text, indent=level, bold=not line)

    rows = [
        ["Désignation", "Unité", "Quantité", "PU HT", "Montant HT"],
        [cell("PLÂTRERIE", 0)],
        [cell("Cloisons", 1)],
        [cell("Cloison 72/48", 2, True), "m²", 42, 38.5, 1617],
        [cell("Cloison 98/48", 2, True), "m²", 12, 44, 528],
        [cell("Doublages", 1)],
        [cell("Doublage 10+40", 2, True), "m²", 80, 29.9, 2392],
        [cell("PEINTURE", 0)],
        [cell("Peinture murs", 1, True), "m²", 300, 9.5, 2850],
    ]
    return workbook(Sheet("Second œuvre", rows))


def merged() -> bytes:
    """A merged title and header, designations merged across two columns, titles across rows."""
    rows = [
        ["BORDEREAU DES PRIX - LOT 03 CHARPENTE"],
        ["N°", "Désignation", None, "U", "Qté", "PU", "Montant"],
        ["1 - STRUCTURE BOIS"],
        ["1.1", "Poteaux lamellé-collé", None, "u", 8, 320, 2560],
        ["1.2", "Poutres", None, "ml", 42.5, 85, 3612.5],
        ["2 - COUVERTURE"],
        ["2.1", None, "Liteaunage", "m²", 120, 12.4, 1488],
        ["TOTAL LOT 03", None, None, None, None, None, 7660.5],
    ]
    spans = ["A1:G1", "B2:C2", "A3:G3", "B4:C4", "B5:C5", "A6:G6", "A8:F8"]
    return workbook(Sheet("Charpente", rows, merges=spans))


def several_lots() -> bytes:
    """One sheet per lot, a cover page, a summary, an empty and a hidden sheet."""
    lot_01 = [
        HEADER,
        ["1", "Préparation"],
        ["1.1", "Décapage de la terre végétale", "m²", 450, 2.1, 945],
        ["2", "Fouilles"],
        ["2.1", "Fouilles en pleine masse", "m³", 180, 14, 2520],
    ]
    lot_02 = [
        ["Lot 02 - Gros œuvre"],
        [],
        HEADER,
        ["02.01", "Fondations"],
        ["02.01.01", "Semelles filantes", "m³", 18, 165, 2970],
        ["02.02", "Élévations"],
        ["02.02.01", "Voiles béton", "m²", 64, 98, 6272],
    ]
    lot_03 = [HEADER, ["3", "Charpente"], ["3.1", "Fermettes", "u", 14, 95, 1330]]
    summary = [["Lot", "Désignation", "Montant"], ["01", "Terrassement", 3465]]
    return workbook(
        Sheet("Page de garde", [["Construction d'une école"], ["DPGF tous lots"]]),
        Sheet("Lot 01 Terrassement", lot_01),
        Sheet("Lot 02", lot_02),
        Sheet("Calculs", [HEADER, ["1", "Métré", "m²", 1, 1, 1]], hidden=True),
        Sheet("Lot 03", lot_03),
        Sheet("Récapitulatif", summary),
        Sheet("Feuil3", []),
    )


def _formula_rows() -> list[list[object]]:
    return [
        HEADER,
        ["1", "Menuiseries extérieures"],
        ["1.1", "Fenêtre 2 vantaux", "u", 6, 640, "=D3*E3"],
        ["1.2", "Porte-fenêtre", "u", "=2*2", 910.4, "=D4*E4"],
        ["1.3", "Volets roulants", "u", 10, "=E3/4", "=D5*E5"],
        [None, "Total 1", None, None, None, "=SUM(F3:F5)"],
    ]


def formulas_cached() -> bytes:
    """Formulas whose values were computed and stored (what Excel saves)."""
    content = workbook(Sheet("Menuiseries", _formula_rows()))
    values = {"F3": 3840, "D4": 4, "F4": 3641.6, "E5": 160, "F5": 1600, "F6": 9081.6}
    return cache_formulas(content, {(0, cell): value for cell, value in values.items()})


def formulas_uncached() -> bytes:
    """The same formulas never computed: no value stored."""
    return workbook(Sheet("Menuiseries", _formula_rows()))


def to_price() -> bytes:
    """A DPGF to price: quantities given, prices empty; one quantity left to the bidder."""
    rows = [
        HEADER,
        ["1", "Carrelage"],
        ["1.1", "Carrelage 45x45", "m²", 64.25, None, None],
        ["1.2", "Plinthes", "ml", 58, None, None],
        ["1.3", "Seuils", "u", None, None, None],
    ]
    return workbook(Sheet("DPGF", rows))


def bpu() -> bytes:
    """A BPU: unit prices only, no quantity column."""
    rows = [
        ["N° prix", "Désignation", "Unité", "Prix unitaire"],
        ["A", "Maçonnerie"],
        ["A.1", "Mur en briques", "m²", 52.3],
        ["A.2", "Chaînage", "ml", None],
    ]
    return workbook(Sheet("BPU", rows))


def big_schedule(chapters: int = 50, sections: int = 10, lines: int = 10) -> bytes:
    """50 chapters × 10 sections × 10 lines: a 5,000-line schedule, 3 levels."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("DPGF")
    sheet.append(HEADER)
    for c in range(1, chapters + 1):
        sheet.append([str(c), f"Chapitre {c}"])
        for s in range(1, sections + 1):
            sheet.append([f"{c}.{s}", f"Section {c}.{s}"])
            for n in range(1, lines + 1):
                sheet.append([f"{c}.{s}.{n}", f"Béton armé {c}.{s}.{n}", "m²", 12.5, 4.85, 60.63])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def header_only() -> bytes:
    return workbook(
        Sheet("DPGF", [["Lot 05"], HEADER, [], [None, "Total HT", None, None, None, 0]])
    )


def no_header() -> bytes:
    return workbook(Sheet("Notes", [["Réunion de chantier"], ["Compte rendu n°3"], [1, 2, 3]]))


def empty_workbook() -> bytes:
    return workbook(Sheet("Feuil1", []), Sheet("Feuil2", []))
