"""Service orders in the integration API; registered by api/main.py.

- GET /contracts/{id}/service-orders (paginated), GET /service-orders/{id}
- POST /contracts/{id}/service-orders → 201 (direct, or `change_order_id` / `quote_id`)
- POST /service-orders/{id}/issue, /validate, /refuse

Bad input is a 422 naming each field; a refused transition or a stale `lock_version` is a
409; another company's contract or order is a 404; a read-only role is a 403 (as the
change order API).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from chantier.api.errors import ErrorOut, error_body, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.contracts import service_order_selectors as selectors
from chantier.contracts import service_order_services as services
from chantier.contracts.models import ChangeOrder, ServiceOrder
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
from chantier.quotes.models import Quote
from chantier.quotes.schemas import ObjectIn, _decimal

router = Router(tags=["contracts"])

ANSWERS = {422: ErrorOut, 409: ErrorOut}
API_NAMES = {"change_order": "change_order_id", "quote": "quote_id", "quotes": "quote_ids"}


class ServiceOrderIn(ObjectIn):
    kind: str | None = Field(
        None, max_length=12, description="start, change, suspension, restart, no_financial"
    )
    issuer: str | None = Field(None, max_length=15, description="project_manager or owner")
    lot: str = Field("", max_length=200)
    title: str | None = Field(None, max_length=250)
    description: str = Field("", max_length=20_000)
    issue_date: dt.date | None = None
    notification_date: dt.date | None = None
    acknowledgement_date: dt.date | None = None
    financial_impact: str | None = _decimal("Financial impact excl. VAT, signed.")
    delay_days: int | None = Field(None, ge=-3650, le=3650)
    owner_validation_ref: str = Field("", max_length=200)
    change_order_id: int | None = Field(None, ge=1, le=2**63 - 1)
    quote_id: int | None = Field(None, ge=1, le=2**63 - 1)
    quote_ids: list[int] = Field(default_factory=list)
    issue: bool = False


class ServiceOrderDecisionIn(ObjectIn):
    decision_note: str = Field("", max_length=5_000)
    lock_version: int | None = None


class ValidateIn(ServiceOrderDecisionIn):
    owner_validation_ref: str | None = Field(None, max_length=200)


class IssueIn(ObjectIn):
    lock_version: int | None = None


class ServiceOrderLineOut(Schema):
    id: int
    section_id: int | None
    amends_line_id: int | None
    reference: str
    description: str
    unit: str
    quantity: str
    unit_price: str
    vat_rate: str
    net: str


class ServiceOrderSummaryOut(Schema):
    id: int
    contract_id: int
    number: int | None
    origin: str
    kind: str
    issuer: str
    title: str
    status: str
    issue_date: dt.date | None
    notification_date: dt.date | None
    acknowledgement_date: dt.date | None
    observation_deadline: dt.date | None
    financial_impact: str
    delay_days: int
    owner_validation_ref: str
    is_binding: bool


class ServiceOrderOut(ServiceOrderSummaryOut):
    lot: str
    description: str
    change_order_id: int | None
    quote_ids: list[int]
    decided_at: str | None
    decision_note: str
    lock_version: int
    lines: list[ServiceOrderLineOut]
    attachments: list[dict[str, Any]]


def _money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def _renamed(name: str) -> str:
    return API_NAMES.get(name, name)


def _refused(error: DomainError) -> Status[Any]:
    if isinstance(error, PermissionDenied):
        raise error
    if isinstance(error, FieldErrors):
        errors = [
            {"field": None if name == NON_FIELD_ERRORS else _renamed(name), "message": " ".join(m)}
            for name, m in error.errors.items()
        ]
        return Status(422, error_body(error.message, errors))
    if error.field and not isinstance(error, StaleEdit):
        field = _renamed(error.field)
        return Status(422, error_body(error.message, [{"field": field, "message": error.message}]))
    return Status(409, error_body(error.message))


def _summary(order: ServiceOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "contract_id": order.contract_id,
        "number": order.number,
        "origin": order.origin,
        "kind": order.kind,
        "issuer": order.issuer,
        "title": order.title,
        "status": order.status,
        "issue_date": order.issue_date,
        "notification_date": order.notification_date,
        "acknowledgement_date": order.acknowledgement_date,
        "observation_deadline": order.observation_deadline,
        "financial_impact": _money(order.financial_impact),
        "delay_days": order.delay_days,
        "owner_validation_ref": order.owner_validation_ref,
        "is_binding": order.is_binding,
    }


def _detail(order: ServiceOrder) -> dict[str, Any]:
    detail = selectors.service_order_detail(order)
    return {
        **_summary(order),
        "lot": order.lot,
        "description": order.description,
        "change_order_id": order.change_order_id,
        "quote_ids": [q.pk for q in detail.quotes],
        "decided_at": order.decided_at.isoformat() if order.decided_at else None,
        "decision_note": order.decision_note,
        "lock_version": order.lock_version,
        "lines": [
            {
                "id": line.pk,
                "section_id": line.section_id,
                "amends_line_id": line.amends_id,
                "reference": line.reference,
                "description": line.description,
                "unit": line.unit,
                "quantity": f"{round3(line.quantity):.3f}",
                "unit_price": _money(line.unit_price),
                "vat_rate": _money(line.vat_rate),
                "net": _money(line.net),
            }
            for line in detail.lines
        ],
        "attachments": [{"id": a.pk, "name": a.name, "size": a.size} for a in detail.attachments],
    }


@router.get(
    "/contracts/{contract_id}/service-orders",
    response=responses({200: Page[ServiceOrderSummaryOut]}),
    summary="List a contract's service orders",
)
def list_service_orders(
    request: HttpRequest, contract_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    """By number, drafts (not numbered yet) last."""
    contract = get_contract_for_user(acting_user(request), contract_id)
    page = page_of(selectors.service_order_list(contract), params)
    return {**page, "items": [_summary(order) for order in page["items"]]}


@router.get(
    "/service-orders",
    response=responses({200: Page[ServiceOrderSummaryOut]}),
    summary="List the company's service orders",
)
def list_company_service_orders(
    request: HttpRequest, params: Query[PageParams], status: str = ""
) -> dict[str, Any]:
    """Newest first; `?status=` draft, awaiting, validated or refused."""
    if status and status not in ServiceOrder.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(ServiceOrder.Status.values)},
            field="status",
        )
    company_id = company_of(acting_user(request)).pk
    page = page_of(selectors.company_service_orders(company_id, status), params)
    return {**page, "items": [_summary(order) for order in page["items"]]}


@router.get(
    "/service-orders/{order_id}",
    response=responses({200: ServiceOrderOut}),
    summary="One service order",
)
def get_service_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _detail(selectors.get_service_order_for_user(acting_user(request), order_id))


def _own(model: Any, request: HttpRequest, pk: int | None, field: str, message: str) -> Any:
    if pk is None:
        return None
    row = model.objects.filter(company=company_of(acting_user(request)), pk=pk).first()
    if row is None:
        raise DomainError(message, field=field)
    return row


@router.post(
    "/contracts/{contract_id}/service-orders",
    response=responses({201: ServiceOrderOut, **ANSWERS}),
    summary="Create a service order",
)
def create_service_order(
    request: HttpRequest, contract_id: int, payload: ServiceOrderIn
) -> Status[Any]:
    """A draft (or, with `issue: true`, issued at once) service order of the contract:
    direct, from `change_order_id` (a change order of the contract) or from `quote_id` (an
    accepted quote of the client, when the contract allows it). Faulty fields: 422."""
    user = acting_user(request)
    require_writer(user)
    contract = get_contract_for_user(user, contract_id)
    given = payload.model_fields_set
    data = {
        name: getattr(payload, name)
        for name in services.HEADER_FIELDS
        if name in given and getattr(payload, name) is not None
    }
    if "financial_impact" in data:
        data["financial_impact"] = Decimal(data["financial_impact"].replace(",", "."))
    try:
        change_order = _own(
            ChangeOrder,
            request,
            payload.change_order_id,
            "change_order_id",
            _("Choose a change order of this contract."),
        )
        quote = _own(
            Quote,
            request,
            payload.quote_id,
            "quote_id",
            _("Choose an accepted quote of the contract's client."),
        )
        order = services.service_order_create(
            user=user,
            contract=contract,
            data=data,
            change_order=change_order,
            quote=quote,
            quotes=payload.quote_ids,
            issue=payload.issue,
        )
    except DomainError as error:
        return _refused(error)
    return Status(201, _detail(order))


def _act(request: HttpRequest, order_id: int, action: Any) -> Status[Any]:
    user = acting_user(request)
    require_writer(user)
    order = selectors.get_service_order_for_user(user, order_id)
    try:
        action(user, order)
    except DomainError as error:
        return _refused(error)
    return Status(200, _detail(order))


@router.post(
    "/service-orders/{order_id}/issue",
    response=responses({200: ServiceOrderOut, **ANSWERS}),
    summary="Issue a service order (it gets its number)",
)
def issue_service_order(request: HttpRequest, order_id: int, payload: IssueIn) -> Status[Any]:
    return _act(
        request,
        order_id,
        lambda user, order: services.service_order_issue(
            user=user, order=order, lock_version=payload.lock_version
        ),
    )


@router.post(
    "/service-orders/{order_id}/validate",
    response=responses({200: ServiceOrderOut, **ANSWERS}),
    summary="Validate a service order (its lines join the billing base)",
)
def validate_service_order(request: HttpRequest, order_id: int, payload: ValidateIn) -> Status[Any]:
    return _act(
        request,
        order_id,
        lambda user, order: services.service_order_validate(
            user=user,
            order=order,
            owner_validation_ref=payload.owner_validation_ref,
            note=payload.decision_note,
            lock_version=payload.lock_version,
        ),
    )


@router.post(
    "/service-orders/{order_id}/refuse",
    response=responses({200: ServiceOrderOut, **ANSWERS}),
    summary="Refuse a service order",
)
def refuse_service_order(
    request: HttpRequest, order_id: int, payload: ServiceOrderDecisionIn
) -> Status[Any]:
    return _act(
        request,
        order_id,
        lambda user, order: services.service_order_refuse(
            user=user, order=order, note=payload.decision_note, lock_version=payload.lock_version
        ),
    )
