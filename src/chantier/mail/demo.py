"""Demo outbox: a letter sent with an attachment, and a message refused by the receiving
server, to demo clients (a row of every mail model, and a "Send again" button to show).

Both go the way every message goes: `message_queue`, then `message_deliver`. The sent
one is delivered to .eml files in settings.MAIL_DIR, never to a real server (EMAIL_URL
may point at one); the refused one meets a server that does not know the mailbox, a
permanent refusal, so it fails at once. The delivery tasks enqueued on commit then find
nothing left to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from chantier.core.models import Company, User
from chantier.mail import services
from chantier.mail.backends import EmlFileBackend
from chantier.parties.models import Client

FALLBACK_ADDRESS = "contact@client.example"


class UnknownMailbox(BaseEmailBackend):
    """A receiving server answering "user unknown" for every recipient."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        refused = {a: (550, b"5.1.1 User unknown") for m in email_messages for a in m.to}
        raise SMTPRecipientsRefused(refused)


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
    services.message_deliver(sent.pk, connection=EmlFileBackend(directory=str(settings.MAIL_DIR)))

    draft = services.message_prepare(user=user, template_key="blank", client=last)
    draft.body = draft.body.replace("\n\n\n\n", "\nVoici les photos du chantier promises.\n\n")
    draft.to = ["ancienne-adresse@client.example"]
    refused = services.message_queue(user=user, draft=draft)
    services.message_deliver(refused.pk, connection=UnknownMailbox())


def _addressed(draft: services.Draft) -> services.Draft:
    return draft if draft.to else dataclasses.replace(draft, to=[FALLBACK_ADDRESS])
