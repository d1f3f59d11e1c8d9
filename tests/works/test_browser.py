"""Réserves in a real browser (Debian's chromium via Playwright): the contract page's link
gets its open count through htmx; a réserve is added, then lifted, from the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from chantier.works import services
from chantier.works.models import Reserve
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.quotes.test_browser import _log_in

from .conftest import make_contract

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def _open(count: int) -> str:
    with translation.override("fr"):
        return translation.ngettext("%(counter)s open", "%(counter)s open", count) % {
            "counter": count
        }


def test_open_count_on_the_contract_page_then_add_and_lift(page, live_server, world):  # noqa: F811
    contract = make_contract(world.alice, "SCI Les Tilleuls", "MAR-7")
    for text in ("Joint décollé", "Plinthe manquante"):
        services.reserve_create(
            user=world.alice, contract=contract, description=text, noted_on=dt.date(2026, 11, 2)
        )
    _log_in(page, live_server, world.alice)

    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    link = page.locator("#reserves-link")
    expect(link).to_contain_text(_open(2))  # swapped in by htmx
    link.click()
    expect(page).to_have_url(f"{live_server.url}/works/contract/{contract.pk}/reserves/")

    page.locator(f"a[href='/works/contract/{contract.pk}/reserves/new/']").click()
    page.fill("#id_title", "Fissure")
    page.fill("#id_description", "Fissure au-dessus de la porte")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Fissure au-dessus de la porte")
    expect(page.locator("#open-count")).to_contain_text(_open(3))

    reserve = Reserve.objects.get(title="Fissure")
    page.locator(f"a[href='/works/reserves/{reserve.pk}/lift/']").click()
    page.fill("#id_lifted_on", "2026-11-20")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/works/contract/\d+/reserves/$"))
    expect(page.locator("#open-count")).to_contain_text(_open(2))
    reserve.refresh_from_db()
    assert reserve.lifted_on == dt.date(2026, 11, 20)
