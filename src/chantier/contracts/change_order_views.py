"""Change order pages (tab "Avenants"): list, create, detail with its lines, workflow,
delete, PDF and sending. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.contracts import change_order_documents as documents
from chantier.contracts import change_order_selectors as selectors
from chantier.contracts import change_order_sending as sending
from chantier.contracts import change_order_services as services
from chantier.contracts.change_order_forms import (
    ChangeLineForm,
    ChangeOrderForm,
    DecisionForm,
    NewLineForm,
)
from chantier.contracts.models import ChangeOrder
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, posted
from chantier.documents import services as document_services
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm

TAB = "change_orders"


def detail_url(change_order: ChangeOrder) -> str:
    return reverse("contracts:change_order_detail", args=[change_order.pk])


def _version(value: Any) -> int | None:
    """The version the page was loaded at; unreadable counts as stale (refused)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require_GET
def change_order_list(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract_for_user(acting_user(request), pk)
    context = paginate(request, selectors.change_order_list(contract))
    context.update({"contract": contract, "tab": TAB})
    return render(request, "contracts/change_order_list.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def change_order_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    form = ChangeOrderForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            change_order = services.change_order_create(
                user=user,
                contract=contract,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(order)s is created as a draft.") % {"order": change_order}
            )
            return redirect(detail_url(change_order))
    context = {
        "contract": contract,
        "form": form,
        "title": _("New change order"),
        "cancel_url": reverse("contracts:change_order_list", args=[contract.pk]),
        "tab": TAB,
    }
    return render(
        request, "contracts/change_order_form.html", context, status=400 if form.errors else 200
    )


def _detail_context(
    request: HttpRequest,
    change_order: ChangeOrder,
    *,
    new_line: NewLineForm | None = None,
    change_line: ChangeLineForm | None = None,
    decision: DecisionForm | None = None,
) -> dict[str, Any]:
    contract = change_order.contract
    printed = selectors.lines_of(change_order)
    vat = selectors.vat_breakdown([p.line for p in printed])
    vat_total = sum((entry["amount"] for entry in vat), Decimal("0.00"))
    membership = getattr(request, "membership", None)
    can_write = bool(membership and membership.can_write)
    editable = can_write and change_order.status == ChangeOrder.Status.DRAFT
    version = {"lock_version": change_order.lock_version}
    if editable:
        new_line = new_line or NewLineForm(
            initial=version, sections=selectors.section_choices(contract)
        )
        change_line = change_line or ChangeLineForm(
            initial=version, lines=selectors.amendable_lines(contract)
        )
    if can_write and change_order.status == ChangeOrder.Status.SUBMITTED:
        decision = decision or DecisionForm(initial=version)
    return {
        "contract": contract,
        "change_order": change_order,
        "lines": printed,
        "vat_lines": vat,
        "gross": change_order.net + vat_total,
        "can_write": can_write,
        "editable": editable,
        "new_line_form": new_line,
        "change_line_form": change_line,
        "decision_form": decision,
        "tab": TAB,
    }


@require_GET
def change_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change_order = selectors.get_change_order_for_user(acting_user(request), pk)
    return render(
        request, "contracts/change_order_detail.html", _detail_context(request, change_order)
    )


@writer_required
@require_http_methods(["GET", "POST"])
def change_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    initial = {
        "title": change_order.title,
        "description": change_order.description,
        "lock_version": change_order.lock_version,
    }
    form = ChangeOrderForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_order_update(
                user=user,
                change_order=change_order,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                lock_version=_version(request.POST.get("lock_version")),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Change order saved."))
            return redirect(detail_url(change_order))
    context = {
        "contract": change_order.contract,
        "change_order": change_order,
        "form": form,
        "title": str(change_order),
        "cancel_url": detail_url(change_order),
        "tab": TAB,
    }
    return render(
        request, "contracts/change_order_form.html", context, status=400 if form.errors else 200
    )


@writer_required
@require_POST
def change_order_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a new-work line (`kind=new`) or a change of a contract line (`kind=change`)."""
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    contract = change_order.contract
    form: NewLineForm | ChangeLineForm
    if request.POST.get("kind") == "change":
        form = ChangeLineForm(request.POST, lines=selectors.amendable_lines(contract))
    else:
        form = NewLineForm(request.POST, sections=selectors.section_choices(contract))
    if form.is_valid():
        try:
            services.change_order_line_add(
                user=user,
                change_order=change_order,
                data=form.line_input(),
                lock_version=_version(request.POST.get("lock_version")),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Line added."))
            return redirect(detail_url(change_order))
    if isinstance(form, ChangeLineForm):
        context = _detail_context(request, change_order, change_line=form)
    else:
        context = _detail_context(request, change_order, new_line=form)
    return render(request, "contracts/change_order_detail.html", context, status=400)


@writer_required
@require_POST
def change_order_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    line = selectors.get_line_for_user(user, change_order, line_pk)
    try:
        services.change_order_line_delete(
            user=user, line=line, lock_version=_version(request.POST.get("lock_version"))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Line removed."))
    return redirect(detail_url(change_order))


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["decision_note"] if form.is_valid() else ""
    version = _version(request.POST.get("lock_version"))
    try:
        if action == "submit":
            services.change_order_submit(user=user, change_order=change_order, lock_version=version)
            done = _("%(order)s is submitted to the client.")
        elif action == "approve":
            services.change_order_approve(
                user=user, change_order=change_order, decision_note=note, lock_version=version
            )
            done = _("%(order)s is approved: its lines joined the contract.")
        else:
            services.change_order_reject(
                user=user, change_order=change_order, decision_note=note, lock_version=version
            )
            done = _("%(order)s is rejected.")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"order": change_order})
    return redirect(detail_url(change_order))


@writer_required
@require_POST
def change_order_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@writer_required
@require_POST
def change_order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "approve")


@writer_required
@require_POST
def change_order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "reject")


@writer_required
@require_http_methods(["GET", "POST"])
def change_order_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation page, then deletion of a draft (its number is not reused)."""
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    refusal = (
        ""
        if change_order.status == ChangeOrder.Status.DRAFT
        else _("Only a draft change order can be deleted; this one is %(status)s.")
        % {"status": change_order.get_status_display().lower()}
    )
    if request.method == "POST" and not refusal:
        try:
            services.change_order_delete(user=user, change_order=change_order)
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("%(order)s is deleted.") % {"order": change_order})
            return redirect("contracts:change_order_list", pk=change_order.contract_id)
    context = {
        "object": change_order,
        "refusal": refusal,
        "cancel_url": detail_url(change_order),
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


@require_http_methods(["GET", "POST"])
def change_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the priced PDF (any member may print: printing reads), then show its job."""
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    try:
        job = document_services.render_job_start(
            user=user,
            kind=documents.KEY,
            params={"change_order": change_order.pk, "lock_version": change_order.lock_version},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url(change_order))
    return redirect("documents:job_detail", pk=job.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def change_order_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email to the client, prefilled from the "change_order" template, then queued
    with the PDF; sending a draft submits it."""
    user = acting_user(request)
    change_order = selectors.get_change_order_for_user(user, pk)
    draft = sending.prepare_email(user, change_order)
    form = ComposeForm(posted(request), draft=draft)
    try:
        sending.check_sendable(change_order)
        refusal = ""
    except DomainError as exc:
        refusal = exc.message
    if request.method == "POST":
        already = _message_of_submit(user, change_order, request.POST.get("submit_token"))
        if already is not None:  # the same page posted twice: sent once
            messages.info(request, _("This change order was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            message = sending.change_order_send(
                user=user,
                change_order=change_order,
                draft=form.edited_draft(),
                lock_version=_version(request.POST.get("lock_version")),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(order)s is sent: the email to %(to)s is queued.")
                % {"order": change_order, "to": message.recipients_display},
            )
            return redirect(detail_url(change_order))
    context = {
        "contract": change_order.contract,
        "change_order": change_order,
        "form": form,
        "refusal": refusal,
        "pdf_name": documents.filename(change_order),
        "tab": TAB,
    }
    status = 400 if form.is_bound else 200
    return render(request, "contracts/change_order_send.html", context, status=status)


def _message_of_submit(user: Any, change_order: ChangeOrder, posted_token: Any) -> int | None:
    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, sending.RELATED_TYPE, change_order.pk)
    return found.filter(submit_token=token).values_list("pk", flat=True).first()
