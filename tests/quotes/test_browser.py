"""The quote editor in a real browser (Debian's chromium via Playwright): a two-chapter
quote built through the page (chapter form, quick entry, new lines), then a quantity
edited inline: the line, its chapter's subtotal and the totals change without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import expect

from chantier.parties.models import Client
from chantier.quotes import services
from chantier.quotes.models import Chapter, QuoteLine
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def _log_in(page: Any, live_server: Any, user: Any) -> None:  # noqa: F811
    http = HttpClient()
    http.force_login(user)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def _add_line(
    page: Any,  # noqa: F811  (a Playwright page, not the fixture)
    chapter: str,
    description: str,
    quantity: str,
    price: str,
    vat: str,
) -> None:
    page.select_option("#new-line-chapter", label=chapter)
    page.fill("#new-line-description", description)
    page.fill("#new-line-quantity", quantity)
    page.fill("#new-line-unit_price", price)
    page.select_option("#new-line-vat_rate", vat)
    page.press("#new-line-unit_price", "Enter")
    expect(page.locator("#editor tbody.line", has_text=description)).to_be_visible()


def test_build_a_two_chapter_quote_and_see_the_totals_follow_an_edit(
    page,  # noqa: F811
    live_server,
    world,
):
    client = Client.objects.create(company=world.company_a, name="SCI Les Tilleuls")
    quote = services.quote_create(user=world.alice, client=client, data={"title": "Salle de bains"})
    _log_in(page, live_server, world.alice)
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    expect(page.locator("#editor")).to_be_visible()

    # Chapter 1 through the chapter form, chapter 2 by quick entry ("#Title", seed 001).
    page.fill("#new-chapter-title", "Démolition")
    page.press("#new-chapter-title", "Enter")
    expect(page.locator("#editor tbody.chapter")).to_have_count(1)
    page.fill("#new-line-reference", "#Plomberie")
    page.press("#new-line-reference", "Enter")
    expect(page.locator("#editor tbody.chapter")).to_have_count(2)
    expect(page.locator("#editor tbody.chapter").nth(1)).to_contain_text("2Plomberie")
    expect(page.locator("#new-line-reference")).to_be_focused()  # quick entry goes on

    _add_line(page, "1 Démolition", "Dépose baignoire", "1", "350", "20.00")
    _add_line(page, "2 Plomberie", "Douche italienne", "2", "1 000,50", "10.00")
    totals = page.locator("#totals")
    expect(totals.locator("#total-net")).to_have_text("2\u00a0351,00\u00a0€")
    expect(totals.locator("#total-gross")).to_have_text("2\u00a0621,10\u00a0€")

    douche = QuoteLine.objects.get(quote=quote, description="Douche italienne")
    plomberie = Chapter.objects.get(quote=quote, title="Plomberie")
    page.evaluate("window.notReloaded = true")

    # Edit the quantity inline: Enter saves; the row, the subtotal and the totals follow.
    row = page.locator(f"#line-{douche.pk}")
    row.locator("a[hx-get]").click()
    quantity = page.locator(f"#line-{douche.pk}-quantity")
    expect(quantity).to_be_visible()
    quantity.fill("3")
    quantity.press("Enter")
    expect(page.locator(f"#line-{douche.pk}")).to_contain_text("3\u00a0001,50\u00a0€")
    expect(page.locator(f"#ch-{plomberie.pk}-net")).to_have_text("3\u00a0001,50\u00a0€")
    expect(totals.locator("#total-net")).to_have_text("3\u00a0351,50\u00a0€")
    expect(totals.locator("#total-gross")).to_have_text("3\u00a0721,65\u00a0€")

    # A second edit is accepted: the page carries the version the first one brought.
    page.locator(f"#line-{douche.pk} a[hx-get]").click()
    page.locator(f"#line-{douche.pk}-quantity").fill("4")
    page.locator(f"#line-{douche.pk}-quantity").press("Enter")
    expect(page.locator(f"#ch-{plomberie.pk}-net")).to_have_text("4\u00a0002,00\u00a0€")
    expect(totals.locator("#total-net")).to_have_text("4\u00a0352,00\u00a0€")

    # Escape cancels an edit and gives the row back unchanged.
    page.locator(f"#line-{douche.pk} a[hx-get]").click()
    page.locator(f"#line-{douche.pk}-quantity").fill("9")
    page.locator(f"#line-{douche.pk}-quantity").press("Escape")
    expect(page.locator(f"#line-{douche.pk}-quantity")).to_have_count(0)
    expect(page.locator(f"#line-{douche.pk}")).to_contain_text("4\u00a0002,00\u00a0€")

    assert page.evaluate("window.notReloaded") is True
    douche.refresh_from_db()
    assert str(douche.quantity) == "4.000"
    assert page.problems == []  # type: ignore[attr-defined]
