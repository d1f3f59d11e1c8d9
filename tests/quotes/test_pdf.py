"""The quote PDF: stored totals in French format, chapters, mentions, last-page terms.

Fixtures here are shared with test_sending.py and test_public_accept.py (imported).
"""

from __future__ import annotations

import gc
import io
import weakref
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chantier.core.models import Company
from chantier.documents import rendering
from chantier.documents.models import RenderJob
from chantier.parties.models import Client, Site
from chantier.quotes import documents, sending, services
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine
from tests.conftest import World

D = Decimal

LEGAL = {
    "legal_form": "SAS",
    "share_capital": D("50000.00"),
    "siren": "732829320",
    "siret": "73282932000074",
    "rcs": "RCS Lyon 732 829 320",
    "vat_number": "FR44732829320",
    "address_line1": "12 rue des Artisans",
    "postcode": "69007",
    "city": "Lyon",
    "email": "contact@alpha.example",
    "insurance_text": "Assurance décennale : MAAF Pro, police n° 123456789.",
}
TERMS = "Article 1 – Objet. Les présentes conditions s'appliquent à tous nos travaux."


def fr(message: str) -> str:
    """A msgid as the French PDF prints it (before and after its translation is merged)."""
    with translation.override("fr"):
        return gettext(message)


def scope(rate: str) -> str:
    with translation.override("fr"):
        return plain(documents.reduced_rate_scope(D(rate)))


def mention() -> str:
    with translation.override("fr"):
        return plain(documents.reduced_vat_mention())


def plain(text: str) -> str:
    return " ".join(text.split())


def pages_text(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [plain(page.extract_text()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pages_text(content))


def line(
    description: str, quantity: str, price: str, vat: str = "20.00", **extra: Any
) -> dict[str, Any]:
    return {
        "description": description,
        "unit": "u",
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
        **extra,
    }


@pytest.fixture
def company(world: World) -> Company:
    Company.objects.filter(pk=world.company_a.pk).update(**LEGAL)
    world.company_a.refresh_from_db()
    world.alice.email = "alice@alpha.example"
    world.alice.save()
    return world.company_a


@pytest.fixture
def client_a(company: Company) -> Client:
    return Client.objects.create(
        company=company,
        name="Mme Dupont",
        kind=Client.Kind.INDIVIDUAL,
        email="dupont@client.example",
        address_line1="3 place Bellecour",
        postcode="69002",
        city="Lyon",
    )


@pytest.fixture
def site_a(client_a: Client) -> Site:
    return Site.objects.create(
        company=client_a.company,
        client=client_a,
        name="Maison de Caluire",
        address_line1="8 chemin des Vignes",
        postcode="69300",
        city="Caluire-et-Cuire",
    )


def make_quote(world: World, client: Client, **data: Any) -> Quote:
    """Two chapters (one nested), 20 % and 10 % lines, an option, a discount, a text line."""
    return services.quote_create(
        user=world.alice,
        client=client,
        data={"title": "Rénovation salle de bains", **data},
        chapters=[
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00", reference="DEM-01")],
                "chapters": [{"title": "Évacuation", "lines": [line("Benne 8 m³", "2", "180.50")]}],
            },
            {
                "title": "Plomberie",
                "lines": [
                    line("Douche italienne", "1", "1850.00", "10.00", reference="PLO-10"),
                    line("Sèche-serviettes", "1", "420.00", "10.00", optional=True),
                    line("Remise fidélité", "1", "-100.00", "10.00", kind="discount"),
                    {"kind": "text", "description": "Faïence au choix du client"},
                ],
            },
        ],
    )


@pytest.fixture
def quote(world: World, client_a: Client, site_a: Site) -> Quote:
    built = make_quote(
        world,
        client_a,
        site=site_a,
        header_text="Suite à notre visite du 3 mars.",
        footer_text="Nous restons à votre disposition.",
        payment_terms="30 % à la commande, solde à la réception",
        down_payment_rate="30",
    )
    Quote.objects.filter(pk=built.pk).update(terms_text=TERMS)
    built.refresh_from_db()
    return built


def twenty_only(world: World, client: Client) -> Quote:
    return services.quote_create(
        user=world.alice,
        client=client,
        data={"title": "Local commercial"},
        chapters=[{"title": "Peinture", "lines": [line("Peinture murs", "40", "12.50")]}],
    )


def render(quote: Quote) -> bytes:
    return sending.render_pdf(Quote.objects.get(pk=quote.pk))


# Content ------------------------------------------------------------------------------------


def test_totals_vat_and_subtotals_are_the_stored_ones_in_french_format(quote):
    quote.refresh_from_db()
    assert (quote.net, quote.vat_total, quote.gross) == (D("2461.00"), D("317.20"), D("2778.20"))
    assert quote.vat_breakdown == [
        {"rate": "20.00", "base": "711.00", "amount": "142.20"},
        {"rate": "10.00", "base": "1750.00", "amount": "175.00"},
    ]

    text = pdf_text(render(quote))

    assert f"{fr('Total excl. VAT')} 2 461,00 €" in text
    assert f"{fr('Total incl. VAT')} 2 778,20 €" in text
    vat = fr("VAT %(rate)s on %(base)s")
    assert vat % {"rate": "20 %", "base": "711,00 €"} + " 142,20 €" in text
    assert vat % {"rate": "10 %", "base": "1 750,00 €"} + " 175,00 €" in text
    subtotal = fr("Subtotal %(chapter)s")
    assert subtotal % {"chapter": "1 Démolition"} + " 711,00 €" in text
    assert subtotal % {"chapter": "1.1 Évacuation"} + " 361,00 €" in text
    assert subtotal % {"chapter": "2 Plomberie"} + " 1 750,00 €" in text
    # Options are shown with their total, apart from the quote's total.
    assert f"{fr('Options excl. VAT (not included)')} 420,00 €" in text
    # Down payment: round2(2 778.20 × 30 %) = 833.46.
    assert documents.down_payment(quote) == D("833.46")
    assert "833,46 €" in text


def test_lines_chapters_and_heading(quote, site_a):
    quote.refresh_from_db()
    text = pdf_text(render(quote))

    assert fr("Quote") in text and fr("Draft") in text  # a draft has no number yet
    assert "1 Démolition" in text and "1.1 Évacuation" in text and "2 Plomberie" in text
    assert "DEM-01 Dépose baignoire 1 u 350,00 € 20 % 350,00 €" in text
    assert "PLO-10 Douche italienne 1 u 1 850,00 € 10 % 1 850,00 €" in text
    assert f"{fr('Option')} – Sèche-serviettes 1 u 420,00 € 10 % 420,00 €" in text
    assert "Remise fidélité 1 u -100,00 € 10 % -100,00 €" in text
    assert "Faïence au choix du client" in text
    assert "Mme Dupont 3 place Bellecour 69002 Lyon" in text
    assert "Maison de Caluire 8 chemin des Vignes 69300 Caluire-et-Cuire" in text
    assert "Suite à notre visite du 3 mars." in text
    assert "30 % à la commande, solde à la réception" in text
    assert "Nous restons à votre disposition." in text
    assert "SIREN 732 829 320" in text  # the letterhead's legal identity (documents)
    valid = quote.validity_date.strftime("%d/%m/%Y")
    assert fr("Valid until: %(date)s") % {"date": valid} in text


def test_number_and_version_once_sent_and_prospect_title(world, quote):
    Quote.objects.filter(pk=quote.pk).update(
        number="DEV2026-7", status="sent", version=2, kind="prospect"
    )
    quote.refresh_from_db()

    text = pdf_text(render(quote))

    assert fr("Commercial proposal") in text
    assert fr("No. %(number)s") % {"number": "DEV2026-7"} in text
    assert fr("version %(version)s") % {"version": 2} in text
    assert fr("Draft") not in text
    assert documents.filename(quote) == "devis-DEV2026-7-v2.pdf"


def test_site_is_left_out_when_at_the_client_address(world, client_a):
    same = Site.objects.create(
        company=client_a.company,
        client=client_a,
        name="Domicile",
        address_line1="3 place  Bellecour",
        postcode="69002",
        city="LYON",
    )
    built = twenty_only(world, client_a)
    services.quote_update(user=world.alice, quote=built, data={"site": same})

    text = pdf_text(render(built))

    assert "Domicile" not in text
    assert fr("Work site") not in text


def test_reduced_vat_mention_with_signature_only_with_a_reduced_rate(world, quote, client_a):
    with_reduced = pdf_text(render(quote))
    assert mention().startswith("Je soussigné(e), client, atteste")
    assert mention() in with_reduced
    assert scope("10.00") in with_reduced
    assert scope("5.50") not in with_reduced  # no 5.5 % line
    assert fr("Client's signature:") in with_reduced

    only_twenty = pdf_text(render(twenty_only(world, client_a)))
    assert mention() not in only_twenty
    assert fr("Client's signature:") not in only_twenty
    assert fr("Good for agreement") in only_twenty  # the acceptance block is always there


def test_energy_renovation_rate_has_its_own_scope(world, client_a):
    built = services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "Isolation"},
        lines=[line("Isolation des combles", "40", "100.00", "5.50")],
    )
    text = pdf_text(render(built))
    assert scope("5.50") in text
    assert scope("10.00") not in text
    assert "5,5 %" in text


def test_terms_are_alone_on_the_last_page(quote):
    pages = pages_text(render(quote))

    assert len(pages) >= 2
    assert TERMS in pages[-1]
    assert fr("Terms and conditions") in pages[-1]
    assert all(TERMS not in page for page in pages[:-1])
    assert fr("Good for agreement") not in pages[-1]  # the quote ends before the terms
    assert fr("Total incl. VAT") not in pages[-1]


def test_no_terms_no_extra_page(world, client_a):
    built = twenty_only(world, client_a)
    Quote.objects.filter(pk=built.pk).update(terms_text="")
    pages = pages_text(render(built))
    assert len(pages) == 1
    assert fr("Terms and conditions") not in pages[0]


def test_assembly_components_are_not_printed(quote):
    shower = QuoteLine.objects.get(quote=quote, reference="PLO-10")
    LineComponent.objects.create(
        company=quote.company,
        line=shower,
        description="Receveur extra-plat",
        quantity_per_unit=D("1.000"),
    )
    assert "Receveur extra-plat" not in pdf_text(render(quote))


def test_rows_in_tree_order_with_subtotals_after_sub_chapters(quote):
    rows = documents.rows_of(quote)
    summary = [(row.kind, row.number or (row.line.description if row.line else "")) for row in rows]
    C, L, T, S = documents.CHAPTER, documents.LINE, documents.TEXT, documents.SUBTOTAL
    assert summary == [
        (C, "1"),
        (L, "Dépose baignoire"),
        (C, "1.1"),
        (L, "Benne 8 m³"),
        (S, "1.1"),
        (S, "1"),
        (C, "2"),
        (L, "Douche italienne"),
        (L, "Sèche-serviettes"),
        (L, "Remise fidélité"),
        (T, "Faïence au choix du client"),
        (S, "2"),
    ]
    assert [row.net for row in rows if row.kind == S] == [D("361.00"), D("711.00"), D("1750.00")]


def test_context_reads_a_constant_number_of_queries(quote, django_assert_max_num_queries):
    for n in range(40):
        chapter = Chapter.objects.filter(quote=quote).first()
        QuoteLine.objects.create(
            company=quote.company,
            quote=quote,
            chapter=chapter,
            position=100 + n,
            description=f"Ligne {n}",
            sort_key=f"{chapter.sort_key}-{100 + n:06d}",
        )
    with django_assert_max_num_queries(4):
        context = documents.build_context(quote.company, {"quote": quote.pk})
        assert len(context["rows"]) == 52


def test_params_are_checked():
    assert documents.clean_params({"quote": "12"}) == {"quote": 12}
    assert documents.clean_params({"quote": 12, "lock_version": 3}) == {
        "quote": 12,
        "lock_version": 3,
    }
    for bad in ({}, {"quote": "x"}, {"quote": 0}, {"quote": 1, "lock_version": "a"}):
        with pytest.raises(services.DomainError):
            documents.clean_params(bad)


def test_estimate_counts_lines_and_chapters(quote, world):
    assert documents.estimate_rows(quote.company, {"quote": quote.pk}) == (
        quote.line_count + 2 * 3 + documents.FIXED_ROWS
    )
    with pytest.raises(services.DomainError):
        documents.estimate_rows(world.company_b, {"quote": quote.pk})  # tenancy


# Speed (issue 3: 5,000 lines ≤ 15 s) -----------------------------------------------------------


def test_laid_out_tables_are_freed_without_the_cycle_collector(quote):
    """No <colgroup> in the quote: WeasyPrint would tie each page's table to its column
    boxes in a reference cycle, keeping the whole laid-out document (5,000 lines: ~600,000
    objects) until a full collection."""
    from weasyprint.formatting_structure import boxes

    with translation.override("fr"):
        html = rendering.render_html(
            template_name=documents.QUOTE.template_name,
            context=documents.build_context(quote.company, {"quote": quote.pk}),
            company=quote.company,
            title="Devis",
        )
    gc.disable()
    try:
        document = rendering._LeanHTML(string=html, url_fetcher=rendering._url_fetcher()).render(
            **rendering.PDF_OPTIONS
        )
        tables, stack = [], [page._page_box for page in document.pages]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableBox):
                tables.append(weakref.ref(box))
            stack.extend(getattr(box, "children", ()))
        assert len(tables) >= 3  # the lines, the totals, the signature boxes
        del document, box, stack
        assert [table for table in tables if table() is not None] == []
    finally:
        gc.enable()


def test_rendering_runs_with_room_on_the_frame_stack(monkeypatch):
    """build_pdf runs in a frame that opens a large frame-stack chunk (rendering.py)."""
    assert rendering._roomy_caller().__code__.co_nlocals > rendering._ROOM_SLOTS
    assert rendering._with_frame_stack_room(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        rendering._with_frame_stack_room(lambda: 1 / 0)
    calls = []
    original = rendering._with_frame_stack_room
    monkeypatch.setattr(
        rendering, "_with_frame_stack_room", lambda f: calls.append(f) or original(f)
    )
    monkeypatch.setattr(rendering, "_build_pdf", lambda **kwargs: "rendered")
    assert rendering.build_pdf(template_name="x", context={}, company=None, title="t") == "rendered"
    assert len(calls) == 1


# The page ------------------------------------------------------------------------------------


def test_pdf_page_renders_then_reuses_the_render(alice_client, quote):
    response = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))

    job = RenderJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.params) == (
        "quote",
        "done",
        {"quote": quote.pk, "lock_version": quote.lock_version},
    )
    with job.file.open("rb") as handle:
        assert "2 778,20 €" in pdf_text(handle.read())

    again = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))
    assert again["Location"] == response["Location"]
    assert RenderJob.objects.count() == 1

    services.quote_update(user=quote.created_by, quote=quote, data={"title": "Autre titre"})
    changed = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))
    assert RenderJob.objects.count() == 2
    assert changed["Location"] != response["Location"]


def test_pdf_page_tenancy_and_readers(bob_client, charlie_client, quote):
    assert charlie_client.get(reverse("quotes:pdf", args=[quote.pk])).status_code == 404
    assert RenderJob.objects.count() == 0
    # Printing reads: a read-only member may print.
    assert bob_client.get(reverse("quotes:pdf", args=[quote.pk])).status_code == 302


def test_long_quote_pdf_is_queued_for_the_worker_and_reused(alice_client, quote, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 5

    first = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))
    second = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))

    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.QUEUED
    assert job.estimated_rows == quote.line_count + 6 + documents.FIXED_ROWS
    assert first["Location"] == second["Location"] == reverse("documents:job_detail", args=[job.pk])
