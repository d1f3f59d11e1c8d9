"""Demo rows: at least one of each model when there are clients, nothing otherwise."""

from __future__ import annotations

import pytest

from chantier.mail import demo
from chantier.mail.models import OutboxAttachment, OutboxMessage
from chantier.parties.models import Interaction

pytestmark = pytest.mark.django_db


def test_demo_without_clients_creates_nothing(world):
    demo.load(world.company_a, world.alice)
    assert OutboxMessage.objects.count() == 0


def test_demo_sends_a_letter_to_eml_files_and_has_one_refused(mail_world, settings):
    demo.load(mail_world.company_a, mail_world.alice)

    sent = OutboxMessage.objects.get(status=OutboxMessage.Status.SENT)
    failed = OutboxMessage.objects.get(status=OutboxMessage.Status.FAILED)
    assert sent.company == failed.company == mail_world.company_a
    assert OutboxAttachment.objects.get(message=sent).filename == "Conditions générales.txt"
    assert (sent.attempts, sent.last_error) == (1, "")
    assert Interaction.objects.get().subject == sent.subject  # logged by the delivery
    [eml] = settings.MAIL_DIR.glob("*.eml")  # delivered the ordinary way, to a file
    content = eml.read_bytes()
    assert b"To: dupont@client.example" in content
    assert b'filename="Conditions' in content or b"filename*=" in content
    # Refused for good by the receiving server: failed at the first attempt, retryable.
    assert failed.attempts == 1
    assert failed.last_error.startswith("SMTPRecipientsRefused: ")
    assert "5.1.1 User unknown" in failed.last_error


def test_demo_never_uses_the_configured_mail_server(mail_world, smtp_peer):
    demo.load(mail_world.company_a, mail_world.alice)
    assert smtp_peer.envelopes == []
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == 1
