"""Sending a change order to the client by email, its priced PDF attached.

`change_order_send` renders the PDF and queues the email (mail outbox) in one transaction;
sending a draft submits it (the client is asked to approve it). The message's related
object is the change order (related_type "change_order"), so once delivered it is logged
as an email interaction on the contract (mail.registry.register_contract_of).

`register()` is called from the contracts app's ready(): the document kind, the mail
template "change_order" and the contract resolver.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.contracts import change_order_documents as documents
from chantier.contracts import change_order_services as services
from chantier.contracts.models import ChangeOrder
from chantier.core.access import get_for_company
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.documents import rendering
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

MAIL_TEMPLATE = "change_order"
RELATED_TYPE = "change_order"
Status = ChangeOrder.Status


def check_sendable(change_order: ChangeOrder) -> None:
    """A draft (submitted when sent) or a submitted one (sent again) with lines."""
    if change_order.status not in (Status.DRAFT, Status.SUBMITTED):
        raise DomainError(
            _("This change order is %(status)s: it is no longer sent for approval.")
            % {"status": change_order.get_status_display().lower()}
        )
    if not change_order.lines.exists():
        raise DomainError(_("Add at least one line before sending the change order."))


@transaction.atomic
def change_order_send(
    *, user: User, change_order: ChangeOrder, draft: Draft, lock_version: int | None = None
) -> OutboxMessage:
    """Email the change order's PDF to the client; a draft becomes submitted.

    Refused, nothing written: a reader, another user's change since `lock_version`, a
    change order already decided or without lines, a bad recipient (field named).
    """
    locked = services.lock(
        user=user, change_order=change_order, lock_version=lock_version, draft=False
    )
    check_sendable(locked)
    if locked.status == Status.DRAFT:
        services.change_order_submit(user=user, change_order=change_order)
    fresh = ChangeOrder.objects.select_related("contract", "contract__client", "company").get(
        pk=locked.pk
    )
    content = render_pdf(fresh)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(documents.filename(fresh), "application/pdf", content)],
            client=fresh.contract.client,
            related_type=RELATED_TYPE,
            related_id=fresh.pk,
            related_label=str(fresh),
        ),
    )
    audit_log(
        company=fresh.company,
        user=user,
        action="change_order_send",
        obj=fresh,
        data={"number": fresh.number, "message": message.pk},
    )
    change_order.status, change_order.lock_version = fresh.status, fresh.lock_version
    change_order.submitted_at = fresh.submitted_at
    return message


def render_pdf(change_order: ChangeOrder, *, lang: str | None = None) -> bytes:
    """The PDF as the client gets it (the site's language, French by default)."""
    lang = lang or settings.LANGUAGE_CODE
    params = {"change_order": change_order.pk}
    with translation.override(lang):
        context = documents.build_context(change_order.company, params)
        title = documents.document_title(change_order)
    return rendering.render_pdf(
        template_name=documents.CHANGE_ORDER.template_name,
        context=context,
        company=change_order.company,
        title=title,
        lang=lang,
    )


# The email ---------------------------------------------------------------------------------


def mail_extras(
    user: User, client: Client | None, params: Mapping[str, Any]
) -> mail_registry.MessageExtras:
    """The mail template's hook (`?change_order=<id>`): the change order and its totals."""
    pk = params.get("change_order") if params else None
    if not pk:
        return mail_registry.MessageExtras()
    change_order = get_for_company(
        ChangeOrder.objects.select_related("contract", "contract__client", "company"), user, pk
    )
    lines = list(change_order.lines.all())
    totals = documents.totals(change_order, lines)
    return mail_registry.MessageExtras(
        context={
            "change_order": change_order,
            "contract": change_order.contract,
            "net": euros(totals["net"]),
            "gross": euros(totals["gross"]),
        },
        related_type=RELATED_TYPE,
        related_id=change_order.pk,
        related_label=str(change_order),
    )


def prepare_email(user: User, change_order: ChangeOrder) -> Draft:
    """The email to review on the send page: to the contract's client, in French."""
    return message_prepare(
        user=user,
        template_key=MAIL_TEMPLATE,
        client=change_order.contract.client,
        params={"change_order": str(change_order.pk)},
    )


def contract_of(change_order_id: int) -> int | None:
    return (
        ChangeOrder.objects.filter(pk=change_order_id).values_list("contract_id", flat=True).first()
    )


def register() -> None:
    """The PDF kind, the mail template and the contract of a sent change order."""
    documents.register_kind()
    mail_registry.register(
        mail_registry.MessageTemplate(
            MAIL_TEMPLATE, gettext_lazy("Change order"), prepare=mail_extras
        )
    )
    mail_registry.register_contract_of(RELATED_TYPE, contract_of)
