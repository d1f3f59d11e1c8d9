"""The one PDF rendering service: Django template → HTML → WeasyPrint → PDF/A-3b bytes.

Every printed document (price list, quote, invoice…) is a template extending
`documents/base_document.html`, which gives the letterhead, the running footer with
the seller's legal identity (french-rules §6.1) and the "n / N" page counter.

Speed matters: a 5,000-line quote must render in ≤ 15 s and ≤ 500 MB. Besides the
lean print stylesheet (documents/print.css), three measured changes apply here (the
third, the frame-stack room, is explained at _ROOM_SLOTS):

* WeasyPrint's user-agent stylesheet has rules on universal pseudo-elements
  (`::marker`, `::footnote-call`, `::note-*`). Each matches *every* element, so each
  cell of a long table gets ~6 extra pseudo-element styles computed. Keeping those
  rules for `li` only (documents use no footnotes) took 5,000 rows from 13.4 s and
  553 MB to 10.4 s and 327 MB.
* Python's cyclic GC rescans the growing box tree again and again during layout,
  though layout makes almost no cyclic garbage: automatic collection is paused
  while rendering (5,000 rows: 12.9 s → 11.4 s CPU, peak memory +10 MB), the
  template included. The document is dropped before the pause ends: if no box is in
  a reference cycle it is freed at once, otherwise the first collection after the
  pause scans it all (5,000 rows: ~0.5 s, and its memory is kept until a full
  collection). A `<colgroup>` makes such a cycle on every page (WeasyPrint gives each
  column box a closure over its table): long tables set their column widths on the
  header cells instead (see quotes/pdf/quote.html).
"""

from __future__ import annotations

import base64
import gc
import logging
import mimetypes
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import tinycss2
import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint.css.counters import CounterStyle

from chantier.core.formatting import address_lines, euros
from chantier.core.models import Company, LegalForm

logger = logging.getLogger(__name__)

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b"}
LOGO_MAX_BYTES = 1_000_000
LOGO_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})

# on_progress(step, done, total): step is "html" (template rendered), "layout" (page
# `done` of about `total` being laid out) or "laid_out" (all `total` pages laid out).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def render_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    company: Company,
    title: str,
    lang: str = "fr",
) -> bytes:
    """Render `template_name` (extending documents/base_document.html) to PDF/A-3b bytes."""
    return build_pdf(
        template_name=template_name, context=context, company=company, title=title, lang=lang
    ).content


def build_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    company: Company,
    title: str,
    lang: str = "fr",
    on_progress: ProgressCallback | None = None,
    expected_pages: int = 1,
) -> RenderedPdf:
    """Like render_pdf, also giving the page count and reporting progress while it works.

    Layout and writing are separate WeasyPrint calls, so a caller (the render job)
    can show "laid out" before the PDF is written; a post-processor such as the
    Factur-X embedding runs on the returned bytes.
    """
    return _with_frame_stack_room(
        lambda: _build_pdf(
            template_name=template_name,
            context=context,
            company=company,
            title=title,
            lang=lang,
            on_progress=on_progress,
            expected_pages=expected_pages,
        )
    )


def _build_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    company: Company,
    title: str,
    lang: str,
    on_progress: ProgressCallback | None,
    expected_pages: int,
) -> RenderedPdf:
    notify = on_progress or _ignore_progress
    pages_hook = (
        _layout_progress(lambda page: notify("layout", page, max(expected_pages, page)))
        if on_progress
        else nullcontext()
    )
    with _no_gc_pauses():
        html = render_html(
            template_name=template_name, context=context, company=company, title=title, lang=lang
        )
        notify("html", 1, 1)
        with pages_hook:
            source = _LeanHTML(string=html, url_fetcher=_url_fetcher())
            document = source.render(**PDF_OPTIONS)
            page_count = len(document.pages)
            notify("laid_out", page_count, page_count)
            content = document.write_pdf(**PDF_OPTIONS)
        # Freed now by reference counting, while the collector is still paused: when
        # no page holds a reference cycle, the first collection after the pause has
        # only the parser's leftovers to scan, not the whole laid-out document.
        del document, source, html
    return RenderedPdf(content=content, page_count=page_count)


def render_html(
    *,
    template_name: str,
    context: Mapping[str, Any],
    company: Company,
    title: str,
    lang: str = "fr",
) -> str:
    """The HTML given to WeasyPrint, in `lang` (French number and date formats for fr)."""
    with translation.override(lang):
        base = document_context(company=company, title=title, lang=lang)
        return render_to_string(template_name, {**base, **context})


def document_context(*, company: Company, title: str, lang: str) -> dict[str, Any]:
    """What base_document.html needs: letterhead, legal identity, metadata."""
    return {
        "company": company,
        "title": title,
        "lang": lang,
        "generated_at": timezone.localtime(),
        "logo_src": logo_data_uri(company),
        "address_lines": address_lines(company),
        "contact_line": " · ".join(v for v in (company.phone, company.email) if v),
        "legal_lines": legal_identity(company),
    }


def legal_identity(company: Company) -> list[str]:
    """The seller's mandatory mentions (french-rules §6.1), one footer line each.

    Name, legal form and share capital, SIREN/SIRET, RCS, VAT number; registered
    office and bank details; the décennale insurance (loi Pinel, §6.1 "BTP");
    then the company's own footer text.
    """
    first = [company.name]
    if company.legal_form and company.legal_form != LegalForm.OTHER:
        if company.share_capital is not None and company.legal_form != LegalForm.EI:
            first.append(
                _("%(form)s with a share capital of %(capital)s")
                % {"form": company.legal_form, "capital": euros(company.share_capital)}
            )
        else:
            first.append(company.legal_form)
    if company.siren:
        first.append(_("SIREN %(siren)s") % {"siren": _grouped(company.siren, 3)})
    if company.siret:
        siret = f"{_grouped(company.siret[:9], 3)} {company.siret[9:]}"
        first.append(_("SIRET %(siret)s") % {"siret": siret})
    if company.rcs:
        rcs = company.rcs.strip()
        first.append(rcs if rcs.upper().startswith(("RCS", "RM")) else f"RCS {rcs}")
    if company.vat_number:
        first.append(_("VAT number %(vat)s") % {"vat": company.vat_number})
    second = []
    if address := ", ".join(address_lines(company)):
        second.append(_("Registered office: %(address)s") % {"address": address})
    if company.iban:
        bank = _("IBAN %(iban)s") % {"iban": _grouped(company.iban.replace(" ", ""), 4)}
        second.append(f"{bank} · BIC {company.bic}" if company.bic else bank)
    lines = [" – ".join(first), " – ".join(second)]
    lines += [company.insurance_text.strip(), company.footer_text.strip()]
    return [line for line in lines if line]


def logo_data_uri(company: Company) -> str:
    """The logo inlined as a data: URI, so any storage backend works and WeasyPrint
    never fetches a URL (the fetcher refuses everything but data:)."""
    name = company.logo.name or ""
    mime = mimetypes.guess_type(name)[0] or ""
    if not name or mime not in LOGO_TYPES:
        return ""
    try:
        with company.logo.storage.open(name, "rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        logger.warning("logo of company %s is unreadable", company.pk)
        return ""
    if len(data) > LOGO_MAX_BYTES:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _grouped(text: str, size: int) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _ignore_progress(step: str, done: int, total: int) -> None:
    return None


def _url_fetcher() -> weasyprint.URLFetcher:
    # Templates only embed data: URIs; refusing every other scheme means that no
    # text typed by a user can make the renderer read a local file or call a URL.
    return weasyprint.URLFetcher(allowed_protocols={"data"}, ssl_context=_ssl_context())


@cache
def _ssl_context() -> Any:
    import ssl

    return ssl.create_default_context()  # built once: WeasyPrint would build one per render


@cache
def _lean_user_agent_stylesheet() -> weasyprint.CSS:
    """WeasyPrint's own HTML user-agent stylesheet, minus the universal pseudo-elements."""
    source = (files("weasyprint.css") / "html5_ua.css").read_text("utf-8")
    kept = []
    for rule in tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            kept.append(rule.serialize())
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if prelude.startswith("::marker"):
            prelude = "li" + prelude
        elif prelude.startswith("::"):
            continue
        kept.append(f"{prelude} {{{tinycss2.serialize(rule.content)}}}")
    return weasyprint.CSS(string="\n".join(kept), counter_style=CounterStyle())


class _LeanHTML(weasyprint.HTML):  # type: ignore[misc]  # weasyprint has no type hints
    # WeasyPrint 70 asks the HTML object for its user-agent stylesheets; if a later
    # version stops calling this, rendering stays correct, only slower (a test checks it).
    def _ua_stylesheets(self, forms: bool = False) -> list[weasyprint.CSS]:
        return [_lean_user_agent_stylesheet()]


# CPython 3.11-3.13 keeps Python frames in a stack of 16 KiB chunks and frees a chunk
# as soon as the frame that opened it returns (CPython gh-142183; fixed upstream in
# 2026 by caching one chunk, not in the 3.13.0 this project runs). Layout recurses cell by cell at
# a nearly constant depth: when a chunk boundary falls there, every cell maps and
# unmaps a chunk, i.e. page faults. It depends on the caller's depth, so the same
# render took 13.5 s from the render job and 11.7 s when called directly, with
# 130,000-200,000 page faults and 1.3 s of system time in the slow case. Calling
# through a function with a very large frame puts the render at the start of a
# fresh 256 KiB chunk with ~128 KiB (16,000 frame slots) of room, far more than
# rendering uses, so no chunk boundary is crossed.
_ROOM_SLOTS = 16_384  # its frame needs a 256 KiB chunk and fills about half of it


@cache
def _roomy_caller() -> Callable[[Callable[[], Any]], Any]:
    # The unreachable assignment only declares locals: they size the frame.
    names = " = ".join(f"_{i}" for i in range(_ROOM_SLOTS))
    source = f"def call(function):\n    return function()\n    {names} = None\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<rendering: frame stack room>", "exec"), namespace)
    return namespace["call"]  # type: ignore[no-any-return]


def _with_frame_stack_room[T](function: Callable[[], T]) -> T:
    return _roomy_caller()(function)  # type: ignore[no-any-return]


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# WeasyPrint logs "Step 5 - Creating layout - Page N" on its progress logger for each
# page; a handler turns that into page-by-page progress for the thread that renders.
_progress = threading.local()
_hook_lock = threading.Lock()
_hook_installed = False


class _LayoutProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        report = getattr(_progress, "report", None)
        if report is None or not str(record.msg).startswith("Step 5 - Creating layout - Page"):
            return
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], int):
            report(record.args[0])


@contextmanager
def _layout_progress(report: Callable[[int], None]) -> Iterator[None]:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            progress_logger = logging.getLogger("weasyprint.progress")
            progress_logger.addHandler(_LayoutProgressHandler())
            progress_logger.setLevel(logging.INFO)
            progress_logger.propagate = False  # page-by-page lines stay out of the logs
            _hook_installed = True
    _progress.report = report
    try:
        yield
    finally:
        _progress.report = None
