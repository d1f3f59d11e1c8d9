"""Demo outbox: a sent letter with an attachment and a failed message, to demo clients.

Nothing is sent: the messages go through `message_queue` (so they are valid
and audited) and are then given their final state here; the delivery task
enqueued on commit finds them no longer queued and does nothing.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chantier.core.models import Company, User
from chantier.mail import services
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client

FALLBACK_ADDRESS = "contact@client.example"


@transaction.atomic
def load(company: Company, user: User) -> None:
    clients = list(Client.objects.filter(company=company).order_by("pk")[:2])
    if not clients:
        return  # the mail demo needs a client to write to
    first, last = clients[0], clients[-1]

    terms = company.terms_text or "Conditions générales de vente."
    draft = services.message_prepare(
        user=user,
        template_key="client",
        client=first,
        attachments=[("Conditions générales.txt", "text/plain", terms.encode())],
    )
    sent = services.message_queue(user=user, draft=_addressed(draft))
    OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxMessage.Status.SENDING)
    sent.refresh_from_db()
    services._record_success(sent)

    draft = services.message_prepare(user=user, template_key="blank", client=last)
    draft.body = draft.body.replace("\n\n\n\n", "\nVoici les photos du chantier promises.\n\n")
    failed = services.message_queue(user=user, draft=_addressed(draft))
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxMessage.Status.FAILED,
        attempts=settings.MAIL_MAX_ATTEMPTS,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=None,
        claimed_at=timezone.now(),
    )


def _addressed(draft: services.Draft) -> services.Draft:
    return draft if draft.to else dataclasses.replace(draft, to=[FALLBACK_ADDRESS])
