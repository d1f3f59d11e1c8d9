"""Delivery through the real task queue and worker to a real SMTP peer (aiosmtpd)."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chantier.core.exceptions import DomainError, PermissionDenied
from chantier.core.models import AuditEntry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import (
    backoff,
    is_permanent,
    message_deliver,
    message_id_header,
    message_prepare,
    message_queue,
    message_retry,
)
from chantier.parties.models import Interaction
from tests.mail.conftest import Recorder, free_port, smtp_mailer

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
    assert received["Message-ID"] == message_id_header(message, "localhost")
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


class StuckThenRetried(BaseEmailBackend):
    """A worker that hangs past STUCK_AFTER: meanwhile a writer retries the message and
    another worker delivers it. Then this worker's own attempt ends with `outcome`."""

    def __init__(self, world, pk: int, outcome: Exception | None) -> None:
        super().__init__()
        self.world, self.pk, self.outcome = world, pk, outcome

    def send_messages(self, email_messages) -> int:
        pk = self.pk
        OutboxMessage.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(hours=1))
        message_retry(user=self.world.alice, message=OutboxMessage.objects.get(pk=pk))
        assert message_deliver(pk) == Status.SENT  # the second worker, default mailer
        if self.outcome is not None:
            raise self.outcome
        return 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outcome", [None, ConnectionRefusedError(111, "Connection refused")], ids=["sent", "failed"]
)
def test_a_late_outcome_does_not_overwrite_the_retry_that_superseded_it(
    mail_world, settings, outcome
):
    message = queue(mail_world)

    assert message_deliver(
        message.pk, connection=StuckThenRetried(mail_world, message.pk, outcome)
    ) == (Status.SENT)

    message.refresh_from_db()
    # What the second worker recorded stands: one attempt, sent, logged once, no retry due.
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 1, "")
    assert message.next_attempt_at is None
    assert Interaction.objects.count() == 1
    assert AuditEntry.objects.filter(action="message_sent").count() == 1
    assert not AuditEntry.objects.filter(action="message_failed").exists()
    assert len(list(settings.MAIL_DIR.glob("*.eml"))) == 1


class RefusingRecorder(Recorder):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.mark.django_db(transaction=True)
def test_a_mailbox_refused_for_good_fails_at_once(mail_world, settings):
    controller = Controller(RefusingRecorder(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    try:
        message = queue(mail_world)
        run_worker()
    finally:
        controller.stop()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.FAILED, 1, None)
    assert message.last_error.startswith("SMTPRecipientsRefused: ")
    assert "User unknown" in message.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no retry scheduled
    assert AuditEntry.objects.get(action="message_failed").data["attempts"] == 1


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (450, b"greylisted")}), False),
        (
            smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"no"), "b@x.example": (451, b"")}),
            False,
        ),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "chantier@localhost"), True),
        (smtplib.SMTPDataError(554, b"spam"), True),
        (smtplib.SMTPDataError(452, b"mailbox full"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (ConnectionRefusedError(111, "refused"), False),
    ],
)
def test_only_a_final_refusal_of_the_receiving_server_is_permanent(exc, permanent):
    assert is_permanent(exc) is permanent
