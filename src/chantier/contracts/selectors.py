"""Reads of the contracts app: the company's contract list and one contract in full.

Every read is scoped by company and runs a fixed number of queries, however many
sections, lines and components a contract has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Prefetch, QuerySet

from chantier.contracts.models import Contract, ContractLine, ContractLineComponent, ContractSection
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.pagination import search

CONTRACT_SEARCH = ("reference", "title", "client__name")
ZERO = Decimal("0.00")


def contract_list(company: Company, q: str = "", status: str = "") -> QuerySet[Contract]:
    """The company's contracts, newest first, with their client and site (one query a page).

    `q`: every word in the reference, the title or the client's name; `status`: one status.
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
    lines_qs = ContractLine.objects.filter(
        company_id=contract.company_id, contract=contract
    ).order_by("sort_key", "pk")
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
