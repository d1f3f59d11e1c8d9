"""Reads of change orders: company-scoped, a fixed number of queries whatever their size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from chantier.contracts.models import (
    ChangeOrder,
    ChangeOrderLine,
    Contract,
    ContractLine,
    ContractSection,
)
from chantier.core.access import get_for_company
from chantier.core.models import User
from chantier.core.money import round2

ZERO = Decimal("0.00")


def change_order_list(contract: Contract) -> QuerySet[ChangeOrder]:
    """The contract's change orders by number (one query a page)."""
    return ChangeOrder.objects.filter(
        company_id=contract.company_id, contract_id=contract.pk
    ).order_by("number", "pk")


def company_change_orders(company_id: int, status: str = "") -> QuerySet[ChangeOrder]:
    """Every change order of the company, newest first (the API's company-wide list)."""
    queryset = ChangeOrder.objects.filter(company_id=company_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def get_change_order_for_user(user: User, pk: object) -> ChangeOrder:
    """The change order with its contract, client and company; 404 for missing and foreign."""
    queryset = ChangeOrder.objects.select_related(
        "contract", "contract__client", "contract__site", "company", "created_by"
    )
    return get_for_company(queryset, user, pk)


def get_line_for_user(user: User, change_order: ChangeOrder, pk: object) -> ChangeOrderLine:
    queryset = ChangeOrderLine.objects.filter(change_order=change_order).select_related(
        "change_order"
    )
    return get_for_company(queryset, user, pk)


@dataclass(frozen=True)
class PrintedLine:
    """A line as read on the page and the PDF: before → after when it changes a line."""

    line: ChangeOrderLine
    change: str  # "new", "quantity", "price"
    before_quantity: Decimal | None = None
    after_quantity: Decimal | None = None
    before_price: Decimal | None = None
    after_price: Decimal | None = None


def change_of(line: ChangeOrderLine) -> str:
    target = line.amends
    if target is None:
        return "new"
    return "quantity" if line.unit_price == target.unit_price else "price"


def lines_of(change_order: ChangeOrder) -> list[PrintedLine]:
    """Lines in order with section and amended line (one query)."""
    lines = (
        ChangeOrderLine.objects.filter(change_order=change_order)
        .select_related("section", "amends")
        .order_by("position", "pk")
    )
    printed = []
    for line in lines:
        target = line.amends
        kind = change_of(line)
        if target is None:
            printed.append(PrintedLine(line, kind))
        elif kind == "quantity":
            printed.append(
                PrintedLine(
                    line,
                    kind,
                    before_quantity=target.quantity,
                    after_quantity=target.quantity + line.quantity,
                    before_price=target.unit_price,
                    after_price=target.unit_price,
                )
            )
        else:
            printed.append(
                PrintedLine(
                    line,
                    kind,
                    before_quantity=target.quantity,
                    after_quantity=target.quantity,
                    before_price=target.unit_price,
                    after_price=target.unit_price + line.unit_price,
                )
            )
    return printed


def vat_breakdown(lines: list[ChangeOrderLine]) -> list[dict[str, Decimal]]:
    """One VAT amount per rate on the sum of the nets at that rate, rounded once
    (french-rules §5, EN 16931); highest rate first."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        bases[line.vat_rate] += line.net
    return [
        {"rate": rate, "base": base, "amount": round2(base * rate / Decimal(100))}
        for rate, base in sorted(bases.items(), reverse=True)
    ]


def section_choices(contract: Contract) -> list[ContractSection]:
    return list(
        ContractSection.objects.filter(contract=contract)
        .order_by("sort_key", "pk")
        .only("pk", "number", "title", "sort_key")
    )


def amendable_lines(contract: Contract) -> list[ContractLine]:
    """The contract's own priced lines (not text, not themselves changes), in reading order."""
    return list(
        ContractLine.objects.filter(contract=contract, amends__isnull=True)
        .exclude(kind=ContractLine.Kind.TEXT)
        .order_by("sort_key", "pk")
        .only("pk", "reference", "description", "unit", "quantity", "unit_price", "vat_rate")
    )
