"""Contracts in the integration API (shared/API.md): the list, and one contract with its lines.

Handlers are thin: fetch through the company-scoped selectors (404 for another company's
id) and answer. Decimals are strings with fixed places.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from chantier.api.errors import responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.contracts import selectors
from chantier.contracts.models import Contract, ContractLine
from chantier.core.access import acting_user, company_of
from chantier.core.exceptions import DomainError
from chantier.core.money import round2, round3

router = Router(tags=["contracts"])

# Only lump-sum contracts for now; the settings (pricing, retention...) come with PATCH.
PRICING = "lump_sum"

_ROUND = {2: round2, 3: round3}


def _places(value: Decimal, places: int) -> str:
    """A decimal as API.md wants it: a string with fixed places, rounded half-up (ADR 0001)."""
    return f"{_ROUND[places](value):.{places}f}"


class ContractSummaryOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    client_id: int
    client: str
    site_id: int | None
    quote_id: int | None
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


class ContractOut(Schema):
    id: int
    reference: str
    status: str
    pricing: str
    base_net: str
    settings: dict[str, Any]
    lines: list[ContractLineOut]


@router.get(
    "/contracts", response=responses({200: Page[ContractSummaryOut]}), summary="List contracts"
)
def list_contracts(
    request: HttpRequest, params: Query[PageParams], q: str = "", status: str = ""
) -> dict[str, Any]:
    """Newest first. `?q=` searches reference, title and client name; `?status=` filters."""
    if status and status not in Contract.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(Contract.Status.values)},
            field="status",
        )
    company = company_of(acting_user(request))
    page = page_of(selectors.contract_list(company, q=q, status=status), params)
    return {**page, "items": [_summary(contract) for contract in page["items"]]}


@router.get(
    "/contracts/{contract_id}", response=responses({200: ContractOut}), summary="One contract"
)
def get_contract(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    """A contract and its lines in reading order (text lines have no amount: 0)."""
    contract = selectors.get_contract_for_user(acting_user(request), contract_id)
    detail = selectors.contract_detail(contract, components=False)
    return {
        "id": contract.pk,
        "reference": contract.reference,
        "status": contract.status,
        "pricing": PRICING,
        "base_net": _places(contract.base_net, 2),
        "settings": {},
        "lines": [_line(line, detail.section_number(line)) for line in detail.lines],
    }


def _summary(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "reference": contract.reference,
        "title": contract.title,
        "status": contract.status,
        "client_id": contract.client_id,
        "client": contract.client.name,
        "site_id": contract.site_id,
        "quote_id": contract.quote_id,
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
    }
