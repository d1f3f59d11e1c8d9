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


def test_demo_creates_a_sent_message_with_attachment_and_a_failed_one(mail_world, settings):
    demo.load(mail_world.company_a, mail_world.alice)

    sent = OutboxMessage.objects.get(status=OutboxMessage.Status.SENT)
    failed = OutboxMessage.objects.get(status=OutboxMessage.Status.FAILED)
    assert sent.company == failed.company == mail_world.company_a
    assert OutboxAttachment.objects.get(message=sent).filename == "Conditions générales.txt"
    assert failed.attempts == settings.MAIL_MAX_ATTEMPTS
    assert Interaction.objects.get().subject == sent.subject
    assert list(settings.MAIL_DIR.glob("*.eml")) == []  # nothing was sent
