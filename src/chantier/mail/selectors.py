"""Reads of the mail app, always scoped to the acting user's company."""

from __future__ import annotations

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from chantier.core.access import get_for_company, scoped
from chantier.core.models import User
from chantier.core.pagination import search
from chantier.mail.models import OutboxAttachment, OutboxMessage

# To and Cc are JSON lists: searched as their text (PostgreSQL has no LOWER(jsonb)).
SEARCH_FIELDS = ("subject", "to_text", "cc_text", "client__name")


def outbox_messages(user: User, *, q: str = "", status: str = "") -> QuerySet[OutboxMessage]:
    """The company's messages, newest first; `q` matches recipients, subject or client."""
    messages = scoped(OutboxMessage.objects.select_related("client"), user)
    if status in OutboxMessage.Status.values:
        messages = messages.filter(status=status)
    if q.strip():
        messages = messages.alias(
            to_text=Cast("to", output_field=TextField()),
            cc_text=Cast("cc", output_field=TextField()),
        )
    return search(messages, q, SEARCH_FIELDS)


def message_for_user(user: User, pk: object) -> OutboxMessage:
    return get_for_company(OutboxMessage.objects.select_related("client", "created_by"), user, pk)


def attachment_for_user(user: User, pk: object) -> OutboxAttachment:
    return get_for_company(OutboxAttachment.objects.all(), user, pk)


def messages_about(user: User, related_type: str, related_id: int) -> QuerySet[OutboxMessage]:
    """Messages about one object of a later app (a quote, an invoice...)."""
    return scoped(OutboxMessage.objects.all(), user).filter(
        related_type=related_type, related_id=related_id
    )
