"""Sending an issued invoice or credit note to the client by email, its Factur-X PDF
attached (mail outbox). The message's related object is the invoice (related_type
"invoice"), so once delivered it is logged as an email interaction on the contract.
`register()` is called from the billing app's ready()."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.billing import documents
from chantier.billing.models import Invoice
from chantier.core.access import get_for_company, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

MAIL_TEMPLATE = "invoice"
RELATED_TYPE = "invoice"


def check_sendable(invoice: Invoice) -> None:
    if invoice.is_draft:
        raise DomainError(_("Issue the invoice before sending it: a draft has no number."))


def render_pdf(invoice: Invoice, *, lang: str | None = None) -> bytes:
    """The Factur-X PDF as the client gets it (the site's language, French by default)."""
    with translation.override(lang or settings.LANGUAGE_CODE):
        return documents.invoice_pdf(invoice)


@transaction.atomic
def invoice_send(*, user: User, invoice: Invoice, draft: Draft) -> OutboxMessage:
    """Queue the email with the PDF; refused, nothing written, for a draft or a reader."""
    require_writer(user)
    check_sendable(invoice)
    content = render_pdf(invoice)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(documents.filename(invoice), "application/pdf", content)],
            client=invoice.client,
            related_type=RELATED_TYPE,
            related_id=invoice.pk,
            related_label=invoice.number,
        ),
    )
    audit_log(
        company=invoice.company,
        user=user,
        action="invoice_send",
        obj=invoice,
        data={"number": invoice.number, "message": message.pk},
    )
    return message


def mail_extras(
    user: User, client: Client | None, params: Mapping[str, Any]
) -> mail_registry.MessageExtras:
    pk = params.get("invoice") if params else None
    if not pk:
        return mail_registry.MessageExtras()
    invoice = get_for_company(Invoice.objects.select_related("contract", "client"), user, pk)
    return mail_registry.MessageExtras(
        context={
            "invoice": invoice,
            "contract": invoice.contract,
            "title": documents.document_title(invoice),
            "gross": euros(invoice.gross),
            "payable": euros(invoice.payable),
        },
        related_type=RELATED_TYPE,
        related_id=invoice.pk,
        related_label=invoice.number,
    )


def prepare_email(user: User, invoice: Invoice) -> Draft:
    return message_prepare(
        user=user,
        template_key=MAIL_TEMPLATE,
        client=invoice.client,
        params={"invoice": str(invoice.pk)},
    )


def contract_of(invoice_id: int) -> int | None:
    return Invoice.objects.filter(pk=invoice_id).values_list("contract_id", flat=True).first()


def register() -> None:
    mail_registry.register(
        mail_registry.MessageTemplate(MAIL_TEMPLATE, gettext_lazy("Invoice"), prepare=mail_extras)
    )
    mail_registry.register_contract_of(RELATED_TYPE, contract_of)
