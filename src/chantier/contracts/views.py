"""Contract pages (read-only for now): the list and one contract. Thin: parse, read, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chantier.contracts import selectors
from chantier.contracts.forms import ContractFilterForm
from chantier.core.access import acting_user
from chantier.core.pagination import paginate
from chantier.core.web import company_of_request


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    filters = ContractFilterForm(request.GET)
    contracts = selectors.contract_list(company_of_request(request), **filters.selection())
    context = paginate(request, contracts)
    context["filters"] = filters
    return render(request, "contracts/contract_list.html", context)


@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(acting_user(request), pk)
    context = {"contract": contract, "detail": selectors.contract_detail(contract)}
    return render(request, "contracts/contract_detail.html", context)
