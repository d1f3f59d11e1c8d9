"""Sending the final statement or the products used list by email, the PDF attached.

Each send renders the PDF and queues the email (mail outbox) in one transaction. The
message's related object is the contract itself (related_type "contract"), so once
delivered it is logged as an email interaction on the contract (apps.py registers it).

`register()` is called from the contracts app's ready(): the two document kinds and the
two mail templates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from chantier.contracts import final_account_documents as documents
from chantier.contracts.models import Contract
from chantier.core.access import get_for_company, require_writer
from chantier.core.models import Company, User
from chantier.core.services import audit_log
from chantier.documents import rendering
from chantier.documents.registry import DocumentKind
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

RELATED_TYPE = "contract"  # logged on the contract (registered in apps.py)


@dataclass(frozen=True)
class Sendable:
    """One of the two documents: its PDF kind, mail template, name and title."""

    key: str  # the mail template's key, also the audit action's stem
    kind: DocumentKind
    label: Any
    filename: Callable[[Contract], str]
    title: Callable[[Contract], str]


FINAL_STATEMENT = Sendable(
    key=documents.FINAL_STATEMENT_KEY,
    kind=documents.FINAL_STATEMENT,
    label=gettext_lazy("Final statement"),
    filename=documents.final_statement_filename,
    title=documents.final_statement_title,
)
PRODUCTS = Sendable(
    key=documents.PRODUCTS_KEY,
    kind=documents.PRODUCTS,
    label=gettext_lazy("Products used"),
    filename=documents.products_filename,
    title=documents.products_title,
)
SENDABLES = {item.key: item for item in (FINAL_STATEMENT, PRODUCTS)}


def render_pdf(sendable: Sendable, contract: Contract, *, lang: str | None = None) -> bytes:
    """The PDF as the client gets it (the site's language, French by default)."""
    lang = lang or settings.LANGUAGE_CODE
    company: Company = contract.company
    params = {"contract": contract.pk}
    with translation.override(lang):
        context = sendable.kind.build_context(company, params)
        title = sendable.title(contract)
    return rendering.render_pdf(
        template_name=sendable.kind.template_name,
        context=context,
        company=company,
        title=title,
        lang=lang,
    )


@transaction.atomic
def contract_document_send(
    *, user: User, contract: Contract, sendable: Sendable, draft: Draft
) -> OutboxMessage:
    """Email the document's PDF about the contract. Refused, nothing written: a reader, a
    bad recipient or subject (field named)."""
    require_writer(user)
    content = render_pdf(sendable, contract)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(sendable.filename(contract), "application/pdf", content)],
            client=contract.client,
            related_type=RELATED_TYPE,
            related_id=contract.pk,
            related_label=str(contract),
        ),
    )
    audit_log(
        company=contract.company,
        user=user,
        action=f"{sendable.key}_send",
        obj=contract,
        data={"message": message.pk},
    )
    return message


def _extras_hook(
    sendable: Sendable,
) -> Callable[[User, Client | None, Mapping[str, Any]], mail_registry.MessageExtras]:
    def mail_extras(
        user: User, client: Client | None, params: Mapping[str, Any]
    ) -> mail_registry.MessageExtras:
        """The mail template's hook (`?contract=<id>`): the contract."""
        pk = params.get("contract") if params else None
        if not pk:
            return mail_registry.MessageExtras()
        contract = get_for_company(Contract.objects.select_related("client"), user, pk)
        return mail_registry.MessageExtras(
            context={"contract": contract},
            related_type=RELATED_TYPE,
            related_id=contract.pk,
            related_label=str(contract),
        )

    return mail_extras


def prepare_email(user: User, contract: Contract, sendable: Sendable) -> Draft:
    """The email to review on the send page: to the contract's client, in French."""
    return message_prepare(
        user=user,
        template_key=sendable.key,
        client=contract.client,
        params={"contract": str(contract.pk)},
    )


def register() -> None:
    """The PDF kinds and the mail templates."""
    documents.register_kinds()
    for sendable in SENDABLES.values():
        mail_registry.register(
            mail_registry.MessageTemplate(
                sendable.key, sendable.label, prepare=_extras_hook(sendable)
            )
        )
