"""A priced quote back to .xlsx, in the tender schedule layout the import reads (issue 3).

The stored tree (`selectors.quote_tree`) becomes the tender model's tree, written by
`tender_export`. What goes where:

- a chapter's N° is the number its title starts with when the quote came from a
  schedule ("2.1 Fouilles" → "2.1", "Fouilles"; "Lot 02 Gros œuvre" → "Lot 02"): the
  import writes a chapter's title as its number, a space and its designation, so
  importing the export again gives the same titles. A quote written in Chantier has no
  such numbers: its chapters get their tree numbers (1, 1.1). A chapter without a number
  in a quote that has some stays unnumbered: the designation's indent places it;
- a line's N° is its reference; with tree numbers, a reference that reads as a number
  ("12") would be nested by it, so only codes ("MAC-001") are written then;
- an optional line has no quantity and no amount (the reader sees "Option" in the
  quantity column): importing it again gives an optional line with its unit price;
- text-only lines are left out: a row without quantity, unit or price is read as a chapter.
"""

from __future__ import annotations

from collections import defaultdict

from chantier.quotes import selectors
from chantier.quotes.models import Chapter as QuoteChapter
from chantier.quotes.models import Quote, QuoteLine
from chantier.quotes.tender_export import export_tender_schedule
from chantier.quotes.tender_model import Chapter, Line
from chantier.quotes.tender_numbers import parse_numbering

OPTION = "Option"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def quote_schedule(quote: Quote) -> tuple[list[Chapter], list[Line]]:
    """The quote as a tender schedule tree: its top-level chapters, its lines outside any."""
    tree = selectors.quote_tree(quote)
    titled = any(split_number(chapter.title)[0] for chapter in tree.chapters)
    lines_of: dict[int | None, list[Line]] = defaultdict(list)
    for line in tree.lines:
        if line.kind != QuoteLine.Kind.TEXT:
            lines_of[line.chapter_id].append(_line(line, tree_numbers=not titled))
    children: dict[int | None, list[QuoteChapter]] = defaultdict(list)
    for chapter in tree.chapters:
        children[chapter.parent_id].append(chapter)

    def build(chapter: QuoteChapter) -> Chapter:
        number, title = split_number(chapter.title) if titled else (chapter.number, chapter.title)
        return Chapter(
            number,
            title,
            lines=lines_of[chapter.pk],
            chapters=[build(child) for child in children[chapter.pk]],
        )

    return [build(chapter) for chapter in children[None]], lines_of[None]


def split_number(title: str) -> tuple[str, str]:
    """("2.1", "Fouilles") from "2.1 Fouilles", ("Lot 02", ...) from "Lot 02 ..."; else ("", title).

    The inverse of the import's "number, space, designation", so only a single space
    separates them; the first word is tried, then the first two ("Lot 02").
    """
    words = title.split(" ")
    for size in (1, 2):
        head, rest = " ".join(words[:size]), " ".join(words[size:])
        if rest.strip() and parse_numbering(head) is not None and head == head.strip():
            return head, rest
    return "", title


def _line(line: QuoteLine, *, tree_numbers: bool) -> Line:
    number = line.reference
    if tree_numbers and parse_numbering(number) is not None:
        number = ""
    if line.optional:
        return Line(number, line.description, line.unit, None, line.unit_price, OPTION)
    return Line(number, line.description, line.unit, line.quantity, line.unit_price)


def export_quote(quote: Quote, *, sheet_per_lot: bool = False) -> bytes:
    """The .xlsx bytes; one sheet per top-level chapter when asked and possible."""
    chapters, lines = quote_schedule(quote)
    return export_tender_schedule(
        chapters, lines, sheet_per_chapter=sheet_per_lot and not lines and len(chapters) > 1
    )


def export_filename(quote: Quote) -> str:
    base = quote.number or f"devis-{quote.pk}"
    if quote.version > 1:
        base = f"{base}-v{quote.version}"
    return f"{base}.xlsx"
