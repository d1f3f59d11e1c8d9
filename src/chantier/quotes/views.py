"""Document-level quote pages: list, header, decisions, versions, import/export, saved texts.

The quote's content (chapters, lines, live totals) is the editor (`editor_views`), at
"quotes:detail"; its header includes `quotes/_actions.html` from here. Thin views:
parse, call one service or selector, render (DESIGN).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, file_download, posted
from chantier.parties.models import Client
from chantier.quotes import exporting, selectors, services
from chantier.quotes.forms import (
    AcceptForm,
    ImportForm,
    QuoteFilterForm,
    QuoteHeaderForm,
    RefuseForm,
    TermsTextForm,
)
from chantier.quotes.models import Quote, TermsText
from chantier.quotes.tender_model import ImportReport, ReportEntry

# The import report's messages (tender_model.MESSAGES, English msgids with named
# parameters), marked here so that makemessages finds them; a test keeps both equal.
REPORT_MESSAGES = {
    "summary_sheet": gettext_noop("summary sheet skipped"),
    "hidden_sheet": gettext_noop("hidden sheet skipped"),
    "empty_sheet": gettext_noop("empty sheet skipped"),
    "no_header_sheet": gettext_noop(
        "sheet skipped: no header row (N°, Désignation, U, Qté, PU, Montant)"
    ),
    "no_rows_sheet": gettext_noop("sheet skipped: a header but no rows"),
    "subtotal": gettext_noop('row skipped: subtotal or total ("%(text)s")'),
    "repeated_header": gettext_noop("row skipped: repeated header"),
    "no_designation": gettext_noop("row skipped: no designation"),
    "formula_no_value": gettext_noop(
        "the formula in %(cell)s has no computed value (open and save the file in "
        "Excel or LibreOffice): read as empty"
    ),
    "quantity_text": gettext_noop('quantity "%(text)s" is not a number: the line has no quantity'),
    "quantity_missing": gettext_noop("the line has no quantity"),
    "price_text": gettext_noop('unit price "%(text)s" is not a number: left empty'),
    "amount_text": gettext_noop('amount "%(text)s" is not a number: ignored'),
    "out_of_range": gettext_noop('the number "%(text)s" in %(cell)s is out of range: left empty'),
    "price_from_amount": gettext_noop(
        "no unit price: computed from the amount, %(amount)s / %(quantity)s = %(unit_price)s"
    ),
    "amount_mismatch": gettext_noop(
        "the amount %(amount)s differs from quantity × unit price = %(computed)s: "
        "the unit price is kept"
    ),
    "line_moved": gettext_noop(
        "line after a sub-chapter: placed before the sub-chapters of its chapter"
    ),
}
# The refusals of a whole file (tender_model.ERRORS), translated by services.quote_import.
FILE_ERRORS = {
    "empty_file": gettext_noop("The file is empty."),
    "xls": gettext_noop(
        "This is an old Excel .xls file (or a workbook protected by a password): "
        "save it as .xlsx and import it again."
    ),
    "ods": gettext_noop(
        "This is an OpenDocument .ods file: save it as Excel .xlsx and import it again."
    ),
    "pdf": gettext_noop(
        "This is a PDF file: a tender schedule can be imported from an Excel .xlsx file."
    ),
    "corrupted": gettext_noop("This .xlsx file is damaged and cannot be read."),
    "not_xlsx": gettext_noop("This file is not an Excel .xlsx spreadsheet."),
    "empty_workbook": gettext_noop("The workbook has no data."),
    "no_header": gettext_noop(
        "No header row found: the schedule needs a row naming its columns, with at least "
        "Désignation and two of N°, U, Qté, PU, Montant."
    ),
    "no_rows": gettext_noop("The schedule has a header but no rows to import."),
    "too_many_rows": gettext_noop("The file has more than %(max)s rows: split it."),
}
DECIDED = (Quote.Status.ACCEPTED, Quote.Status.CANCELLED)


# --- helpers --------------------------------------------------------------------------------


def _quote(request: HttpRequest, pk: int) -> Quote:
    return get_for_company(
        Quote.objects.select_related("client", "site", "company"), acting_user(request), pk
    )


def quote_url(pk: int) -> str:
    """The quote's page: its content, in the editor."""
    return reverse("quotes:detail", args=[pk])


def _contract_url(quote: Quote) -> str | None:
    """The page of the contract created by accepting `quote`, when the contracts app has one."""
    contract = getattr(quote, "contract", None)  # the reverse one-to-one: None when missing
    if contract is None:
        return None
    for name in ("contracts:detail", "contracts:contract_detail"):
        try:
            return reverse(name, args=[contract.pk])
        except NoReverseMatch:
            continue
    return None


def _refuse_to(request: HttpRequest, quote: Quote, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(quote_url(quote.pk))


def _lock_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["lock_version"])
    except (KeyError, ValueError):
        return None


def _confirm(
    request: HttpRequest,
    quote: Quote,
    *,
    title: str,
    explanation: str,
    button: str,
    form: Any = None,
    danger: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "quote": quote,
        "title": title,
        "explanation": explanation,
        "button": button,
        "form": form,
        "danger": danger,
        "cancel_url": quote_url(quote.pk),
    }
    return render(request, "quotes/confirm.html", context, status=status)


# --- list -----------------------------------------------------------------------------------


@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    filters = QuoteFilterForm(request.GET)
    context = paginate(request, selectors.quote_list(company, **filters.selection()))
    context.update(
        filters=filters,
        rows=[(quote, quote_url(quote.pk)) for quote in context["object_list"]],
    )
    return render(request, "quotes/list.html", context)


# --- create and edit the header -------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: QuoteHeaderForm, *, title: str, cancel_url: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "cancel_url": cancel_url, **extra}
    status = 400 if form.is_bound else 200
    return render(request, "quotes/form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    user, company = acting_user(request), company_of_request(request)
    client = _prefilled_client(request)
    defaults = services.new_quote(company, client=client or Client(company=company), user=user)
    initial = {
        name: getattr(defaults, name)
        for name in ("kind", "date", "validity_date", "header_text", "footer_text")
    }
    initial.update(payment_terms=defaults.payment_terms, down_payment_rate=0, client=client)
    form = QuoteHeaderForm(posted(request), company=company, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.quote_create(
                user=user, client=form.cleaned_data["client"], data=form.service_data()
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Quote created: add its chapters and lines."))
            return redirect(quote_url(quote.pk))
    return _form_page(
        request,
        form,
        title=_("New quote"),
        cancel_url=reverse("parties:client_detail", args=[client.pk])
        if client
        else reverse("quotes:list"),
    )


def _prefilled_client(request: HttpRequest) -> Client | None:
    """The client named by ?client=ID when it is one of the company's; else None."""
    try:
        pk = int(request.GET.get("client", ""))
    except ValueError:
        return None
    return Client.objects.filter(company=company_of_request(request), pk=pk).first()


@writer_required
@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = acting_user(request), company_of_request(request)
    quote = _quote(request, pk)
    if quote.superseded or quote.status in DECIDED:
        if quote.superseded:
            refusal = _("A newer version of this quote exists: edit that one.")
        else:
            refusal = _("A %(status)s quote cannot be changed.") % {
                "status": quote.get_status_display().lower()
            }
        messages.error(request, refusal)
        return redirect(quote_url(quote.pk))
    form = QuoteHeaderForm(posted(request), company=company, quote=quote)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.quote_update(
                user=user,
                quote=quote,
                data=form.service_data(),
                lock_version=form.cleaned_data.get("lock_version"),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            if saved.pk != quote.pk:
                messages.success(
                    request,
                    _("Version %(version)s created; the sent version is kept unchanged.")
                    % {"version": saved.version},
                )
            else:
                messages.success(request, _("Quote saved."))
            return redirect(quote_url(saved.pk))
    return _form_page(
        request,
        form,
        title=_("Edit the quote %(number)s") % {"number": quote.display_number},
        cancel_url=quote_url(quote.pk),
        quote=quote,
        creates_version=not quote.editable,
    )


# --- decisions and versions -----------------------------------------------------------------


@writer_required
@require_http_methods(["GET", "POST"])
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = AcceptForm(posted(request), initial={"name": quote.client.name})
    if request.method == "POST" and form.is_valid():
        try:
            accepted = services.quote_accept(
                user=acting_user(request), quote=quote, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            return _refuse_to(request, quote, exc)
        contract_url = _contract_url(accepted)
        if contract_url:
            messages.success(request, _("Quote accepted: its contract was created."))
            return redirect(contract_url)
        messages.success(request, _("Quote accepted."))
        return redirect(quote_url(accepted.pk))
    return _confirm(
        request,
        quote,
        title=_("Mark the quote %(number)s as accepted") % {"number": quote.display_number},
        explanation=_(
            "Record that the client accepted this quote (signed “Bon pour accord”). "
            "The contract is created from it; the quote can no longer be changed."
        ),
        button=_("Mark as accepted"),
        form=form,
        status=400 if form.is_bound else 200,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def quote_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = RefuseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_refuse(
                user=acting_user(request), quote=quote, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            return _refuse_to(request, quote, exc)
        messages.success(request, _("Quote marked as refused."))
        return redirect(quote_url(quote.pk))
    return _confirm(
        request,
        quote,
        title=_("Mark the quote %(number)s as refused") % {"number": quote.display_number},
        explanation=_(
            "Record that the client refused this quote. It is kept; a new version can "
            "still be made from it."
        ),
        button=_("Mark as refused"),
        form=form,
        danger=True,
    )


@writer_required
@require_http_methods(["GET", "POST"])
def quote_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    if request.method == "POST":
        try:
            services.quote_cancel(user=acting_user(request), quote=quote)
        except DomainError as exc:
            return _refuse_to(request, quote, exc)
        messages.success(request, _("Quote cancelled."))
        return redirect(quote_url(quote.pk))
    return _confirm(
        request,
        quote,
        title=_("Cancel the quote %(number)s?") % {"number": quote.display_number},
        explanation=_(
            "A cancelled quote is kept for the record but can no longer be sent, "
            "accepted or changed."
        ),
        button=_("Yes, cancel the quote"),
        danger=True,
    )


@writer_required
@require_POST
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        version = services.quote_revise(
            user=acting_user(request), quote=quote, lock_version=_lock_version(request)
        )
    except DomainError as exc:
        return _refuse_to(request, quote, exc)
    messages.success(
        request,
        _("Version %(version)s created; the sent version is kept unchanged.")
        % {"version": version.version},
    )
    return redirect(quote_url(version.pk))


@writer_required
@require_POST
def quote_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        copy = services.quote_duplicate(user=acting_user(request), quote=quote)
    except DomainError as exc:
        return _refuse_to(request, quote, exc)
    messages.success(
        request,
        _("Alternative created from %(number)s.") % {"number": quote.display_number},
    )
    return redirect(quote_url(copy.pk))


@writer_required
@require_http_methods(["GET", "POST"])
def quote_delete(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    refusal: str | None = None
    if request.method == "POST":
        try:
            services.quote_delete(user=acting_user(request), quote=quote)
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(
                request, _("Quote %(number)s deleted.") % {"number": quote.display_number}
            )
            return redirect("quotes:list")
    elif quote.status != Quote.Status.DRAFT or quote.number:
        refusal = _("A quote that was sent is kept: cancel it instead.")
    context = {"object": quote, "refusal": refusal, "cancel_url": quote_url(quote.pk)}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "includes/confirm_delete.html", context, status=status)


# --- import and export ----------------------------------------------------------------------


def report_text(entry: ReportEntry) -> str:
    """A report entry in the reader's language (its msgid is tender_model.MESSAGES[code])."""
    return _(REPORT_MESSAGES[entry.code]) % dict(entry.params)


def _report_rows(entries: list[ReportEntry]) -> list[dict[str, Any]]:
    return [{"sheet": e.sheet, "row": e.row, "text": report_text(e)} for e in entries]


@writer_required
@require_http_methods(["GET", "POST"])
def quote_import(request: HttpRequest) -> HttpResponse:
    company = company_of_request(request)
    files = request.FILES if request.method == "POST" else None
    client = _prefilled_client(request)
    form = ImportForm(posted(request), files, company=company, initial={"client": client})
    if request.method == "POST" and form.is_valid():
        try:
            quote, report, unquantified = services.quote_import(
                user=acting_user(request),
                client=form.cleaned_data["client"],
                content=form.cleaned_data["file"].read(),
                data=form.service_data(),
            )
        except DomainError as exc:  # nothing was created
            add_service_error(form, exc)
        else:
            return _import_report(request, quote, report, unquantified)
    status = 400 if request.method == "POST" else 200
    return render(request, "quotes/import.html", {"form": form}, status=status)


def _import_report(
    request: HttpRequest, quote: Quote, report: ImportReport, unquantified: int
) -> HttpResponse:
    context = {
        "quote": quote,
        "quote_url": quote_url(quote.pk),
        "sheets": report.sheets,
        "skipped": _report_rows(report.skipped),
        "warnings": _report_rows(report.warnings),
        "unquantified": unquantified,
    }
    return render(request, "quotes/import_report.html", context)


@require_GET
def quote_export(request: HttpRequest, pk: int) -> FileResponse:
    quote = _quote(request, pk)
    content = exporting.export_quote(quote, sheet_per_lot=request.GET.get("lots") == "1")
    return file_download(
        cast(Any, ContentFile(content)),  # bytes made here, not a stored file
        filename=exporting.export_filename(quote),
        content_type=exporting.XLSX,
    )


# --- saved terms-and-conditions texts -------------------------------------------------------


@require_GET
def terms_list(request: HttpRequest) -> HttpResponse:
    texts = selectors.terms_text_list(company_of_request(request))
    return render(request, "quotes/terms_list.html", {"texts": texts})


def _terms(request: HttpRequest, pk: int) -> TermsText:
    return get_for_company(TermsText.objects.all(), acting_user(request), pk)


def _terms_form(request: HttpRequest, *, terms: TermsText | None, title: str) -> HttpResponse:
    user = acting_user(request)
    form = TermsTextForm(posted(request), terms=terms)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.terms_text_save(user=user, terms=terms, **form.cleaned_data)
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Text “%(title)s” saved.") % {"title": saved.title})
            return redirect("quotes:terms_list")
    context = {"form": form, "title": title, "cancel_url": reverse("quotes:terms_list")}
    status = 400 if form.is_bound else 200
    return render(request, "quotes/terms_form.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def terms_create(request: HttpRequest) -> HttpResponse:
    return _terms_form(request, terms=None, title=_("New terms and conditions text"))


@writer_required
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    terms = _terms(request, pk)
    title = _("Edit the text “%(title)s”") % {"title": terms.title}
    return _terms_form(request, terms=terms, title=title)


@writer_required
@require_http_methods(["GET", "POST"])
def terms_delete(request: HttpRequest, pk: int) -> HttpResponse:
    terms = _terms(request, pk)
    if request.method == "POST":
        services.terms_text_delete(user=acting_user(request), terms=terms)
        messages.success(request, _("Text “%(title)s” deleted.") % {"title": terms.title})
        return redirect("quotes:terms_list")
    context = {"object": terms, "cancel_url": reverse("quotes:terms_list")}
    return render(request, "includes/confirm_delete.html", context)
