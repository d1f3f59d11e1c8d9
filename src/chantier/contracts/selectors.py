"""Reads of the contracts app: the company's contract list and one contract in full.

Every read is scoped by company and runs a fixed number of queries, however many
sections, lines and components a contract has.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
    RevisionIndex,
    ServiceOrder,
)
from chantier.contracts.order_models import OBSERVATION_DAYS
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.pagination import search

# Seed 002, "Rechercher un contrat": reference, type, client, intervention address.
CONTRACT_SEARCH = (
    "reference",
    "contract_type",
    "title",
    "client__name",
    "address_line1",
    "postcode",
    "city",
)
ZERO = Decimal("0.00")


def contract_list(company: Company, q: str = "", status: str = "") -> QuerySet[Contract]:
    """The company's contracts, newest first, with their client and site (one query a page).

    `q`: every word in the reference, the type, the title, the client's name or the
    intervention address (line, postcode, city), accents and case ignored; `status`: one
    status.
    """
    queryset = Contract.objects.filter(company=company).select_related("client", "site")
    if status:
        queryset = queryset.filter(status=status)
    return search(queryset, q, CONTRACT_SEARCH).order_by("-created_at", "-pk")


def get_contract_for_user(user: User, pk: object) -> Contract:
    """The contract with its client, site, quote and author; 404 for missing and foreign ids."""
    queryset = Contract.objects.select_related("client", "site", "quote", "created_by")
    return get_for_company(queryset, user, pk)


@dataclass(frozen=True)
class Row:
    """One row of the contract in reading order: a section heading or a line."""

    section: ContractSection | None = None
    line: ContractLine | None = None


@dataclass
class ContractDetail:
    contract: Contract
    sections: list[ContractSection]
    lines: list[ContractLine]
    # Section id → Σ nets of its lines and of its sub-sections' lines.
    subtotals: dict[int, Decimal] = field(default_factory=dict)

    def section_number(self, line: ContractLine) -> str | None:
        section = self._by_id.get(line.section_id) if line.section_id else None
        return section.number if section else None

    @cached_property
    def _by_id(self) -> dict[int, ContractSection]:
        return {section.pk: section for section in self.sections}

    @property
    def rows(self) -> list[Row]:
        """Sections and lines merged in tree order: the sort keys interleave them
        ("0001" < "0001-000001" < "0001.0001"), lines outside any section first."""
        rows = [Row(section=s) for s in self.sections] + [Row(line=line) for line in self.lines]
        return sorted(rows, key=_row_key)


def _row_key(row: Row) -> tuple[str, int, int]:
    if row.section is not None:
        return (row.section.sort_key, 0, row.section.pk)
    assert row.line is not None
    return (row.line.sort_key, 1, row.line.pk)


def contract_detail(contract: Contract, *, components: bool = True) -> ContractDetail:
    """Sections and lines by sort key, components prefetched (3 queries, 2 without them).

    Each section gets `subtotal` (also in `subtotals`) and `depth` from its sort key.
    """
    sections = list(
        ContractSection.objects.filter(company_id=contract.company_id, contract=contract).order_by(
            "sort_key", "pk"
        )
    )
    lines_qs = (
        ContractLine.objects.filter(company_id=contract.company_id, contract=contract)
        .select_related("change_order", "service_order")
        .order_by("sort_key", "pk")
    )
    if components:
        lines_qs = lines_qs.prefetch_related(
            Prefetch("components", ContractLineComponent.objects.order_by("position", "pk"))
        )
    lines = list(lines_qs)
    parent_of = {section.pk: section.parent_id for section in sections}
    subtotals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        section_id = line.section_id
        while section_id is not None:
            subtotals[section_id] += line.net
            section_id = parent_of.get(section_id)
    for section in sections:
        section.subtotal = subtotals[section.pk]  # type: ignore[attr-defined]  # for templates
    return ContractDetail(contract, sections, lines, dict(subtotals))


PAGE_ROWS = 200  # rows (section headings and lines) per page of the contract page


@dataclass
class DetailPage:
    """One page of the contract in reading order, with every section's subtotal."""

    page_obj: Page[tuple[str, int, int]]
    rows: list[Row]
    subtotals: dict[int, Decimal]
    line_count: int

    @property
    def lines(self) -> bool:  # the template's "has lines" test, as on ContractDetail
        return self.line_count > 0


def contract_detail_page(
    contract: Contract, page: object = 1, *, per_page: int = PAGE_ROWS, components: bool = True
) -> DetailPage:
    """A page of rows of a contract of any size in 4 queries: the sections, every line's
    sort key and net (for the order and the subtotals), then the page's lines in full and
    their components. Only `per_page` rows are built and rendered, so a 5,000-line contract
    opens as fast as a small one (issue 4: ≤ 500 ms)."""
    sections = list(
        ContractSection.objects.filter(company_id=contract.company_id, contract=contract).order_by(
            "sort_key", "pk"
        )
    )
    keys = list(
        ContractLine.objects.filter(company_id=contract.company_id, contract=contract).values_list(
            "pk", "sort_key", "section_id", "net"
        )
    )
    parent_of = {section.pk: section.parent_id for section in sections}
    subtotals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for _pk, _key, section_id, net in keys:
        while section_id is not None:
            subtotals[section_id] += net
            section_id = parent_of.get(section_id)
    for section in sections:
        section.subtotal = subtotals[section.pk]  # type: ignore[attr-defined]  # for templates
    order = sorted(
        [(section.sort_key, 0, section.pk) for section in sections]
        + [(key, 1, pk) for pk, key, _section, _net in keys]
    )
    page_obj = Paginator(order, per_page).get_page(page)
    line_ids = [pk for _key, kind, pk in page_obj.object_list if kind == 1]
    lines_qs = ContractLine.objects.filter(pk__in=line_ids).select_related(
        "change_order", "service_order"
    )
    if components:
        lines_qs = lines_qs.prefetch_related(
            Prefetch("components", ContractLineComponent.objects.order_by("position", "pk"))
        )
    lines = lines_qs.in_bulk()
    by_id = {section.pk: section for section in sections}
    rows = [
        Row(section=by_id[pk]) if kind == 0 else Row(line=lines[pk])
        for _key, kind, pk in page_obj.object_list
    ]
    return DetailPage(page_obj, rows, dict(subtotals), len(keys))


def contract_has_invoices(contract: Contract) -> bool:
    """Whether an invoice (issued or draft) was made for the contract.

    Deletion is refused and retention changes ask for confirmation when this is true.
    """
    from chantier.billing.models import Invoice

    return Invoice.objects.filter(contract=contract).exists()


def revision_indices(contract: Contract) -> list[RevisionIndex]:
    """The indices of the contract's revision formula, in their order (one query)."""
    return list(RevisionIndex.objects.filter(contract=contract).order_by("position", "pk"))


def same_address(contract: Contract) -> bool:
    """The intervention address is the client's own (then it is not printed, seed 002)."""
    fields = ("address_line1", "address_line2", "postcode", "city", "country")
    return all(
        (getattr(contract, name) or "").strip().casefold()
        == (getattr(contract.client, name) or "").strip().casefold()
        for name in fields
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


REMINDER_MONTHS = 2  # seed 002: reminded on the home page two months before
REMINDER_LIMIT = 50


@dataclass(frozen=True)
class Reminders:
    contracts: list[Contract]
    service_orders: list[ServiceOrder]
    # Final-account deadlines (final_account_selectors.DeadlineReminder).
    final_account: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contracts or self.service_orders or self.final_account)


def home_reminders(company: Company, today: dt.date) -> Reminders:
    """What the home page reminds of (three queries):

    - contracts not finished whose next due date is past or within two months;
    - service orders awaiting validation or validated whose observation deadline
      (notification + 15 days, french-rules §10) is today or within the next 15 days;
    - final-account deadlines overdue or due within 15 days (french-rules §8, one query).
    """
    contracts = list(
        Contract.objects.filter(
            company=company,
            next_due_date__isnull=False,
            next_due_date__lte=add_months(today, REMINDER_MONTHS),
        )
        .exclude(status=Contract.Status.FINISHED)
        .select_related("client")
        .order_by("next_due_date", "pk")[:REMINDER_LIMIT]
    )
    # deadline = notification + 15 in [today, today + 15] ⇔ notification in [today - 15, today]
    window = dt.timedelta(days=OBSERVATION_DAYS)
    service_orders = list(
        ServiceOrder.objects.filter(
            company=company,
            status__in=(ServiceOrder.Status.AWAITING, ServiceOrder.Status.VALIDATED),
            notification_date__gte=today - window,
            notification_date__lte=today,
        )
        .select_related("contract")
        .order_by("notification_date", "pk")[:REMINDER_LIMIT]
    )
    from chantier.contracts.final_account_selectors import final_account_reminders

    return Reminders(contracts, service_orders, final_account_reminders(company, today))
