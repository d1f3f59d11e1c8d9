"""Writes on a quote's content: chapters and lines (DESIGN convention 1).

Every action locks the quote row, checks the version the user loaded (a stale save
is refused, nothing is written), checks the quote is still a draft, writes, then
bumps the version. Amounts are stored by `pricing`: one line changed is applied as
a difference to its chapters and the quote; structural changes re-price it all.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from chantier.catalogue import selectors as catalogue_selectors
from chantier.catalogue.models import Item
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.core.models import User
from chantier.core.money import round2, round3, round4, to_decimal
from chantier.core.services import audit_log
from chantier.quotes import pricing
from chantier.quotes.engine import PricingError
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine

MAX_DEPTH = 8


class LineData(TypedDict, total=False):
    kind: str
    optional: bool
    reference: str
    description: str
    unit: str
    quantity: Any
    price_mode: str
    unit_price: Any  # the price entered (entered mode)
    vat_rate: Any
    unit_labour_hours: Any
    unit_labour_cost: Any
    unit_supply_cost: Any


def lock(*, user: User, quote: Quote, lock_version: int | None, draft: bool = True) -> Quote:
    """The quote row, locked until commit; refuses a stale version and a non-draft quote."""
    company = require_writer(user).company
    locked = Quote.objects.select_for_update().get(pk=quote.pk, company=company)
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise StaleEdit(
            _(
                "Someone else changed this quote since you opened it. Reload the page: "
                "your change was not saved."
            )
        )
    if draft and not locked.editable:
        raise DomainError(
            _("This quote is %(status)s: create a new version to change it.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def bump(quote: Quote) -> None:
    Quote.objects.filter(pk=quote.pk).update(lock_version=F("lock_version") + 1)
    quote.lock_version += 1


def chapters_by_id(quote: Quote) -> dict[int, Chapter]:
    return {chapter.pk: chapter for chapter in Chapter.objects.filter(quote=quote)}


def _chapter_of(quote: Quote, chapter: Chapter | int | None) -> Chapter | None:
    if chapter is None:
        return None
    pk = chapter if isinstance(chapter, int) else chapter.pk
    found = Chapter.objects.filter(quote=quote, pk=pk).first()
    if found is None:
        raise DomainError(_("This chapter is not part of the quote."), field="chapter")
    return found


# Chapters ---------------------------------------------------------------------------------


@transaction.atomic
def chapter_add(
    *,
    user: User,
    quote: Quote,
    title: str,
    parent: Chapter | int | None = None,
    lock_version: int | None = None,
) -> Chapter:
    """A new chapter at the end of `parent` (or of the quote), numbered after its siblings."""
    locked = lock(user=user, quote=quote, lock_version=lock_version)
    parent_row = _chapter_of(locked, parent)
    if parent_row is not None and parent_row.depth >= MAX_DEPTH:
        raise DomainError(
            _("Chapters nest at most %(depth)d levels deep.") % {"depth": MAX_DEPTH},
            field="parent",
        )
    title = _clean_title(title, depth=parent_row.depth + 1 if parent_row else 1)
    siblings = Chapter.objects.filter(quote=locked, parent=parent_row)
    position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    prefix = f"{parent_row.number}." if parent_row else ""
    chapter = Chapter.objects.create(
        company=locked.company,
        quote=locked,
        parent=parent_row,
        position=position,
        title=title,
        number=f"{prefix}{position}",
        depth=parent_row.depth + 1 if parent_row else 1,
        sort_key=pricing.chapter_sort_key(parent_row.sort_key if parent_row else "", position),
    )
    bump(locked)
    _copy_state(quote, locked)
    return chapter


def _clean_title(title: str, *, depth: int) -> str:
    title = (title or "").strip()
    if not title:
        # Seed 001: a chapter opened with the prefix alone is titled "Chapitre niveau x".
        title = _("Chapter level %(depth)d") % {"depth": depth}
    if len(title) > 250:
        raise DomainError(_("A chapter title has at most 250 characters."), field="title")
    return title


@transaction.atomic
def chapter_rename(
    *, user: User, chapter: Chapter, title: str, lock_version: int | None = None
) -> Chapter:
    locked = lock(user=user, quote=chapter.quote, lock_version=lock_version)
    chapter.title = _clean_title(title, depth=chapter.depth)
    chapter.save(update_fields=["title"])
    bump(locked)
    _copy_state(chapter.quote, locked)
    return chapter


@transaction.atomic
def chapter_move(
    *,
    user: User,
    chapter: Chapter,
    parent: Chapter | int | None,
    position: int | None = None,
    lock_version: int | None = None,
) -> Chapter:
    """Move a chapter (and all it holds) under `parent`, before its `position`-th child.

    Chapters are renumbered (1, 1.1 …) and subtotals recomputed; a chapter cannot move
    into itself or one of its sub-chapters.
    """
    locked = lock(user=user, quote=chapter.quote, lock_version=lock_version)
    chapters = chapters_by_id(locked)
    parent_row = _chapter_of(locked, parent)
    if parent_row is not None and chapter.pk in {
        c.pk for c in pricing.ancestors(parent_row.pk, chapters)
    }:
        raise DomainError(_("A chapter cannot move into itself."), field="parent")
    siblings = [
        c
        for c in sorted(chapters.values(), key=lambda c: (c.position, c.pk))
        if c.parent_id == (parent_row.pk if parent_row else None) and c.pk != chapter.pk
    ]
    index = len(siblings) if position is None else max(0, min(int(position) - 1, len(siblings)))
    moved = chapters[chapter.pk]
    moved.parent = parent_row
    siblings.insert(index, moved)
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    Chapter.objects.bulk_update(siblings, ["parent", "position"])
    pricing.recompute(locked)
    bump(locked)
    _copy_state(chapter.quote, locked)
    moved.refresh_from_db()
    return moved


@transaction.atomic
def chapter_delete(*, user: User, chapter: Chapter, lock_version: int | None = None) -> None:
    """Delete a chapter with its lines and sub-chapters; the quote is re-priced."""
    locked = lock(user=user, quote=chapter.quote, lock_version=lock_version)
    title = chapter.title
    Chapter.objects.filter(pk=chapter.pk, quote=locked).delete()
    pricing.recompute(locked)
    bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="quote_chapter_delete",
        obj=locked,
        data={"title": title},
    )
    _copy_state(chapter.quote, locked)


# Lines ------------------------------------------------------------------------------------


def apply_line_data(line: QuoteLine, data: LineData) -> None:
    """Copy form or API input onto a line, collecting every faulty field at once."""
    errors: dict[str, list[str]] = {}
    for name in ("reference", "description", "unit"):
        if name in data:
            setattr(line, name, str(data[name] or "").strip())
    if "kind" in data:
        kind = str(data["kind"] or QuoteLine.Kind.ITEM)
        if kind not in QuoteLine.Kind.values:
            errors["kind"] = [_("Unknown line kind.")]
        else:
            line.kind = kind
    if "optional" in data:
        line.optional = bool(data["optional"])
    if "price_mode" in data:
        mode = str(data["price_mode"] or QuoteLine.PriceMode.ENTERED)
        if mode not in QuoteLine.PriceMode.values:
            errors["price_mode"] = [_("Unknown pricing.")]
        else:
            line.price_mode = mode
    numbers = {
        "quantity": ("quantity", round3),
        "unit_price": ("entered_price", round2),
        "vat_rate": ("vat_rate", round2),
        "unit_labour_hours": ("unit_labour_hours", round4),
        "unit_labour_cost": ("unit_labour_cost", round4),
        "unit_supply_cost": ("unit_supply_cost", round4),
    }
    for name, (attribute, rounding) in numbers.items():
        if name not in data:
            continue
        value = data[name]  # type: ignore[literal-required]
        if value is None or value == "":
            if name == "unit_price":
                line.entered_price = None
                continue
            errors[name] = [_("This field is required.")]
            continue
        try:
            number = to_decimal(value)
        except ValueError:
            errors[name] = [_("Enter a number.")]
            continue
        if abs(number) >= Decimal("1e11"):
            errors[name] = [_("This number is too large.")]
            continue
        setattr(line, attribute, rounding(number))
    if not line.description and line.kind != QuoteLine.Kind.TEXT:
        errors["description"] = [_("Describe the line.")]
    if not line.description and line.kind == QuoteLine.Kind.TEXT:
        errors["description"] = [_("A text line needs its text.")]
    if len(line.reference) > 50:
        errors["reference"] = [_("A reference has at most 50 characters.")]
    if len(line.unit) > 20:
        errors["unit"] = [_("A unit has at most 20 characters.")]
    if line.kind == QuoteLine.Kind.TEXT:
        line.quantity, line.entered_price, line.optional = Decimal("0.000"), None, False
    elif (
        line.price_mode == QuoteLine.PriceMode.ENTERED
        and line.entered_price is None
        and "unit_price" not in errors
    ):
        errors["unit_price"] = [_("Enter the unit price.")]
    if errors:
        raise FieldErrors(errors)


ENGINE_FIELDS = {"unit_price": "unit_price", "cost": "unit_supply_cost"}


def price_or_refuse(line: QuoteLine, quote: Quote) -> None:
    """Price the line with the quote's method; an engine refusal names the form field."""
    try:
        pricing.price_one(line, pricing.method_of(quote))
    except PricingError as error:
        raise translated(error) from None
    amounts = (line.unit_price, line.net, line.labour_cost, line.supply_cost)
    pricing.refuse_overflow(amounts, line.labour_hours, field="quantity")


def translated(error: PricingError) -> DomainError:
    """The engine's English message in the user's language, on the form's field name."""
    field = ENGINE_FIELDS.get(error.field or "", error.field or "")
    if field == "vat_rate":
        return DomainError(_("Unknown VAT rate: choose 20 %, 10 %, 5.5 % or 0 %."), field=field)
    return DomainError(_(error.message), field=field)


@transaction.atomic
def line_add(
    *,
    user: User,
    quote: Quote,
    data: LineData,
    chapter: Chapter | int | None = None,
    item: Item | None = None,
    position: int | None = None,
    lock_version: int | None = None,
) -> QuoteLine:
    """Add a line at the end of a chapter (or before its `position`-th line).

    With `item`, the catalogue item is copied (reference, name, unit, VAT, unit direct
    cost; an assembly's components as greyed lines, seed 002); `data` may override it.
    Later catalogue changes never reach the quote.
    """
    locked = lock(user=user, quote=quote, lock_version=lock_version)
    chapter_row = _chapter_of(locked, chapter)
    line = QuoteLine(company=locked.company, quote=locked, chapter=chapter_row)
    line.vat_rate = locked.company.default_vat_rate
    components: list[LineComponent] = []
    if item is not None:
        components = _copy_item(line, item)
    # Over an item, only the fields actually given replace what the catalogue provided.
    given = data if item is None else {k: v for k, v in data.items() if v not in (None, "")}
    apply_line_data(line, given)  # type: ignore[arg-type]  # a subset of LineData's keys
    price_or_refuse(line, locked)
    siblings = QuoteLine.objects.filter(quote=locked, chapter=chapter_row)
    last = siblings.aggregate(last=Max("position"))["last"] or 0
    if position is None or int(position) > last:
        line.position = last + 1
    else:
        line.position = max(1, int(position))
        _shift_lines(locked, chapter_row, line.position)
    line.sort_key = pricing.line_sort_key(
        chapter_row.sort_key if chapter_row else "", line.position
    )
    line.save()
    for component in components:
        component.line = line
    LineComponent.objects.bulk_create(components)
    chapters = chapters_by_id(locked)
    pricing.apply_line_change(
        locked,
        chapters=pricing.ancestors(line.chapter_id, chapters),
        before=pricing.LineAmounts.of(None),
        after=pricing.LineAmounts.of(line),
        line_count_delta=1,
    )
    bump(locked)
    _copy_state(quote, locked)
    return line


def _shift_lines(quote: Quote, chapter: Chapter | None, from_position: int) -> None:
    rows = list(
        QuoteLine.objects.filter(quote=quote, chapter=chapter, position__gte=from_position).only(
            "pk", "position", "sort_key"
        )
    )
    prefix = chapter.sort_key if chapter else ""
    for row in rows:
        row.position += 1
        row.sort_key = pricing.line_sort_key(prefix, row.position)
    QuoteLine.objects.bulk_update(rows, ["position", "sort_key"], batch_size=500)


def _copy_item(line: QuoteLine, item: Item) -> list[LineComponent]:
    """The item's text, unit, VAT and direct cost per unit, frozen on the line."""
    detail = catalogue_selectors.item_detail(line.company, item)
    line.item = item
    line.reference = item.reference
    line.description = item.name + (f"\n{item.description}" if item.description else "")
    line.unit = item.unit
    line.vat_rate = item.vat_rate
    line.kind = QuoteLine.Kind.DISCOUNT if item.kind == Item.Kind.DISCOUNT else QuoteLine.Kind.ITEM
    cost = detail.cost
    line.unit_labour_hours, line.unit_labour_cost = cost.labour_hours, cost.labour_cost
    line.unit_supply_cost = cost.supply_cost
    if item.structure == Item.Structure.ASSEMBLY or (item.sale_price == 0 and cost.total):
        line.price_mode = QuoteLine.PriceMode.COST
    else:
        line.price_mode = QuoteLine.PriceMode.ENTERED
        line.entered_price = item.sale_price
    return [
        LineComponent(
            company=line.company,
            position=position,
            reference=row.row.component.reference,
            description=row.row.component.name,
            unit=row.row.component.unit,
            kind=row.row.component.kind,
            quantity_per_unit=row.row.quantity,
            unit_cost=row.unit_cost.total,
        )
        for position, row in enumerate(detail.lines, start=1)
    ]


@transaction.atomic
def line_update(
    *, user: User, line: QuoteLine, data: LineData, lock_version: int | None = None
) -> QuoteLine:
    """Change a line; its chapters' subtotals and the quote's totals follow at once."""
    locked = lock(user=user, quote=line.quote, lock_version=lock_version)
    row = QuoteLine.objects.get(pk=line.pk, quote=locked)
    before = pricing.LineAmounts.of(row)
    apply_line_data(row, data)
    price_or_refuse(row, locked)
    row.save()
    pricing.apply_line_change(
        locked,
        chapters=pricing.ancestors(row.chapter_id, chapters_by_id(locked)),
        before=before,
        after=pricing.LineAmounts.of(row),
    )
    bump(locked)
    _copy_state(line.quote, locked)
    return row


@transaction.atomic
def line_delete(*, user: User, line: QuoteLine, lock_version: int | None = None) -> None:
    locked = lock(user=user, quote=line.quote, lock_version=lock_version)
    row = QuoteLine.objects.get(pk=line.pk, quote=locked)
    before = pricing.LineAmounts.of(row)
    chapter_id = row.chapter_id
    row.delete()
    pricing.apply_line_change(
        locked,
        chapters=pricing.ancestors(chapter_id, chapters_by_id(locked)),
        before=before,
        after=pricing.LineAmounts.of(None),
        line_count_delta=-1,
    )
    bump(locked)
    _copy_state(line.quote, locked)


@transaction.atomic
def line_move(
    *,
    user: User,
    line: QuoteLine,
    chapter: Chapter | int | None,
    position: int | None = None,
    lock_version: int | None = None,
) -> QuoteLine:
    """Move a line to another place (chapter, position); the quote is re-priced."""
    locked = lock(user=user, quote=line.quote, lock_version=lock_version)
    chapter_row = _chapter_of(locked, chapter)
    row = QuoteLine.objects.get(pk=line.pk, quote=locked)
    siblings = list(
        QuoteLine.objects.filter(quote=locked, chapter=chapter_row)
        .exclude(pk=row.pk)
        .order_by("position", "pk")
        .only("pk", "position")
    )
    index = len(siblings) if position is None else max(0, min(int(position) - 1, len(siblings)))
    row.chapter = chapter_row
    siblings.insert(index, row)
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    QuoteLine.objects.bulk_update(siblings, ["position"])
    row.save(update_fields=["chapter", "position"])
    pricing.recompute(locked)
    bump(locked)
    _copy_state(line.quote, locked)
    row.refresh_from_db()
    return row


@transaction.atomic
def quote_pricing_update(
    *, user: User, quote: Quote, data: dict[str, Any], lock_version: int | None = None
) -> Quote:
    """Change how lines priced from cost are priced (method, coefficients, K); re-price all."""
    locked = lock(user=user, quote=quote, lock_version=lock_version)
    errors: dict[str, list[str]] = {}
    if "pricing_method" in data:
        if data["pricing_method"] not in Quote.PricingMethod.values:
            errors["pricing_method"] = [_("Unknown pricing method.")]
        else:
            locked.pricing_method = data["pricing_method"]
    for name in (
        "labour_coefficient",
        "supply_coefficient",
        "difficulty_coefficient",
        "overhead_coefficient",
        "site_costs_rate",
        "overheads_rate",
        "profit_rate",
    ):
        if name in data:
            try:
                setattr(locked, name, round4(to_decimal(data[name])))
            except ValueError:
                errors[name] = [_("Enter a number.")]
    if "k_multipliers" in data:
        locked.k_multipliers = str(data["k_multipliers"] or "").strip()
    if errors:
        raise FieldErrors(errors)
    try:
        pricing.validate_method(locked)
    except PricingError as error:
        raise translated(error) from None
    locked.save()
    pricing.recompute(locked)
    bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="quote_pricing_update",
        obj=locked,
        data={"method": locked.pricing_method},
    )
    _copy_state(quote, locked)
    return locked


def _copy_state(target: Quote, source: Quote) -> None:
    """Let the caller's instance see the stored totals and the new version."""
    if target is source:
        return
    for name in (*pricing.QUOTE_TOTAL_FIELDS, "lock_version", "pricing_method"):
        setattr(target, name, getattr(source, name))
