"""The décompte général of a contract (page, PDF, email) and the retention pages (what is
held, releasing it or recording the end of the bank guarantee)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chantier.billing import account_documents, account_selectors, retention
from chantier.billing.payment_forms import GuaranteeEndForm, ReleaseForm
from chantier.billing.payment_services import NeedsConfirmation
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.documents import services as document_services
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm

TAB = "invoices"
ZERO = Decimal("0.00")


@require_GET
def final_account(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract_for_user(acting_user(request), pk)
    account = account_selectors.final_account(contract, timezone.localdate())
    context = {
        "contract": contract,
        "tab": TAB,
        "account": account.account,
        "summary": account.summary,
        "today": account.today,
        "open_reserves": retention.open_reserves(contract),
    }
    return render(request, "billing/final_account.html", context)


@require_http_methods(["GET", "POST"])
def final_account_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    job = document_services.render_job_start(
        user=user, kind=account_documents.FINAL_ACCOUNT.key, params={"contract": contract.pk}
    )
    return redirect("documents:job_detail", pk=job.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def final_account_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email to the client, prefilled, the décompte's PDF attached; a page posted
    twice sends once."""
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    form = ComposeForm(posted(request), draft=account_documents.prepare_email(user, contract))
    if request.method == "POST":
        already = _message_of_submit(user, contract.pk, request.POST.get("submit_token"))
        if already is not None:
            messages.info(request, _("This final account was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
    if request.method == "POST" and form.is_valid():
        try:
            message = account_documents.final_account_send(
                user=user, contract=contract, draft=form.edited_draft()
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The final account is sent: the email to %(to)s is queued.")
                % {"to": message.recipients_display},
            )
            return redirect("billing:final_account", pk=contract.pk)
    context = {
        "contract": contract,
        "tab": TAB,
        "form": form,
        "pdf_name": account_documents.filename(contract),
    }
    status = 400 if form.is_bound else 200
    return render(request, "billing/final_account_send.html", context, status=status)


def _message_of_submit(user: Any, contract_id: int, posted_token: Any) -> int | None:
    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, account_documents.RELATED_TYPE, contract_id)
    return found.filter(submit_token=token).values_list("pk", flat=True).first()


@require_GET
def retention_list(request: HttpRequest) -> HttpResponse:
    """Contracts holding retention, soonest release first."""
    company = company_of_request(request)
    q = request.GET.get("q", "")
    rows = account_selectors.retention_held(company, q)
    context = paginate(request, rows)
    context.update({"q": q, "total": sum((row.held for row in rows), ZERO)})
    context["today"] = timezone.localdate()
    return render(request, "billing/retention_list.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def retention_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the retention (the money received, spread over the invoices holding it),
    or record the end of the bank guarantee. Open réserves ask for a confirmation."""
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    if contract.retention_guarantee:
        return _guarantee_end(request, user, contract)
    held = sum((row.held for row in retention.held_by_invoice(contract)), ZERO)
    form = ReleaseForm(posted(request), held=held)
    warning = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            retention.retention_release(
                user=user,
                contract=contract,
                date=data["date"],
                amount=data["amount"],
                method=data["method"],
                reference=data["reference"],
                note=data["note"],
                confirmed=bool(data["confirm"]),
            )
        except NeedsConfirmation as exc:
            warning = exc.message
            form = ReleaseForm({**request.POST.dict(), "confirm": "True"}, held=held)
            form.is_valid()
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The retention release is recorded."))
            return redirect("billing:final_account", pk=contract.pk)
    context = {
        "contract": contract,
        "tab": TAB,
        "form": form,
        "held": held,
        "warning": warning,
        "release_on": retention.contract_release_date(contract),
        "open_reserves": retention.open_reserves(contract),
    }
    status = 409 if warning else 400 if form.is_bound else 200
    return render(request, "billing/retention_release.html", context, status=status)


def _guarantee_end(request: HttpRequest, user: Any, contract: Any) -> HttpResponse:
    form = GuaranteeEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            retention.guarantee_release(user=user, contract=contract, **form.cleaned_data)
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The end of the bank guarantee is recorded."))
            return redirect("billing:final_account", pk=contract.pk)
    context = {
        "contract": contract,
        "tab": TAB,
        "form": form,
        "guarantee": True,
        "release_on": retention.contract_release_date(contract),
        "open_reserves": retention.open_reserves(contract),
    }
    status = 400 if form.is_bound else 200
    return render(request, "billing/retention_release.html", context, status=status)
