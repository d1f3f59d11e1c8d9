"""Which documents can be rendered: kind → how to build its data, its template, its size.

Each app that prints something registers a DocumentKind from its AppConfig.ready(),
e.g. quotes::

    register(DocumentKind(key="quote", label=_("Quote"), template_name="quotes/pdf/quote.html",
                          build_context=quote_context, estimate_rows=quote_line_count,
                          title=quote_title, clean_params=quote_params))

and starts it with documents.services.render_job_start(user=..., kind="quote",
params={"quote": pk}). Invoices add `finish` to embed their Factur-X XML in the PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from chantier.core.exceptions import DomainError
from chantier.core.models import Company

Params = Mapping[str, Any]


def no_params(params: Params) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str | Promise
    template_name: str
    # The template's context, read through company-scoped selectors. Runs in the worker
    # for large documents, so it must take everything it needs from (company, params).
    build_context: Callable[[Company, Params], dict[str, Any]]
    # Table rows the document will have: decides inline vs worker, and the page estimate.
    estimate_rows: Callable[[Company, Params], int]
    title: Callable[[Company, Params], str]
    # Validates and normalises the params (JSON-serialisable); raises DomainError.
    clean_params: Callable[[Params], dict[str, Any]] = no_params
    # Post-processing of the PDF bytes, e.g. Factur-X embedding for invoices.
    finish: Callable[[bytes, Company, Params], bytes] | None = None
    rows_per_page: int = 48


_kinds: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    if kind.key in _kinds and _kinds[kind.key] != kind:
        raise ValueError(f"document kind {kind.key!r} is already registered")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def get_kind(key: str) -> DocumentKind:
    try:
        return _kinds[key]
    except KeyError:
        raise DomainError(_("Unknown document type %(kind)s.") % {"kind": key}) from None


def kinds() -> list[DocumentKind]:
    return list(_kinds.values())
