"""Background tasks of the mail app (run by `chantier db_worker`)."""

from __future__ import annotations

from django.tasks import task


@task
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message; a failure is recorded and re-enqueued by the service."""
    from chantier.mail.services import message_deliver  # the service enqueues this task

    return message_deliver(message_id)
