"""The reminder (relance) of an overdue invoice: an email to the client claiming what is
left to pay, the late interest accrued and the recovery indemnity (Code de commerce
L441-10 II, french-rules §6.3 and example 6.B), the invoice's Factur-X PDF attached. The
penalties and the indemnity are due between professionals only: a private individual
(parties.Client.Kind.INDIVIDUAL) is claimed what is left to pay, nothing more
(OverdueRow.professional, with zero interest and indemnity).

Sent through the mail outbox like the invoice itself (sending.py): the message's related
object is the invoice (related_type "invoice"), so once delivered it is logged as an
email interaction on the client and the contract. `register()` is called from the billing
app's ready().
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.billing import account_selectors, documents, sending
from chantier.billing.account_selectors import OverdueRow
from chantier.billing.models import Invoice
from chantier.core.access import get_for_company, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros, percent
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

MAIL_TEMPLATE = "invoice_reminder"
# The reminder is about the invoice: the contract_of resolver registered by sending.py
# logs the delivered email on the invoice's contract.
RELATED_TYPE = sending.RELATED_TYPE
AUDIT_ACTION = "invoice_reminder"
CENT = Decimal("0.01")


def check_remindable(invoice: Invoice, today: dt.date) -> OverdueRow:
    """The amounts to claim; DomainError when there is nothing to claim: a draft, a
    credit note, an invoice not yet due or with nothing left to pay."""
    if invoice.is_draft:
        raise DomainError(_("A draft is not due: issue the invoice before sending a reminder."))
    if invoice.is_credit:
        raise DomainError(_("A credit note is not claimed from the client: no reminder."))
    if invoice.due_date is None:
        raise DomainError(_("This invoice has no due date: it cannot be overdue."))
    if invoice.due_date >= today:
        raise DomainError(
            _("This invoice is not overdue: it is due on %(date)s.")
            % {"date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT")}
        )
    row = account_selectors.overdue_row(invoice, today)
    if row is None:
        raise DomainError(_("Nothing is left to pay on this invoice: no reminder to send."))
    return row


def figures(row: OverdueRow, rate: Any) -> dict[str, Any]:
    """The amounts as the letter shows them, in the site's language (French); no
    penalties claimed from a private individual (`professional` false)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "professional": row.professional,
            "days_late": row.days_late,
            "left": euros(row.left),
            "interest": euros(row.interest),
            "rate": percent(rate),
            "indemnity": euros(row.indemnity),
            "total": euros(row.total),
        }


@transaction.atomic
def invoice_reminder_send(
    *, user: User, invoice: Invoice, draft: Draft, today: dt.date | None = None
) -> OutboxMessage:
    """Queue the reminder with the invoice's PDF; refused, nothing written, for a reader
    or an invoice with nothing overdue (checked again at sending time)."""
    require_writer(user)
    row = check_remindable(invoice, today or timezone.localdate())
    content = sending.render_pdf(invoice)
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
        action=AUDIT_ACTION,
        obj=invoice,
        data={
            "number": invoice.number,
            "message": message.pk,
            "days_late": row.days_late,
            "left": _amount(row.left),
            "interest": _amount(row.interest),
            "indemnity": _amount(row.indemnity),
        },
    )
    return message


def _amount(value: Decimal) -> str:
    """Two places, whatever the database gave back (SQLite drops trailing zeros)."""
    return str(value.quantize(CENT))


def mail_extras(
    user: User, client: Client | None, params: Mapping[str, Any]
) -> mail_registry.MessageExtras:
    """Context of the "invoice_reminder" template: the invoice (`?invoice=<id>`) and, when
    it is overdue, the amounts claimed."""
    pk = params.get("invoice") if params else None
    if not pk:
        return mail_registry.MessageExtras()
    invoice = get_for_company(
        Invoice.objects.select_related("contract", "client", "company"), user, pk
    )
    context: dict[str, Any] = {
        "invoice": invoice,
        "contract": invoice.contract,
        "title": documents.document_title(invoice),
    }
    if not invoice.is_draft and not invoice.is_credit:
        row = account_selectors.overdue_row(invoice, timezone.localdate())
        if row is not None:
            context.update(figures(row, invoice.company.late_penalty_rate))
            context["overdue"] = True
    return mail_registry.MessageExtras(
        context=context,
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


def register() -> None:
    mail_registry.register(
        mail_registry.MessageTemplate(
            MAIL_TEMPLATE, gettext_lazy("Payment reminder"), prepare=mail_extras
        )
    )
