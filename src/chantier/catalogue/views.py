"""Catalogue pages: items, their components, import and export. Thin: parse, call, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.catalogue import exporting, selectors, services
from chantier.catalogue.filters import ItemFilterForm
from chantier.catalogue.forms import ComponentForm, ImportForm, ItemForm, QuantityForm
from chantier.catalogue.importing import import_items
from chantier.catalogue.models import Item, ItemComponent
from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import DomainError, InUse
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, is_htmx, posted, save_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _item(request: HttpRequest, pk: int) -> Item:
    return get_for_company(
        Item.objects.select_related("category__parent", "supplier"), acting_user(request), pk
    )


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    filters = ItemFilterForm(request.GET, company=company)
    items = selectors.item_list(company, **filters.selection())
    context = paginate(request, items)
    page = list(context["object_list"])
    costs = selectors.direct_costs(company, page)
    context.update(filters=filters, rows=[(item, costs[item.pk]) for item in page])
    return render(request, "catalogue/item_list.html", context)


@require_GET
def item_export(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    filters = ItemFilterForm(request.GET, company=company)
    items = selectors.item_list(company, **filters.selection()).order_by("reference", "pk")
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exporting.export_xlsx(items.iterator(2000)), content_type=XLSX)
        name = f"catalogue-{stamp}.xlsx"
    else:
        response = HttpResponse(
            exporting.export_csv(items.iterator(2000)), content_type="text/csv; charset=utf-8"
        )
        name = f"catalogue-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return render(request, "catalogue/item_detail.html", _detail_context(request, item))


def _detail_context(
    request: HttpRequest, item: Item, form: ComponentForm | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "item": item,
        "detail": selectors.item_detail(company_of_request(request), item),
        "composite": item.structure != Item.Structure.SIMPLE,
    }
    membership = getattr(request, "membership", None)
    if context["composite"] and membership and membership.can_write:
        context["component_form"] = form or ComponentForm(item=item)
    return context


@writer_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(posted(request), company=company_of_request(request))
    if request.method == "POST":
        user = acting_user(request)
        item = save_form(
            form,
            lambda data: services.item_create(user=user, data=cast(services.ItemData, data)),
        )
        if item is not None:
            messages.success(request, _("Item %(ref)s created.") % {"ref": item.reference})
            return redirect("catalogue:item_detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": _("New item")}
    return render(request, "catalogue/item_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ItemForm(posted(request), company=company_of_request(request), instance=item)
    if request.method == "POST":
        user = acting_user(request)
        saved = save_form(form, lambda data: services.item_update(user=user, item=item, data=data))
        if saved is not None:
            messages.success(request, _("Item %(ref)s saved.") % {"ref": saved.reference})
            return redirect("catalogue:item_detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "item": item, "title": _("Edit %(ref)s") % {"ref": item.reference}}
    return render(request, "catalogue/item_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if request.method == "POST":
        try:
            services.item_delete(user=acting_user(request), item=item)
        except InUse as exc:
            refusal: str | None = exc.message
        else:
            messages.success(request, _("Item %(ref)s deleted.") % {"ref": item.reference})
            return redirect("catalogue:item_list")
    else:
        refusal = deletion_refusal(item, selectors.describe_blockers)
    context = {"object": item, "refusal": refusal, "cancel_url": _detail_url(item.pk)}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


def _detail_url(pk: int) -> str:
    return reverse("catalogue:item_detail", kwargs={"pk": pk})


@require_GET
def component_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The <option>s of the component field's datalist: at most 20 items matching what
    is typed (`component`, the field's own value, as htmx sends it)."""
    item = _item(request, pk)
    query = request.GET.get("component", request.GET.get("q", ""))
    context = {"choices": selectors.component_search(item, query)}
    return render(request, "catalogue/component_choices.html", context)


@writer_required
@require_POST
def component_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ComponentForm(request.POST, item=item)
    user = acting_user(request)
    added = save_form(
        form,
        lambda data: services.component_add(
            user=user, parent=item, component=data["component"], quantity=data["quantity"]
        ),
    )
    if added is not None:
        return _components_changed(request, item, _("Component added."))
    return _components_refused(request, item, form)


@writer_required
@require_POST
def component_update(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_company(ItemComponent.objects.all(), acting_user(request), pk)
    item = _item(request, row.parent_id)
    form = QuantityForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(" ".join(str(e) for e in form.errors["quantity"]), field="quantity")
        services.component_update(
            user=acting_user(request), component=row, quantity=form.cleaned_data["quantity"]
        )
    except DomainError as exc:
        return _components_refused(request, item, None, exc.message)
    return _components_changed(request, item, _("Quantity changed."))


@writer_required
@require_POST
def component_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_company(ItemComponent.objects.all(), acting_user(request), pk)
    item = _item(request, row.parent_id)
    services.component_remove(user=acting_user(request), component=row)
    return _components_changed(request, item, _("Component removed."))


def _components_changed(request: HttpRequest, item: Item, message: str) -> HttpResponse:
    if is_htmx(request):
        context = {**_detail_context(request, item), "notice": message}
        return render(request, "catalogue/item_detail.html#components", context)
    messages.success(request, message)
    return redirect("catalogue:item_detail", pk=item.pk)


def _components_refused(
    request: HttpRequest, item: Item, form: ComponentForm | None, error: str = ""
) -> HttpResponse:
    context = {**_detail_context(request, item, form), "component_error": error}
    if is_htmx(request):  # htmx swaps 200 answers only: the errors show in the section
        return render(request, "catalogue/item_detail.html#components", context)
    return render(request, "catalogue/item_detail.html", context, status=400)


@writer_required
@require_http_methods(["GET", "POST"])
def item_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = import_items(
                user=acting_user(request), content=form.cleaned_data["file"].read()
            )
        except DomainError as exc:  # SpreadsheetError included: nothing was imported
            add_service_error(form, exc)
        else:
            return render(request, "catalogue/import_report.html", {"report": report})
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/item_import.html", {"form": form}, status=status)
