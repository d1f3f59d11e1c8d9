"""Overdue invoices (/invoices/overdue/) with the late interest and the recovery indemnity
accrued, and the reminder email (relance) of one invoice (/invoices/<pk>/reminder/).
Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chantier.billing import account_selectors, documents, reminders, selectors
from chantier.billing.models import Invoice
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.models import User
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm

ZERO = Decimal("0.00")


@require_GET
def overdue_list(request: HttpRequest) -> HttpResponse:
    """The company's overdue invoices, oldest due date first, with what may be claimed
    (french-rules §6.3): a count and a page query, whatever the number of rows."""
    company = company_of_request(request)
    today = timezone.localdate()
    q = request.GET.get("q", "")
    context = paginate(request, account_selectors.overdue_invoices(company, today, q))
    rows = account_selectors.overdue_rows(list(context["object_list"]), company, today)
    context.update(
        {
            "q": q,
            "rows": rows,
            "today": today,
            "rate": company.late_penalty_rate,
            "totals": {
                "left": sum((row.left for row in rows), ZERO),
                "interest": sum((row.interest for row in rows), ZERO),
                "indemnity": sum((row.indemnity for row in rows), ZERO),
                "total": sum((row.total for row in rows), ZERO),
            },
        }
    )
    return render(request, "billing/overdue_list.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def invoice_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """The reminder email, prefilled from the "invoice_reminder" template with the amounts
    claimed, queued with the Factur-X PDF attached; the same page posted twice sends once."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    row: account_selectors.OverdueRow | None = None
    try:
        row = reminders.check_remindable(invoice, timezone.localdate())
        refusal = ""
    except DomainError as exc:
        refusal = exc.message
    form = ComposeForm(posted(request), draft=reminders.prepare_email(user, invoice))
    if request.method == "POST":
        already = _message_of_submit(user, invoice, request.POST.get("submit_token"))
        if already is not None:
            messages.info(request, _("This reminder was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            message = reminders.invoice_reminder_send(
                user=user, invoice=invoice, draft=form.edited_draft()
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The reminder of %(number)s is sent: the email to %(to)s is queued.")
                % {"number": invoice.number, "to": message.recipients_display},
            )
            return redirect(reverse("billing:invoice_detail", args=[invoice.pk]))
    context: dict[str, Any] = {
        "invoice": invoice,
        "contract": invoice.contract,
        "row": row,
        "rate": invoice.company.late_penalty_rate,
        "form": form,
        "refusal": refusal,
        "pdf_name": documents.filename(invoice),
    }
    # A refused reminder answers 409 (nothing to claim), an invalid form 400.
    status = (409 if refusal else 400) if request.method == "POST" else 200
    return render(request, "billing/reminder_send.html", context, status=status)


def _message_of_submit(user: User, invoice: Invoice, posted_token: Any) -> int | None:
    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, reminders.RELATED_TYPE, invoice.pk)
    return found.filter(submit_token=token).values_list("pk", flat=True).first()
