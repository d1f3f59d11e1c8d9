"""Helpers shared by the parties pages: the form page and the delete confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from chantier.core import web
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import InUse

save_form = web.save_form


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
