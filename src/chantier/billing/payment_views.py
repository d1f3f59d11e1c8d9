"""Payment pages: record a payment from an invoice or for a client, the payments list,
deleting a payment (administrators, with a reason). Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chantier.billing import account_selectors, payment_services, selectors
from chantier.billing.models import Invoice
from chantier.billing.payment_forms import ClientPaymentForm, PaymentDeleteForm, PaymentForm
from chantier.billing.views import date_param
from chantier.contracts.models import Contract
from chantier.core.access import acting_user, admin_required, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.money import round2
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.parties.models import Client

ZERO = Decimal("0.00")


def _recorded_message(request: HttpRequest, payments: list[Any]) -> None:
    for payment in payments:
        if payment.invoice_id:
            messages.success(
                request,
                _("Payment of %(amount)s recorded on %(number)s.")
                % {"amount": euros(payment.amount), "number": payment.invoice.number},
            )
        else:
            messages.success(
                request,
                _("%(amount)s recorded as a credit on the client.")
                % {"amount": euros(payment.amount)},
            )


@writer_required
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment on one invoice (the form is also inline on the invoice page)."""
    user = acting_user(request)
    invoice = selectors.get_invoice_for_user(user, pk)
    left = payment_services.left_on_invoice(invoice, "payable") if not invoice.is_draft else None
    form = PaymentForm(posted(request), left=left)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payments = payment_services.payment_record(user=user, invoice=invoice, **data)
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            _recorded_message(request, payments)
            return redirect("billing:invoice_detail", pk=invoice.pk)
    context = {"invoice": invoice, "contract": invoice.contract, "form": form, "left": left}
    status = 400 if form.is_bound else 200
    return render(request, "billing/payment_form.html", context, status=status)


@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    q = request.GET.get("q", "")
    date_from = date_param(request.GET.get("date_from", ""))
    date_to = date_param(request.GET.get("date_to", ""))
    client = _client(company, request.GET.get("client", ""))
    contract = _contract(company, request.GET.get("contract", ""))
    payments = account_selectors.payment_list(
        company, q=q, date_from=date_from, date_to=date_to, client=client, contract=contract
    )
    context = paginate(request, payments)
    context.update(
        {
            "q": q,
            "date_from": date_from,
            "date_to": date_to,
            "client": client,
            "contract": contract,
            "total": round2(payments.aggregate(total=Sum("amount"))["total"] or ZERO),
        }
    )
    return render(request, "billing/payment_list.html", context)


def _client(company: Any, value: str) -> Client | None:
    return Client.objects.filter(company=company, pk=value).first() if value.isdigit() else None


def _contract(company: Any, value: str) -> Contract | None:
    if not value.isdigit():
        return None
    return Contract.objects.filter(company=company, pk=value).first()


@writer_required
@require_http_methods(["GET", "POST"])
def payment_new(request: HttpRequest) -> HttpResponse:
    """Money received from a client (payments page, client page): on one of its unpaid
    invoices, or as a credit on the client when no invoice is chosen."""
    user = acting_user(request)
    company = company_of_request(request)
    chosen = _client(company, (request.POST or request.GET).get("client", ""))
    clients = list(
        Client.objects.filter(company=company).order_by("name").values_list("pk", "name")
    )
    invoices: list[Invoice] = []
    if chosen is not None:
        invoices = list(account_selectors.unpaid_invoices(company).filter(client=chosen)[:200])
    choices = [
        (invoice.pk, f"{invoice.number} — {euros(invoice.left_payable)}")  # type: ignore[attr-defined]
        for invoice in invoices
    ]
    contracts = (
        list(
            Contract.objects.filter(client=chosen)
            .exclude(status=Contract.Status.FINISHED)
            .order_by("-created_at")
            .values_list("pk", "reference", "title")[:100]
        )
        if chosen is not None
        else []
    )
    contract_choices = [(pk, reference or title) for pk, reference, title in contracts]
    initial: dict[str, Any] = {"client": chosen.pk if chosen else ""}
    if request.GET.get("invoice", "").isdigit():
        initial["invoice"] = request.GET["invoice"]
    form = ClientPaymentForm(
        posted(request),
        clients=clients,
        invoices=choices,
        contracts=contract_choices,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and chosen is not None:
        data = form.cleaned_data
        common = {key: data[key] for key in ("date", "amount", "method", "reference", "note")}
        try:
            if data["invoice"]:
                invoice = selectors.get_invoice_for_user(user, data["invoice"])
                payments = payment_services.payment_record(
                    user=user,
                    invoice=invoice,
                    excess_as_credit=data["excess_as_credit"],
                    **common,
                )
            else:
                contract = _contract(company, data["contract"] or "")
                payments = [
                    payment_services.client_credit_record(
                        user=user, client=chosen, contract=contract, **common
                    )
                ]
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            _recorded_message(request, payments)
            return redirect(reverse("billing:payment_list") + f"?client={chosen.pk}")
    context = {"form": form, "client": chosen, "invoices": invoices}
    status = 400 if form.is_bound else 200
    return render(request, "billing/payment_new.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def payment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators only, with a reason kept in the audit trail."""
    user = acting_user(request)
    payment = account_selectors.get_payment_for_user(user, pk)
    form = PaymentDeleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            payment_services.payment_delete(
                user=user, payment=payment, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The payment is deleted; the reason is kept."))
            if payment.invoice_id:
                return redirect("billing:invoice_detail", pk=payment.invoice_id)
            return redirect("billing:payment_list")
    context = {"payment": payment, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "billing/payment_delete.html", context, status=status)
