"""Concurrent issues of one company's invoices (ADR 0002, billing.md "Numbering").

Issuing takes the company's row lock, then the sequence's: drafts issued from many
threads at once get consecutive numbers with no gap and no duplicate, and the hash chain
stays whole (each document's previous_hash is the content_hash of the one before it).
Real row locks are only tested on PostgreSQL: SQLite serialises every writer with one
database lock, so these tests skip there.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from chantier.billing import issuing, services
from chantier.billing.models import Invoice
from chantier.contracts.models import Contract, ContractLine
from chantier.core.models import Sequence, User
from tests.billing.conftest import make_contract, quote_line, seller_identity
from tests.conftest import ApiClient, World

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks (SELECT … FOR UPDATE) are tested on PostgreSQL; "
    "SQLite serialises writers with one database lock",
)

THREADS = 20


def contract_of(api: ApiClient, world: World, name: str) -> Contract:
    example = make_contract(
        api,
        world.company_a,
        [
            quote_line(f"{name}1 Terrassement", "forfait", "1", "10000.00"),
            quote_line(f"{name}2 Maçonnerie", "m²", "250", "80.00"),
            quote_line(f"{name}3 Enduit", "m²", "120", "25.50", vat="10.00"),
        ],
    )
    return Contract.objects.get(pk=example.contract_id)


def drafts_of_one_company(api: ApiClient, world: World) -> list[Invoice]:
    """16 down payments (4 contracts × 4 × 5 %) and 4 progress statements (one per
    contract, on 4 other contracts): 20 drafts of company A."""
    drafts = []
    for c in range(4):
        contract = contract_of(api, world, f"D{c}")
        for _ in range(4):
            drafts.append(
                services.down_payment_create(
                    user=world.alice,
                    contract=contract,
                    percent=Decimal("5"),
                    period_date=dt.date(2026, 3, 31),
                )
            )
    for c in range(4):
        contract = contract_of(api, world, f"S{c}")
        lines = ContractLine.objects.filter(contract=contract).exclude(kind="text")
        drafts.append(
            services.statement_save(
                user=world.alice,
                contract=contract,
                period_date=dt.date(2026, 3, 31),
                entries=[
                    {"line_id": line.pk, "mode": "cumulative_percent", "value": Decimal("30")}
                    for line in lines
                ],
            )
        )
    assert len(drafts) == THREADS
    return drafts


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread (its own database connection), all released by one
    barrier; the result of each, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported by the caller
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an issue never returned"
    return results


def issuer(user_id: int, invoice: Invoice) -> Callable[[], Invoice]:
    def issue() -> Invoice:
        return issuing.invoice_issue(user=User.objects.get(pk=user_id), invoice=invoice)

    return issue


@pytest.mark.django_db(transaction=True)
def test_twenty_drafts_issued_at_once_get_consecutive_numbers_and_one_chain(
    world: World, alice_api: ApiClient
) -> None:
    seller_identity(world.company_a)
    drafts = drafts_of_one_company(alice_api, world)

    results = at_once([issuer(world.alice.pk, draft) for draft in drafts])

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    year = timezone.localdate().year
    expected = [f"FA{year}-{n:05d}" for n in range(1, THREADS + 1)]
    assert sorted(r.number for r in results) == expected
    issued = list(
        Invoice.objects.filter(company=world.company_a, status=Invoice.Status.ISSUED).order_by(
            "chain_position"
        )
    )
    assert {i.pk for i in issued} == {d.pk for d in drafts}
    assert [i.chain_position for i in issued] == list(range(1, THREADS + 1))
    # Number n and chain position n are taken under the same lock.
    assert [i.number for i in issued] == expected
    assert issued[0].previous_hash == issuing.GENESIS
    for before, after in itertools.pairwise(issued):
        assert after.previous_hash == before.content_hash, after.number
    assert len({i.content_hash for i in issued}) == THREADS
    assert Sequence.objects.get(company=world.company_a, series="invoice", year=year).last == 20
    assert issuing.verify_chain(world.company_a) == (THREADS, None)
    assert issuing.verify_chain()[1] is None


@pytest.mark.django_db(transaction=True)
def test_the_same_draft_issued_twice_at_once_is_issued_once(
    world: World, alice_api: ApiClient
) -> None:
    seller_identity(world.company_a)
    contract = contract_of(alice_api, world, "L")
    draft = services.down_payment_create(
        user=world.alice, contract=contract, percent=Decimal("10"), period_date=dt.date(2026, 3, 1)
    )

    results = at_once([issuer(world.alice.pk, draft), issuer(world.alice.pk, draft)])

    issued = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if isinstance(r, issuing.AlreadyIssued)]
    assert (len(issued), len(refused)) == (1, 1), results
    year = timezone.localdate().year
    assert issued[0].number == f"FA{year}-00001"
    assert issued[0].number in refused[0].message
    stored = Invoice.objects.get(pk=draft.pk)
    assert (stored.status, stored.number, stored.chain_position) == (
        Invoice.Status.ISSUED,
        issued[0].number,
        1,
    )
    # The refused issue gave nothing away: no second number, no second chain link.
    assert Sequence.objects.get(company=world.company_a, series="invoice", year=year).last == 1
    assert Invoice.objects.filter(chain_position__isnull=False).count() == 1
    assert issuing.verify_chain(world.company_a) == (1, None)
