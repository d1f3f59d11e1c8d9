"""Catalogue import (CSV, XLSX) with its per-row report, export, and the round trip."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from chantier.catalogue import exporting, selectors
from chantier.catalogue.importing import import_items, reason_text
from chantier.catalogue.models import Category, Item
from chantier.catalogue.spreadsheets import SpreadsheetError
from chantier.core.exceptions import DomainError
from chantier.parties.models import Supplier

D = Decimal
pytestmark = pytest.mark.usefixtures("english")

FRENCH_HEADER = [
    "Référence", "Désignation", "Type", "Unité", "Prix d'achat HT", "PU HT", "TVA",
    "Fournisseur", "Réf fournisseur", "Catégorie", "Sous-catégorie", "Fiche technique",
]  # fmt: skip


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, percent_columns=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for column in percent_columns:
        for cell in sheet[openpyxl.utils.get_column_letter(column)][1:]:
            cell.number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def values(company):
    return {
        i.reference: (
            i.name, i.kind, i.structure, i.unit, i.purchase_cost, i.sale_price, i.vat_rate,
            i.supplier.name if i.supplier else "", i.supplier_reference, str(i.category or ""),
            i.datasheet_url, i.description,
        )
        for i in Item.objects.filter(company=company).select_related("supplier", "category__parent")
    }  # fmt: skip


@pytest.fixture
def point_p(world):
    return Supplier.objects.create(company=world.company_a, name="Point P Lyon")


def test_good_french_csv_creates_items_categories_and_links_suppliers(world, point_p):
    content = csv_bytes(
        [
            FRENCH_HEADER,
            ["PLA-BA13", "Plaque BA13", "Fourniture", "m²", "2,85", "5,90", "20", "point p lyon",
             "PP-1", "Plâtrerie", "Plaques", "https://fiches.example.com/ba13.pdf"],
            ["MO-PLAQ", "Main d'œuvre plaquiste", "Main d'œuvre", "h", "38,50", "52", "10 %",
             "", "", "Main d'œuvre", "", ""],
            ["", "", "", "", "", "", "", "", "", "", "", ""],  # blank rows are skipped
            ["REM-1", "Remise fidélité", "remise", "forfait", "0", "-50,00", "5,5",
             "", "", "", "", ""],
        ]
    )  # fmt: skip
    report = import_items(user=world.alice, content=content)
    assert (report.created, report.updated, report.rejected) == (3, 0, [])
    board = Item.objects.get(reference="PLA-BA13")
    assert (board.purchase_cost, board.sale_price, board.vat_rate) == (
        D("2.85"),
        D("5.90"),
        D("20"),
    )
    assert board.supplier == point_p and board.supplier_reference == "PP-1"
    assert str(board.category) == "Plâtrerie › Plaques"
    labour = Item.objects.get(reference="MO-PLAQ")
    assert (labour.kind, labour.vat_rate, str(labour.category)) == (
        "labour",
        D("10"),
        "Main d'œuvre",
    )
    assert Item.objects.get(reference="REM-1").sale_price == D("-50.00")
    assert Category.objects.filter(company=world.company_a).count() == 3


def test_comma_separated_csv_with_decimal_points_and_english_headers(world):
    content = csv_bytes(
        [
            ["reference", "name", "kind", "unit", "purchase cost", "sale price", "VAT"],
            ["BA13", "Board", "supply", "m2", "1,234.50", "2.5", "20"],
            ["VIS", "Screw", "Supply", "u", "0.012", "0.03", "20"],
        ],
        delimiter=",",
    )
    report = import_items(user=world.alice, content=content)
    assert report.created == 2
    assert Item.objects.get(reference="BA13").purchase_cost == D("1234.5")
    assert Item.objects.get(reference="VIS").purchase_cost == D("0.012")


def test_bad_rows_are_rejected_with_their_reason_and_the_good_ones_written(world):
    content = csv_bytes(
        [
            ["Réf", "Libellé", "Type", "Coût d'achat", "Prix de vente", "TVA", "Fournisseur"],
            ["OK-1", "Bon article", "fourniture", "1", "2", "20", ""],
            ["BAD-1", "Coût illisible", "fourniture", "abc", "2", "20", ""],
            ["BAD-2", "TVA inconnue", "fourniture", "1", "2", "19,6", ""],
            ["BAD-3", "Type inconnu", "cadeau", "1", "2", "20", ""],
            ["", "Sans référence", "fourniture", "1", "2", "20", ""],
            ["BAD-5", "Fournisseur inconnu", "fourniture", "1", "2", "20", "Inconnu SA"],
            ["OK-1", "Doublon", "fourniture", "1", "2", "20", ""],
            ["BAD-7", "Prix négatif", "fourniture", "1", "-2", "20", ""],
            ["BAD-8", "", "fourniture", "1", "2", "20", ""],
        ]
    )
    report = import_items(user=world.alice, content=content)
    assert report.created == 1
    reasons = {r.row: reason_text(r) for r in report.rejected}
    assert reasons == {
        3: "Row 3: purchase cost 'abc' is not a number",
        4: "Row 4: unknown VAT rate 19.6 (expected 20, 10, 5.5 or 0)",
        5: "Row 5: unknown kind 'cadeau' (expected: Supply, Labour, Service, Discount, Equipment)",
        6: "Row 6: missing reference",
        7: "Row 7: unknown supplier 'Inconnu SA': create it in the suppliers first",
        8: "Row 8: reference OK-1 already appears on row 2",
        9: "Row 9: Only a discount may have a negative sale price.",
        10: "Row 10: missing name",
    }
    assert list(Item.objects.values_list("reference", flat=True)) == ["OK-1"]


def test_existing_reference_is_updated_and_empty_cells_keep_values(world, make_item):
    make_item("BA13", name="Plaque", purchase_cost="2.85", sale_price="5.90", unit="m²")
    content = csv_bytes([["Référence", "Désignation", "PU", "Unité"], ["BA13", "", "6,20", ""]])
    report = import_items(user=world.alice, content=content)
    assert (report.created, report.updated) == (0, 1)
    item = Item.objects.get(reference="BA13")
    assert (item.name, item.sale_price, item.unit, item.purchase_cost) == (
        "Plaque", D("6.20"), "m²", D("2.85"),
    )  # fmt: skip


def test_xlsx_numbers_are_read_through_their_shortest_text(world):
    content = xlsx_bytes(
        [
            ["Référence", "Désignation", "Prix d'achat", "Prix de vente", "TVA"],
            [1234, "Référence numérique", 4.85, 0.1 + 0.2, 0.2],
            ["BA13", "Plaque", "2,85", 5.9, 0.055],
        ],
        percent_columns=[5],
    )
    report = import_items(user=world.alice, content=content)
    assert report.created == 2, report.rejected
    numeric = Item.objects.get(reference="1234")
    assert numeric.purchase_cost == D("4.85")  # not 4.8499999…
    assert numeric.sale_price == D("0.30")  # 0.30000000000000004 rounded to 2 places
    assert numeric.vat_rate == D("20")  # a cell showing 20 %
    assert Item.objects.get(reference="BA13").vat_rate == D("5.5")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x01",
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls",
        b"",
    ],
)
def test_a_file_that_is_not_a_spreadsheet_creates_nothing(world, content):
    with pytest.raises(SpreadsheetError) as err:
        import_items(user=world.alice, content=content)
    assert err.value.field == "file"
    assert not Item.objects.exists()


def test_a_file_without_header_creates_nothing(world):
    content = csv_bytes([["BA13", "Plaque", "2,85"], ["VIS", "Vis", "0,01"]])
    with pytest.raises(SpreadsheetError, match="No header row"):
        import_items(user=world.alice, content=content)
    with pytest.raises(SpreadsheetError, match="No header row"):
        import_items(user=world.alice, content=xlsx_bytes([["BA13", "Plaque", 2.85]]))
    assert not Item.objects.exists() and not Category.objects.exists()


def test_windows_1252_csv_from_french_excel(world):
    content = csv_bytes(
        [["Référence", "Désignation"], ["BA13", "Plaque à peindre"]], encoding="cp1252"
    )
    import_items(user=world.alice, content=content)
    assert Item.objects.get(reference="BA13").name == "Plaque à peindre"


def test_csv_export_is_what_french_excel_opens(world, make_item):
    make_item(
        "BA13",
        name='=HYPERLINK("x")',
        purchase_cost="2.85",
        sale_price="5.9",
        supplier_reference="+33 4 78",
        description="@SUM(A1)",
    )
    make_item("VIS", name="-Vis")
    data = exporting.export_csv(selectors.item_list(world.company_a))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Reference;Name;Kind")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, board, screw = rows
    cells = dict(zip(header, board, strict=True))
    # A leading = + - @ would start a formula in Excel: the cell is escaped with a quote.
    assert cells["Name"] == '\'=HYPERLINK("x")'
    assert cells["Supplier reference"] == "'+33 4 78"
    assert cells["Description"] == "'@SUM(A1)"
    assert screw[1] == "'-Vis"
    assert (cells["Purchase cost"], cells["Sale price"], cells["VAT"]) == (
        "2,8500",
        "5,90",
        "20,00",
    )


def test_xlsx_export_has_numbers_as_numbers(world, make_item):
    make_item("BA13", name="=1+1", purchase_cost="2.85", sale_price="5.9", kind="supply")
    book = openpyxl.load_workbook(
        io.BytesIO(exporting.export_xlsx(selectors.item_list(world.company_a)))
    )
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Reference", "Name", "Kind")
    assert rows[1][:3] == ("BA13", "=1+1", "Supply")
    assert sheet["B2"].data_type == "s"  # text, not a formula Excel would run
    assert rows[1][5:8] == (2.85, 5.9, 20)
    assert sheet["F2"].data_type == "n"


@pytest.fixture
def full_catalogue(world, make_item, add, point_p):
    from chantier.catalogue import services

    platre = services.category_create(user=world.alice, name="Plâtrerie")
    plaques = services.category_create(user=world.alice, name="Plaques", parent=platre)
    board = make_item(
        "BA13",
        name='Plaque; "BA13"\nstandard',
        purchase_cost="2.8555",
        sale_price="5.90",
        vat_rate="10",
        unit="m²",
        supplier=point_p,
        supplier_reference="PP-1",
        category=plaques,
        datasheet_url="https://fiches.example.com/a.pdf",
        description="-Ligne 1",
    )
    make_item("MO", kind="labour", purchase_cost="38.5", category=platre)
    make_item("REM", kind="discount", sale_price="-50", vat_rate="5.5")
    wall = make_item("CLOISON", name="=Cloison", structure="assembly", sale_price="48")
    add(wall, board, "2.1")
    return world  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(full_catalogue, alice_client, fmt):
    world = full_catalogue
    before = values(world.company_a)
    response = alice_client.get(reverse("catalogue:item_export") + f"?format={fmt}")
    assert response.status_code == 200
    content = response.content
    report = import_items(user=world.alice, content=content)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 4, [])
    assert values(world.company_a) == before
    Supplier.objects.create(company=world.company_b, name="Point P Lyon")
    report = import_items(user=world.charlie, content=content)
    assert report.created == 4 and not report.rejected
    assert values(world.company_b) == before


def test_export_follows_the_list_search(alice_client, make_item):
    make_item("BA13")
    make_item("VIS")
    response = alice_client.get(reverse("catalogue:item_export") + "?q=vis&format=csv")
    text = response.content.decode("utf-8-sig")
    assert "VIS" in text and "BA13" not in text
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')


def test_import_page_shows_the_report(alice_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = csv_bytes(
        [["Référence", "Désignation", "Prix d'achat"], ["A", "Un", "1"], ["B", "Deux", "abc"]]
    )
    upload = SimpleUploadedFile("catalogue.csv", content, content_type="text/csv")
    response = alice_client.post(reverse("catalogue:item_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compte rendu d'import" in page
    assert "coût d&#x27;achat &#x27;abc&#x27; n&#x27;est pas un nombre" in page
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="text/csv")
    response = alice_client.post(reverse("catalogue:item_import"), {"file": upload})
    assert response.status_code == 400
    assert "n&#x27;est pas un tableur lisible" in response.content.decode()
    assert list(Item.objects.values_list("reference", flat=True)) == ["A"]


def test_out_of_range_numbers_reject_their_row_only(world):
    content = csv_bytes(
        [
            ["Référence", "Désignation", "Coût d'achat", "Prix de vente"],
            ["OK-1", "Bon article", "1", "2"],
            ["BIG-1", "Prix énorme", "1", "1e30"],
            ["BIG-2", "Coût énorme", "123456789012345678901234567", "2"],
            ["OK-2", "Bon article", "9999999999,9999", "999999999999,99"],
        ]
    )
    report = import_items(user=world.alice, content=content)
    assert report.created == 2
    assert {r.row: reason_text(r) for r in report.rejected} == {
        3: "Row 3: The sale price 1E+30 is too large: at most 12 digits before the point.",
        4: "Row 4: The purchase cost 123456789012345678901234567 is too large: at most 10 "
        "digits before the point.",
    }
    assert sorted(Item.objects.values_list("reference", flat=True)) == ["OK-1", "OK-2"]


def test_the_import_page_reports_out_of_range_numbers(alice_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = csv_bytes(
        [["Référence", "Désignation", "Prix de vente"], ["A", "Un", "1"], ["B", "Deux", "1e30"]]
    )
    upload = SimpleUploadedFile("catalogue.csv", content, content_type="text/csv")
    response = alice_client.post(reverse("catalogue:item_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le prix de vente 1E+30 est trop grand" in page
    assert list(Item.objects.values_list("reference", flat=True)) == ["A"]


def test_one_audit_entry_for_the_whole_import_and_bounded_queries(
    world, make_item, point_p, django_assert_max_num_queries
):
    from chantier.core.models import AuditEntry

    make_item("ART-000", name="Ancien nom")
    make_item("ART-001", name="Inchangé")
    AuditEntry.objects.all().delete()
    rows = [["Référence", "Désignation", "Fournisseur", "Catégorie", "Sous-catégorie"]]
    rows += [["ART-000", "Nouveau nom", "Point P Lyon", "Plâtrerie", "Plaques"]]
    rows += [["ART-001", "Inchangé", "", "", ""]]
    rows += [
        [f"ART-{i:03d}", f"Article {i}", "", f"Lot {i % 3}", "Divers" if i % 2 else ""]
        for i in range(2, 60)
    ]
    rows += [["ART-999", "", "", "Lot 9", ""]]  # rejected: its category is not created
    world.alice._membership_cache = None
    # membership, savepoint, items, components, suppliers, categories; insert categories
    # (top level, then subcategories), insert items, update items, audit, release: not per row
    with django_assert_max_num_queries(12):
        report = import_items(user=world.alice, content=csv_bytes(rows))
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (58, 1, 1, 1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.data) == (
        "item_import",
        world.alice,
        {"created": 58, "updated": 1, "unchanged": 1, "rejected": 1, "categories_created": 8},
    )
    renamed = Item.objects.select_related("category__parent", "supplier").get(reference="ART-000")
    assert (renamed.name, str(renamed.category), renamed.supplier) == (
        "Nouveau nom",
        "Plâtrerie › Plaques",
        point_p,
    )
    assert str(Item.objects.get(reference="ART-003").category) == "Lot 0 › Divers"
    assert not Category.objects.filter(name="Lot 9").exists()
    names = sorted(str(c) for c in Category.objects.select_related("parent"))
    assert names == [
        "Lot 0", "Lot 0 › Divers", "Lot 1", "Lot 1 › Divers", "Lot 2", "Lot 2 › Divers",
        "Plâtrerie", "Plâtrerie › Plaques",
    ]  # fmt: skip


def test_an_item_with_components_cannot_become_simple_through_the_import(world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    add(wall, make_item("BA13"), "2")
    content = csv_bytes([["Référence", "Structure"], ["CLOISON", "simple"], ["BA13", "kit"]])
    report = import_items(user=world.alice, content=content)
    assert [reason_text(r) for r in report.rejected] == [
        "Row 2: This item has components: remove them before making it a simple item."
    ]
    wall.refresh_from_db()
    assert wall.structure == "assembly"
    assert Item.objects.get(reference="BA13").structure == "kit"


def test_a_reference_created_meanwhile_by_someone_else_imports_nothing(
    world, make_item, monkeypatch
):
    """The existing references are read, then written in bulk: a reference created in
    between hits the unique constraint, and the whole import is refused, not a 500."""
    from chantier.catalogue import importing

    make_item("BA13")
    original = importing._Context.__init__

    def without_existing(self, company, references):
        original(self, company, references)
        self.items = {}  # as if BA13 had been created after they were read

    monkeypatch.setattr(importing._Context, "__init__", without_existing)
    content = csv_bytes(
        [["Référence", "Désignation", "Catégorie"], ["NEW", "Nouveau", "Lot"], ["BA13", "X", ""]]
    )
    with pytest.raises(DomainError) as err:
        import_items(user=world.alice, content=content)
    assert err.value.field == "file" and "nothing was imported" in err.value.message
    assert list(Item.objects.values_list("reference", "name")) == [("BA13", "BA13")]
    assert not Category.objects.exists()


def test_every_column_of_an_existing_item_is_updated_exactly(world, make_item, point_p):
    from chantier.catalogue import services

    old_supplier = Supplier.objects.create(company=world.company_a, name="Rexel")
    elec = services.category_create(user=world.alice, name="Électricité")
    item = make_item(
        "BA13", name="Plaque", unit="u", purchase_cost="1", sale_price="2", supplier=old_supplier,
        supplier_reference="R-1", category=elec, description="Ancienne",
    )  # fmt: skip
    untouched = make_item("VIS", name="Vis", sale_price="0.03")
    foreign = make_item("BA13", user=world.charlie, name="Bravo")  # same reference, company B
    stamps = dict(
        Item.objects.filter(company=world.company_a).values_list("reference", "updated_at")
    )
    content = csv_bytes(
        [
            [*FRENCH_HEADER, "Structure", "Descriptif"],
            ["BA13", "Plaque BA13 H1", "Main d'œuvre", "m²", "2,85555", "5,905", "5,5",
             "point p lyon", "PP-1", "Plâtrerie", "Plaques", "https://fiches.example.com/a.pdf",
             "kit", "Nouvelle\nligne"],
        ]
    )  # fmt: skip
    report = import_items(user=world.alice, content=content)
    assert (report.created, report.updated, report.rejected) == (0, 1, [])
    item = Item.objects.select_related("category__parent", "supplier").get(pk=item.pk)
    assert (
        item.name, item.kind, item.structure, item.unit, item.purchase_cost, item.sale_price,
        item.vat_rate, item.supplier, item.supplier_reference, str(item.category),
        item.datasheet_url, item.description,
    ) == (
        "Plaque BA13 H1", "labour", "kit", "m²", D("2.8556"), D("5.91"), D("5.50"), point_p,
        "PP-1", "Plâtrerie › Plaques", "https://fiches.example.com/a.pdf", "Nouvelle\nligne",
    )  # fmt: skip
    assert item.updated_at > stamps["BA13"]
    untouched.refresh_from_db()
    assert untouched.updated_at == stamps["VIS"] and untouched.sale_price == D("0.03")
    foreign.refresh_from_db()
    assert (foreign.name, foreign.purchase_cost) == ("Bravo", D("0"))
