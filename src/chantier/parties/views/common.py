"""Helpers shared by the parties pages: service errors onto forms, delete confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from chantier.core.exceptions import DomainError, InUse
from chantier.core.models import Company
from chantier.parties.selectors import deletion_refusal


def save_form[T](form: forms.BaseForm, action: Callable[[dict[str, Any]], T]) -> T | None:
    """Validate `form`, then call the service `action` with its data.

    Returns the service's result, or None with the service's refusals added to
    the form next to the field they name.
    """
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None


def render_form(
    request: HttpRequest, form: forms.BaseForm, *, title: str, cancel_url: str
) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "parties/form.html", context, status=status)


def confirm_delete(
    request: HttpRequest,
    obj: Model,
    *,
    delete: Callable[[], None],
    cancel_url: str,
    done_url: str,
    done_message: str,
) -> HttpResponse:
    """GET asks (or explains why it is refused); POST deletes through the service."""
    context: dict[str, Any] = {"object": obj, "cancel_url": cancel_url}
    if request.method == "POST":
        try:
            delete()
        except InUse as exc:
            context["refusal"] = exc.message
            return render(request, "includes/confirm_delete.html", context, status=409)
        messages.success(request, done_message)
        return redirect(done_url)
    context["refusal"] = deletion_refusal(obj)
    return render(request, "includes/confirm_delete.html", context)


def company_of_request(request: HttpRequest) -> Company:
    company = getattr(request, "company", None)
    if company is None:
        raise Http404("no company")
    return company  # type: ignore[no-any-return]


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even empty, so the form shows what is missing), else None."""
    return request.POST if request.method == "POST" else None
