"""Issue 4 in a real browser (Debian's chromium via Playwright): a sent quote is accepted,
its contract opened, a change order written, submitted and approved; the contract page then
shows the avenant's line and the new total."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chantier.contracts.models import Contract
from chantier.parties.models import Client
from chantier.quotes import services
from chantier.quotes.building import build_tree
from chantier.quotes.models import Quote
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.quotes.test_browser import _log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def test_accept_a_quote_then_approve_a_change_order(page, live_server, world):  # noqa: F811
    client = Client.objects.create(
        company=world.company_a,
        name="SCI Les Tilleuls",
        address_line1="4 rue des Lilas",
        postcode="69003",
        city="Lyon",
    )
    quote = services.quote_create(user=world.alice, client=client, data={"title": "Extension"})
    build_tree(
        quote,
        chapters=[
            {
                "title": "Gros œuvre",
                "lines": [
                    {
                        "description": "Maçonnerie",
                        "unit": "m²",
                        "quantity": "250",
                        "unit_price": "80.00",
                        "vat_rate": "20.00",
                    }
                ],
            }
        ],
    )
    Quote.objects.filter(pk=quote.pk).update(status="sent", number="DEV2026-7")
    _log_in(page, live_server, world.alice)

    page.goto(f"{live_server.url}/quotes/{quote.pk}/accept/")
    page.locator("main form button[type=submit]").click()
    contract = Contract.objects.get(quote=quote)
    page.goto(f"{live_server.url}/contracts/")
    page.get_by_role("link", name="DEV2026-7").first.click()
    expect(page).to_have_url(f"{live_server.url}/contracts/{contract.pk}/")
    base = contract.base_net

    page.locator("nav.tabs a", has_text="Avenant").click()
    page.locator(f"a[href='/contracts/{contract.pk}/change-orders/new/']").click()
    page.fill("#id_title", "Mur supplémentaire")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/contracts/change-orders/\d+/$"))
    order_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    new_line = page.locator(f"form[action='/contracts/change-orders/{order_pk}/lines/']").first
    new_line.locator("[name=description]").fill("L4 Mur supplémentaire")
    new_line.locator("[name=unit]").fill("u")
    new_line.locator("[name=quantity]").fill("1")
    new_line.locator("[name=unit_price]").fill("2 500,00")
    new_line.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("L4 Mur supplémentaire")
    page.locator("form[action$='/submit/'] button[type=submit]").click()
    page.locator("form[action$='/approve/'] button[type=submit]").first.click()

    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("L4 Mur supplémentaire")
    total = base + Decimal("2500.00")
    contract.refresh_from_db()
    assert contract.base_net == total
    grouped = f"{total:,.2f}".replace(",", "\u00a0").replace(".", ",")
    expect(main).to_contain_text(f"{grouped}\u00a0€")
