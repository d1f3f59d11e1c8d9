"""rendering.render_pdf: letterhead, legal footer on every page, French formats, PDF/A-3b."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import weasyprint
from django.core.files.base import ContentFile

from chantier.catalogue.models import Item
from chantier.documents import price_list, rendering

from .conftest import pdf_reader, pdf_text, plain

TEMPLATE = "documents/pdf/price_list.html"
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082"
)


def render(company, lang="fr", **kwargs):
    context = price_list.build_context(company, {})
    return rendering.build_pdf(
        template_name=TEMPLATE,
        context=context,
        company=company,
        title="Tarif 2026",
        lang=lang,
        **kwargs,
    )


def many_items(company, count):
    Item.objects.bulk_create(
        Item(company=company, reference=f"R-{n:04d}", name=f"Article {n}", sale_price=Decimal(n))
        for n in range(count)
    )


def test_every_page_has_the_legal_identity_and_its_number(company, catalogue):
    many_items(company, 150)

    result = render(company)

    reader = pdf_reader(result.content)
    assert result.page_count == len(reader.pages) >= 3
    total = result.page_count
    for number, page in enumerate(reader.pages, start=1):
        text = plain(page.extract_text())
        assert "Alpha Bâtiment – SAS au capital de 50 000,00 €" in text
        assert "SIREN 732 829 320" in text
        assert "SIRET 732 829 320 00074" in text
        assert "RCS Lyon 732 829 320" in text
        assert "TVA intracommunautaire FR44732829320" in text
        assert "Siège social : 12 rue des Artisans, 69007 Lyon" in text
        assert "IBAN FR76 3000 6000 0112 3456 7890 189 · BIC AGRIFRPP" in text
        assert "Assurance décennale : MAAF Pro, police n° 123456789" in text
        assert re.search(rf"\b{number} / {total}\b", text), f"page {number} has no counter"


def test_letterhead_amounts_and_dates_read_french(company, catalogue):
    text = pdf_text(render(company).content)

    assert "04 78 00 00 00 · contact@alpha.example" in text
    assert "Tarif 2026" in text
    assert re.search(r"Généré le \d{2}/\d{2}/\d{4}", text)
    assert "1 234,50 €" in text  # grouping with a (narrow) space, decimal comma
    assert "5,90 €" in text
    assert "5,5 %" in text


def test_english_when_asked(company, catalogue):
    text = pdf_text(render(company, lang="en").content)

    assert "SAS with a share capital of 50,000.00 €" in text
    assert "1,234.50 €" in text


def test_pdf_is_declared_pdf_a_3b_with_title_and_author(company, catalogue):
    reader = pdf_reader(render(company).content)

    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    intents = [intent.get_object() for intent in catalog["/OutputIntents"]]
    assert [intent["/S"] for intent in intents] == ["/GTS_PDFA1"]
    assert "/DestOutputProfile" in intents[0]
    assert catalog["/Lang"] == "fr"
    assert reader.metadata.title == "Tarif 2026"
    assert reader.metadata.author == "Alpha Bâtiment"


def test_logo_is_embedded_in_the_letterhead(company, catalogue):
    company.logo.save("logo.png", ContentFile(PNG))

    reader = pdf_reader(render(company).content)

    first_page = reader.pages[0]
    assert len(first_page.images) == 1
    assert rendering.logo_data_uri(company).startswith("data:image/png;base64,")


def test_without_optional_mentions_the_footer_stays_clean(world):
    lines = rendering.legal_identity(world.company_b)
    assert lines == ["Bravo Rénovation – SAS"]


def test_layout_progress_is_reported_page_by_page(company, catalogue):
    many_items(company, 150)
    events = []

    result = render(company, on_progress=lambda *event: events.append(event), expected_pages=3)

    assert events[0] == ("html", 1, 1)
    pages = [done for step, done, _ in events if step == "layout"]
    assert pages[:3] == [1, 2, 3]
    assert events[-1] == ("laid_out", result.page_count, result.page_count)


def test_only_data_uris_are_fetched(company, catalogue, tmp_path, monkeypatch):
    """Nothing but data: URIs is read while rendering: an <img> pointing at a local file
    renders as nothing (no image, no error), though the file is a valid PNG."""
    image = tmp_path / "logo.png"
    image.write_bytes(PNG)
    monkeypatch.setattr(rendering, "logo_data_uri", lambda company: image.as_uri())
    html = rendering.render_html(
        template_name=TEMPLATE,
        context=price_list.build_context(company, {}),
        company=company,
        title="Tarif 2026",
    )
    assert f'<img class="logo" src="{image.as_uri()}"' in html

    result = render(company)

    assert result.page_count == 1
    assert len(pdf_reader(result.content).pages[0].images) == 0  # the file was not read
    fetcher = rendering._url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1/")


def test_lean_user_agent_stylesheet_is_in_use():
    """WeasyPrint 70 calls HTML._ua_stylesheets; if an upgrade stops calling it, the
    speed-up is silently lost, so this pins the hook."""
    calls = []

    class Spy(rendering._LeanHTML):
        def _ua_stylesheets(self, forms=False):
            calls.append(forms)
            return super()._ua_stylesheets(forms)

    assert issubclass(Spy, weasyprint.HTML)
    assert len(Spy(string="<ul><li>x</li></ul>").render().pages) == 1
    assert calls, "WeasyPrint no longer asks for the user-agent stylesheets"
