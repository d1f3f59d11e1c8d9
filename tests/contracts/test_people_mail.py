"""An email sent about a contract (related_type "contract") is logged on the contract's
interactions: queued through the mail services, delivered to a real SMTP peer (aiosmtpd),
then shown on the "Participants & interactions" tab."""

from __future__ import annotations

from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.urls import reverse

from chantier.mail import registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import message_deliver, message_prepare, message_queue
from chantier.parties.models import Client, Interaction
from tests.mail.conftest import Recorder, free_port, smtp_mailer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings: Any) -> Any:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    try:
        yield recorder
    finally:
        controller.stop()


def test_the_contracts_app_registers_its_related_type(contract):
    assert registry.contract_of("contract", contract.pk) == contract.pk


def test_an_email_about_the_contract_is_logged_on_its_tab(alice_client, world, contract, smtp):
    Client.objects.filter(pk=contract.client_id).update(email="achats@acme.example")
    contract.client.refresh_from_db()
    draft = message_prepare(user=world.alice, template_key="client", client=contract.client)
    draft.related_type, draft.related_id = "contract", contract.pk
    draft.subject = "Planning des travaux"
    with transaction.atomic():
        message = message_queue(user=world.alice, draft=draft)

    assert message_deliver(message.pk) == OutboxMessage.Status.SENT

    assert len(smtp.envelopes) == 1
    assert "achats@acme.example" in smtp.envelopes[0].rcpt_tos
    interaction = Interaction.objects.get(contract=contract)
    assert interaction.kind == Interaction.Kind.EMAIL
    assert interaction.client_id == contract.client_id
    assert interaction.subject == "Planning des travaux"
    html = alice_client.get(reverse("contracts:people", args=[contract.pk])).content.decode()
    assert "Planning des travaux" in html
    assert reverse("contracts:people_interaction_update", args=[interaction.pk]) in html


def test_an_email_about_something_else_is_not_on_the_contract(world, contract, smtp):
    Client.objects.filter(pk=contract.client_id).update(email="achats@acme.example")
    contract.client.refresh_from_db()
    draft = message_prepare(user=world.alice, template_key="client", client=contract.client)
    with transaction.atomic():
        message = message_queue(user=world.alice, draft=draft)
    assert message_deliver(message.pk) == OutboxMessage.Status.SENT
    interaction = Interaction.objects.get(client=contract.client)
    assert interaction.contract_id is None
