"""The quote PDF (document kind "quote"): what it prints and how its rows are read.

Everything printed comes from stored values (models.py: pricing.py stores every line
net, chapter subtotal and quote total): nothing is summed or rounded here, so the PDF
shows what the page and the API show.

Rows: the chapter tree is flattened into one table, in tree order: a chapter's heading,
its own lines, its sub-chapters, then its subtotal (Chapter.net). Lines outside any
chapter come first. Assembly components are not printed: they are the contractor's
cost build-up, not what the client buys (and leaving them out keeps long quotes fast).

Speed (issue 3: 5,000 lines ≤ 15 s, ≤ 500 MB): one template line per row, five cells
per line (the reference opens the description cell, the unit follows the quantity), no
class on the amount cells, no <colgroup> (column widths on the header cells), class
selectors only; see templates/quotes/pdf/quote.html, documents/print.css and
documents/rendering.py (garbage collector, frame stack). 5,000 lines: 12.0 s, 428 MB.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines, percent
from chantier.core.models import Company
from chantier.core.money import round2, to_decimal
from chantier.documents.registry import DocumentKind, Params, register
from chantier.quotes.models import Chapter, Quote, QuoteLine

KEY = "quote"
# Reduced VAT rates that need the client's signed mention (french-rules §5.1).
REDUCED_RATES = (Decimal("10.00"), Decimal("5.50"))
HUNDRED = Decimal(100)
# Rows besides the lines and chapters: heading, addresses, totals, mentions, signature.
FIXED_ROWS = 30

# Row kinds, compared in the template as numbers (cheaper than strings on 5,000 rows).
CHAPTER, LINE, TEXT, SUBTOTAL = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Row:
    kind: int
    depth: int = 0
    number: str = ""
    label: str = ""  # "1.2 Title"; the title alone when it starts with its number already
    line: QuoteLine | None = None
    net: Decimal | None = None


def clean_params(params: Params) -> dict[str, Any]:
    """{"quote": pk} and, from the quote pages, the content version the PDF shows."""
    clean: dict[str, Any] = {}
    for name in ("quote", "lock_version"):
        value = params.get(name)
        if value is None and name == "lock_version":
            continue
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            raise DomainError(_("Unknown quote."), field="quote") from None
        if number < 1:
            raise DomainError(_("Unknown quote."), field="quote")
        clean[name] = number
    return clean


def quote_id(params: Params) -> int:
    return int(clean_params({"quote": params.get("quote")})["quote"])


def get_quote(company: Company, params: Params) -> Quote:
    quote = (
        Quote.objects.select_related("client", "site", "company")
        .filter(company=company, pk=quote_id(params))
        .first()
    )
    if quote is None:
        raise DomainError(_("Unknown quote."), field="quote")
    return quote


def document_label(quote: Quote) -> str:
    """The document's name: "Devis" for a client, "Proposition commerciale" for a prospect."""
    return _("Commercial proposal") if quote.kind == Quote.Kind.PROSPECT else _("Quote")


def document_title(quote: Quote) -> str:
    """'Devis DEV2026-12 v2', 'Proposition commerciale DEV2026-12', 'Devis (brouillon)'."""
    label = document_label(quote)
    if not quote.number:
        return _("%(document)s (draft)") % {"document": label}
    number = quote.number if quote.version == 1 else f"{quote.number} v{quote.version}"
    return f"{label} {number}"


def title(company: Company, params: Params) -> str:
    """The render job's title: the document and the quote's own title."""
    quote = get_quote(company, params)
    return f"{document_title(quote)} – {quote.title}"


def estimate_rows(company: Company, params: Params) -> int:
    """Lines, plus two rows a chapter (heading, subtotal), plus the fixed blocks."""
    pk = quote_id(params)
    lines = (
        Quote.objects.filter(company=company, pk=pk).values_list("line_count", flat=True).first()
    )
    if lines is None:
        raise DomainError(_("Unknown quote."), field="quote")
    chapters = Chapter.objects.filter(quote_id=pk, company=company).count()
    return int(lines) + 2 * chapters + FIXED_ROWS


def rows_of(quote: Quote) -> list[Row]:
    """The table rows in reading order (two queries whatever the size)."""
    chapters = list(
        Chapter.objects.filter(quote=quote)
        .only("pk", "parent_id", "number", "title", "depth", "sort_key", "net")
        .order_by("sort_key", "pk")
    )
    lines = (
        QuoteLine.objects.filter(quote=quote)
        .only(
            "pk",
            "chapter_id",
            "kind",
            "optional",
            "reference",
            "description",
            "unit",
            "quantity",
            "unit_price",
            "vat_rate",
            "net",
        )
        .order_by("sort_key", "pk")
    )
    lines_of: dict[int | None, list[QuoteLine]] = defaultdict(list)
    for line in lines:
        lines_of[line.chapter_id].append(line)
    children: dict[int | None, list[Chapter]] = defaultdict(list)
    for chapter in chapters:
        children[chapter.parent_id].append(chapter)

    rows: list[Row] = []

    def add_lines(chapter_id: int | None) -> None:
        for line in lines_of.get(chapter_id, ()):
            rows.append(Row(kind=TEXT if line.kind == QuoteLine.Kind.TEXT else LINE, line=line))

    def add_chapter(chapter: Chapter) -> None:
        depth = min(chapter.depth, 4)
        number, title = chapter.number, chapter.title
        # An imported tender schedule's titles carry their own numbering ("1.2 Gros œuvre").
        label = title if not number or title.startswith(f"{number} ") else f"{number} {title}"
        rows.append(Row(CHAPTER, depth=depth, number=number, label=label))
        add_lines(chapter.pk)
        for child in children.get(chapter.pk, ()):
            add_chapter(child)
        rows.append(Row(SUBTOTAL, depth=depth, number=number, label=label, net=chapter.net))

    add_lines(None)
    for chapter in children.get(None, ()):
        add_chapter(chapter)
    return rows


def vat_lines(quote: Quote) -> list[dict[str, Decimal]]:
    """The stored VAT breakdown (§5: one amount per rate, on the sum of the line bases)."""
    return [
        {
            "rate": to_decimal(entry["rate"]),
            "base": to_decimal(entry["base"]),
            "amount": to_decimal(entry["amount"]),
        }
        for entry in quote.vat_breakdown
    ]


def reduced_rates(quote: Quote) -> list[Decimal]:
    """The reduced rates (10 %, 5.5 %) of the quote's lines, optional lines included:
    an option the client signs for is invoiced at its rate too."""
    used = {
        to_decimal(rate)
        for rate in QuoteLine.objects.filter(quote=quote, vat_rate__in=REDUCED_RATES)
        .exclude(kind=QuoteLine.Kind.TEXT)
        .values_list("vat_rate", flat=True)
        .distinct()
    }
    return [rate for rate in REDUCED_RATES if rate in used]


def reduced_vat_mention() -> str:
    """The client's certification for a reduced rate (french-rules §5.1).

    Since 16 February 2025 the attestation form (cerfa 1300-SD/1301-SD) is abolished;
    a mention on the quote or invoice, signed by the client, certifies that the
    conditions are met: a dwelling completed more than two years ago, no new building
    (CGI 257-I-2-2°), no more than 10 % of floor area added over two years.
    """
    return _(
        "I, the undersigned client, certify that the works in this quote are carried out "
        "in residential premises completed more than two years ago; that, over two years "
        "at most, they do not contribute to the production of a new building (French tax "
        "code, article 257, I-2-2°) nor increase the floor area of the existing premises "
        "by more than %(limit)s; and that the conditions of the reduced VAT rate are met:"
    ) % {"limit": percent(10)}


def reduced_rate_scope(rate: Decimal) -> str:
    """What a reduced rate covers (french-rules §5.1 table), printed under the mention."""
    if rate == Decimal("5.50"):
        text = _(
            "energy-renovation works and the works they directly require, at %(rate)s VAT "
            "(French tax code, article 278-0 bis A)"
        )
    else:
        text = _(
            "improvement, transformation, fitting-out or maintenance works, at %(rate)s VAT "
            "(French tax code, article 279-0 bis)"
        )
    return text % {"rate": percent(rate)}


def down_payment(quote: Quote) -> Decimal:
    """Down payment requested: round2(gross × rate / 100) (issue 3)."""
    return round2(quote.gross * quote.down_payment_rate / HUNDRED)


def same_address(a: Any, b: Any) -> bool:
    def key(obj: Any) -> list[str]:
        return [" ".join(line.split()).casefold() for line in address_lines(obj)]

    return key(a) == key(b)


def build_context(company: Company, params: Params) -> dict[str, Any]:
    quote = get_quote(company, params)
    site = quote.site
    show_site = site is not None and not same_address(site, quote.client)
    rates = reduced_rates(quote)
    return {
        "quote": quote,
        "document_label": document_label(quote),
        "rows": rows_of(quote),
        "client_lines": address_lines(quote.client),
        "site": site if show_site else None,
        "site_lines": address_lines(site) if site is not None and show_site else [],
        "vat_lines": vat_lines(quote),
        "reduced_rates": [{"rate": r, "scope": reduced_rate_scope(r)} for r in rates],
        "reduced_vat_mention": reduced_vat_mention() if rates else "",
        "down_payment": down_payment(quote),
        "ROW_CHAPTER": CHAPTER,
        "ROW_LINE": LINE,
        "ROW_TEXT": TEXT,
        "ROW_SUBTOTAL": SUBTOTAL,
    }


def filename(quote: Quote) -> str:
    """'devis-DEV2026-12.pdf', 'devis-DEV2026-12-v2.pdf', 'devis-brouillon-41.pdf'."""
    if not quote.number:
        return f"devis-brouillon-{quote.pk}.pdf"
    suffix = f"-v{quote.version}" if quote.version > 1 else ""
    return f"devis-{quote.number}{suffix}.pdf".replace("/", "-")


QUOTE = DocumentKind(
    key=KEY,
    label=gettext_lazy("Quote"),
    template_name="quotes/pdf/quote.html",
    build_context=build_context,
    estimate_rows=estimate_rows,
    title=title,
    clean_params=clean_params,
    rows_per_page=44,
)


def register_kind() -> None:
    register(QUOTE)
