"""Payments, the décompte général and the retention release in the API (shared/API.md).

- POST /invoices/{id}/payments `{date, amount, applies_to, method?, reference?, note?,
  excess_as_credit?}` → 201; GET /invoices/{id}/payments
- GET /payments (paginated, `?q=&date_from=&date_to=`), GET /payments/{id},
  DELETE /payments/{id} `{reason}` (administrators) → 204
- GET /invoices/overdue: overdue invoices with the late interest accrued
- GET /contracts/{id}/final-account: the décompte général
- POST /contracts/{id}/retention-release → 201
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from chantier.api.errors import responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.billing import account_selectors, payment_services, retention, selectors
from chantier.billing.api import ANSWERS, _m, _optional_body, _refused
from chantier.billing.engine_account import Entry, InvoiceRow
from chantier.billing.models import Payment
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, company_of, require_writer
from chantier.core.exceptions import DomainError
from chantier.quotes.schemas import DECIMAL, ObjectIn

router = Router(tags=["payments"])


class PaymentIn(ObjectIn):
    date: dt.date
    amount: str = Field(..., pattern=DECIMAL, max_length=30, description='"1250.00"')
    applies_to: Literal["payable", "retention"] = "payable"
    method: Literal["transfer", "cheque", "card", "direct_debit", "cash", "other"] = "transfer"
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=250)
    excess_as_credit: bool = Field(
        False, description="Record what is above the amount left as a credit on the client."
    )


class PaymentDeleteIn(ObjectIn):
    reason: str = Field("", max_length=500)


class ReleaseIn(ObjectIn):
    date: dt.date | None = None
    amount: str | None = Field(None, pattern=DECIMAL, max_length=30)
    method: Literal["transfer", "cheque", "card", "direct_debit", "cash", "other"] = "transfer"
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=1000)
    confirm: bool = Field(False, description="Confirm the release while réserves are open.")


class PaymentOut(Schema):
    id: int
    date: dt.date
    amount: str
    applies_to: str
    method: str
    reference: str
    note: str
    invoice_id: int | None
    contract_id: int | None
    client_id: int
    release_id: int | None


class PaymentCreatedOut(PaymentOut):
    excess_credit: PaymentOut | None


class ReleaseOut(Schema):
    id: int
    contract_id: int
    kind: str
    date: dt.date
    amount: str
    open_reserves: int
    payments: list[PaymentOut]


class OverdueOut(Schema):
    invoice_id: int
    number: str
    contract_id: int
    client_id: int
    due_date: dt.date
    left_to_pay: str
    days_late: int
    late_interest: str
    recovery_indemnity: str


class AccountSummaryOut(Schema):
    base_net: str
    works_billed_net: str
    left_to_bill_net: str
    billed_net: str
    billed_gross: str
    retention_held: str
    deductions: str
    paid: str
    left_to_pay: str


class AccountInvoiceOut(Schema):
    id: int
    number: str
    kind: str
    date: dt.date
    due_date: dt.date | None
    progress_percent: str
    net: str
    vat: str
    gross: str
    retention: str
    deductions: str
    payable: str
    paid_payable: str
    paid_retention: str
    left_to_pay: str


class AccountEntryOut(Schema):
    date: dt.date | None
    kind: str
    reference: str
    invoice_id: int | None
    debit: str
    credit: str
    balance: str
    overdue: bool


class FinalAccountOut(Schema):
    contract_id: int
    release_date: dt.date | None
    bank_guarantee: bool
    summary: AccountSummaryOut
    invoices: list[AccountInvoiceOut]
    past: list[AccountEntryOut]
    upcoming: list[AccountEntryOut]


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "date": payment.date,
        "amount": _m(payment.amount),
        "applies_to": payment.applies_to,
        "method": payment.method,
        "reference": payment.reference,
        "note": payment.note,
        "invoice_id": payment.invoice_id,
        "contract_id": payment.contract_id,
        "client_id": payment.client_id,
        "release_id": payment.release_id,
    }


@router.post(
    "/invoices/{invoice_id}/payments",
    response=responses({201: PaymentCreatedOut, **ANSWERS}),
    summary="Record a payment received on an invoice",
)
def create_payment(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Status[Any]:
    """On the payable part or the retention. Refused (nothing recorded) on a draft or a
    credit note, with an amount ≤ 0, dated too far ahead or before the invoice, or above
    what is left unless `excess_as_credit` (the excess becomes a credit on the client)."""
    user = acting_user(request)
    require_writer(user)
    invoice = selectors.get_invoice_for_user(user, invoice_id)
    try:
        payments = payment_services.payment_record(
            user=user,
            invoice=invoice,
            date=payload.date,
            amount=Decimal(payload.amount),
            applies_to=payload.applies_to,
            method=payload.method,
            reference=payload.reference,
            note=payload.note,
            excess_as_credit=payload.excess_as_credit,
        )
    except DomainError as error:
        return _refused(error)
    first, credit = payments[0], payments[1] if len(payments) > 1 else None
    return Status(201, {**_payment(first), "excess_credit": _payment(credit) if credit else None})


@router.get(
    "/invoices/{invoice_id}/payments",
    response=responses({200: Page[PaymentOut]}),
    summary="The payments of an invoice",
)
def list_invoice_payments(
    request: HttpRequest, invoice_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    invoice = selectors.get_invoice_for_user(acting_user(request), invoice_id)
    page = page_of(Payment.objects.filter(invoice=invoice).order_by("date", "pk"), params)
    return {**page, "items": [_payment(payment) for payment in page["items"]]}


@router.get(
    "/payments",
    response=responses({200: Page[PaymentOut]}),
    summary="List the payments received",
)
def list_payments(
    request: HttpRequest,
    params: Query[PageParams],
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Newest first; `?q=` reference, invoice number, client or contract."""
    company = company_of(acting_user(request))
    queryset = account_selectors.payment_list(company, q=q, date_from=date_from, date_to=date_to)
    page = page_of(queryset, params)
    return {**page, "items": [_payment(payment) for payment in page["items"]]}


@router.get("/payments/{payment_id}", response=responses({200: PaymentOut}), summary="One payment")
def get_payment(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    return _payment(account_selectors.get_payment_for_user(acting_user(request), payment_id))


@router.delete(
    "/payments/{payment_id}",
    response=responses({204: None, **ANSWERS}),
    summary="Delete a payment recorded by mistake (administrators, with a reason)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PaymentDeleteIn.model_json_schema()}},
        }
    },
)
def delete_payment(request: HttpRequest, payment_id: int) -> Status[Any]:
    user = acting_user(request)
    payment = account_selectors.get_payment_for_user(user, payment_id)
    payload = _optional_body(request, PaymentDeleteIn)
    try:
        payment_services.payment_delete(user=user, payment=payment, reason=payload.reason)
    except DomainError as error:
        return _refused(error)
    return Status(204, None)


@router.get(
    "/invoices/overdue",
    response=responses({200: Page[OverdueOut]}),
    summary="Overdue invoices with the late interest accrued",
)
def list_overdue(request: HttpRequest, params: Query[PageParams], q: str = "") -> dict[str, Any]:
    """Interest = left to pay × the company's rate × days late / 365, plus the recovery
    indemnity (Code de commerce L441-10)."""
    company = company_of(acting_user(request))
    today = timezone.localdate()
    page = page_of(account_selectors.overdue_invoices(company, today, q), params)
    rows = account_selectors.overdue_rows(page["items"], company, today)
    return {
        **page,
        "items": [
            {
                "invoice_id": row.invoice.pk,
                "number": row.invoice.number,
                "contract_id": row.invoice.contract_id,
                "client_id": row.invoice.client_id,
                "due_date": row.invoice.due_date,
                "left_to_pay": _m(row.left),
                "days_late": row.days_late,
                "late_interest": _m(row.interest),
                "recovery_indemnity": _m(row.indemnity),
            }
            for row in rows
        ],
    }


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "date": entry.date,
        "kind": entry.kind,
        "reference": entry.reference,
        "invoice_id": entry.invoice_id,
        "debit": _m(entry.debit),
        "credit": _m(entry.credit),
        "balance": _m(entry.balance),
        "overdue": entry.overdue,
    }


def _account_invoice(row: InvoiceRow) -> dict[str, Any]:
    invoice = row.invoice
    return {
        "id": invoice.id,
        "number": invoice.number,
        "kind": invoice.kind,
        "date": invoice.issue_date,
        "due_date": invoice.due_date,
        "progress_percent": _m(row.progress_percent),
        "net": _m(invoice.net),
        "vat": _m(invoice.vat),
        "gross": _m(invoice.gross),
        "retention": _m(invoice.retention),
        "deductions": _m(invoice.deductions),
        "payable": _m(invoice.payable),
        "paid_payable": _m(row.paid_payable),
        "paid_retention": _m(row.paid_retention),
        "left_to_pay": _m(row.left_payable),
    }


@router.get(
    "/contracts/{contract_id}/final-account",
    response=responses({200: FinalAccountOut}),
    summary="The décompte général of a contract",
)
def final_account(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    """Summary (billing.md definitions), invoices with their financial progress, past
    entries with the running balance (invoices debit, payments and credit notes credit),
    upcoming entries (unpaid parts at their due dates, the retention at its release)."""
    contract = get_contract_for_user(acting_user(request), contract_id)
    account = account_selectors.final_account(contract, timezone.localdate()).account
    summary = account.summary
    return {
        "contract_id": contract.pk,
        "release_date": account.release_date,
        "bank_guarantee": account.guarantee,
        "summary": {name: _m(getattr(summary, name)) for name in AccountSummaryOut.model_fields},
        "invoices": [_account_invoice(row) for row in account.invoices],
        "past": [_entry(entry) for entry in account.past],
        "upcoming": [_entry(entry) for entry in account.upcoming],
    }


@router.post(
    "/contracts/{contract_id}/retention-release",
    response=responses({201: ReleaseOut, **ANSWERS}),
    summary="Record the retention released and the money received",
)
def release_retention(request: HttpRequest, contract_id: int) -> Status[Any]:
    """Without `amount`, all the retention held. Réserves still open → 409 unless
    `confirm` (the release is not blocked in a private contract, loi 71-584 art. 2)."""
    user = acting_user(request)
    require_writer(user)
    contract = get_contract_for_user(user, contract_id)
    payload = _optional_body(request, ReleaseIn)
    try:
        release = retention.retention_release(
            user=user,
            contract=contract,
            date=payload.date or timezone.localdate(),
            amount=Decimal(payload.amount) if payload.amount else None,
            method=payload.method,
            reference=payload.reference,
            note=payload.note,
            confirmed=payload.confirm,
        )
    except DomainError as error:
        return _refused(error)
    return Status(
        201,
        {
            "id": release.pk,
            "contract_id": contract.pk,
            "kind": release.kind,
            "date": release.date,
            "amount": _m(release.amount),
            "open_reserves": release.open_reserves,
            "payments": [_payment(payment) for payment in release.payments.order_by("pk")],
        },
    )
