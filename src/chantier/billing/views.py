"""Invoice pages: lists, down payment, invoice detail, issue, delete, credit note, PDF,
index values. The statement grid is in statement_views.py. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.billing import (
    credit_notes,
    documents,
    index_services,
    issuing,
    selectors,
    sending,
    services,
)
from chantier.billing.forms import DownPaymentForm, IndexImportForm, IndexValueForm
from chantier.billing.models import IndexValue, Invoice
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.search import search
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.documents import services as document_services
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm

TAB = "invoices"
LINES_PER_PAGE = 200


def detail_url(invoice: Invoice) -> str:
    return reverse("billing:invoice_detail", args=[invoice.pk])


@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in Invoice.Status.values:
        status = ""
    q = request.GET.get("q", "")
    issued_from = date_param(request.GET.get("issued_from", ""))
    issued_to = date_param(request.GET.get("issued_to", ""))
    unpaid = request.GET.get("unpaid") == "1"
    invoices = selectors.invoice_list(
        company_of_request(request),
        q,
        status,
        issued_from=issued_from,
        issued_to=issued_to,
        unpaid=unpaid,
    )
    context = paginate(request, invoices)
    context.update(
        {
            "totals": selectors.invoice_totals(invoices, with_left=unpaid),
            "q": q,
            "status": status,
            "statuses": Invoice.Status.choices,
            "issued_from": issued_from,
            "issued_to": issued_to,
            "unpaid": unpaid,
        }
    )
    return render(request, "billing/invoice_list.html", context)


def date_param(value: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter; None when empty or malformed (a filter is dropped)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def contract_invoices(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract_for_user(acting_user(request), pk)
    context = paginate(request, selectors.contract_invoices(contract))
    context.update(
        {
            "contract": contract,
            "tab": TAB,
            "draft_statement": selectors.draft_statement(contract),
            "has_final": selectors.has_final_invoice(contract),
        }
    )
    return render(request, "billing/contract_invoices.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def down_payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    form = DownPaymentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.down_payment_create(
                user=user,
                contract=contract,
                percent=form.cleaned_data["percent"],
                amount=form.cleaned_data["amount"],
                period_date=form.cleaned_data["date"],
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The down-payment invoice is saved as a draft."))
            return redirect(detail_url(invoice))
    context = {"contract": contract, "form": form, "tab": TAB}
    return render(request, "billing/down_payment_form.html", context)


@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(acting_user(request), pk)
    document = selectors.invoice_document(invoice)
    lines_page = paginate(request, document.lines, per_page=LINES_PER_PAGE)
    context: dict[str, Any] = {
        "invoice": invoice,
        "contract": invoice.contract,
        "document": document,
        "title": documents.document_title(invoice),
        "credit_notes": list(invoice.credit_notes.order_by("pk")),
        **lines_page,
    }
    if not invoice.is_draft and not invoice.is_credit:
        context.update(_payments_context(invoice))
    return render(request, "billing/invoice_detail.html", context)


def _payments_context(invoice: Invoice) -> dict[str, Any]:
    from chantier.billing import account_selectors, payment_services
    from chantier.billing.payment_forms import PaymentForm

    left = payment_services.left_on_invoice(invoice, "payable")
    return {
        "payments": account_selectors.invoice_payments(invoice),
        "left_payable": left,
        "left_retention": payment_services.left_on_invoice(invoice, "retention"),
        "payment_form": PaymentForm(left=left),
    }


@writer_required
@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    try:
        invoice = issuing.invoice_issue(
            user=user, invoice=invoice, confirm=request.POST.get("confirm") == "1"
        )
    except issuing.NeedsConfirmation as exc:
        return render(
            request,
            "billing/issue_confirm.html",
            {"invoice": invoice, "message": exc.message},
            status=409,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invoice %(number)s is issued.") % {"number": invoice.number})
    return redirect(detail_url(invoice))


@writer_required
@require_http_methods(["GET", "POST"])
def invoice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    refusal = "" if invoice.is_draft else _("An issued invoice is never deleted: credit it.")
    if request.method == "POST" and not refusal:
        try:
            services.invoice_delete(user=user, invoice=invoice)
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("The draft is deleted."))
            return redirect("billing:contract_invoices", pk=invoice.contract_id)
    context = {"object": invoice, "refusal": refusal, "cancel_url": detail_url(invoice)}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the lines to credit (all by default), then a draft credit note is made."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    document = selectors.invoice_document(invoice)
    error = ""
    if request.method == "POST":
        chosen = request.POST.getlist("line")
        everything = request.POST.get("all") == "1"
        try:
            ids = None if everything else [int(value) for value in chosen]
            note = credit_notes.credit_note_create(user=user, invoice=invoice, line_ids=ids)
        except ValueError:
            error = _("Choose at least one line to credit.")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The credit note is saved as a draft."))
            return redirect(detail_url(note))
    context = {"invoice": invoice, "document": document, "error": error}
    return render(request, "billing/credit_note_form.html", context, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the PDF (Factur-X once issued), then show its render job."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    try:
        job = document_services.render_job_start(
            user=user, kind=documents.INVOICE.key, params={"invoice": invoice.pk}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url(invoice))
    return redirect("documents:job_detail", pk=job.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def invoice_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email to the client, prefilled from the "invoice" template, queued with the
    Factur-X PDF attached; the same page posted twice sends once."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    try:
        sending.check_sendable(invoice)
        refusal = ""
    except DomainError as exc:
        refusal = exc.message
    form = ComposeForm(posted(request), draft=sending.prepare_email(user, invoice))
    if request.method == "POST":
        already = _message_of_submit(user, invoice, request.POST.get("submit_token"))
        if already is not None:
            messages.info(request, _("This invoice was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            message = sending.invoice_send(user=user, invoice=invoice, draft=form.edited_draft())
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s is sent: the email to %(to)s is queued.")
                % {"number": invoice.number, "to": message.recipients_display},
            )
            return redirect(detail_url(invoice))
    context = {
        "invoice": invoice,
        "contract": invoice.contract,
        "form": form,
        "refusal": refusal,
        "pdf_name": documents.filename(invoice),
    }
    status = 400 if form.is_bound else 200
    return render(request, "billing/invoice_send.html", context, status=status)


def _message_of_submit(user: Any, invoice: Invoice, posted_token: Any) -> int | None:
    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, sending.RELATED_TYPE, invoice.pk)
    return found.filter(submit_token=token).values_list("pk", flat=True).first()


@require_http_methods(["GET", "POST"])
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement document the client validates before invoicing (seed 002)."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    if not invoice.is_statement:
        messages.error(request, _("Only a progress statement has a statement document."))
        return redirect(detail_url(invoice))
    job = document_services.render_job_start(
        user=user, kind=documents.STATEMENT.key, params={"invoice": invoice.pk}
    )
    return redirect("documents:job_detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
def index_values(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    user = acting_user(request)
    form = IndexValueForm(posted(request) if "value" in request.POST else None)
    upload = IndexImportForm(
        request.POST if "file" in request.FILES else None, request.FILES or None
    )
    if request.method == "POST":
        if not request.membership.can_write:  # type: ignore[attr-defined]
            return HttpResponse(status=403)
        if "file" in request.FILES and upload.is_valid():
            try:
                report = index_services.index_values_import(
                    user=user, company=company, content=upload.cleaned_data["file"].read()
                )
            except DomainError as exc:
                add_service_error(upload, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s index value imported.",
                        "%(count)s index values imported.",
                        report.imported,
                    )
                    % {"count": report.imported},
                )
                return redirect("billing:index_values")
        elif form.is_bound and form.is_valid():
            try:
                index_services.index_value_set(user=user, company=company, **form.cleaned_data)
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The index value is saved."))
                return redirect("billing:index_values")
    q = request.GET.get("q", "")
    rows = search(IndexValue.objects.filter(company=company), q, ("name",)).order_by(
        "name", "-month"
    )
    context = {**paginate(request, rows), "form": form, "upload": upload, "q": q}
    return render(request, "billing/index_values.html", context)
