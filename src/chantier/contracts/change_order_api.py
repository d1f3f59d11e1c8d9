"""Change orders in the integration API (shared/API.md); registered by api/main.py.

- POST /contracts/{id}/change-orders → 201 {id, number, status, net}
- GET /change-orders/{id}, GET /contracts/{id}/change-orders (paginated)
- POST /change-orders/{id}/submit, /approve, /reject

Bad input is a 422 naming each field (`title`, `lines.0.quantity`, `lines.1.amends_line_id`);
a refused transition (approving a draft, approving twice) is a 409; another company's
contract or change order is a 404; a read-only role is a 403.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chantier.api.errors import ErrorOut, error_body, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.contracts import change_order_selectors as selectors
from chantier.contracts import change_order_services as services
from chantier.contracts.models import ChangeOrder
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, company_of, require_writer
from chantier.core.exceptions import (
    NON_FIELD_ERRORS,
    DomainError,
    FieldErrors,
    PermissionDenied,
    StaleEdit,
)
from chantier.core.money import round2, round3
from chantier.quotes.schemas import ObjectIn, _decimal

router = Router(tags=["contracts"])

ANSWERS = {422: ErrorOut, 409: ErrorOut}


class ChangeOrderLineIn(ObjectIn):
    """New work (`section_id` optional), or a change of the contract line `amends_line_id`:
    a quantity change is `quantity` = Δq at that line's `unit_price`; a price change is
    that line's `quantity` with `unit_price` = Δprice (both signed)."""

    description: str = Field("", max_length=20_000)
    unit: str = Field("", max_length=20)
    quantity: str | None = _decimal("Quantity, signed (3 places kept).")
    unit_price: str | None = _decimal("Unit price excl. VAT, signed (rounded to 2 places).")
    vat_rate: str | None = _decimal('VAT rate in %: "20", "10", "5.5" or "0".')
    section_id: int | None = None
    amends_line_id: int | None = None


class ChangeOrderIn(ObjectIn):
    title: str = Field(..., max_length=250)
    description: str = Field("", max_length=20_000)
    lines: list[ChangeOrderLineIn] = Field(default_factory=list)


class ChangeOrderDecisionIn(ObjectIn):
    decision_note: str = Field("", max_length=5_000)


class CreatedOut(Schema):
    id: int
    number: int
    status: str
    net: str


class ChangeOrderLineOut(Schema):
    id: int
    change: str  # "new", "quantity", "price"
    section_id: int | None
    amends_line_id: int | None
    reference: str
    description: str
    unit: str
    quantity: str
    unit_price: str
    vat_rate: str
    net: str


class ChangeOrderSummaryOut(Schema):
    id: int
    contract_id: int
    number: int
    title: str
    status: str
    net: str


class ChangeOrderOut(ChangeOrderSummaryOut):
    description: str
    submitted_at: str | None
    decided_at: str | None
    decision_note: str
    lock_version: int
    vat: list[dict[str, str]]
    gross: str
    lines: list[ChangeOrderLineOut]


def _money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def _refused(error: DomainError) -> Status[Any]:
    """422 for bad input (fields named), 409 for a refused transition or a stale version."""
    if isinstance(error, PermissionDenied):
        raise error
    if isinstance(error, FieldErrors):
        errors = [
            {"field": None if name == NON_FIELD_ERRORS else name, "message": " ".join(msgs)}
            for name, msgs in error.errors.items()
        ]
        return Status(422, error_body(error.message, errors))
    if error.field and not isinstance(error, StaleEdit):
        return Status(
            422, error_body(error.message, [{"field": error.field, "message": error.message}])
        )
    return Status(409, error_body(error.message))


def _summary(change_order: ChangeOrder) -> dict[str, Any]:
    return {
        "id": change_order.pk,
        "contract_id": change_order.contract_id,
        "number": change_order.number,
        "title": change_order.title,
        "status": change_order.status,
        "net": _money(change_order.net),
    }


def _detail(change_order: ChangeOrder) -> dict[str, Any]:
    printed = selectors.lines_of(change_order)
    lines = [p.line for p in printed]
    vat = selectors.vat_breakdown(lines)
    vat_total = sum((v["amount"] for v in vat), Decimal("0.00"))
    return {
        **_summary(change_order),
        "description": change_order.description,
        "submitted_at": change_order.submitted_at.isoformat()
        if change_order.submitted_at
        else None,
        "decided_at": change_order.decided_at.isoformat() if change_order.decided_at else None,
        "decision_note": change_order.decision_note,
        "lock_version": change_order.lock_version,
        "vat": [
            {"rate": _money(v["rate"]), "base": _money(v["base"]), "amount": _money(v["amount"])}
            for v in vat
        ],
        "gross": _money(change_order.net + vat_total),
        "lines": [
            {
                "id": p.line.pk,
                "change": p.change,
                "section_id": p.line.section_id,
                "amends_line_id": p.line.amends_id,
                "reference": p.line.reference,
                "description": p.line.description,
                "unit": p.line.unit,
                "quantity": f"{round3(p.line.quantity):.3f}",
                "unit_price": _money(p.line.unit_price),
                "vat_rate": _money(p.line.vat_rate),
                "net": _money(p.line.net),
            }
            for p in printed
        ],
    }


@router.post(
    "/contracts/{contract_id}/change-orders",
    response=responses({201: CreatedOut, **ANSWERS}),
    summary="Create a change order",
)
def create_change_order(
    request: HttpRequest, contract_id: int, payload: ChangeOrderIn
) -> Status[Any]:
    """A draft change order, numbered next on the contract (Avenant n°N), with its lines.
    Any faulty field refuses it all (422, each field named) and nothing is created."""
    user = acting_user(request)
    require_writer(user)
    contract = get_contract_for_user(user, contract_id)
    try:
        change_order = services.change_order_create(
            user=user,
            contract=contract,
            title=payload.title,
            description=payload.description,
            lines=[line.model_dump() for line in payload.lines],
        )
    except DomainError as error:
        return _refused(error)
    return Status(
        201,
        {
            "id": change_order.pk,
            "number": change_order.number,
            "status": change_order.status,
            "net": _money(change_order.net),
        },
    )


@router.get(
    "/contracts/{contract_id}/change-orders",
    response=responses({200: Page[ChangeOrderSummaryOut]}),
    summary="List a contract's change orders",
)
def list_change_orders(
    request: HttpRequest, contract_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    """By number."""
    contract = get_contract_for_user(acting_user(request), contract_id)
    page = page_of(selectors.change_order_list(contract), params)
    return {**page, "items": [_summary(change_order) for change_order in page["items"]]}


@router.get(
    "/change-orders",
    response=responses({200: Page[ChangeOrderSummaryOut]}),
    summary="List the company's change orders",
)
def list_company_change_orders(
    request: HttpRequest, params: Query[PageParams], status: str = ""
) -> dict[str, Any]:
    """Newest first; `?status=` draft, submitted, approved or rejected."""
    if status and status not in ChangeOrder.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(ChangeOrder.Status.values)},
            field="status",
        )
    company_id = company_of(acting_user(request)).pk
    page = page_of(selectors.company_change_orders(company_id, status), params)
    return {**page, "items": [_summary(change_order) for change_order in page["items"]]}


@router.get(
    "/change-orders/{change_order_id}",
    response=responses({200: ChangeOrderOut}),
    summary="One change order",
)
def get_change_order(request: HttpRequest, change_order_id: int) -> dict[str, Any]:
    change_order = selectors.get_change_order_for_user(acting_user(request), change_order_id)
    return _detail(change_order)


def _note(request: HttpRequest) -> str:
    """The optional decision note of an empty or JSON body (an empty POST is allowed)."""
    if "json" not in (request.content_type or "") or not request.body.strip():
        return ""
    try:
        data = json.loads(request.body)
    except ValueError:
        raise HttpError(400, _("The body must be JSON.")) from None
    note = data.get("decision_note", "") if isinstance(data, dict) else ""
    if not isinstance(note, str):
        raise HttpError(422, _("decision_note must be a text."))
    return note[:5000]


def _decide(request: HttpRequest, change_order_id: int, action: str, note: str = "") -> Status[Any]:
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, change_order_id)
    try:
        if action == "submit":
            services.change_order_submit(user=user, change_order=change_order)
        elif action == "approve":
            services.change_order_approve(user=user, change_order=change_order, decision_note=note)
        else:
            services.change_order_reject(user=user, change_order=change_order, decision_note=note)
    except DomainError as error:
        return _refused(error)
    return Status(200, _detail(change_order))


@router.post(
    "/change-orders/{change_order_id}/submit",
    response=responses({200: ChangeOrderOut, **ANSWERS}),
    summary="Submit a draft change order to the client",
)
def submit_change_order(request: HttpRequest, change_order_id: int) -> Status[Any]:
    return _decide(request, change_order_id, "submit")


@router.post(
    "/change-orders/{change_order_id}/approve",
    response=responses({200: ChangeOrderOut, **ANSWERS}),
    summary="Record the client's approval: the lines join the billing base",
)
def approve_change_order(request: HttpRequest, change_order_id: int) -> Status[Any]:
    """Body optional: `{"decision_note": "..."}`."""
    note = _note(request)
    return _decide(request, change_order_id, "approve", note)


@router.post(
    "/change-orders/{change_order_id}/reject",
    response=responses({200: ChangeOrderOut, **ANSWERS}),
    summary="Record the client's rejection",
)
def reject_change_order(request: HttpRequest, change_order_id: int) -> Status[Any]:
    """Body optional: `{"decision_note": "..."}`."""
    note = _note(request)
    return _decide(request, change_order_id, "reject", note)
