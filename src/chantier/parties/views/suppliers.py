"""Supplier and subcontractor pages: list (filtered by kind), detail, create, edit, delete."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chantier.core.access import acting_user, writer_required
from chantier.core.pagination import paginate
from chantier.core.web import company_of_request, posted
from chantier.parties import selectors, services
from chantier.parties.forms import SupplierForm
from chantier.parties.models import Supplier
from chantier.parties.views.common import (
    confirm_delete,
    render_form,
    save_form,
)


class KindFilter(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Suppliers and subcontractors")), *Supplier.Kind.choices],
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Kind")}),
    )


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Supplier.Kind.values else ""


def supplier_list(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    queryset = selectors.supplier_list(
        company_of_request(request), kind=kind, q=request.GET.get("q", "")
    )
    context = {
        **paginate(request, queryset),
        "kind": kind,
        "kind_filter": KindFilter(initial={"kind": kind}),
    }
    return render(request, "parties/supplier_list.html", context)


def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = selectors.supplier_detail_for_user(acting_user(request), pk)
    return render(request, "parties/supplier_detail.html", {"supplier": supplier})


@writer_required
@require_http_methods(["GET", "POST"])
def supplier_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    kind = _kind(request) or Supplier.Kind.SUPPLIER
    form = SupplierForm(posted(request), initial={"kind": kind})
    if request.method == "POST":
        supplier = save_form(form, lambda data: services.supplier_create(user=user, **data))
        if supplier is not None:
            messages.success(request, _("%(name)s created.") % {"name": supplier.name})
            return redirect("parties:supplier_detail", pk=supplier.pk)
    title = _("New subcontractor") if kind == Supplier.Kind.SUBCONTRACTOR else _("New supplier")
    cancel_url = reverse("parties:supplier_list") + f"?kind={kind}"
    return render_form(request, form, title=title, cancel_url=cancel_url)


@writer_required
@require_http_methods(["GET", "POST"])
def supplier_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    supplier = selectors.get_supplier_for_user(user, pk)
    name = supplier.name  # the form changes the instance as it validates
    form = SupplierForm(posted(request), instance=supplier)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: services.supplier_update(user=user, supplier=supplier, **data)
        )
        if saved is not None:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("parties:supplier_detail", pk=saved.pk)
    return render_form(
        request,
        form,
        title=_("Edit %(name)s") % {"name": name},
        cancel_url=reverse("parties:supplier_detail", args=[supplier.pk]),
    )


@writer_required
@require_http_methods(["GET", "POST"])
def supplier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    supplier = selectors.get_supplier_for_user(user, pk)
    return confirm_delete(
        request,
        supplier,
        delete=lambda: services.supplier_delete(user=user, supplier=supplier),
        cancel_url=reverse("parties:supplier_detail", args=[supplier.pk]),
        done_url=reverse("parties:supplier_list") + f"?kind={supplier.kind}",
        done_message=_("%(name)s deleted.") % {"name": supplier.name},
    )
