"""Message templates: key → French label, files and an optional hook for later apps.

Each key has two Django templates, `mail/messages/<key>_subject.txt` and
`mail/messages/<key>_body.txt`, rendered as plain text (no HTML escaping).
Their wording is French on purpose: it is the letter the client reads, not
the interface, so it is written as a French business letter rather than
translated from English msgids.

Later apps register their own keys, usually with a `prepare` hook that reads
their object from the compose page's query string (e.g. `?quote=12`) with
`get_for_company`, and returns extra context, the attachments (the quote PDF)
and the related object:

    register(MessageTemplate("quote", _("Quote"), prepare=quote_mail_extras))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chantier.core.models import User
    from chantier.parties.models import Client

# (filename, content type, content)
Attachment = tuple[str, str, bytes]


@dataclass(frozen=True)
class MessageExtras:
    """What a template's `prepare` hook adds to a draft."""

    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    related_type: str = ""
    related_id: int | None = None
    related_label: str = ""


PrepareHook = Callable[["User", "Client | None", Mapping[str, str]], MessageExtras]


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    label: str | Promise
    prepare: PrepareHook | None = None

    @property
    def subject_template(self) -> str:
        return f"mail/messages/{self.key}_subject.txt"

    @property
    def body_template(self) -> str:
        return f"mail/messages/{self.key}_body.txt"


_TEMPLATES: dict[str, MessageTemplate] = {}


def register(template: MessageTemplate) -> None:
    _TEMPLATES[template.key] = template


def get(key: str) -> MessageTemplate | None:
    return _TEMPLATES.get(key)


def choices() -> list[tuple[str, str | Promise]]:
    return [(t.key, t.label) for t in _TEMPLATES.values()]


DEFAULT_KEY = "client"

# related_type → function giving the contract a related object belongs to (or None), so
# that a sent message is logged on the contract's interactions too (seed 002).
_CONTRACT_OF: dict[str, Callable[[int], int | None]] = {}


def register_contract_of(related_type: str, contract_of: Callable[[int], int | None]) -> None:
    _CONTRACT_OF[related_type] = contract_of


def contract_of(related_type: str, related_id: int | None) -> int | None:
    """The contract id a message's related object belongs to, when its app says so."""
    resolve = _CONTRACT_OF.get(related_type)
    if resolve is None or related_id is None:
        return None
    return resolve(related_id)


register(MessageTemplate("client", _("Letter to the client")))
register(MessageTemplate("blank", _("Blank message")))
