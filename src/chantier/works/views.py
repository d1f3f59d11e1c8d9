"""Réserve pages of a contract: the list (search, status filter, pages), add, edit, lift,
reopen, delete with confirmation, and the open count linked from the contract page.
Thin: parse, call one service or selector, render (DESIGN)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.contracts.models import Contract
from chantier.contracts.scope_selectors import contract_participants
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import DomainError, StaleEdit
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, posted
from chantier.works import selectors, services
from chantier.works.forms import LiftForm, ReserveFilterForm, ReserveForm
from chantier.works.models import Reserve

COMPARED = ("title", "description", "location", "noted_on", "due_on", "assigned_to", "status")


def list_url(contract_id: int) -> str:
    return reverse("works:reserve_list", args=[contract_id])


def _version(value: Any) -> int | None:
    """The version the page was loaded at; unreadable counts as stale (refused)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require_GET
def reserve_list(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract_for_user(acting_user(request), pk)
    filters = ReserveFilterForm(request.GET)
    context = paginate(request, selectors.contract_reserves(contract, **filters.selection()))
    context.update(
        {
            "contract": contract,
            "filters": filters,
            "open_count": selectors.open_reserve_count(contract),
            "filtered": bool(context["q"] or request.GET.get("status")),
            "tab": "reserves",
        }
    )
    return render(request, "works/reserve_list.html", context)


@require_GET
def reserve_count(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract page's link to the réserves, with the open count (loaded by htmx so the
    contract page itself runs no extra query)."""
    contract = get_contract_for_user(acting_user(request), pk)
    context = {"contract": contract, "open_count": selectors.open_reserve_count(contract)}
    return render(request, "works/_reserve_link.html", context)


def _participants(contract: Contract) -> list[str]:
    return sorted({p.name for p in contract_participants(contract)})


def _form_page(
    request: HttpRequest, form: ReserveForm, contract: Contract, **extra: Any
) -> HttpResponse:
    context = {"contract": contract, "form": form, "cancel_url": list_url(contract.pk), **extra}
    status = 200
    if form.is_bound:
        status = 409 if extra.get("stale") else 400
    return render(request, "works/reserve_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def reserve_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    form = ReserveForm(posted(request), participants=_participants(contract))
    if request.method == "POST" and form.is_valid():
        try:
            reserve = services.reserve_create(user=user, contract=contract, **form.service_data())
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Réserve “%(reserve)s” added.") % {"reserve": reserve})
            return redirect(list_url(contract.pk))
    return _form_page(request, form, contract, title=_("New réserve"))


@writer_required
@require_http_methods(["GET", "POST"])
def reserve_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A stale save (someone saved since the page was loaded) changes nothing: the page
    comes back with what the user typed, the saved values that differ beside it, and the
    current version, so that saving again is a deliberate choice."""
    user = acting_user(request)
    reserve = selectors.get_reserve_for_user(user, pk)
    contract = reserve.contract
    participants = _participants(contract)
    form = ReserveForm(posted(request), reserve=reserve, participants=participants)
    saved: list[tuple[str, str]] = []
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.reserve_update(
                user=user,
                reserve=reserve,
                lock_version=_version(request.POST.get("lock_version")),
                **form.service_data(),
            )
        except StaleEdit as exc:
            current = selectors.get_reserve_for_user(user, pk)
            saved = [
                (str(form.fields[name].label), _shown(current, name))
                for name in COMPARED
                if name in form.cleaned_data
                and name in form.fields
                and (form.cleaned_data[name] or None) != (getattr(current, name) or None)
            ]
            data = request.POST.copy()
            data["lock_version"] = str(current.lock_version)
            form = ReserveForm(data, reserve=current, participants=participants)
            form.is_valid()
            form.add_error(None, exc.message)
            stale = True
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Réserve “%(reserve)s” saved.") % {"reserve": reserve})
            return redirect(list_url(contract.pk))
    return _form_page(
        request, form, contract, title=str(reserve), reserve=reserve, saved=saved, stale=stale
    )


def _shown(reserve: Reserve, name: str) -> str:
    if name == "status":
        return str(reserve.get_status_display())
    value = getattr(reserve, name)
    if value is None or value == "":
        return "—"
    if hasattr(value, "isoformat"):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT"))
    return str(value)


@writer_required
@require_http_methods(["GET", "POST"])
def reserve_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    reserve = selectors.get_reserve_for_user(user, pk)
    form = LiftForm(posted(request), reserve=reserve)
    if request.method == "POST" and form.is_valid():
        try:
            services.reserve_lift(
                user=user,
                reserve=reserve,
                lifted_on=form.cleaned_data["lifted_on"],
                lock_version=_version(request.POST.get("lock_version")),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Réserve “%(reserve)s” lifted.") % {"reserve": reserve})
            return redirect(list_url(reserve.contract_id))
    context = {
        "contract": reserve.contract,
        "reserve": reserve,
        "form": form,
        "cancel_url": list_url(reserve.contract_id),
        "tab": "reserves",
    }
    status = 400 if form.is_bound else 200
    return render(request, "works/reserve_lift.html", context, status=status)


@writer_required
@require_POST
def reserve_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    reserve = selectors.get_reserve_for_user(user, pk)
    try:
        services.reserve_reopen(
            user=user, reserve=reserve, lock_version=_version(request.POST.get("lock_version"))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Réserve “%(reserve)s” reopened.") % {"reserve": reserve})
    return redirect(list_url(reserve.contract_id))


@writer_required
@require_http_methods(["GET", "POST"])
def reserve_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes through the service."""
    user = acting_user(request)
    reserve = selectors.get_reserve_for_user(user, pk)
    context: dict[str, Any] = {
        "object": reserve,
        "cancel_url": reverse("works:reserve_edit", args=[reserve.pk]),
        "refusal": deletion_refusal(reserve),
    }
    if request.method == "POST" and not context["refusal"]:
        try:
            services.reserve_delete(user=user, reserve=reserve)
        except DomainError as exc:
            context["refusal"] = exc.message
        else:
            messages.success(request, _("Réserve “%(reserve)s” deleted.") % {"reserve": reserve})
            return redirect(list_url(reserve.contract_id))
    status = 409 if context["refusal"] and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)
