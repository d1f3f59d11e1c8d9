"""Contract pages: the list, one contract, its general information and billing settings,
deletion. Thin: parse, call one service or selector, render (DESIGN)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chantier.contracts import actualisation, selectors, services
from chantier.contracts.forms import (
    ActualisationForm,
    ContractFilterForm,
    ContractInfoForm,
    ContractSettingsForm,
    RevisionIndexFormSet,
)
from chantier.contracts.models import Contract
from chantier.core.access import acting_user, writer_required
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import DomainError, InUse
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.parties.models import Client


def _detail_url(contract: Contract) -> str:
    return reverse("contracts:contract_detail", args=[contract.pk])


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
    context = {
        "contract": contract,
        "detail": selectors.contract_detail_page(contract, request.GET.get("page")),
        "same_address": selectors.same_address(contract),
    }
    return render(request, "contracts/contract_detail.html", context)


# --- general information --------------------------------------------------------------------


def _info_page(
    request: HttpRequest, form: ContractInfoForm, *, title: str, cancel_url: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "cancel_url": cancel_url, **extra}
    return render(
        request, "contracts/info_form.html", context, status=400 if form.is_bound else 200
    )


def _prefilled_client(request: HttpRequest) -> Client | None:
    """The client named by ?client=ID when it is one of the company's; else None."""
    try:
        pk = int(request.GET.get("client", ""))
    except ValueError:
        return None
    return Client.objects.filter(company=company_of_request(request), pk=pk).first()


@writer_required
@require_http_methods(["GET", "POST"])
def info_create(request: HttpRequest) -> HttpResponse:
    """A blank contract (seed 002, "Créer un contrat"): general information first."""
    user, company = acting_user(request), company_of_request(request)
    client = _prefilled_client(request)
    form = ContractInfoForm(posted(request), company=company, initial={"client": client})
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(user=user, data=form.service_data())
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Contract created: add its sections and lines."))
            return redirect(_detail_url(contract))
    cancel = (
        reverse("parties:client_detail", args=[client.pk])
        if client
        else reverse("contracts:contract_list")
    )
    return _info_page(request, form, title=_("New contract"), cancel_url=cancel)


@writer_required
@require_http_methods(["GET", "POST"])
def info_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = acting_user(request), company_of_request(request)
    contract = selectors.get_contract_for_user(user, pk)
    form = ContractInfoForm(posted(request), company=company, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(
                user=user,
                contract=contract,
                info=form.service_data(),
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect(_detail_url(contract))
    return _info_page(
        request,
        form,
        title=_("Edit the contract %(contract)s") % {"contract": contract},
        cancel_url=_detail_url(contract),
        contract=contract,
    )


# --- billing settings -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def info_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The billing settings: everyone reads them, writers change them. Changing the
    retention once the contract has invoices asks for confirmation first."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    can_write = bool(getattr(request, "membership", None) and request.membership.can_write)  # type: ignore[attr-defined]
    if request.method == "POST" and not can_write:
        raise Forbidden("read-only role")
    indices = selectors.revision_indices(contract)
    form = ContractSettingsForm(posted(request), contract=contract)
    formset = RevisionIndexFormSet(
        posted(request),
        prefix="indices",
        initial=[{"name": i.name, "weight": i.weight, "base_value": i.base_value} for i in indices],
    )
    confirm = False
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            rows = [row for row in (f.row() for f in formset.forms) if row is not None]
            try:
                services.contract_update(
                    user=user,
                    contract=contract,
                    settings={**form.service_data(), "indices": rows},
                    lock_version=form.cleaned_data.get("lock_version"),
                    confirm_retention=form.cleaned_data.get("confirm_retention", False),
                )
            except services.ConfirmationRequired as exc:
                confirm = True
                status = 409
                confirmed = request.POST.copy()
                confirmed["confirm_retention"] = "on"
                form.data = confirmed
                messages.warning(request, exc.message)
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Billing settings saved."))
                return redirect(_detail_url(contract))
    if not can_write:  # read-only roles see the settings, greyed
        for bound_form in (form, *formset.forms):
            for field in bound_form.fields.values():
                field.disabled = True
    context = {
        "contract": contract,
        "form": form,
        "formset": formset,
        "confirm": confirm,
        "cancel_url": _detail_url(contract),
    }
    return render(request, "contracts/info_settings.html", context, status=status)


# --- deletion -------------------------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def info_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (or explains why it is refused); POST deletes through the service."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    context: dict[str, Any] = {"object": contract, "cancel_url": _detail_url(contract)}
    if request.method == "POST":
        try:
            services.contract_delete(user=user, contract=contract)
        except InUse as exc:
            context["refusal"] = exc.message
            return render(request, "contracts/info_delete.html", context, status=409)
        messages.success(request, _("Contract %(contract)s deleted.") % {"contract": contract})
        return redirect("contracts:contract_list")
    if selectors.contract_has_invoices(contract):
        context["refusal"] = services.deletion_refused_message(contract)
    else:
        context["refusal"] = deletion_refusal(contract)
    return render(request, "contracts/info_delete.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def info_actualise(request: HttpRequest, pk: int) -> HttpResponse:
    """Actualise the firm prices once, before the first invoice (french-rules §4.1)."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    form = ActualisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            coefficient = actualisation.contract_actualise(
                user=user, contract=contract, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Actualisation coefficient %(c)s applied to the contract's prices.")
                % {"c": coefficient},
            )
            return redirect(_detail_url(contract))
    context = {"contract": contract, "form": form, "tab": "general"}
    status = 400 if form.is_bound else 200
    return render(request, "contracts/info_actualise.html", context, status=status)
