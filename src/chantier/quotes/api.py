"""Quotes in the integration API (shared/API.md): create, import, read, list, accept, refuse.

Handlers are thin: fetch through the company-scoped access helpers (404 for another
company's id in the path), call one service, answer. Ids in a body (`client_id`,
`site_id`, `terms_id`) are input: one that is not the company's is a 400 naming the field,
as a missing one (nothing tells that it exists elsewhere). The services' errors keep
their paths (`chapters.0.lines.1.quantity`); model names are renamed to the API's.

A quote is read in a constant number of queries whatever its size: the quote, its
chapters, its lines and their components, each in one query of plain values, the tree
assembled in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, FormEx, P, Query, Router, Status
from ninja.files import UploadedFile

from chantier.api.errors import ErrorOut, responses
from chantier.api.pagination import Page, PageParams, page_of
from chantier.core.access import acting_user, company_of, get_for_company, require_writer
from chantier.core.exceptions import DomainError, FieldErrors
from chantier.core.models import User
from chantier.core.search import search
from chantier.parties.models import Client, Site
from chantier.quotes import services
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine, TermsText
from chantier.quotes.schemas import (
    AcceptedOut,
    ChapterIn,
    ImportedQuoteOut,
    LineIn,
    QuoteIn,
    QuoteOut,
    QuoteSummaryOut,
    RefuseIn,
)
from chantier.quotes.tender_model import MESSAGES, ImportReport, ReportEntry

router = Router(tags=["quotes"])

SEARCH_FIELDS = ("title", "number", "client__name")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ID_BOUNDS: dict[str, Any] = {"ge": 1, "le": 2**63 - 1}
# Service field → API field (the rest already has the API's name or path).
API_NAMES = {"client": "client_id", "site": "site_id", "terms": "terms_id"}
# Header fields copied from the body when given (None leaves the company's default).
HEADER_FIELDS = (
    "title",
    "kind",
    "date",
    "validity_date",
    "header_text",
    "footer_text",
    "payment_terms",
    "down_payment_rate",
)
LINE_NUMBERS = ("quantity", "unit_price", "vat_rate")
LINE_COSTS = ("unit_labour_hours", "unit_labour_cost", "unit_supply_cost")

_STEPS = {places: Decimal(1).scaleb(-places) for places in (2, 3, 4)}


def _places(value: Decimal, places: int) -> str:
    """A decimal as API.md wants it: a string with fixed places, rounded half-up (ADR 0001).

    Stored values come from their columns with exactly their places, and `str` writes
    them as they are (a tenth of the time of quantize and format, which is what the
    lines of a 5,000-line quote spent most on); anything else is rounded."""
    text = str(value)
    point = text.find(".")
    if point > 0 and len(text) - point - 1 == places and "E" not in text:
        return text
    return f"{value.quantize(_STEPS[places], rounding=ROUND_HALF_UP):.{places}f}"


def _renamed(error: DomainError) -> DomainError:
    """The service's refusal with the API's field names (`client` → `client_id`)."""
    if isinstance(error, FieldErrors):
        return FieldErrors({API_NAMES.get(name, name): msgs for name, msgs in error.errors.items()})
    if error.field in API_NAMES:
        return DomainError(error.message, field=API_NAMES[error.field])
    return error


# --- reading --------------------------------------------------------------------------------

CHAPTER_VALUES = (
    "pk",
    "parent_id",
    "position",
    "number",
    "title",
    "net",
    "labour_cost",
    "supply_cost",
    "labour_hours",
)
LINE_VALUES = (
    "pk",
    "chapter_id",
    "position",
    "reference",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "net",
    "vat_rate",
    "kind",
    "optional",
    "price_mode",
    "item_id",
    "labour_cost",
    "supply_cost",
    "labour_hours",
    "labour_net",
    "supply_net",
)
COMPONENT_VALUES = (
    "line_id",
    "reference",
    "description",
    "unit",
    "kind",
    "quantity_per_unit",
)


def _line_out(row: Mapping[str, Any], components: list[dict[str, Any]]) -> dict[str, Any]:
    quantity = row["quantity"]
    return {
        "id": row["pk"],
        "reference": row["reference"],
        "description": row["description"],
        "unit": row["unit"],
        "quantity": _places(quantity, 3),
        "unit_price": _places(row["unit_price"], 2),
        "net": _places(row["net"], 2),
        "vat_rate": _places(row["vat_rate"], 2),
        "kind": row["kind"],
        "optional": row["optional"],
        "price_mode": row["price_mode"],
        "item_id": row["item_id"],
        "direct_cost": _places(row["labour_cost"] + row["supply_cost"], 2),
        "labour_hours": _places(row["labour_hours"], 4),
        "labour_net": _places(row["labour_net"], 2),
        "supply_net": _places(row["supply_net"], 2),
        "components": [
            {
                "reference": c["reference"],
                "description": c["description"],
                "unit": c["unit"],
                "kind": c["kind"],
                "quantity_per_unit": _places(c["quantity_per_unit"], 3),
                "quantity": _places(quantity * c["quantity_per_unit"], 3),
            }
            for c in components
        ],
    }


def quote_detail(quote: Quote) -> dict[str, Any]:
    """The quote as GET /quotes/{id} answers it: three queries after the quote's own."""
    components: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for component in (
        LineComponent.objects.filter(line__quote=quote)
        .order_by("line_id", "position", "pk")
        .values(*COMPONENT_VALUES)
    ):
        components[component["line_id"]].append(component)
    lines_of: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        QuoteLine.objects.filter(quote=quote).order_by("position", "pk").values(*LINE_VALUES)
    ):
        lines_of[row["chapter_id"]].append(_line_out(row, components.get(row["pk"], [])))
    chapters: dict[int, dict[str, Any]] = {}
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Chapter.objects.filter(quote=quote).order_by("position", "pk").values(*CHAPTER_VALUES)
    ):
        out = {
            "id": row["pk"],
            "number": row["number"],
            "title": row["title"],
            "subtotal": _places(row["net"], 2),
            "direct_cost": _places(row["labour_cost"] + row["supply_cost"], 2),
            "labour_hours": _places(row["labour_hours"], 4),
            "chapters": children[row["pk"]],
            "lines": lines_of.get(row["pk"], []),
        }
        chapters[row["pk"]] = out
        children[row["parent_id"]].append(out)
    margin = quote.margin
    return {
        "id": quote.pk,
        "number": quote.number,
        "version": quote.version,
        "lock_version": quote.lock_version,
        "status": quote.status,
        "kind": quote.kind,
        "title": quote.title,
        "client_id": quote.client_id,
        "site_id": quote.site_id,
        "date": quote.date.isoformat(),
        "validity_date": quote.validity_date.isoformat(),
        "header_text": quote.header_text,
        "footer_text": quote.footer_text,
        "terms_text": quote.terms_text,
        "payment_terms": quote.payment_terms,
        "pricing_method": quote.pricing_method,
        "net": _places(quote.net, 2),
        "vat": [
            {
                "rate": _places(Decimal(v["rate"]), 2),
                "base": _places(Decimal(v["base"]), 2),
                "amount": _places(Decimal(v["amount"]), 2),
            }
            for v in quote.vat_breakdown
        ],
        "vat_total": _places(quote.vat_total, 2),
        "gross": _places(quote.gross, 2),
        "optional_net": _places(quote.optional_net, 2),
        "down_payment_rate": _places(quote.down_payment_rate, 2),
        "direct_cost": _places(quote.direct_cost, 2),
        "labour_cost": _places(quote.labour_cost, 2),
        "supply_cost": _places(quote.supply_cost, 2),
        "margin": _places(margin, 2),
        "margin_rate": _places(margin * 100 / quote.net, 2) if quote.net else None,
        "labour_hours": _places(quote.labour_hours, 4),
        "labour_net": _places(quote.labour_net, 2),
        "supply_net": _places(quote.supply_net, 2),
        "line_count": quote.line_count,
        "chapters": children[None],
        "lines": lines_of.get(None, []),
    }


def _summary(quote: Quote) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "number": quote.number,
        "version": quote.version,
        "status": quote.status,
        "kind": quote.kind,
        "title": quote.title,
        "client_id": quote.client_id,
        "client": quote.client.name,
        "site_id": quote.site_id,
        "date": quote.date.isoformat(),
        "validity_date": quote.validity_date.isoformat(),
        "net": _places(quote.net, 2),
        "gross": _places(quote.gross, 2),
    }


# --- writing --------------------------------------------------------------------------------


def _line_data(line: LineIn) -> dict[str, Any]:
    """The service's line input. Numbers a priced line needs are passed even when absent,
    so that the service names each missing one; a text line needs only its text."""
    data: dict[str, Any] = {
        "reference": line.reference,
        "description": line.description,
        "unit": line.unit,
        "kind": line.kind,
        "optional": line.optional,
        "price_mode": line.price_mode,
    }
    for name in LINE_NUMBERS:
        value = getattr(line, name)
        if value is not None or line.kind != "text":
            data[name] = value
    for name in LINE_COSTS:
        value = getattr(line, name)
        if value is not None:
            data[name] = value
    return data


def _chapter_data(chapter: ChapterIn) -> dict[str, Any]:
    return {
        "title": chapter.title,
        "lines": [_line_data(line) for line in chapter.lines],
        "chapters": [_chapter_data(child) for child in chapter.chapters],
    }


def _own(model: type[Any], user: User, pk: int | None, field: str, message: str) -> Any:
    """The company's row `pk`, or a 400 naming `field` (missing and foreign alike)."""
    if pk is None:
        return None
    row = model.objects.filter(company=company_of(user), pk=pk).first()
    if row is None:
        raise DomainError(message, field=field)
    return row


def _header(user: User, payload: QuoteIn) -> dict[str, Any]:
    """The service's header input from the body fields given (ids resolved in the company)."""
    given = payload.model_fields_set
    data = {
        name: getattr(payload, name)
        for name in HEADER_FIELDS
        if name in given and getattr(payload, name) is not None
    }
    errors: dict[str, list[str]] = {}
    for name, model, message in (
        ("site_id", Site, _("Choose a site of the company.")),
        ("terms_id", TermsText, _("Choose a saved text of the company.")),
    ):
        if name in given:
            try:
                data[name.removesuffix("_id")] = _own(
                    model, user, getattr(payload, name), name, message
                )
            except DomainError as error:
                errors[name] = [error.message]
    if errors:
        raise FieldErrors(errors)
    return data


@router.post("/quotes", response=responses({201: QuoteOut}), summary="Create a quote")
def create_quote(request: HttpRequest, payload: QuoteIn) -> Status[Any]:
    """A draft quote with its chapters (nested) and lines, priced and totalled.

    Any faulty field refuses the whole quote (400, every field named by its path, e.g.
    `chapters.0.lines.1.quantity`) and nothing is created.
    """
    user = acting_user(request)
    require_writer(user)  # a reader learns nothing about the ids it sends
    client = _own(
        Client, user, payload.client_id, "client_id", _("Choose a client of the company.")
    )
    try:
        quote = services.quote_create(
            user=user,
            client=client,
            data=_header(user, payload),
            chapters=[_chapter_data(chapter) for chapter in payload.chapters],
            lines=[_line_data(line) for line in payload.lines],
        )
    except DomainError as error:
        raise _renamed(error) from None
    return Status(201, quote_detail(quote))


@router.post(
    "/quotes/import", response=responses({201: ImportedQuoteOut}), summary="Import a DPGF/BPU"
)
def import_quote(
    request: HttpRequest,
    file: File[UploadedFile],
    client_id: FormEx[int, P(**ID_BOUNDS)],
    title: FormEx[str, P(max_length=250)] = "",
    site_id: FormEx[int | None, P(**ID_BOUNDS)] = None,
) -> Status[Any]:
    """A draft quote from a tender schedule (.xlsx): chapters from its numbering or
    indentation, one top-level chapter per lot sheet. The answer adds `import_report`:
    what each sheet gave, every row skipped with its reason, every warning. A file that is
    not a readable spreadsheet or has no header row is refused (400, field `file`) and
    nothing is created."""
    user = acting_user(request)
    require_writer(user)
    client = _own(Client, user, client_id, "client_id", _("Choose a client of the company."))
    data: dict[str, Any] = {"title": title.strip()} if title.strip() else {}
    if site_id is not None:
        data["site"] = _own(Site, user, site_id, "site_id", _("Choose a site of the company."))
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is too large (10 MB at most)."), field="file")
    content = file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is too large (10 MB at most)."), field="file")
    try:
        quote, report, unquantified = services.quote_import(
            user=user, client=client, content=content, data=data
        )
    except DomainError as error:
        raise _renamed(error) from None
    return Status(201, {**quote_detail(quote), "import_report": _report(report, unquantified)})


def _entry(entry: ReportEntry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "sheet": entry.sheet,
        "row": entry.row,
        "message": _(MESSAGES[entry.code]) % dict(entry.params),
    }


def _report(report: ImportReport, unquantified: int) -> dict[str, Any]:
    return {
        "sheets": [
            {"sheet": s.sheet, "title": s.title, "chapters": s.chapters, "lines": s.lines}
            for s in report.sheets
        ],
        "skipped": [_entry(entry) for entry in report.skipped],
        "warnings": [_entry(entry) for entry in report.warnings],
        "unquantified_lines": unquantified,
    }


@router.get("/quotes", response=responses({200: Page[QuoteSummaryOut]}), summary="List quotes")
def list_quotes(
    request: HttpRequest, params: Query[PageParams], q: str = "", status: str = ""
) -> dict[str, Any]:
    """Newest first, the current version of each quote. `?q=` searches title, number and
    client name; `?status=` filters (draft, sent, accepted, refused, expired, cancelled)."""
    if status and status not in Quote.Status.values:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": repr(status[:30]), "statuses": ", ".join(Quote.Status.values)},
            field="status",
        )
    quotes = Quote.objects.filter(company=company_of(acting_user(request)), superseded=False)
    quotes = search(quotes.select_related("client"), q, SEARCH_FIELDS)
    if status:
        quotes = quotes.filter(status=status)
    page = page_of(quotes.order_by("-date", "-pk"), params)
    return {**page, "items": [_summary(quote) for quote in page["items"]]}


@router.get("/quotes/{quote_id}", response=responses({200: QuoteOut}), summary="One quote")
def get_quote(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """The quote with its stored totals, VAT per rate and its chapters nested as posted."""
    quote = get_for_company(Quote.objects.all(), acting_user(request), quote_id)
    return quote_detail(quote)


@router.post(
    "/quotes/{quote_id}/accept",
    response=responses({200: AcceptedOut, 409: ErrorOut}),
    summary="Record the client's acceptance",
)
def accept_quote(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """A sent quote becomes accepted and its contract is created (answered: its id).
    A quote that is not sent (or has a newer version) is refused with 400."""
    user = acting_user(request)
    quote = get_for_company(Quote.objects.all(), user, quote_id)
    accepted = services.quote_accept(user=user, quote=quote)
    return {"contract_id": accepted.contract.pk}  # created by contracts' service


@router.post(
    "/quotes/{quote_id}/refuse",
    response=responses({200: QuoteSummaryOut, 409: ErrorOut}),
    summary="Record the client's refusal",
)
def refuse_quote(request: HttpRequest, quote_id: int, payload: RefuseIn) -> dict[str, Any]:
    """A sent quote becomes refused, with the reason given. Not sent: 400."""
    user = acting_user(request)
    quote = get_for_company(Quote.objects.all(), user, quote_id)
    refused = services.quote_refuse(user=user, quote=quote, reason=payload.reason)
    return _summary(refused)
