"""message_prepare renders a template into a draft; message_queue validates and stores it."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from chantier.core.exceptions import DomainError, PermissionDenied
from chantier.core.models import AuditEntry
from chantier.mail import registry, services
from chantier.mail.exceptions import AlreadyQueued
from chantier.mail.models import OutboxAttachment, OutboxMessage
from chantier.mail.services import message_prepare, message_queue

pytestmark = pytest.mark.django_db


def test_prepare_renders_the_client_letter_with_company_and_client(mail_world):
    draft = message_prepare(
        user=mail_world.alice, template_key="client", client=mail_world.client_a
    )

    assert draft.to == ["dupont@client.example"]
    assert draft.cc == ["alice@alpha.example", "contact@alpha.example"]
    assert draft.subject == "Alpha Bâtiment — votre dossier Mme Dupont"
    assert draft.body.startswith("Madame, Monsieur,\n\n")
    assert "votre dossier « Mme Dupont »" in draft.body
    assert "salutations distinguées" in draft.body
    assert draft.body.endswith("Alice Martin\nAlpha Bâtiment\ncontact@alpha.example\n")
    assert "&" not in draft.body  # plain text: no HTML escaping
    assert draft.attachments == []
    assert draft.template_key == "client"


def test_prepare_without_client_has_no_recipient_and_keeps_given_attachments(mail_world):
    pdf = ("devis.pdf", "application/pdf", b"%PDF-1.7 test")
    draft = message_prepare(user=mail_world.alice, template_key="blank", attachments=[pdf])
    assert draft.to == []
    assert draft.subject == "Alpha Bâtiment"
    assert draft.attachments == [pdf]


def test_prepare_refuses_unknown_template_and_foreign_client(mail_world):
    with pytest.raises(DomainError) as err:
        message_prepare(user=mail_world.alice, template_key="nope")
    assert err.value.field == "template"
    with pytest.raises(DomainError) as err:
        message_prepare(user=mail_world.alice, template_key="client", client=mail_world.client_b)
    assert err.value.field == "client"


def test_prepare_runs_a_registered_hook_for_later_apps(mail_world):
    def extras(user, client, params):
        return registry.MessageExtras(
            context={"number": params["quote"]},
            attachments=[("DEV-7.pdf", "application/pdf", b"%PDF")],
            related_type="quote",
            related_id=7,
            related_label="Devis DEV-7",
        )

    original = registry.get("client")
    registry.register(registry.MessageTemplate("client", "Hooked", prepare=extras))
    try:
        draft = message_prepare(
            user=mail_world.alice,
            template_key="client",
            client=mail_world.client_a,
            params={"quote": "7"},
        )
    finally:
        registry.register(original)
    assert draft.attachments == [("DEV-7.pdf", "application/pdf", b"%PDF")]
    assert (draft.related_type, draft.related_id, draft.related_label) == (
        "quote",
        7,
        "Devis DEV-7",
    )


def test_queue_stores_message_and_attachments_and_audits(
    mail_world, django_capture_on_commit_callbacks
):
    draft = message_prepare(
        user=mail_world.alice,
        template_key="client",
        client=mail_world.client_a,
        attachments=[("../../etc/Devis n°12.pdf", "application/pdf", b"%PDF-1.7 content")],
    )
    with django_capture_on_commit_callbacks() as callbacks:
        message = message_queue(user=mail_world.alice, draft=draft)

    assert len(callbacks) == 1  # the delivery task, enqueued on commit
    message.refresh_from_db()
    assert message.company == mail_world.company_a
    assert message.client == mail_world.client_a
    assert message.created_by == mail_world.alice
    assert message.from_email == "Alpha Bâtiment <chantier@localhost>"
    assert message.reply_to == ["alice@alpha.example"]
    assert message.to == ["dupont@client.example"]
    assert message.cc == ["alice@alpha.example", "contact@alpha.example"]
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.attempts == 0
    assert message.next_attempt_at is not None
    attachment = message.attachments.get()
    assert attachment.filename == "Devis n°12.pdf"
    assert attachment.company == mail_world.company_a
    assert (attachment.content_type, attachment.size) == ("application/pdf", 16)
    assert attachment.file.read() == b"%PDF-1.7 content"
    assert "etc" not in attachment.file.name
    assert AuditEntry.objects.filter(action="message_queue", object_id=str(message.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"to": []}, "to", "au moins une adresse"),
        ({"to": ["  "]}, "to", "au moins une adresse"),
        ({"to": ["dupont@client.example", "not-an-address"]}, "to", "not-an-address"),
        ({"cc": ["alice@@alpha"]}, "cc", "alice@@alpha"),
        ({"subject": "  \n "}, "subject", "L'objet est vide."),
        ({"subject": "x" * 251}, "subject", "dépasse 250 caractères"),
        (
            {"attachments": [("big.bin", "", b"0" * (20 * 1024 * 1024 + 1))]},
            "attachments",
            "dépassent 20 Mo",
        ),
    ],
)
def test_queue_refuses_bad_input_with_the_field_and_stores_nothing(mail_world, change, field, text):
    draft = message_prepare(
        user=mail_world.alice, template_key="client", client=mail_world.client_a
    )
    with pytest.raises(DomainError) as err:
        message_queue(user=mail_world.alice, draft=dataclasses.replace(draft, **change))
    assert err.value.field == field
    assert text in err.value.message
    assert OutboxMessage.objects.count() == 0
    assert OutboxAttachment.objects.count() == 0
    assert not AuditEntry.objects.filter(action="message_queue").exists()


def test_queue_error_messages_are_french_by_default(mail_world):
    draft = message_prepare(
        user=mail_world.alice, template_key="client", client=mail_world.client_a
    )
    with pytest.raises(DomainError) as err:
        message_queue(user=mail_world.alice, draft=dataclasses.replace(draft, to=["x@"]))
    assert err.value.message == "« x@ » n'est pas une adresse e-mail valide."


def test_queue_refuses_read_only_role_and_foreign_client(mail_world):
    draft = message_prepare(
        user=mail_world.alice, template_key="client", client=mail_world.client_a
    )
    with pytest.raises(PermissionDenied):
        message_queue(user=mail_world.bob, draft=draft)
    with pytest.raises(DomainError) as err:
        message_queue(user=mail_world.charlie, draft=draft)
    assert err.value.field == "client"
    assert OutboxMessage.objects.count() == 0


def test_queue_strips_line_breaks_from_the_subject_and_dedupes_addresses(mail_world):
    draft = message_prepare(
        user=mail_world.alice, template_key="client", client=mail_world.client_a
    )
    message = message_queue(
        user=mail_world.alice,
        draft=dataclasses.replace(
            draft,
            subject="Devis\r\nBcc: victim@example.com",
            to=["a@x.example", "A@x.example"],
        ),
    )
    assert message.subject == "Devis Bcc: victim@example.com"
    assert message.to == ["a@x.example"]


TOKEN = uuid.UUID("6f1c2b4e-3d0a-4c59-8e7f-2a9b1c3d4e5f")


def test_a_draft_queued_twice_with_its_token_is_stored_once(mail_world):
    draft = message_prepare(
        user=mail_world.alice,
        template_key="client",
        client=mail_world.client_a,
        attachments=[("devis.pdf", "application/pdf", b"%PDF")],
    )
    draft = dataclasses.replace(draft, submit_token=TOKEN)
    first = message_queue(user=mail_world.alice, draft=draft)

    with pytest.raises(AlreadyQueued) as err:
        message_queue(user=mail_world.alice, draft=draft)

    assert err.value.existing == first
    assert err.value.message == (
        "Cet e-mail est déjà en file d'envoi ; il ne sera pas envoyé une seconde fois."
    )
    assert OutboxMessage.objects.count() == 1
    assert OutboxAttachment.objects.count() == 1
    assert AuditEntry.objects.filter(action="message_queue").count() == 1


def test_two_posts_of_a_draft_racing_each_other_store_it_once(mail_world, monkeypatch):
    """The second post looked before the first was committed: the constraint decides."""
    draft = message_prepare(user=mail_world.alice, template_key="blank")
    draft = dataclasses.replace(draft, to=["a@x.example"], submit_token=TOKEN)
    first = message_queue(user=mail_world.alice, draft=draft)
    looked_up = services._queued_with
    calls = []

    def not_yet_committed(company, token):
        calls.append(token)
        return None if len(calls) == 1 else looked_up(company, token)

    monkeypatch.setattr(services, "_queued_with", not_yet_committed)
    with pytest.raises(AlreadyQueued) as err:
        message_queue(user=mail_world.alice, draft=draft)
    assert err.value.existing == first
    assert calls == [TOKEN, TOKEN]
    assert OutboxMessage.objects.count() == 1


def test_the_token_is_unique_per_company_and_optional(mail_world):
    draft = message_prepare(user=mail_world.alice, template_key="blank")
    draft = dataclasses.replace(draft, to=["a@x.example"])
    for _ in range(2):  # queued by code: no token, never refused as a duplicate
        message_queue(user=mail_world.alice, draft=draft)
    message_queue(user=mail_world.alice, draft=dataclasses.replace(draft, submit_token=TOKEN))
    other = message_prepare(user=mail_world.charlie, template_key="blank")
    other = dataclasses.replace(other, to=["b@x.example"], submit_token=TOKEN)
    message_queue(user=mail_world.charlie, draft=other)
    assert OutboxMessage.objects.filter(company=mail_world.company_a).count() == 3
    assert OutboxMessage.objects.filter(company=mail_world.company_b).count() == 1
