"""Domain errors of the mail app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from chantier.core.exceptions import DomainError

if TYPE_CHECKING:
    from chantier.mail.models import OutboxMessage


class AlreadyQueued(DomainError):
    """The same compose draft (same submit token) was queued before: not sent twice.

    `existing` is the message queued the first time, to show instead.
    """

    def __init__(self, existing: OutboxMessage) -> None:
        super().__init__(_("This email was already queued; it is not sent a second time."))
        self.existing = existing
