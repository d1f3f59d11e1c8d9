"""Invoices in the integration API (shared/API.md); registered by api/main.py.

- POST /contracts/{id}/invoices → 201 draft (down_payment, progress, final, supplementary)
- GET /contracts/{id}/invoices, GET /invoices (paginated), GET /invoices/{id}
- PUT /invoices/{id} (change a draft statement), DELETE /invoices/{id} (a draft)
- POST /invoices/{id}/issue → the invoice with its number (409 when already issued)
- POST /invoices/{id}/credit-note → 201 draft credit note
- GET /invoices/{id}/pdf → the Factur-X PDF

Amounts are signed as the books see them: credit notes negative (API.md).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ValidationError

from chantier.api.errors import ErrorOut, error_body, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.billing import credit_notes, issuing, selectors, services
from chantier.billing.models import Invoice, Kind
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, company_of, require_writer
from chantier.core.exceptions import (
    NON_FIELD_ERRORS,
    DomainError,
    FieldErrors,
    PermissionDenied,
    StaleEdit,
)
from chantier.quotes.schemas import DECIMAL, ObjectIn

router = Router(tags=["invoices"])

ANSWERS = {422: ErrorOut, 409: ErrorOut}
Mode = Literal["cumulative_percent", "relative_percent", "cumulative_quantity", "relative_quantity"]


def _decimal(description: str) -> Any:
    return Field(None, pattern=DECIMAL, max_length=30, description=description)


class ProgressIn(ObjectIn):
    line_id: int
    mode: Mode
    value: str = Field(..., pattern=DECIMAL, max_length=30)


class DeductionIn(ObjectIn):
    label: str = Field(..., min_length=1, max_length=200)
    amount: str = Field(..., pattern=DECIMAL, max_length=30)
    kind: Literal["penalty", "prorata_account", "other"] = "other"


class InvoiceIn(ObjectIn):
    kind: Literal["down_payment", "progress", "final", "supplementary"]
    date: dt.date | None = None
    percent: str | None = _decimal("Down payment: % of the contract net.")
    amount: str | None = _decimal("Down payment: an amount excl. VAT.")
    progress: list[ProgressIn] = Field(default_factory=list)
    global_percent: str | None = _decimal("One cumulative % for every line.")
    index_values: dict[str, str] = Field(default_factory=dict)
    down_payment_deduction: str | None = _decimal("Manual mode: the amount deducted (excl. VAT).")
    deductions: list[DeductionIn] = Field(default_factory=list)
    penalty_days: int | None = Field(
        None, ge=1, le=3650, description="Days late: 1/3000 of the contract net per day."
    )


class StatementIn(ObjectIn):
    date: dt.date
    progress: list[ProgressIn] = Field(default_factory=list)
    global_percent: str | None = _decimal("One cumulative % for every line.")
    index_values: dict[str, str] = Field(default_factory=dict)
    down_payment_deduction: str | None = _decimal("Manual mode: the amount deducted (excl. VAT).")
    deductions: list[DeductionIn] = Field(default_factory=list)
    penalty_days: int | None = Field(None, ge=1, le=3650)
    lock_version: int | None = None


class InvoiceIssueIn(ObjectIn):
    confirm: bool = False


class CreditNoteIn(ObjectIn):
    lines: list[int] | None = Field(None, description="Ids of the invoice's lines; all if omitted.")


class VatOut(Schema):
    rate: str
    base: str
    amount: str
    category: str


class InvoiceLineOut(Schema):
    id: int
    kind: str
    description: str
    unit: str
    quantity: str
    unit_price: str
    net: str
    vat_rate: str
    line_id: int | None
    cumulative_quantity: str | None
    cumulative_percent: str | None
    cumulative_amount: str | None
    previous_amount: str | None
    down_payment_invoice_id: int | None


class InvoiceDeductionOut(Schema):
    label: str
    kind: str
    amount: str


class InvoiceSummaryOut(Schema):
    id: int
    contract_id: int
    number: str
    kind: str
    type_code: str
    status: str
    date: dt.date
    net: str
    gross: str
    payable: str


class InvoiceOut(InvoiceSummaryOut):
    statement_number: int | None
    issue_date: dt.date | None
    due_date: dt.date | None
    credited_invoice_id: int | None
    lines: list[InvoiceLineOut]
    vat: list[VatOut]
    vat_total: str
    retention: str
    retention_cumulative: str
    deductions: list[InvoiceDeductionOut]
    deductions_total: str
    works_net: str
    global_percent: str
    revision_coefficient: str | None
    warnings: list[dict[str, Any]]
    lock_version: int


def _m(value: Decimal) -> str:
    return f"{value:.2f}"


def _q(value: Decimal) -> str:
    return f"{value:.3f}"


def _summary(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "contract_id": invoice.contract_id,
        "number": invoice.number,
        "kind": invoice.kind,
        "type_code": invoice.type_code,
        "status": invoice.status,
        "date": invoice.issue_date or invoice.period_date,
        "net": _m(invoice.net),
        "gross": _m(invoice.gross),
        "payable": _m(invoice.payable),
    }


def _detail(invoice: Invoice) -> dict[str, Any]:
    document = selectors.invoice_document(invoice)
    return {
        **_summary(invoice),
        "statement_number": invoice.statement_number,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "credited_invoice_id": invoice.credited_invoice_id,
        "lines": [
            {
                "id": line.pk,
                "kind": line.kind,
                "description": line.description,
                "unit": line.unit,
                "quantity": _q(line.quantity),
                "unit_price": _m(line.unit_price),
                "net": _m(line.net),
                "vat_rate": _m(line.vat_rate),
                "line_id": line.contract_line_id,
                "cumulative_quantity": _q(line.cumulative_quantity) if line.is_work else None,
                "cumulative_percent": f"{line.cumulative_percent:.4f}" if line.is_work else None,
                "cumulative_amount": _m(line.cumulative_amount) if line.is_work else None,
                "previous_amount": _m(line.previous_amount) if line.is_work else None,
                "down_payment_invoice_id": line.down_payment_invoice_id,
            }
            for line in document.lines
        ],
        "vat": [
            {"rate": _m(v.rate), "base": _m(v.base), "amount": _m(v.amount), "category": v.category}
            for v in document.vat
        ],
        "vat_total": _m(invoice.vat_total),
        "retention": _m(invoice.retention),
        "retention_cumulative": _m(invoice.retention_cumulative),
        "deductions": [
            {"label": d.label, "kind": d.kind, "amount": _m(d.amount)} for d in document.deductions
        ],
        "deductions_total": _m(invoice.deductions_total),
        "works_net": _m(invoice.works_net),
        "global_percent": f"{invoice.global_percent:.2f}",
        "revision_coefficient": (
            f"{invoice.revision_coefficient:.4f}"
            if invoice.revision_coefficient is not None
            else None
        ),
        "warnings": [
            {"code": w.get("code"), "message": w.get("message"), "line_id": w.get("line_id")}
            for w in invoice.warnings
        ],
        "lock_version": invoice.lock_version,
    }


def _refused(error: DomainError) -> Status[Any]:
    """422 for bad input (fields named); 409 for a refused transition or a stale version."""
    if isinstance(error, PermissionDenied):
        raise error
    if isinstance(error, FieldErrors):
        errors = [
            {"field": None if name == NON_FIELD_ERRORS else name, "message": " ".join(msgs)}
            for name, msgs in error.errors.items()
        ]
        return Status(422, error_body(error.message, errors))
    conflict = isinstance(
        error, issuing.AlreadyIssued | issuing.NeedsConfirmation | StaleEdit
    ) or error.field in (None, "status")
    if conflict:
        return Status(
            409,
            error_body(
                error.message,
                [{"field": error.field, "message": error.message}] if error.field else [],
            ),
        )
    return Status(
        422, error_body(error.message, [{"field": error.field, "message": error.message}])
    )


def _optional_body[T: Schema](request: HttpRequest, schema: type[T]) -> T:
    """An optional JSON body: empty means the defaults (ninja refuses an empty body)."""
    if "json" not in (request.content_type or "") or not request.body.strip():
        return schema()
    try:
        data = json.loads(request.body)
    except ValueError:
        raise HttpError(400, _("The body must be JSON.")) from None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise HttpError(422, str(exc.errors()[0].get("msg", exc))) from None


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _statement_args(payload: InvoiceIn | StatementIn) -> dict[str, Any]:
    return {
        "entries": [
            {"line_id": p.line_id, "mode": p.mode, "value": Decimal(p.value)}
            for p in payload.progress
        ],
        "global_percent": _dec(payload.global_percent),
        "index_values": _index_values(payload.index_values),
        "manual_deduction": _dec(payload.down_payment_deduction),
        "deductions": [
            {"label": d.label, "amount": Decimal(d.amount), "kind": d.kind}
            for d in payload.deductions
        ],
        "penalty_days": payload.penalty_days,
    }


def _index_values(values: dict[str, str]) -> dict[str, Decimal]:
    import re

    result = {}
    for name, value in values.items():
        if not re.fullmatch(DECIMAL, value or "") or Decimal(value) <= 0:
            raise DomainError(
                _("Index %(name)s: a positive decimal is expected.") % {"name": name[:40]},
                field=f"index_values.{name[:40]}",
            )
        result[name] = Decimal(value)
    return result


@router.post(
    "/contracts/{contract_id}/invoices",
    response=responses({201: InvoiceOut, **ANSWERS}),
    summary="Create a draft invoice of one kind",
)
def create_invoice(request: HttpRequest, contract_id: int, payload: InvoiceIn) -> Status[Any]:
    """`down_payment` (`percent` or `amount`), `progress` (`progress` entries per line in one
    of four modes, or `global_percent`), `final`, `supplementary`. Nothing is created when
    an entry is refused (422 naming the line)."""
    user = acting_user(request)
    require_writer(user)
    contract = get_contract_for_user(user, contract_id)
    try:
        if payload.kind == Kind.DOWN_PAYMENT:
            invoice = services.down_payment_create(
                user=user,
                contract=contract,
                percent=_dec(payload.percent),
                amount=_dec(payload.amount),
                period_date=payload.date,
            )
        else:
            invoice = services.statement_save(
                user=user,
                contract=contract,
                kind=payload.kind,
                period_date=payload.date or services.today(),
                **_statement_args(payload),
            )
    except DomainError as error:
        return _refused(error)
    return Status(201, _detail(invoice))


@router.put(
    "/invoices/{invoice_id}",
    response=responses({200: InvoiceOut, **ANSWERS}),
    summary="Change a draft statement",
)
def update_invoice(request: HttpRequest, invoice_id: int, payload: StatementIn) -> Status[Any]:
    """The whole entry again (what is not listed keeps its previous cumulative).
    `lock_version` from the last read refuses a stale save (409)."""
    user = acting_user(request)
    require_writer(user)
    invoice = selectors.get_invoice_for_user(user, invoice_id)
    if not invoice.is_statement:
        return Status(409, error_body(_("Only a draft statement can be changed.")))
    try:
        invoice = services.statement_save(
            user=user,
            contract=invoice.contract,
            kind=invoice.kind,
            period_date=payload.date,
            invoice=invoice,
            lock_version=payload.lock_version,
            **_statement_args(payload),
        )
    except DomainError as error:
        return _refused(error)
    return Status(200, _detail(invoice))


@router.delete(
    "/invoices/{invoice_id}",
    response=responses({204: None, **ANSWERS}),
    summary="Delete a draft invoice",
)
def delete_invoice(request: HttpRequest, invoice_id: int) -> Status[Any]:
    user = acting_user(request)
    require_writer(user)
    invoice = selectors.get_invoice_for_user(user, invoice_id)
    try:
        services.invoice_delete(user=user, invoice=invoice)
    except DomainError as error:
        return _refused(error)
    return Status(204, None)


@router.get(
    "/contracts/{contract_id}/invoices",
    response=responses({200: Page[InvoiceSummaryOut]}),
    summary="List a contract's invoices",
)
def list_contract_invoices(
    request: HttpRequest, contract_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    contract = get_contract_for_user(acting_user(request), contract_id)
    page = page_of(selectors.contract_invoices(contract), params)
    return {**page, "items": [_summary(invoice) for invoice in page["items"]]}


@router.get(
    "/invoices",
    response=responses({200: Page[InvoiceSummaryOut]}),
    summary="List the company's invoices",
)
def list_invoices(
    request: HttpRequest, params: Query[PageParams], status: str = "", q: str = ""
) -> dict[str, Any]:
    """Newest first; `?status=` draft or issued; `?q=` number, contract or client."""
    if status and status not in Invoice.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(Invoice.Status.values)},
            field="status",
        )
    company = company_of(acting_user(request))
    page = page_of(selectors.invoice_list(company, q=q, status=status), params)
    return {**page, "items": [_summary(invoice) for invoice in page["items"]]}


@router.get(
    "/invoices/{invoice_id}",
    response=responses({200: InvoiceOut}),
    summary="One invoice",
)
def get_invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return _detail(selectors.get_invoice_for_user(acting_user(request), invoice_id))


@router.post(
    "/invoices/{invoice_id}/issue",
    response=responses({200: InvoiceOut, **ANSWERS}),
    summary="Issue a draft: number, due date, immutable",
)
def issue_invoice(request: HttpRequest, invoice_id: int) -> Status[Any]:
    """409 when already issued, or when a warning needs `{"confirm": true}`."""
    user = acting_user(request)
    require_writer(user)
    invoice = selectors.get_invoice_for_user(user, invoice_id)
    try:
        invoice = issuing.invoice_issue(
            user=user, invoice=invoice, confirm=_optional_body(request, InvoiceIssueIn).confirm
        )
    except DomainError as error:
        return _refused(error)
    return Status(200, _detail(invoice))


@router.post(
    "/invoices/{invoice_id}/credit-note",
    response=responses({201: InvoiceOut, **ANSWERS}),
    summary="A draft credit note for all or some lines of an issued invoice",
)
def create_credit_note(request: HttpRequest, invoice_id: int) -> Status[Any]:
    """Body optional: `{"lines": [id, ...]}` (ids of the invoice's lines)."""
    payload = _optional_body(request, CreditNoteIn)
    user = acting_user(request)
    require_writer(user)
    invoice = selectors.get_invoice_for_user(user, invoice_id)
    try:
        credit = credit_notes.credit_note_create(user=user, invoice=invoice, line_ids=payload.lines)
    except DomainError as error:
        return _refused(error)
    return Status(201, _detail(credit))


@router.get(
    "/invoices/{invoice_id}/pdf",
    response=responses({200: None, **ANSWERS}),
    summary="The Factur-X PDF (PDF/A-3 with the CII XML)",
)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    from chantier.billing import documents

    invoice = selectors.get_invoice_for_user(acting_user(request), invoice_id)
    pdf = documents.invoice_pdf(invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(invoice)}"'
    return response
