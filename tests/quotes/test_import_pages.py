"""Importing a tender schedule (DPGF/BPU) through the page, and exporting a quote to .xlsx."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chantier.parties.models import Client, Site
from chantier.quotes import forms, services
from chantier.quotes.exporting import OPTION, quote_schedule
from chantier.quotes.models import Chapter, Quote, QuoteLine
from chantier.quotes.views import quote_url
from tests.conftest import World
from tests.quotes import schedules

pytestmark = pytest.mark.django_db
D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client_a(world: World) -> Client:
    return Client.objects.create(company=world.company_a, name="SCI Les Tilleuls", city="Lyon")


def upload(content: bytes, name: str = "dpgf.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def post_import(http: Any, client: Client, content: bytes, **extra: Any) -> Any:
    return http.post(
        "/quotes/import/",
        {"client": client.pk, "site": "", "title": "", "file": upload(content), **extra},
    )


def tree(quote: Quote) -> list[tuple[Any, ...]]:
    """The quote's content in tree order: what an import creates and an export writes."""
    rows: list[tuple[Any, ...]] = [
        ("chapter", c.number, c.title, c.net) for c in Chapter.objects.filter(quote=quote)
    ]
    rows += [
        (
            "line",
            line.chapter.number if line.chapter else "",
            line.reference,
            line.description,
            line.unit,
            line.quantity,
            line.unit_price,
            line.optional,
            line.net,
        )
        for line in QuoteLine.objects.filter(quote=quote).select_related("chapter")
    ]
    return rows


# --- import ---------------------------------------------------------------------------------


def test_import_a_titled_dpgf_and_read_the_report(world, alice_client, client_a):
    site = Site.objects.create(company=world.company_a, client=client_a, name="Lyon 3e")
    response = post_import(
        alice_client,
        client_a,
        schedules.titled_dpgf(),
        title="12 logements – Gros œuvre",
        site=site.pk,
    )

    assert response.status_code == 200
    quote = Quote.objects.get()
    assert (quote.client, quote.site, quote.title, quote.status) == (
        client_a,
        site,
        "12 logements – Gros œuvre",
        "draft",
    )
    assert quote.line_count == 7
    # 2500 + 450.50 + 60.63 + 23000 + 250 (unit price kept, amount 260 reported) + 800
    assert quote.net == D("27061.13")
    context = response.context
    assert context["quote_url"] == quote_url(quote.pk)
    assert [(s.sheet, s.chapters, s.lines) for s in context["sheets"]] == [("DPGF Lot 02", 3, 7)]
    assert [(e["row"], e["text"]) for e in context["skipped"]] == [
        (9, "ligne ignorée : sous-total ou total (« Sous-total 1 »)"),
        (17, "ligne ignorée : sous-total ou total (« Total 2 TERRASSEMENTS »)"),
        (19, "ligne ignorée : sous-total ou total (« TOTAL HT »)"),
        (20, "ligne ignorée : sous-total ou total (« TVA 20 % »)"),
        (21, "ligne ignorée : sous-total ou total (« TOTAL TTC »)"),
    ]
    assert [e["row"] for e in context["warnings"]] == [14, 15, 16, 16]
    assert context["warnings"][0]["text"] == (
        "le montant 260.00 diffère de quantité × prix unitaire = 250.00 : "
        "le prix unitaire est conservé"
    )
    assert context["unquantified"] == 1  # "Pompage éventuel", quantity PM
    page = response.content.decode()
    assert "Sous-total 1" in page and f'href="{quote_url(quote.pk)}"' in page
    pompage = QuoteLine.objects.get(description="Pompage éventuel")
    assert (pompage.optional, pompage.quantity, pompage.net) == (True, D("1.000"), D("0.00"))


@pytest.mark.parametrize(
    ("layout", "chapters", "lines", "net"),
    [
        ("outline_english", 7, 6, D("19437.00")),  # I / A / 1 numbering, English headers
        ("indented", 4, 4, D("7387.00")),  # no N° column: nested by indentation
        ("merged", 2, 3, D("7660.50")),  # merged titles and designations
        ("lettered", 2, 3, D("7049.50")),  # 1 / 1.a
    ],
)
def test_import_other_layouts(world, alice_client, client_a, layout, chapters, lines, net):
    response = post_import(alice_client, client_a, getattr(schedules, layout)())

    assert response.status_code == 200
    quote = Quote.objects.get()
    assert quote.title == "DPGF importé"
    assert (Chapter.objects.filter(quote=quote).count(), quote.line_count) == (chapters, lines)
    assert quote.net == net
    assert [(s.chapters, s.lines) for s in response.context["sheets"]] == [(chapters, lines)]


def test_import_one_sheet_per_lot_reports_the_sheets_skipped(world, alice_client, client_a):
    response = post_import(alice_client, client_a, schedules.several_lots())

    quote = Quote.objects.get()
    top = Chapter.objects.filter(quote=quote, parent=None).values_list("title", flat=True)
    assert list(top) == ["Lot 01 Terrassement", "Lot 02 Gros œuvre", "3 Charpente"]
    assert quote.net == D("945") + D("2520") + D("2970") + D("6272") + D("1330")
    assert [(e["sheet"], e["text"]) for e in response.context["skipped"]] == [
        (
            "Page de garde",
            "feuille ignorée : pas de ligne d'en-tête (N°, Désignation, U, Qté, PU, Montant)",
        ),
        ("Calculs", "feuille masquée ignorée"),
        ("Récapitulatif", "feuille de récapitulatif ignorée"),
        ("Feuil3", "feuille vide ignorée"),
    ]


def test_a_bpu_comes_in_as_options_to_quantify(world, alice_client, client_a):
    response = post_import(alice_client, client_a, schedules.bpu())

    quote = Quote.objects.get()
    assert response.context["unquantified"] == 2
    assert quote.net == D("0.00") and quote.optional_net == D("52.30")
    assert list(QuoteLine.objects.values_list("optional", "quantity", "unit_price")) == [
        (True, D("1.000"), D("52.30")),
        (True, D("1.000"), D("0.00")),
    ]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"N\xc2\xb0;D\xc3\xa9signation;U;Qt\xc3\xa9\n1;Mur;m2;3\n", "dpgf.csv"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "dpgf.xlsx"),
        (b"", "vide.xlsx"),
        (schedules.no_header(), "notes.xlsx"),
        (schedules.header_only(), "lot05.xlsx"),
        (schedules.empty_workbook(), "classeur.xlsx"),
    ],
)
def test_a_file_that_is_no_schedule_is_refused_and_nothing_is_created(
    world, alice_client, client_a, content, name
):
    response = alice_client.post(
        "/quotes/import/", {"client": client_a.pk, "file": upload(content, name)}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()


def test_the_refusal_says_why(world, alice_client, client_a):
    response = post_import(alice_client, client_a, schedules.no_header())
    assert response.context["form"].errors["file"] == [
        "Aucune ligne d'en-tête trouvée : le bordereau doit avoir une ligne nommant ses "
        "colonnes, avec au moins Désignation et deux colonnes parmi N°, U, Qté, PU, Montant."
    ]


def test_a_file_too_large_is_refused(world, alice_client, client_a, monkeypatch):
    monkeypatch.setattr(forms, "MAX_IMPORT_BYTES", 1000)
    response = post_import(alice_client, client_a, schedules.titled_dpgf())
    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith("Le fichier est trop volumineux")
    assert not Quote.objects.exists()


def test_a_foreign_client_or_no_file_is_refused(world, alice_client, client_a):
    bravo = Client.objects.create(company=world.company_b, name="Bravo")
    response = post_import(alice_client, bravo, schedules.lettered())
    assert response.status_code == 400 and "client" in response.context["form"].errors
    missing = alice_client.post("/quotes/import/", {"client": client_a.pk})
    assert missing.status_code == 400 and "file" in missing.context["form"].errors
    assert not Quote.objects.exists()


def test_the_import_page_and_its_client_prefill(world, alice_client, client_a):
    page = alice_client.get(f"/quotes/import/?client={client_a.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["client"] == client_a
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_bob_cannot_import(world, bob_client, client_a):
    assert bob_client.get("/quotes/import/").status_code == 403
    assert post_import(bob_client, client_a, schedules.lettered()).status_code == 403
    assert not Quote.objects.exists()


# --- export ---------------------------------------------------------------------------------


def export(http: Any, quote: Quote, **params: str) -> bytes:
    response = http.get(f"/quotes/{quote.pk}/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "layout", ["titled_dpgf", "outline_english", "lettered", "merged", "to_price", "bpu"]
)
def test_export_then_import_gives_the_same_tree_and_amounts(world, alice_client, client_a, layout):
    quote, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=getattr(schedules, layout)()
    )

    again, report, _count = services.quote_import(
        user=world.alice, client=client_a, content=export(alice_client, quote)
    )

    assert tree(again) == tree(quote)
    assert (again.net, again.optional_net, again.vat_breakdown, again.line_count) == (
        quote.net,
        quote.optional_net,
        quote.vat_breakdown,
        quote.line_count,
    )
    assert not report.skipped or {e.code for e in report.skipped} == {"subtotal"}


def test_export_one_sheet_per_lot_round_trips(world, alice_client, client_a):
    quote, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=schedules.several_lots()
    )
    content = export(alice_client, quote, lots="1")
    sheets = openpyxl.load_workbook(io.BytesIO(content)).sheetnames
    assert len(sheets) == 3

    again, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=content
    )

    assert tree(again) == tree(quote)


def test_a_quote_written_in_chantier_exports_with_its_tree_numbers(world, alice_client, client_a):
    def line(description: str, quantity: str, price: str, **extra: Any) -> dict[str, Any]:
        return {
            "description": description,
            "unit": "u",
            "quantity": quantity,
            "unit_price": price,
            **extra,
        }

    quote = services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "Salle de bains"},
        chapters=[
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00", reference="DEP-01")],
                "chapters": [{"title": "Évacuation", "lines": [line("Benne", "2", "180.50")]}],
            },
            {
                "title": "Plomberie",
                "lines": [
                    line("Douche italienne", "1", "1850.00", reference="12"),
                    line("Sèche-serviettes", "3", "420.00", optional=True),
                    {"kind": "text", "description": "Fourniture au choix du client"},
                ],
            },
        ],
    )

    content = export(alice_client, quote)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["N°", "Désignation", "U", "Qté", "PU", "Montant"],
        ["1", "Démolition", None, None, None, None],
        ["DEP-01", "Dépose baignoire", "u", 1, 350, 350],
        ["1.1", "Évacuation", None, None, None, None],
        [None, "Benne", "u", 2, 180.5, 361],
        [None, "Total 1.1 Évacuation", None, None, None, 361],
        [None, "Total 1 Démolition", None, None, None, 711],
        ["2", "Plomberie", None, None, None, None],
        [None, "Douche italienne", "u", 1, 1850, 1850],  # "12" would read as a number
        [None, "Sèche-serviettes", "u", OPTION, 420, None],
        [None, "Total 2 Plomberie", None, None, None, 1850],
        [None, "Total HT", None, None, None, 2561],
    ]
    again, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=content
    )
    assert again.net == quote.net == D("2561.00")
    titles = list(Chapter.objects.filter(quote=again).values_list("title", flat=True))
    assert titles == ["1 Démolition", "1.1 Évacuation", "2 Plomberie"]


def test_the_export_adapter_keeps_schedule_numbers(world, client_a):
    quote, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=schedules.outline_english()
    )
    chapters, lines = quote_schedule(quote)
    assert lines == []
    assert [(c.number, c.title) for c in chapters] == [
        ("I", "SUBSTRUCTURE"),
        ("II", "SUPERSTRUCTURE"),
        ("III", "ROOF"),
    ]
    assert [(c.number, c.title) for c in chapters[0].chapters] == [
        ("A", "Excavation"),
        ("B", "Concrete"),
        ("C", "Reinforcement"),
    ]


def test_bob_exports_charlie_cannot(world, bob_client, charlie_client, client_a):
    quote, _report, _count = services.quote_import(
        user=world.alice, client=client_a, content=schedules.lettered()
    )
    response = bob_client.get(f"/quotes/{quote.pk}/export.xlsx")
    assert response.status_code == 200
    assert f'filename="devis-{quote.pk}.xlsx"' in response["Content-Disposition"]
    assert charlie_client.get(f"/quotes/{quote.pk}/export.xlsx").status_code == 404
