"""Sending a service order by email with its PDF, through the mail outbox.

The message's related object is the order (related_type "service_order"): once sent, the
mail app logs it as an email interaction on the order's contract (seed 002) through
`register_contract_of`. Registration runs from `register()`, called by the app's ready().
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.contracts import service_order_documents as documents
from chantier.contracts.models import ServiceOrder
from chantier.core.access import get_for_company, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.documents import rendering
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

MAIL_TEMPLATE = "service_order"
RELATED_TYPE = "service_order"


def render_pdf(order: ServiceOrder, *, lang: str | None = None) -> bytes:
    lang = lang or settings.LANGUAGE_CODE
    params = {"service_order": order.pk}
    with translation.override(lang):
        context = documents.build_context(order.company, params)
        title = documents.document_title(context["order"])
    return rendering.render_pdf(
        template_name=documents.SERVICE_ORDER.template_name,
        context=context,
        company=order.company,
        title=title,
        lang=lang,
    )


def send_refusal(order: ServiceOrder) -> str:
    """A draft has no number yet: it is issued before it is sent."""
    if order.number is None:
        return _("Issue the service order before sending it: a draft has no number.")
    return ""


@transaction.atomic
def service_order_send(*, user: User, order: ServiceOrder, draft: Draft) -> OutboxMessage:
    """Queue the email with the order's PDF attached; logged on the contract once sent."""
    company = require_writer(user).company
    if order.company_id != company.pk:
        raise DomainError(_("Unknown service order."), field="service_order")
    refusal = send_refusal(order)
    if refusal:
        raise DomainError(refusal)
    content = render_pdf(order)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(documents.filename(order), "application/pdf", content)],
            client=order.contract.client,
            related_type=RELATED_TYPE,
            related_id=order.pk,
            related_label=str(order),
        ),
    )
    audit_log(
        company=company,
        user=user,
        action="service_order_send",
        obj=order,
        data={"number": order.number, "message": message.pk},
    )
    return message


def mail_context(order: ServiceOrder) -> dict[str, Any]:
    return {
        "order": order,
        "contract": order.contract,
        "financial_impact": euros(order.financial_impact),
        "observation_deadline": order.observation_deadline,
    }


def mail_extras(user: User, client: Client | None, params: Any) -> mail_registry.MessageExtras:
    """The mail template's hook (`?service_order=<id>`)."""
    pk = params.get("service_order") if params else None
    if not pk:
        return mail_registry.MessageExtras()
    order = get_for_company(
        ServiceOrder.objects.select_related("contract", "contract__client"), user, pk
    )
    return mail_registry.MessageExtras(
        context=mail_context(order),
        related_type=RELATED_TYPE,
        related_id=order.pk,
        related_label=str(order),
    )


def prepare_email(user: User, order: ServiceOrder) -> Draft:
    return message_prepare(
        user=user,
        template_key=MAIL_TEMPLATE,
        client=order.contract.client,
        params={"service_order": str(order.pk)},
    )


def contract_of(related_id: int) -> int | None:
    return ServiceOrder.objects.filter(pk=related_id).values_list("contract_id", flat=True).first()


def register() -> None:
    """Everything service orders plug in: the PDF kind, the mail template, the contract log."""
    documents.register_kind()
    mail_registry.register(
        mail_registry.MessageTemplate(
            MAIL_TEMPLATE, gettext_lazy("Service order"), prepare=mail_extras
        )
    )
    mail_registry.register_contract_of(RELATED_TYPE, contract_of)
