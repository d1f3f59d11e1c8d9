"""Réserves in the integration API (shared/API.md conventions); registered by api/main.py.

- GET /contracts/{id}/reserves, GET /reserves: paginated (`?page=&page_size=` →
  `{items, count}`), `?status=` open / lifted / one status, `?q=` search
- POST /contracts/{id}/reserves → 201 the réserve
- GET /reserves/{id}; PATCH /reserves/{id}: only the fields sent change; `lifted_on` set on
  an open réserve lifts it, `null` on a lifted one reopens it, a date on a lifted one
  corrects it

Bad input is a 400 naming each field (`{"detail", "errors": [{"field", "message"}]}`); a
stale `lock_version` is a 409 and nothing is saved; another company's contract or réserve
is a 404; a read-only role is a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from chantier.api.errors import ErrorOut, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, company_of, require_writer
from chantier.quotes.schemas import ObjectIn
from chantier.works import selectors, services
from chantier.works.models import Reserve

router = Router(tags=["works"])

FIELDS = ("title", "description", "location", "noted_on", "due_on", "assigned_to", "status")


class ReserveIn(ObjectIn):
    description: str = Field("", max_length=10_000, description="The problems noted; required.")
    title: str = Field("", max_length=200, description="Subject, shown in lists.")
    location: str = Field("", max_length=200)
    noted_on: dt.date | None = Field(None, description="Default: today; not in the future.")
    due_on: dt.date | None = Field(None, description="To lift by; not before noted_on.")
    assigned_to: str = Field("", max_length=200, description="Who must lift it (free text).")
    status: str = Field(
        Reserve.Status.IDENTIFIED,
        max_length=40,
        description="identified, in_progress or awaiting_inspection (lift with PATCH lifted_on).",
    )


class ReservePatch(ObjectIn):
    """Every field optional: only those sent change."""

    description: str | None = Field(None, max_length=10_000)
    title: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    noted_on: dt.date | None = None
    due_on: dt.date | None = None
    assigned_to: str | None = Field(None, max_length=200)
    status: str | None = Field(None, max_length=40)
    lifted_on: dt.date | None = Field(
        None, description="A date lifts an open réserve (or corrects it); null reopens it."
    )
    lock_version: int | None = Field(
        None, description="The version read; a stale one is refused with a 409."
    )


class ReserveOut(Schema):
    id: int
    contract_id: int
    title: str
    description: str
    location: str
    noted_on: dt.date
    due_on: dt.date | None
    assigned_to: str
    status: str
    is_open: bool
    lifted_on: dt.date | None
    lock_version: int
    created_at: dt.datetime


def _out(reserve: Reserve) -> dict[str, Any]:
    return {
        "id": reserve.pk,
        "contract_id": reserve.contract_id,
        "title": reserve.title,
        "description": reserve.description,
        "location": reserve.location,
        "noted_on": reserve.noted_on,
        "due_on": reserve.due_on,
        "assigned_to": reserve.assigned_to,
        "status": reserve.status,
        "is_open": reserve.is_open,
        "lifted_on": reserve.lifted_on,
        "lock_version": reserve.lock_version,
        "created_at": reserve.created_at,
    }


def _page(queryset: Any, params: PageParams) -> dict[str, Any]:
    page = page_of(queryset, params)
    return {**page, "items": [_out(reserve) for reserve in page["items"]]}


@router.get(
    "/contracts/{contract_id}/reserves",
    response=responses({200: Page[ReserveOut]}),
    summary="List a contract's réserves",
)
def list_contract_reserves(
    request: HttpRequest,
    contract_id: int,
    params: Query[PageParams],
    status: str = "",
    q: str = "",
) -> dict[str, Any]:
    """Open ones first (oldest noted first), then the most recently lifted. `?status=`
    open (not lifted), lifted, or one status; `?q=` searches the subject, description,
    location and who lifts it, accents ignored."""
    contract = get_contract_for_user(acting_user(request), contract_id)
    return _page(selectors.contract_reserves(contract, status=status, q=q), params)


@router.post(
    "/contracts/{contract_id}/reserves",
    response=responses({201: ReserveOut}),
    summary="Note a réserve on a contract",
)
def create_reserve(request: HttpRequest, contract_id: int, payload: ReserveIn) -> Status[Any]:
    """An open réserve. Refused with 400 naming every faulty field (nothing created)."""
    user = acting_user(request)
    contract = get_contract_for_user(user, contract_id)
    body = payload.dict()
    if body.get("noted_on") is None:
        body.pop("noted_on", None)  # today
    reserve = services.reserve_create(user=user, contract=contract, **body)
    return Status(201, _out(reserve))


@router.get("/reserves", response=responses({200: Page[ReserveOut]}), summary="List the réserves")
def list_reserves(
    request: HttpRequest,
    params: Query[PageParams],
    status: str = "",
    q: str = "",
) -> dict[str, Any]:
    """Every réserve of the company: open ones first, then the most recently lifted;
    `?status=` and `?q=` as on a contract's list."""
    company = company_of(acting_user(request))
    return _page(selectors.company_reserves(company, status=status, q=q), params)


@router.get("/reserves/{reserve_id}", response=responses({200: ReserveOut}), summary="One réserve")
def get_reserve(request: HttpRequest, reserve_id: int) -> dict[str, Any]:
    return _out(selectors.get_reserve_for_user(acting_user(request), reserve_id))


@router.patch(
    "/reserves/{reserve_id}",
    response=responses({200: ReserveOut, 409: ErrorOut}),
    summary="Change, lift or reopen a réserve",
)
def patch_reserve(request: HttpRequest, reserve_id: int, payload: ReservePatch) -> dict[str, Any]:
    """Partial update; `lifted_on` lifts (a date), reopens (null) or corrects the date of a
    lifted réserve. 400 naming every faulty field, 409 on a stale `lock_version`; either
    way nothing is saved."""
    user = acting_user(request)
    reserve = selectors.get_reserve_for_user(user, reserve_id)
    require_writer(user)
    body = payload.dict(exclude_unset=True)
    version = body.pop("lock_version", None)
    changes = {name: body[name] for name in FIELDS if name in body}
    for name in ("title", "description", "location", "assigned_to", "status", "noted_on"):
        if name in changes and changes[name] is None:
            changes.pop(name)  # null for a text or a required date: left unchanged
    with transaction.atomic():
        if "lifted_on" in body and not reserve.is_open:
            if body["lifted_on"] is None:
                services.reserve_reopen(user=user, reserve=reserve, lock_version=version)
                version = None  # checked once
            else:
                changes["lifted_on"] = body["lifted_on"]
        services.reserve_update(user=user, reserve=reserve, lock_version=version, **changes)
        if "lifted_on" in body and body["lifted_on"] is not None and reserve.is_open:
            services.reserve_lift(user=user, reserve=reserve, lifted_on=body["lifted_on"])
    return _out(selectors.get_reserve_for_user(user, reserve_id))
