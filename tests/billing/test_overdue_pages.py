"""The overdue invoices page (/invoices/overdue/): french-rules example 6.B to the cent
(14 820.00 unpaid 30 days after the due date at 12.15 % → 148.00 of interest, plus the
40.00 indemnity), what is left after a partial payment, what is not listed (paid,
credited, not yet due, drafts, credit notes, another company's), search, the reminder
button for writers only, the totals row and a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from chantier.billing.models import Invoice
from chantier.core.services import api_token_create
from chantier.parties.models import Client
from tests.billing.conftest import Example, make_contract, quote_line, seller_identity
from tests.billing.test_api_examples import issued, statement
from tests.billing.test_final_account_api import pay
from tests.conftest import ApiClient, World
from tests.e2e.conftest import _new_page, browser  # noqa: F401  (the browser fixture)
from tests.quotes.test_browser import _log_in

pytestmark = pytest.mark.django_db

URL = "/invoices/overdue/"
# session, user, membership (middleware); the count and the page of invoices with their
# client and contract.
QUERIES = 5
# Example 1.A statement n°1: 13 000.00 HT, 15 600.00 TTC, RG 780.00 → 14 820.00 payable.
EXAMPLE_1A = [
    ("L1", "cumulative_percent", "50"),
    ("L2", "cumulative_quantity", "100"),
    ("L3", "cumulative_quantity", "0"),
]


def plain(html: str) -> str:
    """French number formatting uses (narrow) non-breaking spaces: compare with spaces."""
    return html.replace("\u202f", " ").replace("\u00a0", " ")


def due_days_ago(invoice_id: int, days: int) -> None:
    """Time passes: the invoice's due date moves back (a queryset update, no service)."""
    Invoice.objects.filter(pk=invoice_id).update(
        due_date=timezone.localdate() - dt.timedelta(days=days)
    )


def overdue_statement(api: ApiClient, example: Example, days: int = 30) -> dict[str, Any]:
    """Example 1.A's statement n°1 issued (14 820.00 payable), its due date `days` ago."""
    invoice = issued(api, statement(api, example, EXAMPLE_1A))
    assert invoice["payable"] == "14820.00"
    due_days_ago(invoice["id"], days)
    return invoice


def test_the_overdue_page_is_linked_from_the_invoice_list(alice_client: HttpClient) -> None:
    html = alice_client.get(reverse("billing:invoice_list")).content.decode()
    assert reverse("billing:overdue_list") == URL
    assert f'href="{URL}"' in html


def test_example_6b_late_interest_and_indemnity(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    invoice = overdue_statement(alice_api, example, days=30)

    page = alice_client.get(URL)

    assert page.status_code == 200
    [row] = page.context["rows"]
    assert (row.invoice.pk, row.days_late) == (invoice["id"], 30)
    assert (row.left, row.interest, row.indemnity, row.total) == (
        Decimal("14820.00"),
        Decimal("148.00"),
        Decimal("40.00"),
        Decimal("15008.00"),
    )
    assert page.context["totals"] == {
        "left": Decimal("14820.00"),
        "interest": Decimal("148.00"),
        "indemnity": Decimal("40.00"),
        "total": Decimal("15008.00"),
    }
    html = plain(page.content.decode())
    for figure in ("14 820,00 €", "148,00 €", "40,00 €", "15 008,00 €", "12,15 %"):
        assert figure in html
    due = timezone.localdate() - dt.timedelta(days=30)
    assert due.strftime("%d/%m/%Y") in html
    assert reverse("billing:invoice_detail", args=[invoice["id"]]) in html
    assert invoice["number"] in html
    contract = alice_api.get(f"/contracts/{example.contract_id}").json()
    assert "SCI Les Tilleuls" in html and (contract["reference"] or contract["title"]) in html
    assert reverse("billing:invoice_reminder", args=[invoice["id"]]) in html
    assert _("Total of this page") in html


def test_a_partially_paid_invoice_shows_what_is_left(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    invoice = overdue_statement(alice_api, example, days=30)
    assert pay(alice_api, invoice["id"], "5000.00").status_code == 201

    [row] = alice_client.get(URL).context["rows"]

    # round2(9 820.00 × 12.15 % × 30 / 365) = round2(98.0655…) = 98.07
    assert (row.left, row.interest, row.indemnity, row.total) == (
        Decimal("9820.00"),
        Decimal("98.07"),
        Decimal("40.00"),
        Decimal("9958.07"),
    )


def test_paid_credited_not_yet_due_and_drafts_are_not_listed(
    alice_client: HttpClient, alice_api: ApiClient, world: World, example: Example
) -> None:
    # Not yet due: the due date set at issue is ahead; due today is not late either.
    first = issued(alice_api, statement(alice_api, example, EXAMPLE_1A))
    assert alice_client.get(URL).context["rows"] == []
    due_days_ago(first["id"], 0)
    assert alice_client.get(URL).context["rows"] == []
    due_days_ago(first["id"], 1)
    assert [row.days_late for row in alice_client.get(URL).context["rows"]] == [1]
    # Paid in full.
    assert pay(alice_api, first["id"], "14820.00").status_code == 201
    assert alice_client.get(URL).context["rows"] == []
    # Credited in full (a down payment on a second contract), with its credit note.
    other = make_contract(
        alice_api, world.company_a, [quote_line("L1 Charpente", "forfait", "1", "5000.00")]
    )
    down = issued(
        alice_api,
        alice_api.post(
            f"/contracts/{other.contract_id}/invoices", {"kind": "down_payment", "percent": "10"}
        ),
    )
    due_days_ago(down["id"], 10)
    assert [row.invoice.pk for row in alice_client.get(URL).context["rows"]] == [down["id"]]
    note = issued(alice_api, alice_api.post(f"/invoices/{down['id']}/credit-note"))
    due_days_ago(note["id"], 10)
    assert alice_client.get(URL).context["rows"] == []
    # A draft, even with a past date, is not due.
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "80")]).json()
    due_days_ago(draft["id"], 10)
    assert alice_client.get(URL).context["rows"] == []


def test_search_and_another_companys_invoices(
    alice_client: HttpClient,
    charlie_client: HttpClient,
    alice_api: ApiClient,
    world: World,
    example: Example,
) -> None:
    invoice = overdue_statement(alice_api, example)
    assert len(alice_client.get(URL, {"q": invoice["number"]}).context["rows"]) == 1
    assert len(alice_client.get(URL, {"q": "tilleuls"}).context["rows"]) == 1
    assert alice_client.get(URL, {"q": "nobody"}).context["rows"] == []
    # Another company sees none of it.
    page = charlie_client.get(URL)
    assert page.status_code == 200 and page.context["rows"] == []
    assert invoice["number"] not in page.content.decode()


def test_a_reader_sees_the_page_without_the_reminder_button(
    bob_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    invoice = overdue_statement(alice_api, example)
    page = bob_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert invoice["number"] in html
    assert reverse("billing:invoice_reminder", args=[invoice["id"]]) not in html


def test_the_invoice_page_offers_a_reminder_only_when_overdue(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    invoice = issued(alice_api, statement(alice_api, example, EXAMPLE_1A))
    detail = reverse("billing:invoice_detail", args=[invoice["id"]])
    reminder = reverse("billing:invoice_reminder", args=[invoice["id"]])
    assert reminder not in alice_client.get(detail).content.decode()
    due_days_ago(invoice["id"], 3)
    assert reminder in alice_client.get(detail).content.decode()
    assert pay(alice_api, invoice["id"], "14820.00").status_code == 201
    assert reminder not in alice_client.get(detail).content.decode()


def test_the_page_runs_a_constant_number_of_queries(
    alice_client: HttpClient,
    alice_api: ApiClient,
    world: World,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    overdue_statement(alice_api, example)
    with django_assert_max_num_queries(QUERIES):
        one = alice_client.get(URL)
    assert len(one.context["rows"]) == 1
    for n in range(3):
        other = make_contract(
            alice_api, world.company_a, [quote_line(f"L1 Lot {n}", "forfait", "1", "1000.00")]
        )
        down = issued(
            alice_api,
            alice_api.post(
                f"/contracts/{other.contract_id}/invoices",
                {"kind": "down_payment", "percent": "20"},
            ),
        )
        due_days_ago(down["id"], 5 + n)
    with django_assert_max_num_queries(QUERIES):
        four = alice_client.get(URL, {"q": ""})
    assert len(four.context["rows"]) == 4
    # Oldest due date first.
    assert [row.days_late for row in four.context["rows"]] == [30, 7, 6, 5]


def make_individual(name: str = "SCI Les Tilleuls") -> None:
    Client.objects.filter(name=name).update(kind=Client.Kind.INDIVIDUAL, name="M. Lefèvre")


def test_a_private_individual_owes_no_l441_10_penalties_nor_indemnity(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    """L441-10 penalties and the 40 € indemnity are due between professionals only."""
    overdue_statement(alice_api, example, days=30)
    make_individual()

    page = alice_client.get(URL)

    [row] = page.context["rows"]
    assert (row.professional, row.left, row.interest, row.indemnity, row.total) == (
        False,
        Decimal("14820.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("14820.00"),
    )
    assert page.context["totals"]["total"] == Decimal("14820.00")
    html = plain(page.content.decode())
    assert escape(_("private individual: no L441-10 penalties")) in html
    assert "148,00 €" not in html and "40,00 €" not in html and "15 008,00 €" not in html


def test_a_company_client_shows_no_private_individual_mention(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    overdue_statement(alice_api, example, days=30)
    html = alice_client.get(URL).content.decode()
    assert escape(_("private individual: no L441-10 penalties")) not in html


# --- the page fits the screen (a real browser) -----------------------------------------------


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:  # noqa: F811
    """A desktop page of the e2e fixtures, named so as not to shadow the `page` variables
    of the tests above."""
    yield from _new_page(browser, {"width": 1300, "height": 900})


@pytest.mark.browser
@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_table_fits_1300_and_390_pixels_and_names_wrap_by_word(
    browser_page: Any,
    live_server: Any,
    world: World,
) -> None:
    """The reviewer's page at 1 300 px was 1 456 px wide, the client's name broken letter
    by letter ("Agen ce Rhôn e Habit at")."""
    seller_identity(world.company_a)
    api = ApiClient(api_token_create(user=world.alice))
    example = make_contract(
        api,
        world.company_a,
        [
            quote_line("L1 Terrassement", "forfait", "1", "10000.00"),
            quote_line("L2 Maçonnerie", "m²", "250", "80.00"),
            quote_line("L3 Charpente", "forfait", "1", "1000.00"),
        ],
    )
    overdue_statement(api, example, days=15)
    Client.objects.filter(company=world.company_a).update(name="Agence Rhône Habitat")
    page = browser_page
    _log_in(page, live_server, world.alice)
    for width in (1300, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{URL}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        # Each word of the name on one line: no cell narrower than its longest word.
        words = page.evaluate(
            """() => {
              const cell = document.querySelector('#overdue tbody td.name');
              const range = document.createRange();
              const node = cell.firstChild;
              return ['Agence', 'Rhône', 'Habitat'].map(word => {
                const start = node.textContent.indexOf(word);
                range.setStart(node, start);
                range.setEnd(node, start + word.length);
                return range.getClientRects().length;
              });
            }"""
        )
        assert words == [1, 1, 1], (width, words)
        # Amounts and dates on one line.
        total = page.locator("#overdue tbody td.num strong").first
        assert total.evaluate("e => e.getClientRects().length") == 1
        assert total.bounding_box()["height"] < 30
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{live_server.url}{URL}")
    expect(page.locator("#overdue a.button")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 900})
    expect(page.locator("#overdue a.button")).to_be_hidden()
    expect(page.locator("#overdue .narrow-only a")).to_be_visible()
    assert page.problems == []
