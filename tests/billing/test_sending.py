"""An issued invoice emailed to the client through the outbox and a real SMTP peer, its
Factur-X PDF attached and read back; drafts and readers are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from chantier.einvoice.embed import extract_xml
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client, Interaction
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text
from tests.mail.conftest import smtp_peer

SHARED_FIXTURES = (smtp_peer,)


def form_data(response: Any) -> dict[str, Any]:
    form = response.context["form"]
    data = {name: form.initial.get(name, "") for name in ("to", "cc", "subject", "body")}
    data["submit_token"] = str(form.initial["submit_token"])
    return data


@pytest.mark.django_db(transaction=True)
def test_an_issued_invoice_reaches_the_smtp_peer_with_its_factur_x(
    alice_client: Any, alice_api: ApiClient, example: Example, smtp_peer: Any
) -> None:
    first = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "50")]))
    contract = alice_api.get(f"/contracts/{example.contract_id}").json()
    Client.objects.filter(name="SCI Les Tilleuls").update(email="gestion@tilleuls.example")
    url = reverse("billing:invoice_send", args=[first["id"]])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["to"] == "gestion@tilleuls.example"
    assert first["number"] in page.context["form"].initial["subject"]
    assert alice_client.post(url, form_data(page)).status_code == 302
    assert alice_client.post(url, form_data(page)).status_code == 302  # posted twice: once
    assert OutboxMessage.objects.count() == 1
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    [received] = smtp_peer.messages
    assert received["To"] == "gestion@tilleuls.example"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == f"{first['number']}.pdf"
    content = attachment.get_content()
    assert first["number"] in pdf_text(content)
    assert first["number"].encode() in extract_xml(content)
    assert Interaction.objects.filter(contract_id=contract["id"], kind="email").exists()


@pytest.mark.django_db
def test_a_draft_is_not_sent_and_a_reader_cannot_send(
    alice_client: Any, bob_client: Any, alice_api: ApiClient, example: Example
) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "50")]).json()
    url = reverse("billing:invoice_send", args=[draft["id"]])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["refusal"]
    assert alice_client.post(url, form_data(page)).status_code == 400
    assert bob_client.get(url).status_code == 403
    assert not OutboxMessage.objects.exists()
