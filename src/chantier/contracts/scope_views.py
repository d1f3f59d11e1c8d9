"""Contract pages: the scope (sections and lines), participants and interactions.

Thin: parse, call one service or selector, render. The rules live in scope_services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from chantier.contracts import scope_selectors, scope_services, selectors
from chantier.contracts.models import Contract
from chantier.contracts.scope_forms import (
    FUNCTIONS_LIST_ID,
    InteractionFilterForm,
    InteractionForm,
    LineForm,
    ParticipantForm,
    SectionForm,
)
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import posted, save_form
from chantier.parties.views.common import confirm_delete

# --- scope --------------------------------------------------------------------------------


def _scope_url(contract_id: int, anchor: str = "") -> str:
    url = reverse("contracts:scope_detail", args=[contract_id])
    return f"{url}#{anchor}" if anchor else url


def _render_form(
    request: HttpRequest,
    contract: Contract,
    form: forms.BaseForm,
    *,
    title: str,
    cancel_url: str,
    template: str = "contracts/scope_form.html",
    tab: str = "scope",
    **extra: Any,
) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {
        "contract": contract,
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "tab": tab,
        **extra,
    }
    return render(request, template, context, status=status)


@require_GET
def scope_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(acting_user(request), pk)
    detail = selectors.contract_detail_page(contract, request.GET.get("page"), components=False)
    context = {"contract": contract, "detail": detail}
    return render(request, "contracts/scope_detail.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    initial = {"lock_version": contract.lock_version, "parent": request.GET.get("parent", "")}
    form = SectionForm(
        posted(request), initial=initial, sections=scope_selectors.contract_sections(contract)
    )
    if request.method == "POST":
        section = save_form(
            form,
            lambda data: scope_services.section_create(user=user, contract=contract, **data),
        )
        if section is not None:
            messages.success(request, _("Section added."))
            return redirect(_scope_url(contract.pk, f"section-{section.pk}"))
    return _render_form(
        request, contract, form, title=_("New section"), cancel_url=_scope_url(contract.pk)
    )


@writer_required
@require_http_methods(["GET", "POST"])
def section_update(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    section = scope_selectors.get_section(contract, section_pk)
    initial = {
        "lock_version": contract.lock_version,
        "title": section.title,
        "start_date": section.start_date,
        "end_date": section.end_date,
        "comments": section.comments,
    }
    form = SectionForm(posted(request), initial=initial)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: scope_services.section_update(user=user, section=section, **data),
        )
        if saved is not None:
            messages.success(request, _("Section saved."))
            return redirect(_scope_url(contract.pk, f"section-{saved.pk}"))
    title = _("Edit section %(section)s") % {"section": section}
    return _render_form(request, contract, form, title=title, cancel_url=_scope_url(contract.pk))


def _confirm_scope_delete(
    request: HttpRequest,
    contract: Contract,
    obj: Any,
    *,
    refusal: str | None,
    delete: Callable[[int | None], None],
    detail: str,
    done_message: str,
) -> HttpResponse:
    """GET asks (or explains why it is refused); POST deletes with the posted version."""
    context: dict[str, Any] = {
        "contract": contract,
        "object": obj,
        "refusal": refusal,
        "detail": detail,
        "cancel_url": _scope_url(contract.pk),
    }
    if request.method == "POST":
        try:
            version = int(request.POST.get("lock_version", ""))
        except ValueError:
            version = -1  # never a version: refused as stale
        try:
            delete(version)
        except DomainError as exc:
            context["refusal"] = None
            context["error"] = exc.message
            return render(request, "contracts/scope_confirm_delete.html", context, status=409)
        messages.success(request, done_message)
        return redirect(_scope_url(contract.pk))
    return render(request, "contracts/scope_confirm_delete.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    section = scope_selectors.get_section(contract, section_pk)
    count = scope_selectors.section_lines(section).count()
    return _confirm_scope_delete(
        request,
        contract,
        section,
        refusal=scope_services.section_deletion_refusal(section),
        delete=lambda version: scope_services.section_delete(
            user=user, section=section, lock_version=version
        ),
        detail=ngettext(
            "Its %(count)d line and its sub-sections are deleted with it.",
            "Its %(count)d lines and its sub-sections are deleted with it.",
            count,
        )
        % {"count": count},
        done_message=_("Section deleted."),
    )


def _line_initial(contract: Contract, line: Any = None) -> dict[str, Any]:
    initial: dict[str, Any] = {"lock_version": contract.lock_version}
    if line is not None:
        for name in ("kind", "reference", "description", "unit", "quantity", "unit_price"):
            initial[name] = getattr(line, name)
        initial["vat_rate"] = f"{line.vat_rate:.2f}"
        initial["pricing"] = line.pricing
    return initial


@writer_required
@require_http_methods(["GET", "POST"])
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new line; `?section=` (kept when posting) puts it at the end of that section."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    section_pk = request.GET.get("section") or None
    section = scope_selectors.get_section(contract, section_pk) if section_pk else None
    form = LineForm(posted(request), initial=_line_initial(contract))
    if request.method == "POST":
        line = save_form(
            form,
            lambda data: scope_services.line_create(
                user=user,
                contract=contract,
                section=section,
                lock_version=data["lock_version"],
                **form.line_data(),
            ),
        )
        if line is not None:
            messages.success(request, _("Line added."))
            if "add_another" in request.POST:
                return redirect(request.get_full_path())
            return redirect(_scope_url(contract.pk, f"line-{line.pk}"))
    title = _("New line in %(section)s") % {"section": section} if section else _("New line")
    return _render_form(
        request,
        contract,
        form,
        title=title,
        cancel_url=_scope_url(contract.pk),
        add_another=True,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def line_update(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    line = scope_selectors.get_line(contract, line_pk)
    refusal = scope_services.order_line_refusal(line)
    form = LineForm(posted(request), initial=_line_initial(contract, line))
    if request.method == "POST" and refusal is None:
        saved = save_form(
            form,
            lambda data: scope_services.line_update(
                user=user, line=line, lock_version=data["lock_version"], **form.line_data()
            ),
        )
        if saved is not None:
            messages.success(request, _("Line saved."))
            return redirect(_scope_url(contract.pk, f"line-{saved.pk}"))
    if refusal is not None:
        context = {"contract": contract, "title": str(line), "refusal": refusal}
        status = 409 if request.method == "POST" else 200
        return render(request, "contracts/scope_refusal.html", context, status=status)
    title = _("Edit line %(line)s") % {"line": line.reference or line}
    return _render_form(request, contract, form, title=title, cancel_url=_scope_url(contract.pk))


@writer_required
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    line = scope_selectors.get_line(contract, line_pk)
    return _confirm_scope_delete(
        request,
        contract,
        line,
        refusal=scope_services.line_deletion_refusal(line),
        delete=lambda version: scope_services.line_delete(
            user=user, line=line, lock_version=version
        ),
        detail="",
        done_message=_("Line deleted."),
    )


# --- participants and interactions ---------------------------------------------------------


def _people_url(contract_id: int, anchor: str = "") -> str:
    url = reverse("contracts:people", args=[contract_id])
    return f"{url}#{anchor}" if anchor else url


@require_GET
def people(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants, then the interactions (newest first, searched, filtered by type)."""
    contract = selectors.get_contract_for_user(acting_user(request), pk)
    filters = InteractionFilterForm(request.GET)
    interactions = scope_selectors.contract_interactions(contract, **filters.selection())
    context = paginate(request, interactions)
    context.update(
        contract=contract,
        participants=scope_selectors.contract_participants(contract),
        filters=filters,
        kind_field=filters["kind"],
        interaction_form=InteractionForm(),
    )
    return render(request, "contracts/people_detail.html", context)


def _render_participant_form(
    request: HttpRequest, contract: Contract, form: ParticipantForm, *, title: str
) -> HttpResponse:
    return _render_form(
        request,
        contract,
        form,
        title=title,
        cancel_url=_people_url(contract.pk, "participants"),
        template="contracts/people_form.html",
        tab="people",
        functions=ParticipantForm.functions(),
        functions_list_id=FUNCTIONS_LIST_ID,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def participant_create(request: HttpRequest, pk: int) -> HttpResponse:
    """`?contact=` pre-fills the form from one of the client's or a supplier's contacts."""
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    initial: dict[str, Any] = {}
    contact = scope_selectors.get_contact(contract, request.GET.get("contact", ""))
    if contact is not None:
        initial = {
            "contact": contact.pk,
            "name": str(contact),
            "function": contact.function,
            "email": contact.email,
            "phone": contact.phone or contact.mobile,
        }
    form = ParticipantForm(posted(request), initial=initial)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: scope_services.participant_create(user=user, contract=contract, **data),
        )
        if saved is not None:
            messages.success(request, _("Participant added."))
            return redirect(_people_url(contract.pk, "participants"))
        if "contact" in form.errors:  # a hidden field: show its refusal above the form
            form.add_error(None, form.errors.pop("contact"))
    return _render_form(
        request,
        contract,
        form,
        title=_("New participant"),
        cancel_url=_people_url(contract.pk, "participants"),
        template="contracts/people_form.html",
        tab="people",
        functions=ParticipantForm.functions(),
        functions_list_id=FUNCTIONS_LIST_ID,
        contacts=scope_selectors.contact_choices(contract),
        chosen_contact=contact,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def participant_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    participant = scope_selectors.get_participant_for_user(user, pk)
    contract = participant.contract
    initial = {name: getattr(participant, name) for name in ("name", "function", "email", "phone")}
    form = ParticipantForm(posted(request), initial=initial)
    del form.fields["contact"]
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: scope_services.participant_update(
                user=user, participant=participant, **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Participant saved."))
            return redirect(_people_url(contract.pk, "participants"))
    title = _("Edit participant %(name)s") % {"name": participant.name}
    return _render_participant_form(request, contract, form, title=title)


@writer_required
@require_http_methods(["GET", "POST"])
def participant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    participant = scope_selectors.get_participant_for_user(user, pk)
    url = _people_url(participant.contract_id, "participants")
    return confirm_delete(
        request,
        participant,
        delete=lambda: scope_services.participant_delete(user=user, participant=participant),
        cancel_url=url,
        done_url=url,
        done_message=_("Participant deleted."),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = selectors.get_contract_for_user(user, pk)
    form = InteractionForm(posted(request))
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: scope_services.interaction_create(user=user, contract=contract, **data),
        )
        if saved is not None:
            messages.success(request, _("Interaction recorded."))
            return redirect(_people_url(contract.pk, "interactions"))
    return _render_form(
        request,
        contract,
        form,
        title=_("New interaction"),
        cancel_url=_people_url(contract.pk, "interactions"),
        template="contracts/people_form.html",
        tab="people",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interaction = scope_selectors.get_interaction_for_user(user, pk)
    contract = interaction.contract
    assert contract is not None
    form = InteractionForm(posted(request), instance=interaction)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: scope_services.interaction_update(
                user=user, interaction=interaction, **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Interaction saved."))
            return redirect(_people_url(contract.pk, "interactions"))
    return _render_form(
        request,
        contract,
        form,
        title=_("Edit interaction"),
        cancel_url=_people_url(contract.pk, "interactions"),
        template="contracts/people_form.html",
        tab="people",
    )


@writer_required
@require_http_methods(["GET", "POST"])
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    interaction = scope_selectors.get_interaction_for_user(user, pk)
    assert interaction.contract_id is not None
    url = _people_url(interaction.contract_id, "interactions")
    return confirm_delete(
        request,
        interaction,
        delete=lambda: scope_services.interaction_delete(user=user, interaction=interaction),
        cancel_url=url,
        done_url=url,
        done_message=_("Interaction deleted."),
    )
