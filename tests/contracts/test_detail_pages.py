"""A long contract opens page by page (200 rows of sections and lines a page), with every
section's subtotal and the total computed over all its lines, in a fixed number of queries:
issue 4 wants a 5,000-line contract page in ≤ 500 ms (bench/contracts_bench.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chantier.contracts import selectors
from chantier.contracts.models import Contract, ContractLine, ContractSection
from chantier.contracts.services import line_sort_key, section_sort_key
from chantier.parties.models import Client


def _contract(world, sections: int, lines_per_section: int) -> Contract:
    client = Client.objects.create(company=world.company_a, name="Bailleur social")
    contract = Contract.objects.create(
        company=world.company_a, client=client, title="Réhabilitation", reference="M-1"
    )
    rows = []
    for s in range(1, sections + 1):
        section = ContractSection.objects.create(
            company=world.company_a,
            contract=contract,
            position=s,
            number=str(s),
            title=f"Lot {s}",
            sort_key=section_sort_key("", s),
        )
        for n in range(1, lines_per_section + 1):
            rows.append(
                ContractLine(
                    company=world.company_a,
                    contract=contract,
                    section=section,
                    position=n,
                    sort_key=line_sort_key(section.sort_key, n),
                    description=f"Ligne {s}.{n}",
                    quantity=Decimal("1.000"),
                    unit_price=Decimal("10.00"),
                    net=Decimal("10.00"),
                )
            )
    ContractLine.objects.bulk_create(rows)
    contract.base_net = Decimal("10.00") * len(rows)
    contract.save()
    return contract


def test_rows_come_page_by_page_with_full_subtotals(world) -> None:
    contract = _contract(world, sections=3, lines_per_section=100)  # 303 rows

    first = selectors.contract_detail_page(contract, 1)
    second = selectors.contract_detail_page(contract, "2")

    assert first.page_obj.paginator.num_pages == 2 and first.line_count == 300
    assert len(first.rows) == 200 and len(second.rows) == 103
    assert first.rows[0].section is not None and first.rows[0].section.title == "Lot 1"
    assert first.rows[1].line is not None and first.rows[1].line.description == "Ligne 1.1"
    assert second.rows[-1].line is not None and second.rows[-1].line.description == "Ligne 3.100"
    assert set(first.subtotals.values()) == {Decimal("1000.00")}
    assert selectors.contract_detail_page(contract, "x").page_obj.number == 1
    assert selectors.contract_detail_page(contract, 99).page_obj.number == 2


@pytest.mark.parametrize("name", ["contracts:contract_detail", "contracts:scope_detail"])
def test_the_pages_run_the_same_queries_for_30_or_600_lines(
    world, alice_client, django_assert_max_num_queries, name
) -> None:
    small = _contract(world, sections=3, lines_per_section=10)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert alice_client.get(reverse(name, args=[small.pk])).status_code == 200
    small.delete()
    big = _contract(world, sections=6, lines_per_section=100)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = alice_client.get(reverse(name, args=[big.pk]) + "?page=3")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ligne 5.1" in page or "Ligne 4.100" in page  # the third page's rows
    assert "Ligne 1.1<" not in page
    assert "?page=2" in page and "?page=4" in page  # previous and next
