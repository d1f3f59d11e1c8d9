"""Reads of réserves: company-scoped, one query each (a list page: its count and its page).

`open_reserve_count` and `open_reserve_counts` are what billing reads at the retention
release and in the décompte: keep their names and signatures. A réserve is open while it
has no lift date (models.Reserve: lifted ⇔ `lifted_on` set, a database constraint).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from chantier.contracts.models import Contract
from chantier.core.access import get_for_company
from chantier.core.exceptions import DomainError
from chantier.core.models import Company, User
from chantier.core.search import search
from chantier.works.models import Reserve

# What a user types to find a réserve: its subject, description, location and who lifts it.
RESERVE_SEARCH = ("title", "description", "location", "assigned_to")
OPEN, LIFTED = "open", "lifted"
# "open" (every status before lifted), or one status.
STATUS_FILTERS = (OPEN, *Reserve.Status.values)


def check_status_filter(status: str) -> str:
    """`status` when it is a known filter (or empty), else DomainError naming the choices."""
    if status and status not in STATUS_FILTERS:
        raise DomainError(
            _("Unknown status %(status)s; choose one of %(statuses)s.")
            % {"status": status[:40], "statuses": ", ".join(STATUS_FILTERS)},
            field="status",
        )
    return status


def _filtered(queryset: QuerySet[Reserve], status: str, q: str) -> QuerySet[Reserve]:
    check_status_filter(status)
    if status == OPEN:
        queryset = queryset.filter(lifted_on__isnull=True)
    elif status == LIFTED:
        queryset = queryset.filter(lifted_on__isnull=False)
    elif status:
        queryset = queryset.filter(status=status)
    # Open ones first, oldest noted first; then the most recently lifted.
    return search(queryset, q, RESERVE_SEARCH).order_by(
        F("lifted_on").desc(nulls_first=True), "noted_on", "pk"
    )


def contract_reserves(contract: Contract, status: str = "", q: str = "") -> QuerySet[Reserve]:
    """The contract's réserves. `status`: "open", "lifted" or one status (empty: all);
    `q`: every word in the subject, description, location or who lifts it, accents and
    case ignored. An unknown status raises DomainError."""
    queryset = Reserve.objects.filter(company_id=contract.company_id, contract_id=contract.pk)
    return _filtered(queryset, status, q)


def company_reserves(
    company: Company, status: str = "", q: str = "", contract_id: int | None = None
) -> QuerySet[Reserve]:
    """Every réserve of the company (the API's list), filtered as contract_reserves."""
    queryset = Reserve.objects.filter(company=company)
    if contract_id is not None:
        queryset = queryset.filter(contract_id=contract_id)
    return _filtered(queryset, status, q)


def get_reserve_for_user(user: User, pk: object) -> Reserve:
    """The réserve with its contract and author; 404 for missing and foreign ids."""
    queryset = Reserve.objects.select_related("contract", "created_by")
    return get_for_company(queryset, user, pk)


def open_reserve_count(contract: Contract) -> int:
    """How many réserves of the contract are not lifted yet (one query)."""
    return Reserve.objects.filter(
        company_id=contract.company_id, contract_id=contract.pk, lifted_on__isnull=True
    ).count()


def open_reserve_counts(company: Company, contract_ids: Iterable[int]) -> dict[int, int]:
    """Contract id → how many of its réserves are not lifted yet, for each id asked (0 when
    none; ids of another company count 0). One query."""
    ids = list(dict.fromkeys(contract_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = (
        Reserve.objects.filter(company=company, contract_id__in=ids, lifted_on__isnull=True)
        .values_list("contract_id")
        .annotate(open=Count("pk"))
        .order_by()
    )
    for contract_id, count in rows:
        counts[contract_id] = count
    return counts
