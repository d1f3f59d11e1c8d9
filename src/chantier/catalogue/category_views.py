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
from chantier.catalogue.views import company_of, writer_page
from chantier.core.access import acting_user, get_for_company
from chantier.core.exceptions import DomainError, InUse
from chantier.core.pagination import paginate


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    categories = selectors.category_list(company_of(request), q=request.GET.get("q", ""))
    # A company has tens of categories, sorted in Python (French order): a list pages as well.
    context = paginate(request, cast("QuerySet[Category]", categories))
    return render(request, "catalogue/category_list.html", context)


@writer_page
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None, company=company_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(user=acting_user(request), **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Category %(name)s created.") % {"name": category})
            return redirect("catalogue:category_list")
    context = {"form": form, "title": _("New category")}
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/category_form.html", context, status=status)


@writer_page
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_for_company(Category.objects.all(), acting_user(request), pk)
    form = CategoryForm(request.POST or None, company=company_of(request), instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                user=acting_user(request), category=category, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("catalogue:category_list")
    context = {"form": form, "category": category, "title": _("Edit category")}
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/category_form.html", context, status=status)


@writer_page
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
        refusal = selectors.delete_refusal(category)
    context = {
        "object": category,
        "refusal": refusal,
        "cancel_url": reverse("catalogue:category_list"),
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)
