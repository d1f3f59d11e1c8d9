"""Without EMAIL_URL, messages are written as .eml files under MAIL_DIR."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.db import transaction

from chantier.mail.models import OutboxMessage
from chantier.mail.services import message_deliver, message_prepare, message_queue


@pytest.mark.django_db
def test_default_backend_writes_a_parseable_eml(mail_world, settings):
    draft = message_prepare(
        user=mail_world.alice,
        template_key="client",
        client=mail_world.client_a,
        attachments=[("notes.txt", "text/plain", "Accès par la cour.".encode())],
    )
    with transaction.atomic():
        message = message_queue(user=mail_world.alice, draft=draft)

    status = message_deliver(message.pk)
    message.refresh_from_db()
    assert status == OutboxMessage.Status.SENT, message.last_error

    [path] = list(settings.MAIL_DIR.glob("*.eml"))
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "dupont@client.example"
    assert parsed["Cc"] == "alice@alpha.example, contact@alpha.example"
    assert parsed["Subject"] == "Alpha Bâtiment — votre dossier Mme Dupont"
    assert "votre dossier « Mme Dupont »" in parsed.get_body(("plain",)).get_content()
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "notes.txt"
    assert attachment.get_content().replace("\r\n", "\n") == "Accès par la cour.\n"
