"""Contract pages of the final account: the timeline with its recorded dates, the final
statement and the products used list (PDF and sending). Thin: parse, call one service or
selector, render (DESIGN)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chantier.contracts import final_account_selectors as selectors
from chantier.contracts import final_account_sending as sending
from chantier.contracts.final_account_services import contract_final_account_record
from chantier.contracts.models import Contract
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.web import add_service_error, posted
from chantier.documents import services as document_services
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FinalAccountForm(forms.Form):
    """The recorded dates of the final account; the rules are the service's."""

    nf_p03_001 = forms.BooleanField(
        label=gettext_lazy("NF P03-001 applies (private contract citing the standard)"),
        required=False,
    )
    final_statement_sent_date = _date_field(gettext_lazy("Final statement sent on"))
    final_statement_moe_received_date = _date_field(
        gettext_lazy("Final statement received by the project manager (MOE) on")
    )
    final_statement_moa_received_date = _date_field(
        gettext_lazy("Final statement received by the owner (MOA) on")
    )
    general_statement_notified_date = _date_field(gettext_lazy("General statement notified on"))
    general_statement_returned_date = _date_field(
        gettext_lazy("Signed general statement returned on")
    )
    draft_general_statement_received_date = _date_field(
        gettext_lazy("Contractor's signed draft general statement received by the owner on")
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, contract: Contract) -> None:
        initial = {name: getattr(contract, name) for name in self.service_fields()}
        initial["lock_version"] = contract.lock_version
        super().__init__(data, initial=initial)

    @classmethod
    def service_fields(cls) -> list[str]:
        return [name for name in cls.base_fields if name != "lock_version"]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.service_fields()}


def _timeline_url(contract: Contract) -> str:
    return reverse("contracts:final_account_timeline", args=[contract.pk])


def _can_write(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can_write)


@require_http_methods(["GET", "POST"])
def final_account_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The final-account timeline: each step's deadline, date done and status, the form to
    record the dates (writers), the final statement and products used documents."""
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    can_write = _can_write(request)
    if request.method == "POST" and not can_write:
        raise Forbidden("read-only role")
    form = FinalAccountForm(posted(request), contract=contract)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contract_final_account_record(
                    user=user,
                    contract=contract,
                    data=form.service_data(),
                    lock_version=form.cleaned_data.get("lock_version"),
                )
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Final-account dates saved."))
                return redirect(_timeline_url(contract))
    if not can_write:
        for field in form.fields.values():
            field.disabled = True
    today = timezone.localdate()
    timeline = selectors.contract_timeline(contract, today)
    context = {
        "contract": contract,
        "form": form,
        "timeline": timeline,
        "rows": selectors.step_rows(timeline) if timeline else [],
        "today": today,
        "tab": "general",
    }
    return render(request, "contracts/final_account_timeline.html", context, status=status)


def _document_pdf(request: HttpRequest, pk: int, sendable: sending.Sendable) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    try:
        job = document_services.render_job_start(
            user=user, kind=sendable.kind.key, params={"contract": contract.pk}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_timeline_url(contract))
    return redirect("documents:job_detail", pk=job.pk)


@require_http_methods(["GET"])
def final_statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the projet de décompte final (any member may print: printing reads)."""
    return _document_pdf(request, pk, sending.FINAL_STATEMENT)


@require_http_methods(["GET"])
def products_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the products used list (any member may print: printing reads)."""
    return _document_pdf(request, pk, sending.PRODUCTS)


def _document_send(request: HttpRequest, pk: int, sendable: sending.Sendable) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    draft = sending.prepare_email(user, contract, sendable)
    form = ComposeForm(posted(request), draft=draft)
    if request.method == "POST":
        already = _message_of_submit(user, contract, request.POST.get("submit_token"))
        if already is not None:  # the same page posted twice: sent once
            messages.info(request, _("This document was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
        if form.is_valid():
            try:
                message = sending.contract_document_send(
                    user=user, contract=contract, sendable=sendable, draft=form.edited_draft()
                )
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(document)s sent: the email to %(to)s is queued.")
                    % {"document": sendable.label, "to": message.recipients_display},
                )
                return redirect(_timeline_url(contract))
    context = {
        "contract": contract,
        "form": form,
        "document_label": sendable.label,
        "pdf_name": sendable.filename(contract),
        "cancel_url": _timeline_url(contract),
        "tab": "general",
    }
    status = 400 if form.is_bound else 200
    return render(request, "contracts/final_account_send.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def final_statement_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email with the final statement, prefilled, then queued with the PDF."""
    return _document_send(request, pk, sending.FINAL_STATEMENT)


@writer_required
@require_http_methods(["GET", "POST"])
def products_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email with the products used list, prefilled, then queued with the PDF."""
    return _document_send(request, pk, sending.PRODUCTS)


def _message_of_submit(user: Any, contract: Contract, posted_token: Any) -> int | None:
    import uuid

    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, sending.RELATED_TYPE, contract.pk)
    return found.filter(submit_token=token).values_list("pk", flat=True).first()
