"""Nesting the rows of one sheet into chapters: by their numbers or, failing that, indentation.

A sheet is read by numbering when at least half of its chapter rows carry a number
(`tender_numbers`), by indentation otherwise. Indentation is the designation's position:
its column within a merged designation header, the cell's alignment indent, then its
leading spaces, compared in that order.

Numbering: a dotted number goes under the deepest open chapter whose number is a prefix
of it ("1.2.1" under "1.2", "02.01" under "Lot 02"), or else under the deepest open
chapter of another single-part style ("1.1" under "Lot 02" or "A"). A single-part number
closes the open chapter of the same style (its sibling) or opens a level below the
current one (a new style, as "A" under "I"). A chapter without number goes under the
deepest numbered open chapter; a line without number under the current chapter.

Indentation: a chapter goes under the nearest open chapter less indented than itself.
When some lines are indented, a line does too; when no line is, it goes under the
current chapter (only the chapter titles are indented).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from chantier.quotes.tender_model import Chapter, Line, ReportEntry
from chantier.quotes.tender_numbers import Numbering, resolve_style

Indent = tuple[int, int, int]  # (column offset, alignment indent, leading spaces)


@dataclass
class RowItem:
    """A chapter or line row of a sheet, with what places it in the tree."""

    node: Chapter | Line
    numbering: Numbering | None
    indent: Indent


@dataclass
class _Open:
    chapter: Chapter
    numbering: Numbering | None
    style: str
    indent: Indent


@dataclass
class SheetTree:
    root: Chapter = field(default_factory=lambda: Chapter("", ""))
    entries: list[ReportEntry] = field(default_factory=list)


def build_tree(items: Sequence[RowItem]) -> SheetTree:
    chapters = [item for item in items if isinstance(item.node, Chapter)]
    numbered = sum(1 for item in chapters if item.numbering is not None)
    by_numbers = numbered > 0 and 2 * numbered >= len(chapters)
    lines_indented = any(item.indent > (0, 0, 0) for item in items if isinstance(item.node, Line))
    tree, stack, last_seen = SheetTree(), list[_Open](), dict[str, str]()
    for item in items:
        style = ""
        if by_numbers and item.numbering is not None:
            style = resolve_style(item.numbering, last_seen)
            last_seen[style] = item.numbering.parts[0]
            keep = _keep_by_number(stack, item.numbering, style)
        elif by_numbers:
            keep = _keep_unnumbered(stack, isinstance(item.node, Chapter))
        else:
            keep = _keep_by_indent(stack, item, lines_indented)
        del stack[keep:]
        parent = stack[-1].chapter if stack else tree.root
        if isinstance(item.node, Chapter):
            parent.chapters.append(item.node)
            stack.append(_Open(item.node, item.numbering, style, item.indent))
        else:
            if parent.chapters:
                tree.entries.append(ReportEntry("line_moved", item.node.sheet, item.node.row))
            parent.lines.append(item.node)
    return tree


def _keep_by_number(stack: list[_Open], numbering: Numbering, style: str) -> int:
    """How many open chapters stay open above a numbered row (its parent is the last)."""
    if numbering.dotted:
        for index in range(len(stack) - 1, -1, -1):
            opened = stack[index].numbering
            if opened is not None and numbering.under(opened):
                return index + 1
        for index in range(len(stack) - 1, -1, -1):
            entry = stack[index]
            if _single(entry) and entry.style != style:
                return index + 1
        return 0
    for index in range(len(stack) - 1, -1, -1):
        if _single(stack[index]) and stack[index].style == style:
            return index  # a sibling: closes that chapter
    for index, entry in enumerate(stack):
        if entry.numbering is not None and entry.numbering.dotted and entry.style == style:
            return index  # "2" after "1.3" when "1" was never a row
    return len(stack)


def _single(entry: _Open) -> bool:
    return entry.numbering is not None and not entry.numbering.dotted


def _keep_unnumbered(stack: list[_Open], chapter: bool) -> int:
    if not chapter:
        return len(stack)
    keep = len(stack)
    while keep and stack[keep - 1].numbering is None:
        keep -= 1  # two unnumbered chapters in a row are siblings
    return keep


def _keep_by_indent(stack: list[_Open], item: RowItem, lines_indented: bool) -> int:
    if isinstance(item.node, Line) and not lines_indented:
        return len(stack)
    keep = len(stack)
    while keep and stack[keep - 1].indent >= item.indent:
        keep -= 1
    return keep
