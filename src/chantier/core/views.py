from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chantier.core import selectors, services
from chantier.core.access import acting_user, admin_required
from chantier.core.exceptions import DomainError
from chantier.core.forms import ApiTokenForm, CompanySettingsForm
from chantier.core.web import company_of_request, file_download


def home(request: HttpRequest) -> HttpResponse:
    from chantier.analysis.dashboard import dashboard_context
    from chantier.catalogue.selectors import item_count
    from chantier.contracts.selectors import home_reminders
    from chantier.parties.selectors import client_count

    company = request.company  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "client_count": client_count(company) if company else 0,
        "item_count": item_count(company) if company else 0,
    }
    if company:
        reminders = home_reminders(company, timezone.localdate())
        context["reminders"] = reminders
        context["service_order_reminders"] = [
            (order, _service_order_url(order)) for order in reminders.service_orders
        ]
        context.update(dashboard_context(company, timezone.localdate()))
    return render(request, "core/home.html", context)


SERVICE_ORDER_URL_NAMES = ("contracts:service_order_detail", "contracts:service_orders_detail")


def _service_order_url(order: Any) -> str:
    """The service order's page when the contracts app has one, else its contract's."""
    for name in SERVICE_ORDER_URL_NAMES:
        try:
            return reverse(name, args=[order.pk])
        except NoReverseMatch:
            continue
    return reverse("contracts:contract_detail", args=[order.contract_id])


def settings_view(request: HttpRequest) -> HttpResponse:
    """Company settings: everyone reads them, only an administrator changes them."""
    company = request.company  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    if company is None:
        return render(request, "404.html", status=404)
    form = CompanySettingsForm(instance=company)
    if not membership.is_admin:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "form": form,
        "tokens": selectors.api_tokens_for_user(acting_user(request)),
        "members": selectors.members_of_company(company.pk),
        "token_form": ApiTokenForm(),
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "core/settings.html", context)


def logo(request: HttpRequest) -> FileResponse:
    """The company's own logo; media files are never served publicly."""
    company = company_of_request(request)
    name = company.logo.name or ""
    if not name:
        raise Http404("no logo")
    return file_download(
        company.logo,
        filename=name.rsplit("/", 1)[-1],
        content_type="image/png" if name.lower().endswith(".png") else "image/jpeg",
        as_attachment=False,
    )


@admin_required
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    form = CompanySettingsForm(request.POST, request.FILES, instance=company)
    if form.is_valid():
        services.company_settings_update(
            user=acting_user(request),
            company=company,
            data=form.cleaned_data,
        )
        messages.success(request, _("Settings saved."))
        return redirect("core:settings")
    company.refresh_from_db()
    context = {
        "form": form,
        "tokens": selectors.api_tokens_for_user(acting_user(request)),
        "members": selectors.members_of_company(company.pk),
        "token_form": ApiTokenForm(),
    }
    return render(request, "core/settings.html", context, status=400)


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        token = services.api_token_create(
            user=acting_user(request),
            name=form.cleaned_data["name"],
        )
        request.session["new_api_token"] = token
        messages.success(request, _("Token created: copy it now, it will not be shown again."))
    return redirect("core:settings")


@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_tokens_for_user(acting_user(request)).filter(pk=pk).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        try:
            services.api_token_revoke(user=acting_user(request), token_id=pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Token revoked."))
        return redirect("core:settings")
    return render(
        request,
        "includes/confirm_delete.html",
        {"object": token, "cancel_url": reverse("core:settings")},
    )
