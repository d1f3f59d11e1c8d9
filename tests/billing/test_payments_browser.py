"""Issue 6 in a real browser (Debian's chromium via Playwright): a payment typed in French
on the invoice page, then the contract's décompte général read on its tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chantier.billing.models import Payment
from chantier.core.services import api_token_create
from tests.billing.conftest import make_contract, quote_line, seller_identity
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.quotes.test_browser import _log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def test_record_a_payment_then_read_the_final_account(page, live_server, world):  # noqa: F811
    seller_identity(world.company_a)
    api = ApiClient(api_token_create(user=world.alice))
    example = make_contract(
        api,
        world.company_a,
        [
            quote_line("L1 Terrassement", "forfait", "1", "10000.00"),
            quote_line("L2 Maçonnerie", "m²", "250", "80.00"),
        ],
    )
    invoice = issued(
        api,
        statement(
            api, example, [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")]
        ),
    )
    _log_in(page, live_server, world.alice)
    page.goto(f"{live_server.url}/invoices/{invoice['id']}/")
    payments = page.locator("#payments")
    expect(payments).to_contain_text("14 820,00")  # left to pay
    form = payments.locator("form")
    form.locator("[name=amount]").fill("10 000,50")
    form.locator("[name=method]").select_option("cheque")
    form.locator("[name=reference]").fill("CHQ 42")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/invoices/{invoice['id']}/$"))
    expect(page.locator("#payments")).to_contain_text("4 819,50")
    assert Payment.objects.get().reference == "CHQ 42"

    page.locator("#payments a[href$='/final-account/']").click()
    expect(page.locator("h1")).to_contain_text("DEV2026")
    main = page.locator("main")
    expect(main).to_contain_text("15 600,00")  # billed incl. VAT
    expect(main).to_contain_text("5 599,50")  # left to pay: 15 600,00 − 10 000,50
    expect(main).to_contain_text("780,00")  # retention held
