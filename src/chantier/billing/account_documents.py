"""The décompte général as a PDF (document kind "final_account", seed 002 "Décompte
général") and sent by email with that PDF attached (mail template "final_account").

The PDF, the page, the email and the API read the same account_selectors.final_account,
so their figures cannot differ.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.billing import account_selectors
from chantier.contracts.models import Contract
from chantier.core.access import get_for_company, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines, euros
from chantier.core.models import Company, User
from chantier.core.services import audit_log
from chantier.documents.registry import DocumentKind, Params, register
from chantier.documents.rendering import render_pdf
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client

MAIL_TEMPLATE = "final_account"
RELATED_TYPE = "final_account"
FIXED_ROWS = 30


def clean_params(params: Params) -> dict[str, Any]:
    try:
        pk = int(str(params.get("contract")))
    except (TypeError, ValueError):
        raise DomainError(_("Unknown contract."), field="contract") from None
    if pk < 1:
        raise DomainError(_("Unknown contract."), field="contract")
    return {"contract": pk}


def get_contract(company: Company, params: Params) -> Contract:
    pk = clean_params(params)["contract"]
    contract = (
        Contract.objects.select_related("client", "company").filter(company=company, pk=pk).first()
    )
    if contract is None:
        raise DomainError(_("Unknown contract."), field="contract")
    return contract


def title(company: Company, params: Params) -> str:
    contract = get_contract(company, params)
    return _("Final account – %(contract)s") % {"contract": contract.reference or contract.title}


def estimate_rows(company: Company, params: Params) -> int:
    from chantier.billing.models import Invoice, Payment

    contract = get_contract(company, params)
    invoices = Invoice.objects.filter(contract=contract, status="issued").count()
    return 3 * invoices + Payment.objects.filter(contract=contract).count() + FIXED_ROWS


def build_context(company: Company, params: Params) -> dict[str, Any]:
    contract = get_contract(company, params)
    account = account_selectors.final_account(contract, timezone.localdate())
    return {
        "contract": contract,
        "client": contract.client,
        "client_lines": address_lines(contract.client),
        "account": account.account,
        "summary": account.summary,
        "today": account.today,
    }


FINAL_ACCOUNT = DocumentKind(
    key="final_account",
    label=gettext_lazy("Final account"),
    template_name="billing/pdf/final_account.html",
    build_context=build_context,
    estimate_rows=estimate_rows,
    title=title,
    clean_params=clean_params,
    rows_per_page=40,
)


def filename(contract: Contract) -> str:
    name = contract.reference or f"contrat-{contract.pk}"
    return f"decompte-general-{name}.pdf".replace("/", "-").replace(" ", "-")


def final_account_pdf(contract: Contract, *, lang: str | None = None) -> bytes:
    company = contract.company
    params = {"contract": contract.pk}
    with translation.override(lang or settings.LANGUAGE_CODE):
        return render_pdf(
            template_name=FINAL_ACCOUNT.template_name,
            context=build_context(company, params),
            company=company,
            title=title(company, params),
        )


@transaction.atomic
def final_account_send(*, user: User, contract: Contract, draft: Draft) -> OutboxMessage:
    """Queue the email to the client with the décompte's PDF attached."""
    require_writer(user)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(filename(contract), "application/pdf", final_account_pdf(contract))],
            client=contract.client,
            related_type=RELATED_TYPE,
            related_id=contract.pk,
            related_label=contract.reference or contract.title,
        ),
    )
    audit_log(
        company=contract.company,
        user=user,
        action="final_account_send",
        obj=contract,
        data={"message": message.pk},
    )
    return message


def mail_extras(
    user: User, client: Client | None, params: Mapping[str, Any]
) -> mail_registry.MessageExtras:
    pk = params.get("contract") if params else None
    if not pk:
        return mail_registry.MessageExtras()
    contract = get_for_company(Contract.objects.select_related("client"), user, pk)
    summary = account_selectors.final_account(contract, timezone.localdate()).summary
    return mail_registry.MessageExtras(
        context={
            "contract": contract,
            "billed_gross": euros(summary.billed_gross),
            "paid": euros(summary.paid),
            "left_to_pay": euros(summary.left_to_pay),
        },
        related_type=RELATED_TYPE,
        related_id=contract.pk,
        related_label=contract.reference or contract.title,
    )


def prepare_email(user: User, contract: Contract) -> Draft:
    return message_prepare(
        user=user,
        template_key=MAIL_TEMPLATE,
        client=contract.client,
        params={"contract": str(contract.pk)},
    )


def register_all() -> None:
    register(FINAL_ACCOUNT)
    mail_registry.register(
        mail_registry.MessageTemplate(
            MAIL_TEMPLATE, gettext_lazy("Final account"), prepare=mail_extras
        )
    )
    mail_registry.register_contract_of(RELATED_TYPE, lambda pk: pk)
