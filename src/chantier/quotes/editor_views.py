"""The quote editor ("quotes:detail"): chapters, lines, live totals, filter, quick entry.

Thin views: parse, call one service of `line_services` or a selector, render. Every
POST carries the `lock_version` the page was loaded with: a stale one is refused with
a message and nothing changes (DESIGN "Concurrent edits"). Every form works without
JavaScript (POST, then a redirect); with htmx, a line edited inline comes back as its
row with out-of-band swaps of the totals panel, of its chapters' subtotals and of the
page's lock version, and the add forms swap the editor in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError, StaleEdit
from chantier.core.web import add_service_error, company_of_request, is_htmx
from chantier.quotes import line_services, pricing, selectors, services
from chantier.quotes.editor_forms import (
    ChapterForm,
    ChapterMoveForm,
    ChapterRenameForm,
    FilterForm,
    LineForm,
    LineMoveForm,
    NewLineForm,
    PricingForm,
)
from chantier.quotes.models import Chapter, Quote, QuoteLine

# The engine's refusals (engine_lines, pricing: Django-free English texts) are translated
# by line_services when a page or the API shows them; marked here for makemessages.
ENGINE_REFUSALS = (
    gettext_noop("The quantity must be greater than zero."),
    gettext_noop("The unit price cannot be negative."),
    gettext_noop("A discount line must lower the total."),
    gettext_noop("A discount line takes an entered price."),
    gettext_noop("A direct cost cannot be negative."),
    gettext_noop("A coefficient must be greater than zero."),
    gettext_noop("A rate cannot be negative."),
    gettext_noop("Overheads and profit together must stay under 100 % of the sale price."),
    gettext_noop("Give at least one multiplier."),
    gettext_noop("Write the multipliers as numbers separated by spaces, e.g. 1.10 1.15 1.05."),
    gettext_noop("A finite decimal number is required."),
)
PAGE = "quotes/editor/detail.html"
STATE_KEYS = ("q", "chapter", "kind", "optional", "costs", "page")
# Columns of the lines table: the base ones, the cost ones ("Show the costs"), actions.
BASE_COLUMNS = 7
COST_COLUMNS = 7


def editor_labels() -> dict[str, str]:
    """Texts repeated on every row, translated once per page rather than once per row."""
    return {
        "edit_line": _("Edit the line"),
        "line_up": _("Move the line up"),
        "line_down": _("Move the line down"),
        "option": _("Option"),
        "not_counted": _("not counted in the total"),
        "discount": _("Discount"),
        "from_cost": _("priced from cost"),
        "per_unit": _("per unit"),
        "continued": _("(continued)"),
        "add_line_here": _("Add a line to the chapter"),
        "chapter_up": _("Move the chapter up"),
        "chapter_down": _("Move the chapter down"),
        "chapter_edit": _("Rename or move the chapter"),
        "chapter_delete": _("Delete the chapter"),
    }


def _lock_version(request: HttpRequest) -> int:
    """The version the page was loaded with; a post without one is refused as stale."""
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return 0  # versions start at 1: never current


def _state(params: QueryDict) -> QueryDict:
    """The page's state in a query string: filter, cost columns, page number."""
    state = QueryDict(mutable=True)
    for key in STATE_KEYS:
        value = params.get(key)
        if value:
            state[key] = value
    return state


def _detail_url(quote_pk: int, params: QueryDict | dict[str, Any] | None = None) -> str:
    url = reverse("quotes:detail", args=[quote_pk])
    if isinstance(params, QueryDict):
        encoded = params.urlencode()
    else:
        encoded = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return f"{url}?{encoded}" if encoded else url


def _can_edit(request: HttpRequest, quote: Quote) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can_write and quote.editable)


def _columns(costs: bool, can_edit: bool) -> int:
    return BASE_COLUMNS + (COST_COLUMNS if costs else 0) + (1 if can_edit else 0)


def _page_context(
    request: HttpRequest,
    quote: Quote,
    *,
    params: QueryDict,
    new_line_form: NewLineForm | None = None,
    chapter_form: ChapterForm | None = None,
    pricing_form: PricingForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    company = company_of_request(request)
    chapters = selectors.quote_chapters(quote)
    filters = FilterForm(params, chapters=chapters)
    page = selectors.editor_page(
        quote,
        chapters=chapters,
        line_filter=filters.selection(),
        page=params.get("page", 1),
        page_size=selectors.EDITOR_PAGE_SIZE,
    )
    can_edit = _can_edit(request, quote)
    by_id = {str(chapter.pk): chapter for chapter in chapters}
    into = by_id.get(params.get("into", ""), chapters[-1] if chapters else None)
    under = by_id.get(params.get("under", ""))
    filter_qs = filters.querystring()
    state = _state(params)
    state["page"] = str(page.number)
    context: dict[str, Any] = {
        "quote": quote,
        "page": page,
        "rows": page.rows,
        "totals": page.totals,
        "chapters": chapters,
        "filters": filters,
        "filtered": page.totals.filtered,
        "costs": filters.show_costs,
        "filter_qs": filter_qs,
        "state_qs": state.urlencode(),
        "can_edit": can_edit,
        "columns": _columns(filters.show_costs, can_edit),
        "focus_entry": bool(params.get("entry")),
        "revisable": quote.status in services.REVISABLE and not quote.superseded,
        "prefixes": company,
        "labels": editor_labels(),
        **extra,
    }
    if quote.superseded:
        context["latest"] = selectors.quote_versions(quote)[-1]
    if can_edit:
        if new_line_form is None:
            new_line_form = NewLineForm(
                quote=quote,
                company=company,
                chapters=chapters,
                initial={"chapter": str(into.pk) if into else ""},
            )
            if context["focus_entry"]:  # quick entry goes on: the reference field again
                new_line_form.fields["reference"].widget.attrs["autofocus"] = True
        context["new_line_form"] = new_line_form
        context["chapter_form"] = chapter_form or ChapterForm(
            chapters=chapters, initial={"parent": str(under.pk) if under else ""}
        )
        context["pricing_form"] = pricing_form or PricingForm(quote=quote)
    return context


def _render_page(
    request: HttpRequest,
    quote: Quote,
    *,
    params: QueryDict | None = None,
    status: int = 200,
    **kw: Any,
) -> HttpResponse:
    context = _page_context(request, quote, params=request.GET if params is None else params, **kw)
    return render(request, PAGE, context, status=status)


def _refused(request: HttpRequest, quote: Quote, **kw: Any) -> HttpResponse:
    """The page again with the refused form (htmx swaps 200 answers only).

    A quote that can no longer be edited shows no form: its refusal shows on the page.
    """
    if not _can_edit(request, quote):
        refused = [value for value in kw.values() if isinstance(value, forms.BaseForm)]
        kw["error"] = " ".join(str(e) for form in refused for e in form.non_field_errors())
    return _render_page(request, quote, status=200 if is_htmx(request) else 400, **kw)


def _done(
    request: HttpRequest,
    quote_pk: int,
    message: str,
    *,
    anchor: str = "",
    **params: Any,
) -> HttpResponse:
    """After a change: back to the editor, at the page and place of what changed.

    Without JavaScript, a redirect (the message shows on the next page); with htmx the
    editor is rendered at once with the notice, and the address bar follows.
    """
    state = _state(request.GET)
    for key, value in params.items():
        if value in (None, ""):
            state.pop(key, None)
        else:
            state[key] = str(value)
    url = _detail_url(quote_pk, state)
    if is_htmx(request):
        quote = selectors.quote_for_user(acting_user(request), quote_pk)
        response = _render_page(request, quote, params=state, notice=message)
        response["HX-Push-Url"] = url
        return response
    messages.success(request, message)
    return redirect(url + anchor)


# The page ------------------------------------------------------------------------------


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_for_user(acting_user(request), pk)
    return _render_page(request, quote)


@require_GET
def item_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The <option>s of the new line's catalogue field: at most 20 items matching."""
    selectors.quote_for_user(acting_user(request), pk)
    query = request.GET.get("item", request.GET.get("q", ""))
    choices = selectors.catalogue_choices(company_of_request(request), query)
    return render(request, "quotes/editor/item_choices.html", {"choices": choices})


# Lines ---------------------------------------------------------------------------------


@writer_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new line; or quick entry (seed 001): "*words" lists the matching assemblies,
    "#Title" opens a chapter at the level of the chapter the form is in."""
    user = acting_user(request)
    quote = selectors.quote_for_user(user, pk)
    company = company_of_request(request)
    chapters = selectors.quote_chapters(quote)
    form = NewLineForm(request.POST, quote=quote, company=company, chapters=chapters)
    if form.is_valid():
        try:
            added = _add_from_form(request, quote, form)
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            if isinstance(added, Chapter):
                message = _("Chapter %(number)s opened.") % {"number": added.number}
                return _done(
                    request,
                    quote.pk,
                    message,
                    anchor="#new-line",
                    into=added.pk,
                    entry=1,
                    page=_chapter_page(request, added, quote),
                )
            if isinstance(added, QuoteLine):
                page = (
                    selectors.line_page(added, selectors.EDITOR_PAGE_SIZE)
                    if not _filtering(request)
                    else None
                )
                return _done(
                    request,
                    quote.pk,
                    _("Line added."),
                    anchor=f"#line-{added.pk}",
                    into=added.chapter_id or "",
                    entry=1,
                    page=page,
                )
            return _render_page(request, quote, new_line_form=form, assembly_choices=added)
    return _refused(request, quote, new_line_form=form)


def _filtering(request: HttpRequest) -> bool:
    return not FilterForm(request.GET).selection().is_empty


def _chapter_page(request: HttpRequest, chapter: Chapter, quote: Quote) -> int | None:
    """The page of a chapter's heading (None keeps the page when a filter is on)."""
    if _filtering(request):
        return None
    return selectors.chapter_page(chapter, quote.line_count, selectors.EDITOR_PAGE_SIZE)


def _add_from_form(
    request: HttpRequest, quote: Quote, form: NewLineForm
) -> QuoteLine | Chapter | list[Any]:
    user = acting_user(request)
    company = company_of_request(request)
    data = form.cleaned_data
    chapter = form.chapter_row()
    lock_version = _lock_version(request)
    reference = data.get("reference") or ""
    chosen = request.POST.get("item_pk")
    if chosen:  # an assembly chosen in the quick-entry list
        item = selectors.catalogue_item(company, pk=chosen)
        if item is None:
            raise DomainError(_("Choose an item in the list."), field="item")
        return line_services.line_add(
            user=user,
            quote=quote,
            data=form.item_data(),
            chapter=chapter,
            item=item,
            lock_version=lock_version,
        )
    chapter_prefix = company.chapter_entry_prefix
    if chapter_prefix and reference.startswith(chapter_prefix):
        return line_services.chapter_add(
            user=user,
            quote=quote,
            title=reference[len(chapter_prefix) :].strip(),
            parent=chapter.parent_id if chapter else None,
            lock_version=lock_version,
        )
    assembly_prefix = company.assembly_search_prefix
    if assembly_prefix and reference.startswith(assembly_prefix):
        words = reference[len(assembly_prefix) :].strip()
        choices = selectors.assembly_choices(company, words)
        if not choices:
            raise DomainError(
                _('No assembly of the catalogue matches "%(words)s".') % {"words": words},
                field="reference",
            )
        return choices
    if data.get("item"):
        item = selectors.catalogue_item(company, reference=data["item"])
        if item is None:
            raise DomainError(
                _("No catalogue item has the reference %(ref)s: choose one in the list.")
                % {"ref": data["item"]},
                field="item",
            )
        return line_services.line_add(
            user=user,
            quote=quote,
            data=form.item_data(),
            chapter=chapter,
            item=item,
            lock_version=lock_version,
        )
    return line_services.line_add(
        user=user, quote=quote, data=form.line_data(), chapter=chapter, lock_version=lock_version
    )


def _row_context(request: HttpRequest, line: QuoteLine, **extra: Any) -> dict[str, Any]:
    filters = FilterForm(request.GET)
    can_edit = _can_edit(request, line.quote)
    return {
        "quote": line.quote,
        "row": selectors.line_row(line),
        "costs": filters.show_costs,
        "state_qs": _state(request.GET).urlencode(),
        "can_edit": can_edit,
        "columns": _columns(filters.show_costs, can_edit),
        "labels": editor_labels(),
        **extra,
    }


@require_GET
def line_row(request: HttpRequest, pk: int) -> HttpResponse:
    """A line's row as shown in the editor (htmx: an edit cancelled)."""
    line = selectors.line_for_user(acting_user(request), pk)
    if not is_htmx(request):
        return redirect(_line_url(request, line))
    return render(request, "quotes/editor/line_row.html", _row_context(request, line))


def _line_url(request: HttpRequest, line: QuoteLine) -> str:
    state = _state(request.GET)
    if not _filtering(request):
        state["page"] = str(selectors.line_page(line, selectors.EDITOR_PAGE_SIZE))
    return _detail_url(line.quote_id, state) + f"#line-{line.pk}"


@writer_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a line: with htmx the row becomes a form; saving returns the row and the
    new totals (out of band); without JavaScript, a page with the form."""
    user = acting_user(request)
    line = selectors.line_for_user(user, pk)
    form, status = LineForm(line=line), 200
    if request.method == "POST":
        form, status = LineForm(request.POST, line=line), 400
        if form.is_valid():
            try:
                saved = line_services.line_update(
                    user=user,
                    line=line,
                    data=form.line_data(),
                    lock_version=_lock_version(request),
                )
            except DomainError as exc:
                add_service_error(form, exc)
                status = 409 if isinstance(exc, StaleEdit) else 400
            else:
                if is_htmx(request):
                    return _line_saved(request, saved, line.quote)
                messages.success(request, _("Line saved."))
                return redirect(_line_url(request, saved))
        if is_htmx(request):  # htmx swaps 200 answers only: the form comes back with errors
            status = 200
    template = (
        "quotes/editor/line_form.html" if is_htmx(request) else "quotes/editor/line_page.html"
    )
    context = _row_context(request, line, form=form, cancel_url=_line_url(request, line))
    return render(request, template, context, status=status)


def _line_saved(request: HttpRequest, line: QuoteLine, quote: Quote) -> HttpResponse:
    """The saved row, and out of band: totals panel, chapter subtotals, lock version."""
    filters = FilterForm(request.GET)
    totals, chapters, chapter_totals = selectors.editor_totals(quote, filters.selection())
    line.quote = quote
    headings = [
        (chapter, chapter_totals[chapter.pk])
        for chapter in pricing.ancestors(line.chapter_id, chapters)
        if chapter.pk in chapter_totals
    ]
    context = _row_context(
        request, line, totals=totals, headings=headings, filtered=totals.filtered
    )
    return render(request, "quotes/editor/line_saved.html", context)


@writer_required
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    line = selectors.line_for_user(user, pk)
    quote = line.quote
    error = ""
    if request.method == "POST":
        try:
            line_services.line_delete(user=user, line=line, lock_version=_lock_version(request))
        except DomainError as exc:
            error = exc.message
        else:
            if is_htmx(request):  # the row is removed by the swap; totals come out of band
                filters = FilterForm(request.GET)
                totals, chapters, chapter_totals = selectors.editor_totals(
                    quote, filters.selection()
                )
                headings = [
                    (chapter, chapter_totals[chapter.pk])
                    for chapter in pricing.ancestors(line.chapter_id, chapters)
                    if chapter.pk in chapter_totals
                ]
                context = {
                    "quote": quote,
                    "totals": totals,
                    "headings": headings,
                    "filtered": totals.filtered,
                    "costs": filters.show_costs,
                }
                return render(request, "quotes/editor/line_deleted.html", context)
            return _done(request, quote.pk, _("Line deleted."))
        if is_htmx(request):  # keep the row, with the refusal
            response = render(
                request, "quotes/editor/line_row.html", _row_context(request, line, row_error=error)
            )
            response["HX-Reswap"] = "outerHTML"
            return response
    context = {
        "quote": quote,
        "title": _("Delete this line?"),
        "object_label": str(line) or line.reference,
        "detail": line.description,
        "error": error,
        "cancel_url": _line_url(request, line),
        "state_qs": _state(request.GET).urlencode(),
    }
    status = 409 if error else 200
    return render(request, "quotes/editor/confirm_delete.html", context, status=status)


@writer_required
@require_http_methods(["GET", "POST"])
def line_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    line = selectors.line_for_user(user, pk)
    quote = line.quote
    chapters = selectors.quote_chapters(quote)
    form = LineMoveForm(
        request.POST if request.method == "POST" else None, line=line, chapters=chapters
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = line_services.line_move(
                user=user,
                line=line,
                chapter=form.chapter_row(),
                position=form.cleaned_data.get("position"),
                lock_version=_lock_version(request),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            return _done(
                request,
                quote.pk,
                _("Line moved."),
                anchor=f"#line-{moved.pk}",
                page=selectors.line_page(moved, selectors.EDITOR_PAGE_SIZE),
            )
    context = {
        "quote": quote,
        "line": line,
        "form": form,
        "cancel_url": _line_url(request, line),
        "state_qs": _state(request.GET).urlencode(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "quotes/editor/line_move.html", context, status=status)


@writer_required
@require_POST
def reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The ↑ ↓ buttons of the lines and chapters: one step within the same parent."""
    user = acting_user(request)
    quote = selectors.quote_for_user(user, pk)
    lock_version = _lock_version(request)
    anchor = ""
    try:
        for name, step in (("line_up", -1), ("line_down", 1)):
            if request.POST.get(name):
                line = selectors.line_for_user(user, request.POST[name])
                if line.quote_id != quote.pk:
                    raise DomainError(_("This line is not part of the quote."))
                line_services.line_move(
                    user=user,
                    line=line,
                    chapter=line.chapter_id,
                    position=max(1, line.position + step),
                    lock_version=lock_version,
                )
                anchor = f"#line-{line.pk}"
        for name, step in (("chapter_up", -1), ("chapter_down", 1)):
            if request.POST.get(name):
                chapter = selectors.chapter_for_user(user, request.POST[name])
                if chapter.quote_id != quote.pk:
                    raise DomainError(_("This chapter is not part of the quote."))
                line_services.chapter_move(
                    user=user,
                    chapter=chapter,
                    parent=chapter.parent_id,
                    position=max(1, chapter.position + step),
                    lock_version=lock_version,
                )
                anchor = f"#chapter-{chapter.pk}"
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(quote.pk, _state(request.GET)))
    return _done(request, quote.pk, _("Moved."), anchor=anchor)


# Chapters ------------------------------------------------------------------------------


@writer_required
@require_POST
def chapter_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    quote = selectors.quote_for_user(user, pk)
    form = ChapterForm(request.POST, chapters=selectors.quote_chapters(quote))
    if form.is_valid():
        try:
            chapter = line_services.chapter_add(
                user=user,
                quote=quote,
                title=form.cleaned_data["title"],
                parent=form.parent_row(),
                lock_version=_lock_version(request),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            message = _("Chapter %(number)s added.") % {"number": chapter.number}
            return _done(
                request,
                quote.pk,
                message,
                anchor=f"#chapter-{chapter.pk}",
                into=chapter.pk,
                page=_chapter_page(request, chapter, quote),
            )
    return _refused(request, quote, chapter_form=form)


def _chapter_form_page(
    request: HttpRequest,
    chapter: Chapter,
    *,
    rename: ChapterRenameForm | None = None,
    move: ChapterMoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    chapters = selectors.quote_chapters(chapter.quote)
    state = _state(request.GET)
    context = {
        "quote": chapter.quote,
        "chapter": chapter,
        "rename_form": rename or ChapterRenameForm(initial={"title": chapter.title}),
        "move_form": move or ChapterMoveForm(chapter=chapter, chapters=chapters),
        "state_qs": state.urlencode(),
        "cancel_url": _detail_url(chapter.quote_id, state) + f"#chapter-{chapter.pk}",
    }
    return render(request, "quotes/editor/chapter_edit.html", context, status=status)


@writer_required
@require_GET
def chapter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or move a chapter (a page: both forms work without JavaScript)."""
    chapter = selectors.chapter_for_user(acting_user(request), pk)
    return _chapter_form_page(request, chapter)


@writer_required
@require_POST
def chapter_rename(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    chapter = selectors.chapter_for_user(user, pk)
    form = ChapterRenameForm(request.POST)
    if form.is_valid():
        try:
            line_services.chapter_rename(
                user=user,
                chapter=chapter,
                title=form.cleaned_data["title"],
                lock_version=_lock_version(request),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            message = _("Chapter %(number)s renamed.") % {"number": chapter.number}
            return _done(request, chapter.quote_id, message, anchor=f"#chapter-{chapter.pk}")
    return _chapter_form_page(request, chapter, rename=form, status=400)


@writer_required
@require_POST
def chapter_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    chapter = selectors.chapter_for_user(user, pk)
    chapters = selectors.quote_chapters(chapter.quote)
    form = ChapterMoveForm(request.POST, chapter=chapter, chapters=chapters)
    if form.is_valid():
        try:
            moved = line_services.chapter_move(
                user=user,
                chapter=chapter,
                parent=form.parent_row(),
                position=form.cleaned_data.get("position"),
                lock_version=_lock_version(request),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            message = _("Chapter moved: it is now %(number)s.") % {"number": moved.number}
            return _done(
                request,
                chapter.quote_id,
                message,
                anchor=f"#chapter-{moved.pk}",
                page=_chapter_page(request, moved, chapter.quote),
            )
    return _chapter_form_page(request, chapter, move=form, status=400)


@writer_required
@require_http_methods(["GET", "POST"])
def chapter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    chapter = selectors.chapter_for_user(user, pk)
    error = ""
    if request.method == "POST":
        try:
            line_services.chapter_delete(
                user=user, chapter=chapter, lock_version=_lock_version(request)
            )
        except DomainError as exc:
            error = exc.message
        else:
            message = _("Chapter %(number)s deleted.") % {"number": chapter.number}
            return _done(request, chapter.quote_id, message, page=None)
    state = _state(request.GET)
    count = selectors.chapter_line_count(chapter)
    context = {
        "quote": chapter.quote,
        "title": _("Delete this chapter?"),
        "object_label": str(chapter),
        "detail": _("Its sub-chapters and its %(count)d lines are deleted with it.")
        % {"count": count},
        "error": error,
        "cancel_url": _detail_url(chapter.quote_id, state) + f"#chapter-{chapter.pk}",
        "state_qs": state.urlencode(),
    }
    return render(
        request, "quotes/editor/confirm_delete.html", context, status=409 if error else 200
    )


# Pricing -------------------------------------------------------------------------------


@writer_required
@require_POST
def pricing_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote's pricing from cost (method, coefficients, K): every line is re-priced."""
    user = acting_user(request)
    quote = selectors.quote_for_user(user, pk)
    form = PricingForm(request.POST, quote=quote)
    if form.is_valid():
        try:
            line_services.quote_pricing_update(
                user=user, quote=quote, data=form.cleaned_data, lock_version=_lock_version(request)
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            return _done(request, quote.pk, _("Pricing saved: the quote was re-priced."))
    return _refused(request, quote, pricing_form=form, pricing_open=True)
