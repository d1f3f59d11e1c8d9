"""Category pages: list, create, edit, delete (subcategories are categories with a parent)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chantier.catalogue import selectors, services
from chantier.catalogue.forms import CategoryForm
from chantier.catalogue.models import Category
from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import InUse
from chantier.core.pagination import paginate
from chantier.core.web import company_of_request, posted, save_form


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    categories = selectors.category_list(company_of_request(request), q=request.GET.get("q", ""))
    # A company has tens of categories, sorted in Python (French order): a list pages as well.
    context = paginate(request, cast("QuerySet[Category]", categories))
    return render(request, "catalogue/category_list.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(posted(request), company=company_of_request(request))
    if request.method == "POST":
        user = acting_user(request)
        category = save_form(form, lambda data: services.category_create(user=user, **data))
        if category is not None:
            messages.success(request, _("Category %(name)s created.") % {"name": category})
            return redirect("catalogue:category_list")
    context = {"form": form, "title": _("New category")}
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/category_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    category = get_for_company(Category.objects.all(), user, pk)
    form = CategoryForm(posted(request), company=company_of_request(request), instance=category)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: services.category_update(user=user, category=category, **data)
        )
        if saved is not None:
            messages.success(request, _("Category saved."))
            return redirect("catalogue:category_list")
    context = {"form": form, "category": category, "title": _("Edit category")}
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/category_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_for_company(Category.objects.select_related("parent"), acting_user(request), pk)
    if request.method == "POST":
        try:
            services.category_delete(user=acting_user(request), category=category)
        except InUse as exc:
            refusal: str | None = exc.message
        else:
            messages.success(request, _("Category deleted."))
            return redirect("catalogue:category_list")
    else:
        refusal = deletion_refusal(category, selectors.describe_blockers)
    context = {
        "object": category,
        "refusal": refusal,
        "cancel_url": reverse("catalogue:category_list"),
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)
