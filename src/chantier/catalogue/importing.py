"""Catalogue import from CSV or XLSX, with a per-row report of what was rejected and why.

Rows are parsed and checked first; the valid ones are then written in one
transaction through the item services (an existing reference is updated, a new
one created). A row the services refuse is rolled back alone (savepoint) and
reported. An unreadable file or a file without a header creates nothing.
An empty cell leaves the current value unchanged (or the default, for a new item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chantier.catalogue import services
from chantier.catalogue.models import Category, Item
from chantier.catalogue.spreadsheets import (
    SpreadsheetError,
    cell_number,
    cell_text,
    choice_values,
    find_header,
    normalise,
    read_rows,
)
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.models import Company, User
from chantier.core.money import VAT_RATES
from chantier.parties.models import Supplier

CREATED, UPDATED, REJECTED = "created", "updated", "rejected"
TEXT_FIELDS = ("name", "unit", "supplier_reference", "datasheet_url", "description")
PERCENT_FRACTIONS = {rate / 100: rate for rate in VAT_RATES if rate}


@dataclass(frozen=True)
class RowResult:
    row: int
    reference: str
    status: str
    reason: str = ""


@dataclass
class ImportReport:
    results: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.results if r.status == REJECTED]


@dataclass
class _Plan:
    row: int
    reference: str
    data: dict[str, Any]
    category: str = ""
    subcategory: str = ""
    existing: Item | None = None


class _RowError(Exception):
    pass


class _Context:
    """What the rows are checked against, loaded once per file."""

    def __init__(self, company: Company, references: set[str]) -> None:
        self.company = company
        self.items = {
            i.reference: i for i in Item.objects.filter(company=company, reference__in=references)
        }
        self.suppliers: dict[str, Supplier] = {}
        for supplier in Supplier.objects.filter(company=company).order_by("-pk"):
            self.suppliers[supplier.name.strip().casefold()] = supplier  # oldest wins
        self.categories = {
            (c.parent_id, c.name.casefold()): c for c in Category.objects.filter(company=company)
        }
        self.kinds = choice_values(Item.Kind)
        self.structures = choice_values(Item.Structure)


def import_items(*, user: User, content: bytes) -> ImportReport:
    """Import catalogue items from the bytes of a CSV or XLSX file (issue: catalogue import)."""
    company = require_writer(user).company
    rows = read_rows(content)
    header_index, columns = find_header(rows)
    body = [(n, cells) for n, cells in rows[header_index + 1 :] if any(cell_text(c) for c in cells)]
    if not body:
        raise SpreadsheetError(_("The file has a header but no rows to import."), field="file")
    references = {_cell(cells, columns, "reference") for _n, cells in body}
    context = _Context(company, references)
    report = ImportReport()
    plans: list[_Plan] = []
    seen: dict[str, int] = {}
    for number, cells in body:
        try:
            plan = _parse(number, cells, columns, context, seen)
        except _RowError as exc:
            reference = _cell(cells, columns, "reference")
            report.results.append(RowResult(number, reference, REJECTED, str(exc)))
        else:
            plans.append(plan)
    _write(user, plans, context, report)
    report.results.sort(key=lambda r: r.row)
    return report


def _cell(cells: list[object], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return cell_text(cells[index]) if index is not None and index < len(cells) else ""


def _raw(cells: list[object], columns: dict[str, int], key: str) -> object | None:
    index = columns.get(key)
    if index is None or index >= len(cells) or cell_text(cells[index]) == "":
        return None
    return cells[index]


def _parse(
    number: int,
    cells: list[object],
    columns: dict[str, int],
    context: _Context,
    seen: dict[str, int],
) -> _Plan:
    reference = _cell(cells, columns, "reference")
    if not reference:
        raise _RowError(_("missing reference"))
    if reference in seen:
        raise _RowError(
            _("reference %(ref)s already appears on row %(row)d")
            % {"ref": reference, "row": seen[reference]}
        )
    seen[reference] = number
    existing = context.items.get(reference)
    data: dict[str, Any] = {"reference": reference}
    for key in TEXT_FIELDS:
        if (text := _cell(cells, columns, key)) != "":
            data[key] = text
    if existing is None and "name" not in data:
        raise _RowError(_("missing name"))
    _parse_choices(cells, columns, context, data)
    _parse_numbers(cells, columns, data)
    _parse_supplier(cells, columns, context, data)
    category, subcategory = _cell(cells, columns, "category"), _cell(cells, columns, "subcategory")
    if subcategory and not category:
        raise _RowError(_("subcategory %(name)r has no category") % {"name": subcategory})
    return _Plan(number, reference, data, category, subcategory, existing)


def _parse_choices(
    cells: list[object], columns: dict[str, int], context: _Context, data: dict[str, Any]
) -> None:
    for key, values, labels in (
        ("kind", context.kinds, Item.Kind.labels),
        ("structure", context.structures, Item.Structure.labels),
    ):
        text = _cell(cells, columns, key)
        if not text:
            continue
        code = values.get(normalise(text))
        if code is None:
            raise _RowError(
                _("unknown %(column)s %(value)r (expected: %(choices)s)")
                % {
                    "column": _("kind") if key == "kind" else _("structure"),
                    "value": text,
                    "choices": ", ".join(str(label) for label in labels),
                }
            )
        data[key] = code


def _parse_numbers(cells: list[object], columns: dict[str, int], data: dict[str, Any]) -> None:
    names = {
        "purchase_cost": _("purchase cost"),
        "sale_price": _("sale price"),
        "vat_rate": _("VAT rate"),
    }
    for key, label in names.items():
        raw = _raw(cells, columns, key)
        if raw is None:
            continue
        try:
            value = cell_number(raw)
        except ValueError:
            raise _RowError(
                _("%(column)s %(value)r is not a number")
                % {"column": label, "value": cell_text(raw)}
            ) from None
        data[key] = value
    rate = data.get("vat_rate")
    if rate is not None:
        rate = PERCENT_FRACTIONS.get(rate, rate)  # 0.2 means 20 %
        if rate not in VAT_RATES:
            raise _RowError(
                _("unknown VAT rate %(rate)s (expected 20, 10, 5.5 or 0)") % {"rate": rate}
            )
        data["vat_rate"] = rate


def _parse_supplier(
    cells: list[object], columns: dict[str, int], context: _Context, data: dict[str, Any]
) -> None:
    name = _cell(cells, columns, "supplier")
    if not name:
        return
    supplier = context.suppliers.get(name.casefold())
    if supplier is None:
        raise _RowError(
            _("unknown supplier %(name)r: create it in the suppliers first") % {"name": name}
        )
    data["supplier"] = supplier


@transaction.atomic
def _write(user: User, plans: list[_Plan], context: _Context, report: ImportReport) -> None:
    for plan in plans:
        created_keys: list[tuple[int | None, str]] = []
        try:
            with transaction.atomic():
                if plan.category:
                    plan.data["category"] = _category(user, plan, context, created_keys)
                if plan.existing is None:
                    services.item_create(user=user, data=plan.data)  # type: ignore[arg-type]
                    status = CREATED
                else:
                    services.item_update(user=user, item=plan.existing, data=plan.data)
                    status = UPDATED
        except DomainError as exc:
            for key in created_keys:  # rolled back with the row
                context.categories.pop(key, None)
            report.results.append(RowResult(plan.row, plan.reference, REJECTED, exc.message))
        else:
            report.results.append(RowResult(plan.row, plan.reference, status))


def _category(
    user: User, plan: _Plan, context: _Context, created: list[tuple[int | None, str]]
) -> Category:
    """The row's category (or subcategory), created when the company has none of that name."""
    parent = _get_or_create_category(user, context, plan.category, None, created)
    if not plan.subcategory:
        return parent
    return _get_or_create_category(user, context, plan.subcategory, parent, created)


def _get_or_create_category(
    user: User,
    context: _Context,
    name: str,
    parent: Category | None,
    created: list[tuple[int | None, str]],
) -> Category:
    key = (parent.pk if parent else None, name.casefold())
    category = context.categories.get(key)
    if category is None:
        category = services.category_create(user=user, name=name, parent=parent)
        context.categories[key] = category
        created.append(key)
    return category


def reason_text(result: RowResult) -> str:
    """'Row 7: purchase cost 'abc' is not a number', as shown in the report."""
    return _("Row %(row)d: %(reason)s") % {"row": result.row, "reason": result.reason}
