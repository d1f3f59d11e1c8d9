"""The reminder (relance) of an overdue invoice: the compose page prefilled with the
amounts of french-rules example 6.B, queued through the outbox with the Factur-X PDF
attached, sent once when posted twice, audited, delivered to a real SMTP peer and then
logged as an email interaction on the client and the contract; refused for a draft, a
credit note, an invoice not yet due or paid, a reader and another company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from chantier.billing import documents, reminders
from chantier.billing.models import Invoice
from chantier.core.models import AuditEntry
from chantier.einvoice.embed import extract_xml
from chantier.mail import registry
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client, Interaction
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.billing.test_final_account_api import pay
from tests.billing.test_overdue_pages import EXAMPLE_1A, due_days_ago, overdue_statement, plain
from tests.billing.test_sending import form_data
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text
from tests.mail.conftest import smtp_peer

SHARED_FIXTURES = (smtp_peer,)
CLIENT_EMAIL = "gestion@tilleuls.example"


def url_of(invoice: dict[str, Any]) -> str:
    return reverse("billing:invoice_reminder", args=[invoice["id"]])


def with_email() -> None:
    Client.objects.filter(name="SCI Les Tilleuls").update(email=CLIENT_EMAIL)


def test_the_template_is_registered() -> None:
    template = registry.get("invoice_reminder")
    assert template is not None and template.prepare is reminders.mail_extras


@pytest.mark.django_db
def test_the_page_is_prefilled_with_the_figures_of_example_6b(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = overdue_statement(alice_api, example, days=30)
    with_email()

    page = alice_client.get(url_of(invoice))

    assert page.status_code == 200
    assert page.context["refusal"] == ""
    initial = page.context["form"].initial
    assert initial["to"] == CLIENT_EMAIL
    assert invoice["number"] in initial["subject"]
    body = plain(initial["body"])
    due = (timezone.localdate() - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    for figure in (invoice["number"], due, "30 jours", "14 820,00 €", "12,15 %", "148,00 €"):
        assert figure in body, figure
    for figure in ("40,00 €", "15 008,00 €", "L441-10"):
        assert figure in body, figure
    html = plain(page.content.decode())
    assert "15 008,00 €" in html and f"{invoice['number']}.pdf" in html


@pytest.mark.django_db(transaction=True)
def test_a_reminder_is_queued_once_then_delivered_and_logged_as_an_interaction(
    alice_client: Any, alice_api: ApiClient, example: Example, smtp_peer: Any
) -> None:
    invoice = overdue_statement(alice_api, example, days=30)
    with_email()
    url = url_of(invoice)
    page = alice_client.get(url)
    data = form_data(page)

    sent = alice_client.post(url, data)
    again = alice_client.post(url, data)  # the same page posted twice: sent once

    assert sent.status_code == 302
    assert sent["Location"] == reverse("billing:invoice_detail", args=[invoice["id"]])
    assert again.status_code == 302
    [message] = OutboxMessage.objects.all()
    assert again["Location"] == reverse("mail:message_detail", args=[message.pk])
    assert (message.template_key, message.related_type, message.related_id) == (
        "invoice_reminder",
        "invoice",
        invoice["id"],
    )
    assert message.to == [CLIENT_EMAIL]
    assert "148,00" in plain(message.body) and "15 008,00" in plain(message.body)
    [attachment] = message.attachments.all()
    assert (attachment.filename, attachment.content_type) == (
        f"{invoice['number']}.pdf",
        "application/pdf",
    )
    [audit] = AuditEntry.objects.filter(action="invoice_reminder")
    assert audit.object_id == str(invoice["id"])
    assert audit.data["message"] == message.pk
    assert (audit.data["days_late"], audit.data["interest"], audit.data["left"]) == (
        30,
        "148.00",
        "14820.00",
    )
    assert not Interaction.objects.exists()  # logged once delivered, not when queued

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    [received] = smtp_peer.messages
    assert received["To"] == CLIENT_EMAIL
    assert invoice["number"] in received["Subject"]
    assert "15 008,00" in plain(received.get_body(("plain",)).get_content())
    [pdf] = list(received.iter_attachments())
    content = pdf.get_content()
    assert pdf.get_filename() == f"{invoice['number']}.pdf"
    assert invoice["number"] in pdf_text(content)
    assert invoice["number"].encode() in extract_xml(content)
    [interaction] = Interaction.objects.all()
    assert interaction.kind == Interaction.Kind.EMAIL
    assert interaction.client.name == "SCI Les Tilleuls"
    assert interaction.contract_id == example.contract_id
    assert interaction.subject == message.subject


@pytest.mark.django_db
def test_nothing_to_claim_is_refused_with_a_message(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    with_email()
    first = issued(alice_api, statement(alice_api, example, EXAMPLE_1A))
    # Not yet due (due date at issue is ahead), then due today: not late either.
    for days in (None, 0):
        if days is not None:
            due_days_ago(first["id"], days)
        page = alice_client.get(url_of(first))
        assert page.status_code == 200
        assert page.context["refusal"]
        assert escape(page.context["refusal"]) in page.content.decode()
        assert alice_client.post(url_of(first), form_data(page)).status_code == 409
    # Overdue, then paid in full.
    due_days_ago(first["id"], 10)
    assert alice_client.get(url_of(first)).context["refusal"] == ""
    assert pay(alice_api, first["id"], "14820.00").status_code == 201
    page = alice_client.get(url_of(first))
    assert page.context["refusal"]
    assert alice_client.post(url_of(first), form_data(page)).status_code == 409
    # A draft and a credit note.
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "80")]).json()
    Invoice.objects.filter(pk=draft["id"]).update(due_date=timezone.localdate())
    note = issued(alice_api, alice_api.post(f"/invoices/{first['id']}/credit-note"))
    for other in (draft, note):
        due_days_ago(other["id"], 10)
        page = alice_client.get(url_of(other))
        assert page.status_code == 200
        assert page.context["refusal"]
        assert alice_client.post(url_of(other), form_data(page)).status_code == 409
    assert not OutboxMessage.objects.exists()
    assert not AuditEntry.objects.filter(action="invoice_reminder").exists()


@pytest.mark.django_db
def test_a_reader_gets_403_and_another_company_404(
    alice_client: Any,
    bob_client: Any,
    charlie_client: Any,
    alice_api: ApiClient,
    example: Example,
) -> None:
    invoice = overdue_statement(alice_api, example)
    with_email()
    url = url_of(invoice)
    data = form_data(alice_client.get(url))

    assert bob_client.post(url, data).status_code == 403
    assert bob_client.get(url).status_code == 403
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, data).status_code == 404
    assert not OutboxMessage.objects.exists()
    assert not AuditEntry.objects.filter(action="invoice_reminder").exists()


@pytest.mark.django_db
def test_an_invalid_form_is_shown_again(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    invoice = overdue_statement(alice_api, example)
    with_email()
    page = alice_client.get(url_of(invoice))
    data = {**form_data(page), "to": "not an address"}
    answer = alice_client.post(url_of(invoice), data)
    assert answer.status_code == 400
    assert answer.context["form"].errors
    assert not OutboxMessage.objects.exists()


def signature(body: str) -> list[str]:
    """The lines after the closing formula."""
    return body.split("salutations distinguées.")[1].strip().splitlines()


@pytest.mark.django_db
def test_the_letter_names_the_invoice_once_and_is_signed_by_a_name_not_a_username(
    alice_client: Any, alice_api: ApiClient, example: Example, world: Any
) -> None:
    """Not "notre facture de situation n° 1 n° FA2026-00002 … alice"."""
    invoice = overdue_statement(alice_api, example, days=30)
    with_email()
    with translation.override(settings.LANGUAGE_CODE):  # the letter's language
        title = documents.document_title(Invoice.objects.get(pk=invoice["id"]))

    initial = alice_client.get(url_of(invoice)).context["form"].initial

    body = initial["body"]
    assert f"notre {title.lower()} ({invoice['number']}) du " in body
    assert f"n° {invoice['number']}" not in body
    assert f"{title} ({invoice['number']})" in initial["subject"]
    # alice has no full name: the letter is signed by the company, not "alice".
    assert "alice" not in body
    assert signature(body)[0] == world.company_a.name
    # With a full name, the name then the company.
    world.alice.first_name, world.alice.last_name = "Alice", "Martin"
    world.alice.save(update_fields=["first_name", "last_name"])
    body = alice_client.get(url_of(invoice)).context["form"].initial["body"]
    assert signature(body)[:2] == ["Alice Martin", world.company_a.name]


@pytest.mark.django_db
def test_a_private_individual_is_claimed_what_is_left_and_no_penalties(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    """L441-10 penalties and the recovery indemnity are due between professionals only."""
    invoice = overdue_statement(alice_api, example, days=30)
    with_email()
    Client.objects.filter(name="SCI Les Tilleuls").update(kind=Client.Kind.INDIVIDUAL)

    page = alice_client.get(url_of(invoice))

    row = page.context["row"]
    assert (row.professional, row.interest, row.indemnity, row.total) == (
        False,
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("14820.00"),
    )
    body = plain(page.context["form"].initial["body"])
    assert "14 820,00 €" in body and "30 jours" in body
    for claim in ("L441-10", "D441-5", "Pénalités", "Indemnité", "40,00 €", "148,00 €"):
        assert claim not in body, claim
    html = plain(page.content.decode())
    assert escape(_("private individual: no L441-10 penalties")) in html
    # Sent as shown: the audit records no interest nor indemnity.
    assert alice_client.post(url_of(invoice), form_data(page)).status_code == 302
    [audit] = AuditEntry.objects.filter(action="invoice_reminder")
    assert (audit.data["interest"], audit.data["indemnity"]) == ("0.00", "0.00")
