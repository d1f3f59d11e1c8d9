"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from chantier.core.exceptions import DomainError, FieldErrors
from chantier.core.models import Company
from chantier.core.search import fold


def company_of_request(request: HttpRequest) -> Company:
    company = getattr(request, "company", None)
    if not isinstance(company, Company):
        raise Http404("no company")
    return company


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even empty, so the form shows what is missing), else None."""
    return request.POST if request.method == "POST" else None


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def add_service_error(form: forms.BaseForm, exc: DomainError | ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names when there is one."""
    if isinstance(exc, FieldErrors):
        for name, messages in exc.errors.items():
            form.add_error(name if name in form.fields else None, messages)
        return
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def save_form[T](form: forms.BaseForm, action: Callable[[dict[str, Any]], T]) -> T | None:
    """Validate `form`, then call the service `action` with its data.

    Returns the service's result, or None with the refusals added to the form.
    """
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        add_service_error(form, exc)
    return None


def file_download(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """Stream a stored file (already fetched through a company-scoped selector)."""
    try:
        handle = file.open("rb")
    except (OSError, ValueError):
        raise Http404("file missing") from None
    return FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )


def french_sort_key(text: str) -> str:
    """Accents and case ignored, as a French reader sorts ("Électricité" after "Cloisons")."""
    return fold(text)
