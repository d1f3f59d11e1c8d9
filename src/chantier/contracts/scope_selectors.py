"""Reads of the contract's scope (sections and lines), participants and interactions.

Every read is scoped by the contract (itself fetched through a company-scoped selector)
and runs a fixed number of queries, however many sections, lines or rows there are.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from chantier.contracts.models import Contract, ContractLine, ContractSection, Participant
from chantier.contracts.selectors import ContractDetail
from chantier.core.access import get_for_company
from chantier.core.models import User
from chantier.core.pagination import search
from chantier.parties.models import Contact, Interaction

ZERO = Decimal("0.00")
INTERACTION_SEARCH = ("subject", "detail")


def line_is_billed(line: ContractLine) -> bool:
    """Whether an invoice already bills part of this line (then it cannot be deleted).

    Any invoice line (draft or issued) referring to it counts: a draft statement holds
    its progress too.
    """
    from chantier.billing.models import InvoiceLine

    return InvoiceLine.objects.filter(contract_line=line).exists()


def scope_detail(contract: Contract) -> ContractDetail:
    """Sections and lines of the contract in tree order, with subtotals (2 queries).

    Each section gets `subtotal` (Σ nets of its lines and of its sub-sections' lines) and
    `depth`; each line comes with its change order or service order, if any.
    """
    sections = list(
        ContractSection.objects.filter(company_id=contract.company_id, contract=contract).order_by(
            "sort_key", "pk"
        )
    )
    lines = list(
        ContractLine.objects.filter(company_id=contract.company_id, contract=contract)
        .select_related("change_order", "service_order")
        .order_by("sort_key", "pk")
    )
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


def contract_sections(contract: Contract) -> list[ContractSection]:
    return list(
        ContractSection.objects.filter(company_id=contract.company_id, contract=contract).order_by(
            "sort_key", "pk"
        )
    )


def get_section(contract: Contract, pk: object) -> ContractSection:
    """A section of this contract; 404 for any other id."""
    try:
        section = ContractSection.objects.get(
            company_id=contract.company_id, contract=contract, pk=int(str(pk))
        )
    except (ValueError, ContractSection.DoesNotExist):
        raise Http404("not found") from None
    section.contract = contract
    return section


def get_line(contract: Contract, pk: object) -> ContractLine:
    """A line of this contract (with its section and orders); 404 for any other id."""
    queryset = ContractLine.objects.select_related("section", "change_order", "service_order")
    try:
        line = queryset.get(company_id=contract.company_id, contract=contract, pk=int(str(pk)))
    except (ValueError, ContractLine.DoesNotExist):
        raise Http404("not found") from None
    line.contract = contract
    return line


def section_lines(section: ContractSection) -> QuerySet[ContractLine]:
    """The lines of a section and of all its sub-sections."""
    return ContractLine.objects.filter(
        Q(section=section) | Q(section__sort_key__startswith=f"{section.sort_key}."),
        company_id=section.company_id,
        contract_id=section.contract_id,
    )


# --- participants -------------------------------------------------------------------------


def contract_participants(contract: Contract) -> list[Participant]:
    return list(
        Participant.objects.filter(company_id=contract.company_id, contract=contract).order_by(
            "position", "pk"
        )
    )


def get_participant_for_user(user: User, pk: object) -> Participant:
    queryset = Participant.objects.select_related("contract")
    return get_for_company(queryset, user, pk)


def contact_choices(contract: Contract) -> list[Contact]:
    """Contacts a participant may be picked from: the client's, and every supplier's."""
    return list(
        Contact.objects.filter(company_id=contract.company_id)
        .filter(Q(client_id=contract.client_id) | Q(supplier__isnull=False))
        .select_related("client", "supplier")
        .order_by("supplier__name", "last_name", "first_name", "pk")
    )


def get_contact(contract: Contract, pk: object) -> Contact | None:
    """One of `contact_choices`, or None (a foreign or unrelated id is simply ignored)."""
    try:
        pk = int(str(pk))
    except ValueError:
        return None
    return (
        Contact.objects.filter(company_id=contract.company_id, pk=pk)
        .filter(Q(client_id=contract.client_id) | Q(supplier__isnull=False))
        .first()
    )


# --- interactions -------------------------------------------------------------------------


def contract_interactions(contract: Contract, q: str = "", kind: str = "") -> QuerySet[Interaction]:
    """The contract's interactions, newest first, with their author (one query a page)."""
    queryset = Interaction.objects.filter(
        company_id=contract.company_id, contract=contract
    ).select_related("author")
    if kind:
        queryset = queryset.filter(kind=kind)
    return search(queryset, q, INTERACTION_SEARCH).order_by("-date", "-pk")


def get_interaction_for_user(user: User, pk: object) -> Interaction:
    """An interaction logged on a contract; 404 for others (client-only ones included)."""
    queryset = Interaction.objects.filter(contract__isnull=False).select_related(
        "contract", "client"
    )
    return get_for_company(queryset, user, pk)
