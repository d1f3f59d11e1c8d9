"""Delivery through the real task queue and worker to a real SMTP peer (aiosmtpd)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chantier.core.exceptions import DomainError, PermissionDenied
from chantier.mail.models import OutboxMessage
from chantier.mail.services import (
    backoff,
    message_deliver,
    message_prepare,
    message_queue,
    message_retry,
)
from chantier.parties.models import Interaction
from tests.mail.conftest import free_port, smtp_mailer

Status = OutboxMessage.Status
PDF = ("devis DEV-12.pdf", "application/pdf", b"%PDF-1.7\n%fake quote\n")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def queue(world, **change) -> OutboxMessage:
    draft = message_prepare(
        user=world.alice, template_key="client", client=world.client_a, attachments=[PDF]
    )
    for name, value in change.items():
        setattr(draft, name, value)
    with transaction.atomic():  # committed, so the delivery task is enqueued
        return message_queue(user=world.alice, draft=draft)


def make_due(message: OutboxMessage) -> None:
    """Let the backoff delay pass: the message and its task become due now."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=now)
    DBTaskResult.objects.filter(status="READY").update(run_after=now)


@pytest.mark.django_db(transaction=True)
def test_queued_message_reaches_the_smtp_peer_through_the_worker(mail_world, smtp_peer):
    message = queue(mail_world, body="Bonjour,\n\nVoici le devis.\n")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert smtp_peer.envelopes == []  # nothing is sent in the request

    run_worker()

    assert len(smtp_peer.envelopes) == 1
    envelope = smtp_peer.envelopes[0]
    assert envelope.mail_from == "chantier@localhost"
    assert sorted(envelope.rcpt_tos) == [
        "alice@alpha.example",
        "contact@alpha.example",
        "dupont@client.example",
    ]
    received = smtp_peer.messages[0]
    assert received["To"] == "dupont@client.example"
    assert received["Cc"] == "alice@alpha.example, contact@alpha.example"
    assert received["Reply-To"] == "alice@alpha.example"
    assert received["From"] == "Alpha Bâtiment <chantier@localhost>"
    assert received["Subject"] == "Alpha Bâtiment — votre dossier Mme Dupont"
    assert received["Message-ID"] == f"<chantier.{mail_world.company_a.pk}.{message.pk}@localhost>"
    body = received.get_body(("plain",)).get_content()
    assert body.replace("\r\n", "\n") == "Bonjour,\n\nVoici le devis.\n"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "devis DEV-12.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF[2]

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.last_error == ""
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    interaction = Interaction.objects.get(client=mail_world.client_a)
    assert interaction.kind == Interaction.Kind.EMAIL
    assert interaction.subject == "Alpha Bâtiment — votre dossier Mme Dupont"
    assert interaction.author == mail_world.alice
    assert interaction.company == mail_world.company_a
    assert interaction.detail.startswith(
        "À : dupont@client.example\n"
        "Cc : alice@alpha.example, contact@alpha.example\n"
        "Pièces jointes : devis DEV-12.pdf\n\nBonjour,"
    )


@pytest.mark.django_db(transaction=True)
def test_peer_down_is_retried_with_backoff_then_failed(mail_world, smtp_down, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    message = queue(mail_world)

    before = timezone.now()
    run_worker()

    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert before + timedelta(minutes=1) <= message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    retry_task = DBTaskResult.objects.get(status="READY")
    assert retry_task.run_after == message.next_attempt_at
    assert retry_task.args_kwargs == {"args": [message.pk], "kwargs": {}}

    run_worker()  # not due yet: nothing happens
    message.refresh_from_db()
    assert message.attempts == 1

    make_due(message)
    run_worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 2)
    assert message.next_attempt_at > timezone.now() + timedelta(minutes=4)  # 5 min backoff

    make_due(message)
    run_worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert message.next_attempt_at is None
    assert "ConnectionRefusedError" in message.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert not Interaction.objects.exists()
    # The task itself never fails: the failure is the message's, recorded on it.
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_failed_message_retried_by_a_writer_is_sent(mail_world, smtp_peer, settings):
    settings.MAIL_MAX_ATTEMPTS = 1
    peer_up = settings.MAILERS
    settings.MAILERS = smtp_mailer(free_port())  # the peer is down for the first attempt
    message = queue(mail_world)
    run_worker()
    message.refresh_from_db()
    assert message.status == Status.FAILED

    with pytest.raises(PermissionDenied):
        message_retry(user=mail_world.bob, message=message)
    message.refresh_from_db()
    assert message.status == Status.FAILED

    settings.MAILERS = peer_up
    message_retry(user=mail_world.alice, message=message)
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert len(smtp_peer.envelopes) == 1
    with pytest.raises(DomainError):
        message_retry(user=mail_world.alice, message=message)  # sent: nothing to retry


@pytest.mark.django_db
def test_delivery_is_idempotent_and_never_sends_twice(mail_world, smtp_peer):
    message = queue(mail_world)

    assert message_deliver(message.pk) == Status.SENT
    assert message_deliver(message.pk) == Status.SENT  # a duplicate task
    assert len(smtp_peer.envelopes) == 1
    assert Interaction.objects.count() == 1
    assert message_deliver(999_999) == "missing"


@pytest.mark.django_db
def test_a_message_claimed_by_another_worker_or_not_due_is_left_alone(mail_world, smtp_peer):
    message = queue(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING)
    assert message_deliver(message.pk) == Status.SENDING

    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.QUEUED, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert message_deliver(message.pk) == Status.QUEUED
    assert smtp_peer.envelopes == []
    message.refresh_from_db()
    assert message.attempts == 0


@pytest.mark.django_db
def test_a_message_stuck_in_sending_may_be_retried_after_a_while(mail_world):
    message = queue(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    message.refresh_from_db()
    with pytest.raises(DomainError):
        message_retry(user=mail_world.alice, message=message)
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    message.refresh_from_db()
    assert message_retry(user=mail_world.alice, message=message).status == Status.QUEUED


def test_backoff_grows_then_stays_at_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=60),
        timedelta(minutes=60),
        timedelta(minutes=60),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_message_once(mail_world, smtp_peer):
    message = queue(mail_world)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(message_deliver(message.pk))
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2
    assert len(smtp_peer.envelopes) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_retry_of_another_companys_message_is_refused(mail_world):
    message = queue(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    with pytest.raises(DomainError):
        message_retry(user=mail_world.charlie, message=message)
    message.refresh_from_db()
    assert message.status == Status.FAILED
