from chantier.mail.models import OutboxMessage
from chantier.mail.services import message_id_header


def _message(world, status):
    return OutboxMessage.objects.create(
        company=world.company_a,
        created_by=world.alice,
        from_email="a@example.fr",
        to=["c@example.fr"],
        cc=[],
        subject="Relance",
        body="Bonjour",
        status=status,
    )


def test_outbox_refreshes_itself_while_a_message_waits(alice_client, world):
    message = _message(world, OutboxMessage.Status.QUEUED)
    page = alice_client.get("/mail/").content.decode()
    assert 'hx-trigger="every 3s"' in page
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SENT)
    page = alice_client.get("/mail/").content.decode()
    assert 'hx-trigger="every 3s"' not in page


def test_empty_search_says_nothing_matches(alice_client, world):
    _message(world, OutboxMessage.Status.SENT)
    page = alice_client.get("/mail/?q=zzzz").content.decode()
    assert "Aucun e-mail ne correspond" in page


def test_message_id_is_stable_and_install_specific(world, settings):
    message = _message(world, OutboxMessage.Status.QUEUED)
    first = message_id_header(message, "example.fr")
    assert first == message_id_header(message, "example.fr")
    settings.SECRET_KEY = "another-install-" + "x" * 40
    assert message_id_header(message, "example.fr") != first
    assert first.startswith(f"<chantier.{message.pk}.") and first.endswith("@example.fr>")
