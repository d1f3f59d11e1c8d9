"""Contracts in the integration API (shared/API.md): list, create, one contract with its
settings and lines, and changes to its settings and general information.

Handlers are thin: fetch through the company-scoped selectors (404 for another company's
id), call one service, answer. Decimals are strings with fixed places; a refused change is
a 422 naming every faulty field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from chantier.api.errors import ErrorOut, error_body, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.contracts import final_account_api, selectors, services
from chantier.contracts.final_account_services import contract_final_account_record
from chantier.contracts.models import Contract, ContractLine, RevisionIndex
from chantier.core.access import acting_user, company_of
from chantier.core.exceptions import NON_FIELD_ERRORS, DomainError, FieldErrors
from chantier.core.money import round2, round3, round4
from chantier.parties.models import Client, Site

router = Router(tags=["contracts"])
router.add_router("/", final_account_api.router)  # GET /contracts/{id}/final-account-timeline

_ROUND = {2: round2, 3: round3, 4: round4}
DAYS_TERMS = re.compile(r"(\d{1,3})d")
# Service (model) field names → the names of the API body.
API_NAMES = {
    "revision_fixed_part": "revision.fixed_part",
    "revision_rounding": "revision.rounding",
    "indices": "revision.indices",
    "payment_days": "payment_terms",
    "address_line1": "address.line1",
    "address_line2": "address.line2",
    "postcode": "address.postcode",
    "city": "address.city",
    "country": "address.country",
    "client": "client_id",
    "site": "site_id",
}
SETTINGS_NAMES = (
    "pricing",
    "retention_rate",
    "retention_base",
    "retention_on",
    "retention_guarantee",
    "guarantee_reference",
    "guarantee_end_date",
    "warranty_months",
    "handover_date",
    "down_payment_deduction",
    "deduction_warning_threshold",
    "procurement",
    "service_orders_from_quotes",
    "reverse_charge",
    "invoice_presentation",
    "invoice_recap",
    "revision_provisional",
    "advance_amount",
    "advance_start_percent",
    "advance_end_percent",
)
INFO_NAMES = (
    "title",
    "reference",
    "contract_type",
    "status",
    "start_date",
    "end_date",
    "next_due_date",
    "next_due_label",
)


def _places(value: Decimal, places: int) -> str:
    """A decimal as API.md wants it: a string with fixed places, rounded half-up (ADR 0001)."""
    return f"{_ROUND[places](value):.{places}f}"


# --- schemas --------------------------------------------------------------------------------


class ContractSummaryOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    contract_type: str
    client_id: int
    client: str
    site_id: int | None
    quote_id: int | None
    postcode: str
    city: str
    base_net: str


class ContractLineOut(Schema):
    id: int
    reference: str
    description: str
    unit: str
    quantity: str
    unit_price: str
    net: str
    vat_rate: str
    section: str | None  # the section's number ("1.2"), null outside any section
    change_order_id: int | None  # the line joined the base from this approved change order
    service_order_id: int | None  # … or from this validated service order


class IndexOut(Schema):
    name: str
    weight: str
    base_value: str


class RevisionOut(Schema):
    fixed_part: str
    rounding: str
    indices: list[IndexOut]


class SettingsOut(Schema):
    pricing: str
    retention_rate: str
    retention_base: str
    retention_on: str
    retention_guarantee: bool
    guarantee_reference: str
    guarantee_end_date: dt.date | None
    down_payment_deduction: str
    deduction_warning_threshold: str
    revision: RevisionOut
    handover_date: dt.date | None
    warranty_months: int
    payment_terms: str
    procurement: str
    service_orders_from_quotes: bool
    reverse_charge: bool
    invoice_presentation: str
    invoice_recap: bool
    revision_provisional: bool
    advance_amount: str
    advance_start_percent: str | None
    advance_end_percent: str


class ContractAddressOut(Schema):
    line1: str
    line2: str
    postcode: str
    city: str
    country: str
    same_as_client: bool


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    contract_type: str
    client_id: int
    site_id: int | None
    quote_id: int | None
    address: ContractAddressOut
    start_date: dt.date | None
    end_date: dt.date | None
    next_due_date: dt.date | None
    next_due_label: str
    lock_version: int
    pricing: str
    base_net: str
    settings: SettingsOut
    final_account: final_account_api.FinalAccountDatesOut
    lines: list[ContractLineOut]


class IndexIn(Schema):
    name: str
    weight: str = Field(description='Decimal as a string, e.g. "0.8750".')
    base_value: str = Field(description='Decimal as a string, e.g. "130.2".')


class RevisionIn(Schema):
    fixed_part: str | None = Field(None, description='Decimal as a string, e.g. "0.1250".')
    rounding: str | None = None
    indices: list[IndexIn] | None = None


class ContractAddressIn(Schema):
    line1: str = ""
    line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FR"


class ContractPatch(Schema):
    """Every field optional: only those sent are changed."""

    pricing: str | None = None
    retention_rate: str | None = Field(None, description='Rate in %, at most "5.00".')
    retention_base: str | None = None
    retention_on: str | None = None
    retention_guarantee: bool | None = None
    guarantee_reference: str | None = None
    guarantee_end_date: dt.date | None = None
    down_payment_deduction: str | None = None
    deduction_warning_threshold: str | None = Field(None, description='Progress in %, "50.00".')
    reverse_charge: bool | None = None
    invoice_presentation: Literal["detailed", "grouped"] | None = None
    invoice_recap: bool | None = None
    revision_provisional: bool | None = None
    advance_amount: str | None = Field(None, description='Public advance incl. VAT, "72000.00".')
    advance_start_percent: str | None = Field(None, description="Repaid from (% of M TTC).")
    advance_end_percent: str | None = Field(None, description="Repaid by (% of M TTC).")
    revision: RevisionIn | None = None
    handover_date: dt.date | None = None
    warranty_months: int | None = None
    payment_terms: str | None = None
    procurement: Literal["private", "public"] | None = None
    service_orders_from_quotes: bool | None = None
    title: str | None = None
    reference: str | None = None
    contract_type: str | None = None
    status: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    next_due_date: dt.date | None = None
    next_due_label: str | None = None
    client_id: int | None = None
    site_id: int | None = None
    address: ContractAddressIn | None = None
    # The final-account dates (french-rules §8): none before the handover.
    final_account: final_account_api.FinalAccountDatesIn | None = None
    lock_version: int | None = None  # refused with a 409 when someone saved since
    confirm: bool = False  # confirms a retention change on a contract with invoices


class ContractIn(Schema):
    client_id: int
    site_id: int | None = None
    title: str
    reference: str = ""
    contract_type: str = ""
    status: str = Contract.Status.ACTIVE
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    next_due_date: dt.date | None = None
    next_due_label: str = ""
    address: ContractAddressIn | None = None  # omitted: the site's address, or the client's


# --- handlers -------------------------------------------------------------------------------


@router.get(
    "/contracts", response=responses({200: Page[ContractSummaryOut]}), summary="List contracts"
)
def list_contracts(
    request: HttpRequest, params: Query[PageParams], q: str = "", status: str = ""
) -> dict[str, Any]:
    """Newest first. `?q=` searches reference, type, title, client name and intervention
    address (line, postcode, city), accents ignored; `?status=` filters."""
    if status and status not in Contract.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(Contract.Status.values)},
            field="status",
        )
    company = company_of(acting_user(request))
    page = page_of(selectors.contract_list(company, q=q, status=status), params)
    return {**page, "items": [_summary(contract) for contract in page["items"]]}


@router.post(
    "/contracts", response=responses({201: ContractOut}), summary="Create a blank contract"
)
def create_contract(request: HttpRequest, payload: ContractIn) -> Status[Any]:
    """A blank contract from its general information; sections and lines come after."""
    user = acting_user(request)
    company = company_of(user)
    body = payload.dict()
    data: dict[str, Any] = {name: body[name] for name in INFO_NAMES}
    errors: dict[str, list[str]] = {}
    data["client"] = _client(company, body["client_id"], errors)
    data["site"] = _site(company, body.get("site_id"), errors)
    if body.get("address"):
        data.update(_address(body["address"]))
    if errors:
        return _invalid(FieldErrors(errors))
    try:
        contract = services.contract_create(user=user, data=data)
    except FieldErrors as exc:
        return _invalid(exc)
    contract = selectors.get_contract_for_user(user, contract.pk)
    return Status(201, _contract(contract))


@router.get(
    "/contracts/{contract_id}", response=responses({200: ContractOut}), summary="One contract"
)
def get_contract(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    """A contract, its settings and its lines in reading order (text lines have no amount:
    0), lines of approved change orders and validated service orders included."""
    contract = selectors.get_contract_for_user(acting_user(request), contract_id)
    return _contract(contract)


@router.patch(
    "/contracts/{contract_id}",
    response=responses({200: ContractOut, 409: ErrorOut}),
    summary="Change a contract's settings or general information",
)
def patch_contract(request: HttpRequest, contract_id: int, payload: ContractPatch) -> Status[Any]:
    """Partial update. Refused with 422 naming every faulty field (nothing saved); 409 when
    `lock_version` is stale, or when the retention changes on a contract with invoices and
    `confirm` is not true."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, contract_id)
    company = company_of(user)
    body = payload.dict(exclude_unset=True)
    settings: dict[str, Any] = {name: body[name] for name in SETTINGS_NAMES if name in body}
    info: dict[str, Any] = {name: body[name] for name in INFO_NAMES if name in body}
    errors: dict[str, list[str]] = {}
    revision = body.get("revision") or {}
    if "fixed_part" in revision:
        settings["revision_fixed_part"] = revision["fixed_part"]
    if "rounding" in revision:
        settings["revision_rounding"] = revision["rounding"]
    if revision.get("indices") is not None:
        settings["indices"] = revision["indices"]
    if "payment_terms" in body:
        settings.update(_payment_terms(body["payment_terms"], errors))
    if "client_id" in body:
        info["client"] = _client(company, body["client_id"], errors)
    if "site_id" in body:
        info["site"] = _site(company, body["site_id"], errors)
    if body.get("address") is not None:
        info.update(_address(body["address"]))
    if errors:
        return _invalid(FieldErrors(errors))
    try:
        with transaction.atomic():
            services.contract_update(
                user=user,
                contract=contract,
                info=info,
                settings=settings,
                lock_version=body.get("lock_version"),
                confirm_retention=bool(body.get("confirm")),
            )
            if body.get("final_account"):
                _record_final_account(user, contract, body["final_account"])
    except FieldErrors as exc:
        return _invalid(exc)
    except services.ConfirmationRequired as exc:
        field = API_NAMES.get(exc.field or "", exc.field)
        return Status(409, error_body(exc.message, [{"field": field, "message": exc.message}]))
    return Status(200, _contract(selectors.get_contract_for_user(user, contract.pk)))


# --- helpers --------------------------------------------------------------------------------


def _record_final_account(user: Any, contract: Contract, dates: dict[str, Any]) -> None:
    """After the settings (a new handover date applies): the version was checked already,
    the row is still locked. Faulty fields are named `final_account.<name>`."""
    try:
        contract_final_account_record(user=user, contract=contract, data=dates)
    except FieldErrors as exc:
        raise FieldErrors(
            {f"final_account.{name}": messages for name, messages in exc.errors.items()}
        ) from None


def _invalid(exc: FieldErrors) -> Status[dict[str, Any]]:
    """422 with one entry per faulty field, named as in the API body."""
    errors = [
        {
            "field": None if name == NON_FIELD_ERRORS else API_NAMES.get(name, name),
            "message": " ".join(messages),
        }
        for name, messages in exc.errors.items()
    ]
    return Status(422, error_body(exc.message, errors))


def _client(company: Any, pk: int | None, errors: dict[str, list[str]]) -> Client | None:
    client = Client.objects.filter(company=company, pk=pk).first() if pk is not None else None
    if client is None:
        errors["client"] = [_("Unknown client.")]
    return client


def _site(company: Any, pk: int | None, errors: dict[str, list[str]]) -> Site | None:
    if pk is None:
        return None
    site = Site.objects.filter(company=company, pk=pk).first()
    if site is None:
        errors["site"] = [_("Unknown site.")]
    return site


def _address(address: dict[str, Any]) -> dict[str, Any]:
    return {
        "address_line1": address.get("line1", ""),
        "address_line2": address.get("line2", ""),
        "postcode": address.get("postcode", ""),
        "city": address.get("city", ""),
        "country": address.get("country", "FR"),
    }


def _payment_terms(value: str | None, errors: dict[str, list[str]]) -> dict[str, Any]:
    """API.md's payment terms: "60d", "45d_eom", "45d_then_eom", or "Nd" (N days from the
    invoice date)."""
    text = (value or "").strip()
    if text in (
        Contract.PaymentTerms.DAYS_60,
        Contract.PaymentTerms.DAYS_45_EOM,
        Contract.PaymentTerms.DAYS_45_THEN_EOM,
    ):
        return {"payment_terms": text}
    match = DAYS_TERMS.fullmatch(text)
    if match:
        return {"payment_terms": Contract.PaymentTerms.DAYS, "payment_days": int(match[1])}
    errors["payment_terms"] = [
        _('Payment terms: "60d", "45d_eom", "45d_then_eom" or a number of days such as "30d".')
    ]
    return {}


def payment_terms_text(contract: Contract) -> str:
    if contract.payment_terms == Contract.PaymentTerms.DAYS:
        return f"{contract.payment_days or 0}d"
    return contract.payment_terms


def _settings(contract: Contract, indices: list[RevisionIndex]) -> dict[str, Any]:
    return {
        "pricing": contract.pricing,
        "retention_rate": _places(contract.retention_rate, 2),
        "retention_base": contract.retention_base,
        "retention_on": contract.retention_on,
        "retention_guarantee": contract.retention_guarantee,
        "guarantee_reference": contract.guarantee_reference,
        "guarantee_end_date": contract.guarantee_end_date,
        "procurement": contract.procurement,
        "down_payment_deduction": contract.down_payment_deduction,
        "deduction_warning_threshold": _places(contract.deduction_warning_threshold, 2),
        "revision": {
            "fixed_part": _places(contract.revision_fixed_part, 4),
            "rounding": contract.revision_rounding,
            "indices": [
                {
                    "name": index.name,
                    "weight": _places(index.weight, 4),
                    "base_value": _places(index.base_value, 4),
                }
                for index in indices
            ],
        },
        "handover_date": contract.handover_date,
        "warranty_months": contract.warranty_months,
        "payment_terms": payment_terms_text(contract),
        "service_orders_from_quotes": contract.service_orders_from_quotes,
        "reverse_charge": contract.reverse_charge,
        "invoice_presentation": contract.invoice_presentation,
        "invoice_recap": contract.invoice_recap,
        "revision_provisional": contract.revision_provisional,
        "advance_amount": _places(contract.advance_amount, 2),
        "advance_start_percent": (
            _places(contract.advance_start_percent, 2)
            if contract.advance_start_percent is not None
            else None
        ),
        "advance_end_percent": _places(contract.advance_end_percent, 2),
    }


def _contract(contract: Contract) -> dict[str, Any]:
    detail = selectors.contract_detail(contract, components=False)
    return {
        "id": contract.pk,
        "reference": contract.reference,
        "title": contract.title,
        "status": contract.status,
        "contract_type": contract.contract_type,
        "client_id": contract.client_id,
        "site_id": contract.site_id,
        "quote_id": contract.quote_id,
        "address": {
            "line1": contract.address_line1,
            "line2": contract.address_line2,
            "postcode": contract.postcode,
            "city": contract.city,
            "country": contract.country,
            "same_as_client": selectors.same_address(contract),
        },
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "next_due_date": contract.next_due_date,
        "next_due_label": contract.next_due_label,
        "lock_version": contract.lock_version,
        "pricing": contract.pricing,
        "base_net": _places(contract.base_net, 2),
        "settings": _settings(contract, selectors.revision_indices(contract)),
        "final_account": final_account_api.dates_of(contract),
        "lines": [_line(line, detail.section_number(line)) for line in detail.lines],
    }


def _summary(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "reference": contract.reference,
        "title": contract.title,
        "status": contract.status,
        "contract_type": contract.contract_type,
        "client_id": contract.client_id,
        "client": contract.client.name,
        "site_id": contract.site_id,
        "quote_id": contract.quote_id,
        "postcode": contract.postcode,
        "city": contract.city,
        "base_net": _places(contract.base_net, 2),
    }


def _line(line: ContractLine, section: str | None) -> dict[str, Any]:
    return {
        "id": line.pk,
        "reference": line.reference,
        "description": line.description,
        "unit": line.unit,
        "quantity": _places(line.quantity, 3),
        "unit_price": _places(line.unit_price, 2),
        "net": _places(line.net, 2),
        "vat_rate": _places(line.vat_rate, 2),
        "section": section,
        "change_order_id": line.change_order_id,
        "service_order_id": line.service_order_id,
    }
