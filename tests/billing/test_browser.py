"""Issue 5 in a real browser (Debian's chromium via Playwright): a progress statement is
typed in the grid (Enter moves down, live totals), saved, issued, and its Factur-X PDF
downloaded and read back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chantier.billing.models import Invoice
from chantier.core.services import api_token_create
from chantier.einvoice.embed import extract_xml
from tests.billing.conftest import make_contract, quote_line, seller_identity
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.quotes.test_browser import _log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def test_type_a_statement_issue_it_and_download_the_pdf(page, live_server, world):  # noqa: F811
    seller_identity(world.company_a)
    example = make_contract(
        ApiClient(api_token_create(user=world.alice)),
        world.company_a,
        [
            quote_line("L1 Terrassement", "forfait", "1", "10000.00"),
            quote_line("L2 Maçonnerie", "m²", "250", "80.00"),
        ],
    )
    _log_in(page, live_server, world.alice)
    page.goto(f"{live_server.url}/invoices/contract/{example.contract_id}/")
    page.locator(
        f"a[href='/invoices/contract/{example.contract_id}/statement/?kind=progress']"
    ).click()
    first = page.locator(f"[name=v_{example.lines['L1']}]")
    first.fill("50")
    first.press("Enter")  # moves to the next line, does not submit
    second = page.locator(f"[name=v_{example.lines['L2']}]")
    expect(second).to_be_focused()
    page.select_option(f"[name=m_{example.lines['L2']}]", "cumulative_quantity")
    second.fill("100")
    totals = page.locator("#statement-totals")
    expect(totals).to_contain_text("13 000,00", timeout=10_000)
    expect(totals).to_contain_text("14 820,00")  # 15 600,00 TTC − 780,00 retention
    assert not Invoice.objects.exists()  # typing saves nothing
    page.locator("main form#statement-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/invoices/\d+/$"))
    page.locator("form[action$='/issue/'] button[type=submit]").click()
    invoice = Invoice.objects.get()
    assert invoice.status == "issued"
    expect(page.locator("h1")).to_contain_text(invoice.number)
    page.locator("form[action$='/pdf/'] button[type=submit]").first.click()
    link = page.get_by_role("link", name=re.compile("Télécharger"))
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as download_info:
        link.click()
    content = download_info.value.path().read_bytes()
    text = pdf_text(content).replace("\u202f", " ").replace("\xa0", " ")
    assert invoice.number in text
    assert "14 820,00" in text
    assert invoice.number.encode() in extract_xml(content)
