"""The change order PDF (read back with pypdf) and its sending to a real SMTP peer."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chantier.contracts import change_order_sending as sending
from chantier.contracts.models import ChangeOrder
from chantier.documents.models import RenderJob
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client, Interaction
from tests.contracts.test_change_order_pages import make
from tests.mail.conftest import smtp_peer
from tests.quotes.test_pdf import pdf_text

SHARED_FIXTURES = (smtp_peer,)


def title_fr(number: int) -> str:
    with translation.override("fr"):
        return gettext("Change order no. %(number)s") % {"number": number}


@pytest.mark.django_db
def test_pdf_has_number_reference_lines_and_totals(world, contract):
    order = make(world, contract)

    text = pdf_text(sending.render_pdf(order))

    assert title_fr(1) in text
    assert "DEV2026-7" in text
    assert "Enduit de façade" in text
    assert "7,25" in text  # net: 100.00 − 105.00 + 12.25
    assert "-1,00" in text or "−1,00" in text  # VAT 20 % on −5.00
    assert "1,23" in text  # VAT 10 % on 12.25
    assert "7,48" in text  # incl. VAT
    assert "3,500 → 3,000" in text or "3,5 → 3" in text  # FD-1 before → after


@pytest.mark.django_db
def test_pdf_page_renders_a_job_any_member_may_print(world, contract, bob_client, charlie_client):
    order = make(world, contract)
    url = reverse("contracts:change_order_pdf", args=[order.pk])
    assert charlie_client.get(url).status_code == 404
    response = bob_client.get(url)
    assert response.status_code == 302
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.DONE
    with job.file.open("rb") as handle:
        assert "7,25" in pdf_text(handle.read())


def form_data(response: Any, **change: Any) -> dict[str, Any]:
    form = response.context["form"]
    data = {name: form.initial.get(name, "") for name in ("to", "cc", "subject", "body")}
    data["submit_token"] = str(form.initial["submit_token"])
    data["lock_version"] = response.context["change_order"].lock_version
    data.update(change)
    return data


@pytest.mark.django_db(transaction=True)
def test_sending_a_draft_submits_it_and_reaches_the_smtp_peer(
    world, contract, alice_client, smtp_peer
):
    Client.objects.filter(pk=contract.client_id).update(email="achats@acme.example")
    order = make(world, contract)
    url = reverse("contracts:change_order_send", args=[order.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["to"] == "achats@acme.example"

    response = alice_client.post(url, form_data(page))

    assert response.status_code == 302, response.content.decode()
    order.refresh_from_db()
    assert order.status == ChangeOrder.Status.SUBMITTED
    message = OutboxMessage.objects.get()
    assert (message.related_type, message.related_id) == ("change_order", order.pk)
    again = alice_client.post(url, form_data(page))  # same page posted twice: sent once
    assert again.status_code == 302
    assert OutboxMessage.objects.count() == 1

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    [received] = smtp_peer.messages
    assert received["To"] == "achats@acme.example"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "avenant-1-DEV2026-7.pdf"
    text = pdf_text(attachment.get_content())
    assert title_fr(1) in text and "7,25" in text
    logged = Interaction.objects.get(contract=contract)
    assert logged.kind == Interaction.Kind.EMAIL


@pytest.mark.django_db
def test_send_refused_for_a_decided_change_order_and_for_readers(
    world, contract, alice_client, bob_client
):
    from chantier.contracts import change_order_services as services

    order = make(world, contract)
    url = reverse("contracts:change_order_send", args=[order.pk])
    assert bob_client.get(url).status_code == 403
    services.change_order_submit(user=world.alice, change_order=order)
    services.change_order_reject(user=world.alice, change_order=order)
    page = alice_client.get(url)
    assert page.context["refusal"]
    assert alice_client.post(url, {"to": "x@y.fr", "subject": "s"}).status_code == 400
    assert not OutboxMessage.objects.exists()
