"""Service order pages (seed 000): the contract's list, create (direct, from a change order,
from a quote), detail with its priced lines and attachments, issue / validate / refuse,
PDF and sending. Thin views: parse, call one service or selector, render (DESIGN)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.contracts import service_order_documents as documents
from chantier.contracts import service_order_selectors as selectors
from chantier.contracts import service_order_sending as sending
from chantier.contracts import service_order_services as services
from chantier.contracts.models import ChangeOrder, Contract, ServiceOrder
from chantier.contracts.selectors import get_contract_for_user
from chantier.contracts.service_order_forms import (
    AttachmentForm,
    DecisionForm,
    ServiceOrderForm,
    ServiceOrderLineForm,
    ValidateForm,
)
from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, file_download, posted
from chantier.mail.forms import ComposeForm
from chantier.quotes.models import Quote


def order_url(order: ServiceOrder) -> str:
    return reverse("contracts:service_order_detail", args=[order.pk])


def _order(request: HttpRequest, pk: int) -> ServiceOrder:
    return selectors.get_service_order_for_user(acting_user(request), pk)


def _lock_version(request: HttpRequest) -> int | None:
    value = request.POST.get("lock_version")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return 0  # unreadable counts as stale


# --- list and create ------------------------------------------------------------------------


@require_GET
def service_order_list(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract_for_user(acting_user(request), pk)
    status = request.GET.get("status", "")
    if status not in ServiceOrder.Status.values:
        status = ""
    context = paginate(request, selectors.service_order_list(contract, status))
    context.update(
        contract=contract,
        status=status,
        statuses=ServiceOrder.Status.choices,
        change_orders=ChangeOrder.objects.filter(contract=contract, company_id=contract.company_id)
        .exclude(status=ChangeOrder.Status.REJECTED)
        .order_by("number"),
        quotes=services.eligible_quotes(contract) if contract.service_orders_from_quotes else [],
    )
    return render(request, "contracts/service_order_list.html", context)


def _source(
    request: HttpRequest, contract: Contract
) -> tuple[ChangeOrder | None, Quote | None, dict[str, Any]]:
    """The change order (?change_order=ID) or quote (?quote=ID) the order is made from."""
    source = request.GET.get("change_order") or request.POST.get("change_order")
    if source:
        change_order = get_for_company(ChangeOrder.objects.all(), acting_user(request), source)
        if change_order.contract_id != contract.pk:
            raise Http404("not this contract's")
        initial = {
            "title": change_order.title,
            "description": change_order.description,
            "kind": ServiceOrder.Kind.CHANGE,
            "financial_impact": change_order.net,
        }
        return change_order, None, initial
    source = request.GET.get("quote") or request.POST.get("quote")
    if source:
        quote = get_for_company(Quote.objects.all(), acting_user(request), source)
        initial = {
            "title": quote.title,
            "kind": ServiceOrder.Kind.CHANGE,
            "financial_impact": quote.net,
        }
        return None, quote, initial
    return None, None, {}


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    change_order, quote, initial = _source(request, contract)
    if quote is not None and not contract.service_orders_from_quotes:
        messages.error(
            request,
            _(
                "This contract does not allow service orders from quotes outside change "
                "orders: turn the option on in its billing settings first."
            ),
        )
        return redirect("contracts:service_order_list", pk=contract.pk)
    form = ServiceOrderForm(posted(request), contract=contract, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.service_order_create(
                user=user,
                contract=contract,
                data=form.service_data(),
                change_order=change_order,
                quote=quote,
                quotes=form.cleaned_data.get("quotes") or (),
                issue="issue" in request.POST,
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            if order.number:
                messages.success(
                    request,
                    _("%(order)s issued: it awaits validation.") % {"order": order},
                )
            else:
                messages.success(request, _("Service order saved as a draft."))
            return redirect(order_url(order))
    context = {
        "contract": contract,
        "form": form,
        "change_order": change_order,
        "quote": quote,
        "title": _("New service order"),
        "cancel_url": reverse("contracts:service_order_list", args=[contract.pk]),
    }
    return render(
        request,
        "contracts/service_order_form.html",
        context,
        status=400 if form.is_bound else 200,
    )


# --- one order ------------------------------------------------------------------------------


@require_GET
def service_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    detail = selectors.service_order_detail(order)
    context = {
        "order": order,
        "contract": order.contract,
        "detail": detail,
        "editable": order.status in services.EDITABLE,
        "attachment_form": AttachmentForm(),
    }
    return render(request, "contracts/service_order_detail.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    order = _order(request, pk)
    if order.status not in services.EDITABLE:
        messages.error(request, _("This service order can no longer be changed."))
        return redirect(order_url(order))
    form = ServiceOrderForm(posted(request), contract=order.contract, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_order_update(
                user=user,
                order=order,
                data=form.service_data(),
                quotes=form.cleaned_data.get("quotes") if "quotes" in form.fields else None,
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Service order saved."))
            return redirect(order_url(order))
    context = {
        "contract": order.contract,
        "order": order,
        "form": form,
        "change_order": order.change_order,
        "title": _("Edit %(order)s") % {"order": order},
        "cancel_url": order_url(order),
    }
    return render(
        request,
        "contracts/service_order_form.html",
        context,
        status=400 if form.is_bound else 200,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_delete(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    refusal: str | None = None
    if request.method == "POST":
        try:
            services.service_order_delete(
                user=acting_user(request), order=order, lock_version=_lock_version(request)
            )
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Draft service order deleted."))
            return redirect("contracts:service_order_list", pk=order.contract_id)
    elif order.status != ServiceOrder.Status.DRAFT:
        refusal = services.deletion_refusal()
    context = {"object": order, "refusal": refusal, "cancel_url": order_url(order)}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


def _decision(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[DecisionForm],
    title: str,
    explanation: str,
    button: str,
    act: Any,
    done: str,
    danger: bool = False,
) -> HttpResponse:
    order = _order(request, pk)
    form = form_class(posted(request), initial={"lock_version": order.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            act(order, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(order_url(order))
        messages.success(request, done % {"order": order})
        return redirect(order_url(order))
    context = {
        "order": order,
        "contract": order.contract,
        "form": form,
        "title": title % {"order": order},
        "explanation": explanation,
        "button": button,
        "danger": danger,
        "cancel_url": order_url(order),
    }
    return render(
        request,
        "contracts/service_order_confirm.html",
        context,
        status=400 if form.is_bound else 200,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _decision(
        request,
        pk,
        form_class=DecisionForm,
        title=_("Issue %(order)s"),
        explanation=_(
            "The order gets the contract's next number and awaits validation. An issued "
            "order is never deleted."
        ),
        button=_("Issue"),
        act=lambda order, data: services.service_order_issue(
            user=user, order=order, lock_version=data.get("lock_version")
        ),
        done=_("%(order)s issued: it awaits validation."),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_validate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _decision(
        request,
        pk,
        form_class=ValidateForm,
        title=_("Validate %(order)s"),
        explanation=_(
            "Validating the order validates its priced lines: with a financial impact they "
            "join the contract's billing base. They can no longer be changed."
        ),
        button=_("Validate"),
        act=lambda order, data: services.service_order_validate(
            user=user,
            order=order,
            owner_validation_ref=data.get("owner_validation_ref"),
            note=data.get("note") or "",
            lock_version=data.get("lock_version"),
        ),
        done=_("%(order)s validated."),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    return _decision(
        request,
        pk,
        form_class=DecisionForm,
        title=_("Refuse %(order)s"),
        explanation=_("The order keeps its number; nothing joins the billing base."),
        button=_("Refuse"),
        act=lambda order, data: services.service_order_refuse(
            user=user,
            order=order,
            note=data.get("note") or "",
            lock_version=data.get("lock_version"),
        ),
        done=_("%(order)s refused."),
        danger=True,
    )


# --- lines ----------------------------------------------------------------------------------


def _line_page(request: HttpRequest, pk: int, line_pk: int | None) -> HttpResponse:
    user = acting_user(request)
    order = _order(request, pk)
    line = selectors.get_line_for_order(order, line_pk) if line_pk is not None else None
    if order.status not in services.EDITABLE:
        messages.error(request, _("This service order can no longer be changed."))
        return redirect(order_url(order))
    initial: dict[str, Any] = {"lock_version": order.lock_version}
    if line is not None:
        for name in ("amends", "section", "reference", "description", "unit", "quantity"):
            initial[name] = getattr(line, name)
        initial.update(unit_price=line.unit_price, vat_rate=line.vat_rate)
    else:
        initial["vat_rate"] = order.company.default_vat_rate
    form = ServiceOrderLineForm(posted(request), order=order, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_order_line_save(
                user=user,
                order=order,
                line=line,
                data=form.cleaned_data,
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Line saved."))
            return redirect(order_url(order))
    context = {
        "order": order,
        "contract": order.contract,
        "form": form,
        "title": _("Edit the line") if line else _("New line"),
        "cancel_url": order_url(order),
    }
    return render(
        request,
        "contracts/service_order_line_form.html",
        context,
        status=400 if form.is_bound else 200,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _line_page(request, pk, None)


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    return _line_page(request, pk, line_pk)


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    order = _order(request, pk)
    line = selectors.get_line_for_order(order, line_pk)
    refusal: str | None = None
    if request.method == "POST":
        try:
            services.service_order_line_delete(
                user=acting_user(request),
                order=order,
                line=line,
                lock_version=_lock_version(request),
            )
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Line deleted."))
            return redirect(order_url(order))
    elif order.status not in services.EDITABLE:
        refusal = _("This service order can no longer be changed.")
    context = {"object": line, "refusal": refusal, "cancel_url": order_url(order)}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


# --- attachments ----------------------------------------------------------------------------


@writer_required
@require_POST
def service_order_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.service_order_attachment_add(
                user=acting_user(request), order=order, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Attachment added."))
            return redirect(order_url(order))
    detail = selectors.service_order_detail(order)
    context = {
        "order": order,
        "contract": order.contract,
        "detail": detail,
        "editable": order.status in services.EDITABLE,
        "attachment_form": form,
    }
    return render(request, "contracts/service_order_detail.html", context, status=400)


@require_GET
def service_order_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.get_attachment_for_user(acting_user(request), pk)
    return file_download(
        attachment.file, filename=attachment.name, content_type="application/octet-stream"
    )


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.get_attachment_for_user(acting_user(request), pk)
    back = order_url(attachment.service_order)
    if request.method == "POST":
        services.service_order_attachment_delete(user=acting_user(request), attachment=attachment)
        messages.success(request, _("Attachment deleted."))
        return redirect(back)
    context = {"object": attachment, "refusal": None, "cancel_url": back}
    return render(request, "includes/confirm_delete.html", context)


# --- PDF and sending ------------------------------------------------------------------------


@require_GET
def service_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    content = sending.render_pdf(order)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(order)}"'
    return response


@writer_required
@require_http_methods(["GET", "POST"])
def service_order_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    order = _order(request, pk)
    draft = sending.prepare_email(user, order)
    form = ComposeForm(posted(request), draft=draft)
    refusal = sending.send_refusal(order)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            message = sending.service_order_send(user=user, order=order, draft=form.edited_draft())
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(order)s is sent: the email to %(to)s is queued.")
                % {"order": order, "to": message.recipients_display},
            )
            return redirect(order_url(order))
    context = {
        "order": order,
        "contract": order.contract,
        "form": form,
        "refusal": refusal,
        "pdf_name": documents.filename(order),
        "cancel_url": order_url(order),
    }
    return render(
        request, "contracts/service_order_send.html", context, status=400 if form.is_bound else 200
    )
