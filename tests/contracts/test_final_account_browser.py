"""The final-account deadlines in a real browser (Debian's chromium via Playwright): from the
contract page to the deadlines page, the dates of example 8.A typed in the form, then the
deadlines and statuses shown."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from chantier.contracts.models import Contract
from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)
from tests.quotes.test_browser import _log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def test_record_the_dates_of_example_8a(page, live_server, world, contract):  # noqa: F811
    Contract.objects.filter(pk=contract.pk).update(
        procurement="public", handover_date=dt.date(2026, 3, 2)
    )
    _log_in(page, live_server, world.alice)
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.locator(f"a[href='/contracts/{contract.pk}/final-account-timeline/']").click()

    page.fill("#id_final_statement_sent_date", "2026-03-19")
    page.fill("#id_final_statement_moe_received_date", "2026-03-20")
    page.fill("#id_final_statement_moa_received_date", "2026-03-23")
    page.fill("#id_general_statement_notified_date", "2026-04-20")
    page.locator("main form button[type=submit]").click()

    general = page.locator("tr[data-step='general_statement']")
    expect(general.locator("time").first).to_have_attribute("datetime", "2026-04-22")
    expect(general).to_have_attribute("data-status", "done")
    signed = page.locator("tr[data-step='signed_return']")
    expect(signed.locator("time").first).to_have_attribute("datetime", "2026-05-20")
    page.screenshot(path="/tmp/final-account-deadlines.png", full_page=True)
    fresh = Contract.objects.get(pk=contract.pk)
    assert fresh.general_statement_notified_date == dt.date(2026, 4, 20)
