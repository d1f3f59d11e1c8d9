"""Change order services: numbering, line nets, workflow and the billing base.

The `contract` fixture (conftest.py) has base 971.36:
(root) R-1 2 u × 15.00; 1 GO-1 (net 123.46) + a text line; 1.1 FD-1 3.5 m³ × 210.00,
FD-REM -20.00; 2 FI-1 12.250 m² × 8.40 = 102.90 at 10 %.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chantier.contracts import change_order_services as services
from chantier.contracts import services as contract_services
from chantier.contracts.models import ChangeOrder, ChangeOrderLine, Contract, ContractLine
from chantier.core.exceptions import DomainError, FieldErrors, PermissionDenied, StaleEdit
from chantier.core.models import AuditEntry
from chantier.parties import services as parties_services
from tests.contracts.conftest import line, make_quote

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def world_b_contract(world: Any) -> Contract:
    """A contract of company B with one line (1 u × 50.00)."""
    client = parties_services.client_create(
        user=world.charlie,
        name="Bravo Client",
        address_line1="1 rue B",
        postcode="75001",
        city="Paris",
    )
    quote = make_quote(world.company_b, client, number="B-1", net=D("50.00"))
    line(
        quote,
        None,
        1,
        "B-1",
        description="Ligne B",
        unit="u",
        quantity=D("1"),
        unit_price=D("50.00"),
        net=D("50.00"),
    )
    return contract_services.contract_create_from_quote(user=world.charlie, quote=quote)


def cline(contract: Contract, reference: str) -> ContractLine:
    return ContractLine.objects.get(contract=contract, reference=reference, amends__isnull=True)


def three_lines(contract: Contract) -> list[dict[str, Any]]:
    """New work 5 × 20.00 = 100.00 in section 1; FD-1 −0.5 m³ × 210.00 = −105.00;
    FI-1 price +1.00 on 12.250 m² = 12.25 (10 %). Net 7.25."""
    section_1 = contract.sections.get(number="1")
    fd1, fi1 = cline(contract, "FD-1"), cline(contract, "FI-1")
    return [
        {
            "description": "Enduit de façade",
            "unit": "m²",
            "quantity": "5",
            "unit_price": "20",
            "vat_rate": "20",
            "section_id": section_1.pk,
        },
        {"amends_line_id": fd1.pk, "quantity": "-0.5", "unit_price": "210.00", "description": ""},
        {"amends_line_id": fi1.pk, "quantity": "12.250", "unit_price": "1.00"},
    ]


def create(world: Any, contract: Contract, lines: Any = (), title: str = "Façade") -> ChangeOrder:
    return services.change_order_create(
        user=world.alice, contract=contract, title=title, lines=lines
    )


def test_create_numbers_per_contract_and_computes_signed_nets(world, contract):
    first = create(world, contract, three_lines(contract))
    second = create(world, contract, title="Second")

    assert (first.number, second.number) == (1, 2)
    assert first.status == ChangeOrder.Status.DRAFT
    assert first.net == D("7.25")
    nets = list(first.lines.order_by("position").values_list("net", "amends__reference"))
    assert nets == [(D("100.00"), None), (D("-105.00"), "FD-1"), (D("12.25"), "FI-1")]
    fd_change = first.lines.get(amends__reference="FD-1")
    assert (fd_change.unit, fd_change.vat_rate, fd_change.description) == (
        "m³",
        D("20.00"),
        "Semelles filantes",
    )
    contract.refresh_from_db()
    assert contract.last_change_order_number == 2
    assert contract.base_net == D("971.36")  # a draft does not touch the base


def test_a_deleted_draft_number_is_never_reused(world, contract):
    create(world, contract)
    second = create(world, contract)
    services.change_order_delete(user=world.alice, change_order=second)

    third = create(world, contract)

    assert third.number == 3
    assert list(ChangeOrder.objects.values_list("number", flat=True)) == [1, 3]


def test_approve_adds_the_lines_to_the_contract_and_the_net_to_the_base(world, contract):
    order = create(world, contract, three_lines(contract))
    services.change_order_submit(user=world.alice, change_order=order)

    services.change_order_approve(user=world.alice, change_order=order, decision_note="Signé")

    contract.refresh_from_db()
    assert contract.base_net == D("978.61")  # 971.36 + 7.25
    added = list(
        ContractLine.objects.filter(change_order=order)
        .order_by("sort_key")
        .values_list("section__number", "position", "sort_key", "net", "amends__reference")
    )
    assert added == [
        ("1", 3, "0001-000003", D("100.00"), None),  # after GO-1 and the text line
        ("1.1", 3, "0001.0001-000003", D("-105.00"), "FD-1"),
        ("2", 2, "0002-000002", D("12.25"), "FI-1"),
    ]
    total = sum(ContractLine.objects.filter(contract=contract).values_list("net", flat=True))
    assert total == contract.base_net
    order.refresh_from_db()
    assert (order.status, order.decision_note) == (ChangeOrder.Status.APPROVED, "Signé")
    assert order.decided_at is not None
    assert AuditEntry.objects.filter(action="change_order_approve").count() == 1


def test_a_negative_change_order_lowers_the_base(world, contract):
    order = create(world, contract, [three_lines(contract)[1]])
    services.change_order_submit(user=world.alice, change_order=order)
    services.change_order_approve(user=world.alice, change_order=order)
    contract.refresh_from_db()
    assert contract.base_net == D("866.36")


def test_rejected_and_draft_change_orders_leave_the_base(world, contract):
    order = create(world, contract, three_lines(contract))
    create(world, contract, three_lines(contract))
    services.change_order_submit(user=world.alice, change_order=order)
    services.change_order_reject(user=world.alice, change_order=order, decision_note="Trop cher")

    contract.refresh_from_db()
    assert contract.base_net == D("971.36")
    assert not ContractLine.objects.filter(change_order__isnull=False).exists()
    order.refresh_from_db()
    assert order.status == ChangeOrder.Status.REJECTED


def test_workflow_refusals(world, contract):
    order = create(world, contract, three_lines(contract))
    with pytest.raises(DomainError):
        services.change_order_approve(user=world.alice, change_order=order)  # a draft
    services.change_order_submit(user=world.alice, change_order=order)
    with pytest.raises(DomainError):
        services.change_order_update(user=world.alice, change_order=order, title="Changé")
    with pytest.raises(DomainError):
        services.change_order_line_add(
            user=world.alice, change_order=order, data=three_lines(contract)[0]
        )
    services.change_order_approve(user=world.alice, change_order=order)
    with pytest.raises(DomainError):
        services.change_order_approve(user=world.alice, change_order=order)  # twice
    with pytest.raises(DomainError):
        services.change_order_reject(user=world.alice, change_order=order)
    contract.refresh_from_db()
    assert contract.base_net == D("978.61")  # counted once
    assert ContractLine.objects.filter(change_order=order).count() == 3


def test_submit_needs_a_line(world, contract):
    order = create(world, contract)
    with pytest.raises(DomainError):
        services.change_order_submit(user=world.alice, change_order=order)
    order.refresh_from_db()
    assert order.status == ChangeOrder.Status.DRAFT


def test_bad_lines_are_named_and_nothing_is_saved(world, contract, world_b_contract):
    fd1 = cline(contract, "FD-1")
    foreign_line = ContractLine.objects.filter(contract=world_b_contract).first()
    lines = [
        {"description": "", "quantity": "1", "unit_price": "x", "vat_rate": "7"},
        {"amends_line_id": fd1.pk, "quantity": "-4", "unit_price": "210.00"},  # 3.5 - 4 < 0
        {"amends_line_id": fd1.pk, "quantity": "2", "unit_price": "3"},  # neither change
        {"amends_line_id": foreign_line.pk, "quantity": "1", "unit_price": "1"},
    ]
    with pytest.raises(FieldErrors) as error:
        create(world, contract, lines, title=" ")
    assert set(error.value.errors) == {
        "title",
        "lines.0.description",
        "lines.0.unit_price",
        "lines.0.vat_rate",
        "lines.1.quantity",
        "lines.2.quantity",
        "lines.3.amends_line_id",
    }
    assert not ChangeOrder.objects.exists()
    contract.refresh_from_db()
    assert contract.last_change_order_number == 0


def test_quantity_cannot_go_negative_across_approved_change_orders(world, contract):
    fd1 = cline(contract, "FD-1")
    first = create(
        world, contract, [{"amends_line_id": fd1.pk, "quantity": "-3", "unit_price": "210"}]
    )
    services.change_order_submit(user=world.alice, change_order=first)
    services.change_order_approve(user=world.alice, change_order=first)
    with pytest.raises(FieldErrors) as error:
        create(world, contract, [{"amends_line_id": fd1.pk, "quantity": "-1", "unit_price": "210"}])
    assert list(error.value.errors) == ["lines.0.quantity"]
    # Two drafts written before either was approved: the second approval is refused.
    a = create(
        world, contract, [{"amends_line_id": fd1.pk, "quantity": "-0.4", "unit_price": "210"}]
    )
    b = create(
        world, contract, [{"amends_line_id": fd1.pk, "quantity": "-0.4", "unit_price": "210"}]
    )
    for order in (a, b):
        services.change_order_submit(user=world.alice, change_order=order)
    services.change_order_approve(user=world.alice, change_order=a)
    with pytest.raises(DomainError):
        services.change_order_approve(user=world.alice, change_order=b)
    b.refresh_from_db()
    assert b.status == ChangeOrder.Status.SUBMITTED


def test_lines_added_and_removed_keep_the_total(world, contract):
    order = create(world, contract)
    line = services.change_order_line_add(
        user=world.alice, change_order=order, data=three_lines(contract)[0]
    )
    services.change_order_line_add(
        user=world.alice, change_order=order, data=three_lines(contract)[1]
    )
    assert order.net == D("-5.00")
    services.change_order_line_delete(user=world.alice, line=line)
    order.refresh_from_db()
    assert order.net == D("-105.00")
    assert ChangeOrderLine.objects.filter(change_order=order).count() == 1


def test_stale_version_is_refused_and_nothing_changes(world, contract):
    order = create(world, contract, title="Avant")
    loaded = order.lock_version
    services.change_order_update(
        user=world.alice, change_order=order, title="Premier", lock_version=loaded
    )
    with pytest.raises(StaleEdit):
        services.change_order_update(
            user=world.alice, change_order=order, title="Second", lock_version=loaded
        )
    order.refresh_from_db()
    assert order.title == "Premier"


def test_reader_role_is_refused(world, contract):
    with pytest.raises(PermissionDenied):
        services.change_order_create(user=world.bob, contract=contract, title="Non")
    order = create(world, contract, three_lines(contract))
    services.change_order_submit(user=world.alice, change_order=order)
    with pytest.raises(PermissionDenied):
        services.change_order_approve(user=world.bob, change_order=order)
    contract.refresh_from_db()
    assert contract.base_net == D("971.36")
    assert ChangeOrder.objects.count() == 1


def test_another_companys_contract_is_refused(world, world_b_contract):
    with pytest.raises(DomainError):
        services.change_order_create(user=world.alice, contract=world_b_contract, title="Non")
    assert not ChangeOrder.objects.exists()
