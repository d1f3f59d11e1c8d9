"""The money dashboard on the home page (issue 6): exact figures on the hand-built history
of conftest.py, the links to the lists behind them, tenancy, readers, constant queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from chantier.analysis import dashboard as dashboard_module
from chantier.analysis.dashboard import final_account_url, url_or_blank
from chantier.analysis.selectors import QUERIES, money_dashboard
from tests.analysis.conftest import TODAY, History, make_contract, make_invoice, pay

pytestmark = pytest.mark.django_db
D = Decimal


def plain(html: str) -> str:
    """Text with French number spaces (NBSP, NNBSP) made plain spaces."""
    return unescape(html).replace("\u00a0", " ").replace("\u202f", " ")


def figure(html: str, key: str) -> str:
    match = re.search(rf'<li class="figure[^"]*" data-figure="{key}">(.*?)</li>', html, re.S)
    assert match, f"no figure {key}"
    return match.group(1)


def href_of(fragment: str) -> str | None:
    match = re.search(r'<a href="([^"]*)"', fragment)
    return unescape(match.group(1)) if match else None


def test_the_figures_of_the_history(history: History, world: Any) -> None:
    board = money_dashboard(world.company_a, TODAY)

    # Billed: March = I2 + the credit note; 2026 = I1 + I6 + March (drafts never count).
    assert (board.this_month.billed_net, board.this_month.billed_gross) == (
        D("11765.00"),
        D("14118.00"),
    )
    assert (board.year_net, board.year_gross) == (D("25265.00"), D("30318.00"))

    # 12 months, April 2025 to March 2026 (I5 of March 2025 is before them).
    assert [m.start for m in board.months] == [
        dt.date(2025 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(12)
    ]
    by_month = {m.start: (m.billed_net, m.billed_gross, m.received) for m in board.months}
    assert {day: figures for day, figures in by_month.items() if any(figures)} == {
        dt.date(2025, 11, 1): (D("10000.00"), D("12000.00"), D("0.00")),
        dt.date(2025, 12, 1): (D("20000.00"), D("24000.00"), D("2000.00")),
        dt.date(2026, 1, 1): (D("13000.00"), D("15600.00"), D("0.00")),
        # received in February: 14 820 + 22 800 + 200 (retention) + 700 (overpaid)
        dt.date(2026, 2, 1): (D("500.00"), D("600.00"), D("38520.00")),
        # 5 000 on I2 and a client credit of 50
        dt.date(2026, 3, 1): (D("11765.00"), D("14118.00"), D("5050.00")),
    }

    # Unpaid: I2 14 552.10 − 1 140 (its credit note) − 5 000 = 8 412.10, I3 10 000, I5
    # 1 140; I1 and I4 are paid, I6 overpaid (a credit, not a negative debt).
    assert (board.unpaid, board.unpaid_count) == (D("19552.10"), 3)
    # Overdue on 2026-03-15: I3 (due 2026-01-04) and I5 (due 2025-05-09).
    assert (board.overdue, board.overdue_count) == (D("11140.00"), 2)

    # Left to bill: MAR-2 50 000 − 20 000; MAR-1 33 060 − 24 765 (works of I1, I2 and
    # the credit note); MAR-4 5 000 − 1 500; MAR-3 is finished.
    assert (board.left_to_bill, board.left_to_bill_count) == (D("41795.00"), 3)
    assert [
        (row.reference, row.base_net, row.billed_net, row.left) for row in board.left_to_bill_top
    ] == [
        ("MAR-2", D("50000.00"), D("20000.00"), D("30000.00")),
        ("MAR-1", D("33060.00"), D("24765.00"), D("8295.00")),
        ("MAR-4", D("5000.00"), D("1500.00"), D("3500.00")),
    ]

    # Retention held: MAR-1 780 + 765.90 − 60; MAR-2 1 200 − 200 paid; MAR-4 60. Soonest
    # release first: MAR-2 public (2025-12-01 + 12 months + 30 days), MAR-1 private
    # (2026-02-10 + 12 months), MAR-4 without handover last.
    assert (board.retention, board.retention_count) == (D("2545.90"), 3)
    assert [(row.reference, row.held, row.release_on) for row in board.retention_rows] == [
        ("MAR-2", D("1000.00"), dt.date(2026, 12, 31)),
        ("MAR-1", D("1485.90"), dt.date(2027, 2, 10)),
        ("MAR-4", D("60.00"), None),
    ]


def test_another_company_sees_only_its_own_figures(history: History, world: Any) -> None:
    board = money_dashboard(world.company_b, TODAY)
    assert (board.this_month.billed_net, board.year_net) == (D("777.00"), D("777.00"))
    assert (board.unpaid, board.unpaid_count, board.overdue) == (D("885.78"), 1, D("0.00"))
    assert (board.left_to_bill, board.retention) == (D("8223.00"), D("46.62"))
    assert [row.reference for row in board.left_to_bill_top] == ["B-1"]


def test_the_home_page_shows_each_figure_linked_to_its_list(
    history: History, alice_client: Any, today: dt.date
) -> None:
    html = alice_client.get("/").content.decode()
    expected = {
        "month": ("11 765,00 €", "/invoices/", "issued_from=2026-03-01&issued_to=2026-03-31"),
        "year": ("25 265,00 €", "/invoices/", "issued_from=2026-01-01&issued_to=2026-12-31"),
        "unpaid": ("19 552,10 €", "/invoices/", "unpaid=1"),
        "overdue": ("11 140,00 €", url_or_blank("billing:overdue_list"), ""),
        "left_to_bill": ("41 795,00 €", url_or_blank("contracts:contract_list"), ""),
        "retention": ("2 545,90 €", url_or_blank("billing:retention_list"), ""),
    }
    for key, (amount, path, query) in expected.items():
        fragment = figure(html, key)
        assert amount in plain(fragment), key
        link = href_of(fragment)
        if path:
            assert link == (f"{path}?{query}" if query else path), key
        else:  # the list page does not exist yet: the figure is shown without a link
            assert link is None, key
    assert "14 118,00 €" in plain(figure(html, "month"))  # gross beside the net
    assert "figure-alert" in html  # something is overdue

    text = plain(html)
    # Top contracts link to their décompte page; retention rows carry the release date.
    for contract in (history.mar1, history.mar2, history.mar4):
        url = final_account_url(contract.pk)
        assert (f'href="{url}"' in html) == bool(url)
        assert contract.reference in text
    assert '<time datetime="2026-12-31">31/12/2026</time>' in html
    assert _("after handover") in html
    # The chart and its table: each month's billed figure links to the invoices issued in
    # that month, the received figure to the payments of the month.
    assert 'id="money-chart"' in html
    assert "/invoices/?issued_from=2025-11-01&amp;issued_to=2025-11-30" in html
    payments = url_or_blank("billing:payment_list")
    if payments:
        assert f"{payments}?date_from=2026-02-01&amp;date_to=2026-02-28" in html
    assert "38 520,00 €" in text


def test_a_reader_sees_the_dashboard(history: History, bob_client: Any, today: dt.date) -> None:
    response = bob_client.get("/")
    assert response.status_code == 200
    assert "19 552,10 €" in plain(figure(response.content.decode(), "unpaid"))


def test_another_company_sees_none_of_company_a(
    history: History, charlie_client: Any, today: dt.date
) -> None:
    html = charlie_client.get("/").content.decode()
    assert "777,00 €" in plain(figure(html, "month"))
    text = plain(html)
    for foreign in ("MAR-1", "MAR-2", "MAR-4", "SCI Les Tilleuls", "19 552,10"):
        assert foreign not in text


def test_a_list_page_that_does_not_exist_gives_a_figure_without_link(
    history: History, alice_client: Any, today: dt.date, monkeypatch: Any
) -> None:
    def no_billing_pages(name: str, *args: Any, **kwargs: Any) -> str:
        if name.startswith("billing:"):
            raise NoReverseMatch(name)
        return "/contracts/"

    monkeypatch.setattr(dashboard_module, "reverse", no_billing_pages)
    assert url_or_blank("billing:nothing_here") == ""
    response = alice_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert href_of(figure(html, "unpaid")) is None
    assert "19 552,10 €" in plain(figure(html, "unpaid"))
    assert href_of(figure(html, "left_to_bill")) == "/contracts/"


def test_an_empty_company_gets_zeros_and_an_empty_chart(
    world: Any, alice_client: Any, today: dt.date
) -> None:
    board = money_dashboard(world.company_a, TODAY)
    assert (board.year_net, board.unpaid, board.left_to_bill, board.retention) == (D(0),) * 4
    html = alice_client.get("/").content.decode()
    assert _("Nothing left to bill.") in html and _("No retention held.") in html


def _grow(world: Any, contracts: int) -> None:
    """`contracts` more contracts, each with 3 issued invoices, a credit note, payments."""
    from chantier.parties.models import Client

    client = Client.objects.create(company=world.company_a, name="Client en plus")
    for n in range(contracts):
        contract = make_contract(
            world.company_a,
            client,
            f"X-{n}",
            ["1000.00", "2000.00"],
            handover_date=dt.date(2026, 1, n % 28 + 1),
        )
        invoices = [
            make_invoice(
                contract,
                dt.date(2026, month, 5),
                net="100.00",
                gross="120.00",
                works="100.00",
                retention="6.00",
                paid="50.00",
            )
            for month in (1, 2, 3)
        ]
        make_invoice(
            contract,
            dt.date(2026, 3, 6),
            net="-10.00",
            gross="-12.00",
            works="-10.00",
            retention="-0.60",
            credited=invoices[0],
        )
        for invoice in invoices:
            pay(invoice, dt.date(2026, 3, 7), "50.00")


def test_the_home_page_runs_the_same_queries_whatever_the_history(
    history: History,
    world: Any,
    alice_client: Any,
    today: dt.date,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    _grow(world, 12)
    with django_assert_max_num_queries(small):
        html = alice_client.get("/").content.decode()
    assert "X-" in html  # the new contracts are among the largest left to bill
    # The dashboard's own share: billed by month, received by month, unpaid and overdue,
    # the contracts (left to bill and retention held).
    with django_assert_num_queries(QUERIES):
        dashboard_module.dashboard_context(world.company_a, TODAY)
