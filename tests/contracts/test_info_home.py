"""The home page's reminders (seed 002 "Date de prochaine échéance", french-rules §10):
contracts due within two months or overdue, and service orders whose 15-day observation
deadline is near; in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chantier.contracts import services
from chantier.contracts.models import Contract, ServiceOrder
from chantier.contracts.selectors import add_months, home_reminders
from chantier.core.views import _service_order_url

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def _contract(world, client, reference, due, status="active"):
    contract = services.contract_create(
        user=world.alice,
        data={"client": client, "title": f"Contrat {reference}", "reference": reference,
              "next_due_date": due, "next_due_label": f"Visite {reference}", "status": status},
    )  # fmt: skip
    return contract


def _order(world, contract, notified, status=ServiceOrder.Status.AWAITING, number=1):
    return ServiceOrder.objects.create(
        company=world.company_a, contract=contract, number=number, kind="change",
        title=f"OS {number}", status=status, notification_date=notified,
    )  # fmt: skip


def test_add_months():
    assert add_months(dt.date(2026, 2, 10), 2) == dt.date(2026, 4, 10)
    assert add_months(dt.date(2025, 12, 31), 2) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_reminders_pick_due_contracts_and_near_observation_deadlines(world, acme):
    soon = _contract(world, acme, "SOON", dt.date(2026, 4, 10))  # exactly two months
    _contract(world, acme, "LATE", dt.date(2026, 1, 5))  # overdue, still active
    _contract(world, acme, "FAR", dt.date(2026, 4, 11))
    _contract(world, acme, "DONE", dt.date(2026, 1, 5), status=Contract.Status.FINISHED)
    _contract(world, acme, "NONE", None)
    # Example 10.A: notified 2026-02-10 → deadline 2026-02-25.
    near = _order(world, soon, dt.date(2026, 2, 10), number=1)
    last_day = _order(world, soon, dt.date(2026, 1, 26), ServiceOrder.Status.VALIDATED, 2)
    _order(world, soon, dt.date(2026, 1, 25), number=3)  # deadline passed yesterday
    _order(world, soon, dt.date(2026, 2, 9), ServiceOrder.Status.REFUSED, 4)
    _order(world, soon, dt.date(2026, 2, 9), ServiceOrder.Status.DRAFT, 5)
    _order(world, soon, None, number=6)
    assert near.observation_deadline == dt.date(2026, 2, 25)

    reminders = home_reminders(world.company_a, TODAY)
    assert [c.reference for c in reminders.contracts] == ["LATE", "SOON"]
    assert [o.pk for o in reminders.service_orders] == [last_day.pk, near.pk]
    assert home_reminders(world.company_b, TODAY).contracts == []


def test_the_home_page_lists_the_reminders_with_links(alice_client, world, acme):
    soon = _contract(world, acme, "SOON", dt.date(2026, 3, 1))
    order = _order(world, soon, dt.date(2026, 2, 5))
    html = alice_client.get("/").content.decode()
    assert _("Reminders") in html
    assert reverse("contracts:contract_detail", args=[soon.pk]) in html
    assert "Visite SOON" in html
    assert str(order) in html
    # The service order's page once the contracts app has one, else its contract's.
    assert f'href="{_service_order_url(order)}"' in html
    assert date_format(dt.date(2026, 2, 20), "SHORT_DATE_FORMAT") in html  # observation deadline


def test_no_reminder_no_section(alice_client, world, acme):
    _contract(world, acme, "FAR", dt.date(2027, 1, 1))
    assert 'id="reminders-heading"' not in alice_client.get("/").content.decode()


def test_another_company_sees_none_of_them(charlie_client, world, acme):
    _contract(world, acme, "SOON", dt.date(2026, 3, 1))
    assert "SOON" not in charlie_client.get("/").content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_the_home_page_runs_a_fixed_number_of_queries(
    alice_client, world, acme, rows, django_assert_max_num_queries
):
    for n in range(rows):
        contract = _contract(world, acme, f"C{n}", dt.date(2026, 3, 1))
        _order(world, contract, dt.date(2026, 2, 1))
    # session, user, membership, client count, item count, contracts, service orders,
    # final-account deadlines, then the money dashboard's own (chantier.analysis)
    from chantier.analysis.selectors import QUERIES as DASHBOARD_QUERIES

    with django_assert_max_num_queries(8 + DASHBOARD_QUERIES):
        html = alice_client.get("/").content.decode()
    assert f"C{rows - 1}" in html
