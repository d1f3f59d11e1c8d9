"""Writes of the parties app."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.parties.models import Client, Interaction


@transaction.atomic
def interaction_record(
    *,
    user: User | None,
    client: Client,
    kind: str,
    subject: str,
    detail: str = "",
    date: datetime | None = None,
    private: bool = False,
) -> Interaction:
    """Log a note, call, email or visit on a client (emails are logged by the mail app)."""
    interaction = Interaction.objects.create(
        company_id=client.company_id,
        client=client,
        kind=kind,
        subject=subject[:250],
        detail=detail,
        date=date or timezone.now(),
        private=private,
        author=user,
    )
    audit_log(
        company=client.company,
        user=user,
        action="interaction_record",
        obj=interaction,
        data={"kind": kind},
    )
    return interaction
