"""Payments and the décompte général through the web pages, as a user records them:
from the invoice, for a client, the list, deleting with a reason, the décompte page, its
PDF read back and its email through a real SMTP peer, the retention release."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.billing import account_documents
from chantier.billing.models import Invoice, Payment, RetentionRelease
from chantier.contracts.models import Contract
from chantier.core.models import AuditEntry
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client
from tests.billing.conftest import Example
from tests.billing.test_final_account_api import two_statements_after_a_down_payment
from tests.billing.test_payments import first_statement
from tests.billing.test_sending import form_data
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text, plain
from tests.mail.conftest import smtp_peer

SHARED_FIXTURES = (smtp_peer,)


def today() -> str:
    return timezone.localdate().isoformat()


def page_text(response: Any) -> str:
    return plain(response.content.decode().replace("\u202f", " ").replace("\xa0", " "))


def test_a_payment_recorded_from_the_invoice_page_in_french_decimals(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    detail = reverse("billing:invoice_detail", args=[invoice["id"]])
    page = alice_client.get(detail)
    assert page.status_code == 200
    assert page.context["left_payable"] == D("14820.00")
    url = reverse("billing:payment_create", args=[invoice["id"]])
    data = {"date": today(), "amount": "10 000,50", "applies_to": "payable", "method": "cheque"}
    response = alice_client.post(url, {**data, "reference": "CHQ 42"})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.reference) == (
        D("10000.50"),
        "cheque",
        "CHQ 42",
    )
    page = alice_client.get(detail)
    assert page.context["left_payable"] == D("4819.50")
    assert "CHQ 42" in page.content.decode()


def test_an_overpayment_on_the_page_shows_the_error_and_records_nothing(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    url = reverse("billing:payment_create", args=[invoice["id"]])
    data = {"date": today(), "amount": "20000", "applies_to": "payable", "method": "transfer"}
    response = alice_client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert not Payment.objects.exists()
    response = alice_client.post(url, {**data, "amount": "-5"})
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_client_pays_without_an_invoice_then_on_one_of_its_invoices(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    client = Client.objects.get(name="SCI Les Tilleuls")
    url = reverse("billing:payment_new")
    choose = alice_client.get(url, {"client": client.pk})
    assert choose.status_code == 200
    assert [i.pk for i in choose.context["invoices"]] == [invoice["id"]]
    assert choose.context["form"].fields["contract"].initial == example.contract_id
    common = {"client": client.pk, "date": today(), "method": "transfer"}
    response = alice_client.post(
        url, {**common, "amount": "500", "invoice": "", "contract": example.contract_id}
    )
    assert response.status_code == 302
    credit = Payment.objects.get()
    assert (credit.applies_to, credit.invoice_id, credit.amount) == ("credit", None, D("500.00"))
    assert credit.contract_id == example.contract_id  # counted in the contract's décompte
    account = alice_api.get(f"/contracts/{example.contract_id}/final-account").json()
    assert account["summary"]["paid"] == "500.00"
    response = alice_client.post(url, {**common, "amount": "1000", "invoice": invoice["id"]})
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice["id"]).paid_payable == D("1000.00")


def test_the_payments_list_searches_filters_and_stays_within_its_queries(
    alice_client: Any,
    charlie_client: Any,
    alice_api: ApiClient,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    invoice = first_statement(alice_api, example)
    for index in range(5):
        body = {"date": today(), "amount": "100.00", "reference": f"VIR-{index}"}
        assert alice_api.post(f"/invoices/{invoice['id']}/payments", body).status_code == 201
    url = reverse("billing:payment_list")
    with django_assert_max_num_queries(12):
        page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["total"] == D("500.00")
    assert len(page.context["object_list"]) == 5
    found = alice_client.get(url, {"q": "VIR-3"})
    assert [p.reference for p in found.context["object_list"]] == ["VIR-3"]
    assert list(charlie_client.get(url).context["object_list"]) == []


def test_only_an_admin_deletes_a_payment_with_a_reason(
    alice_client: Any, bob_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    body = {"date": today(), "amount": "100.00"}
    payment_id = alice_api.post(f"/invoices/{invoice['id']}/payments", body).json()["id"]
    url = reverse("billing:payment_delete", args=[payment_id])
    assert bob_client.post(url, {"reason": "erreur"}).status_code == 403
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, {"reason": ""}).status_code == 400
    assert Payment.objects.filter(pk=payment_id).exists()
    assert alice_client.post(url, {"reason": "Chèque rejeté"}).status_code == 302
    assert not Payment.objects.filter(pk=payment_id).exists()
    assert AuditEntry.objects.get(action="payment_delete").data["reason"] == "Chèque rejeté"


def test_the_final_account_page_shows_the_four_parts_in_constant_queries(
    alice_client: Any,
    charlie_client: Any,
    alice_api: ApiClient,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    _down, first, _second = two_statements_after_a_down_payment(alice_api, example)
    alice_api.post(f"/invoices/{first['id']}/payments", {"date": today(), "amount": "5000.00"})
    url = reverse("billing:final_account", args=[example.contract_id])
    with django_assert_max_num_queries(14):
        page = alice_client.get(url)
    assert page.status_code == 200
    text = page_text(page)
    for figure in ("33 060,00", "25 765,00", "7 295,00", "33 544,20", "1 545,90", "28 544,20"):
        assert figure in text
    assert _("Past instalments") in page.content.decode()
    assert len(page.context["account"].past) == 4
    # more invoices and payments, the same number of queries
    alice_api.post(f"/invoices/{first['id']}/payments", {"date": today(), "amount": "100.00"})
    with django_assert_max_num_queries(14):
        assert alice_client.get(url).status_code == 200
    assert charlie_client.get(url).status_code == 404


def test_the_final_account_pdf_reads_back_with_its_figures(
    alice_api: ApiClient, example: Example
) -> None:
    _down, first, second = two_statements_after_a_down_payment(alice_api, example)
    alice_api.post(f"/invoices/{first['id']}/payments", {"date": today(), "amount": "5000.00"})
    contract = Contract.objects.get(pk=example.contract_id)
    text = pdf_text(account_documents.final_account_pdf(contract)).replace("\u202f", " ")
    for figure in (first["number"], second["number"], "33 544,20", "28 544,20", "-28 544,20"):
        assert figure in text
    assert "0,00" in text  # the projected balance ends at zero


@pytest.mark.django_db(transaction=True)
def test_the_final_account_is_emailed_with_its_pdf(
    alice_client: Any, alice_api: ApiClient, example: Example, smtp_peer: Any
) -> None:
    two_statements_after_a_down_payment(alice_api, example)
    Client.objects.filter(name="SCI Les Tilleuls").update(email="gestion@tilleuls.example")
    url = reverse("billing:final_account_send", args=[example.contract_id])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "33 544,20" in plain(page.context["form"].initial["body"].replace("\u202f", " "))
    assert alice_client.post(url, form_data(page)).status_code == 302
    assert alice_client.post(url, form_data(page)).status_code == 302  # posted twice: once
    assert OutboxMessage.objects.count() == 1
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    [received] = smtp_peer.messages
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename().startswith("decompte-general-")
    assert "33 544,20" in pdf_text(attachment.get_content()).replace("\u202f", " ")


def test_releasing_the_retention_from_the_page(
    alice_client: Any, bob_client: Any, alice_api: ApiClient, example: Example
) -> None:
    two_statements_after_a_down_payment(alice_api, example)
    url = reverse("billing:retention_release", args=[example.contract_id])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["held"] == D("1545.90")
    data = {"date": today(), "amount": "1 545,90", "method": "transfer", "reference": "RG"}
    assert bob_client.post(url, data).status_code == 403
    response = alice_client.post(url, data)
    assert response.status_code == 302
    release = RetentionRelease.objects.get()
    assert (release.amount, release.kind) == (D("1545.90"), "release")
    assert Payment.objects.filter(release=release).count() == 2
    listing = alice_client.get(reverse("billing:retention_list"))
    assert list(listing.context["object_list"]) == []


def test_the_end_of_a_bank_guarantee_is_an_event_without_money(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    Contract.objects.filter(pk=example.contract_id).update(
        retention_guarantee=True, guarantee_reference="CAUTION-7"
    )
    first_statement(alice_api, example)
    url = reverse("billing:retention_release", args=[example.contract_id])
    assert alice_client.post(url, {"date": today()}).status_code == 302
    assert alice_client.post(url, {"date": today()}).status_code == 400  # only once
    release = RetentionRelease.objects.get()
    assert (release.kind, release.amount) == ("guarantee_end", D("0.00"))
    account = alice_api.get(f"/contracts/{example.contract_id}/final-account").json()
    assert account["past"][-1]["kind"] == "guarantee_end"
    assert not Payment.objects.exists()


def test_the_invoice_list_filters_by_issue_dates_and_unpaid(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    url = reverse("billing:invoice_list")
    day = today()
    listed = alice_client.get(url, {"issued_from": day, "issued_to": day})
    assert [i.pk for i in listed.context["object_list"]] == [invoice["id"]]
    assert [i.pk for i in alice_client.get(url, {"unpaid": "1"}).context["object_list"]] == [
        invoice["id"]
    ]
    alice_api.post(f"/invoices/{invoice['id']}/payments", {"date": day, "amount": "14820.00"})
    assert list(alice_client.get(url, {"unpaid": "1"}).context["object_list"]) == []


def test_open_reserves_warn_at_the_release_which_needs_a_confirmation(
    alice_client: Any, alice_api: ApiClient, example: Example, world: Any
) -> None:
    """Loi 71-584 art. 2: the release is not blocked by réserves in a private contract,
    but the user sees them and confirms."""
    from chantier.works.models import Reserve

    two_statements_after_a_down_payment(alice_api, example)
    Reserve.objects.create(
        company=world.company_a,
        contract_id=example.contract_id,
        description="Fissure enduit",
        noted_on=timezone.localdate(),
    )
    url = reverse("billing:retention_release", args=[example.contract_id])
    data = {"date": today(), "amount": "1545,90", "method": "transfer"}
    warned = alice_client.post(url, data)
    assert warned.status_code == 409
    assert warned.context["warning"]
    assert not RetentionRelease.objects.exists()
    confirmed = alice_client.post(url, {**data, "confirm": "True"})
    assert confirmed.status_code == 302
    assert RetentionRelease.objects.get().open_reserves == 1
    api = alice_api.post(f"/contracts/{example.contract_id}/retention-release", {"amount": "1.00"})
    assert api.status_code == 409  # nothing more is held


def test_the_invoice_list_totals_its_selection(
    alice_client: Any, alice_api: ApiClient, example: Example, django_assert_max_num_queries: Any
) -> None:
    """The dashboard's figures link to this list: its totals must show the same amounts."""
    _down, first, _second = two_statements_after_a_down_payment(alice_api, example)
    alice_api.post(f"/invoices/{first['id']}/payments", {"date": today(), "amount": "5000.00"})
    url = reverse("billing:invoice_list")
    with django_assert_max_num_queries(12):
        page = alice_client.get(url, {"unpaid": "1"})
    totals = page.context["totals"]
    assert totals["gross"] == D("33544.20")  # the three invoices still owed something
    assert totals["paid"] == D("5000.00")
    assert totals["left"] == D("26998.30")  # 11 901,60 + 5 140,00 + 9 956,70
    assert "26 998,30" in page_text(page)
