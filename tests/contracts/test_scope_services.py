"""Scope services: sections and lines of a contract, base_net kept equal to Σ line nets,
the version checked and bumped, bad input refused with the field named and nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.contracts import scope_selectors, scope_services
from chantier.contracts.models import ChangeOrder, Contract, ContractLine, ContractSection
from chantier.contracts.order_models import ChangeOrderLine
from chantier.core.exceptions import DomainError, FieldErrors, InUse, PermissionDenied, StaleEdit

pytestmark = pytest.mark.django_db

D = Decimal


def _section(contract: Contract, number: str) -> ContractSection:
    return ContractSection.objects.get(contract=contract, number=number)


def _line(contract: Contract, reference: str) -> ContractLine:
    return ContractLine.objects.get(contract=contract, reference=reference)


def _state(contract: Contract) -> tuple:
    """Everything a refused write must leave as it was."""
    contract.refresh_from_db()
    lines = list(
        ContractLine.objects.filter(contract=contract)
        .order_by("pk")
        .values_list("pk", "description", "quantity", "unit_price", "net", "vat_rate", "pricing")
    )
    sections = list(
        ContractSection.objects.filter(contract=contract)
        .order_by("pk")
        .values_list("pk", "title", "start_date", "end_date", "comments")
    )
    return contract.base_net, contract.lock_version, lines, sections


def test_a_line_added_to_a_section_updates_the_base_and_the_version(world, contract):
    assert contract.base_net == D("971.36") and contract.lock_version == 1
    line = scope_services.line_create(
        user=world.alice,
        contract=contract,
        section=_section(contract, "2"),
        lock_version=1,
        reference="FI-2",
        description="Vernis",
        unit="m²",
        quantity="2,5",
        unit_price="10.005",  # rounded half-up to 10.01 when saved
        vat_rate="10",
        pricing="unit_price",
    )
    assert (line.quantity, line.unit_price, line.net) == (D("2.500"), D("10.01"), D("25.03"))
    assert line.vat_rate == D("10.00") and line.pricing == "unit_price"
    assert line.position == 2 and line.sort_key == "0002-000002"
    contract.refresh_from_db()
    assert contract.base_net == D("996.39")  # 971.36 + 25.03
    assert contract.lock_version == 2
    detail = scope_selectors.scope_detail(contract)
    assert detail.subtotals[_section(contract, "2").pk] == D("127.93")  # 102.90 + 25.03


def test_editing_a_line_recomputes_its_net_and_keeps_its_labour_supply_split(world, contract):
    go1 = _line(contract, "GO-1")  # stored net 123.46 (not 10 × 12.35)
    scope_services.line_update(user=world.alice, line=go1, lock_version=1, quantity=D("20"))
    go1.refresh_from_db()
    assert go1.net == D("247.00")
    assert go1.labour_net == D("140.97") and go1.labour_net + go1.supply_net == go1.net
    contract.refresh_from_db()
    assert contract.base_net == D("1094.90")  # 971.36 - 123.46 + 247.00
    assert contract.lock_version == 2


def test_a_discount_line_lowers_the_base_and_a_text_line_counts_zero(world, contract):
    scope_services.line_create(
        user=world.alice,
        contract=contract,
        lock_version=1,
        kind="discount",
        description="Geste commercial",
        quantity="1",
        unit_price="-50",
    )
    scope_services.line_create(
        user=world.alice,
        contract=contract,
        lock_version=2,
        kind="text",
        description="Accès par la cour.",
        quantity="3",
        unit_price="99",
    )
    contract.refresh_from_db()
    assert contract.base_net == D("921.36") and contract.lock_version == 3
    text = ContractLine.objects.get(contract=contract, description="Accès par la cour.")
    assert (text.quantity, text.unit_price, text.net) == (D("0.000"), D("0.00"), D("0.00"))
    assert text.section is None and text.sort_key == "-000003"  # after R-1 and the discount


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"unit_price": "-3"}, "unit_price"),
        ({"vat_rate": "7"}, "vat_rate"),
        ({"description": "   "}, "description"),
        ({"pricing": "hourly"}, "pricing"),
        ({"kind": "discount", "unit_price": "5"}, "unit_price"),  # would raise the total
        ({"kind": "weird"}, "kind"),
        ({"quantity": "1e20"}, "quantity"),
    ],
)
def test_bad_line_input_names_the_field_and_saves_nothing(world, contract, changes, field):
    before = _state(contract)
    data = {"description": "Plinthes", "quantity": "3", "unit_price": "4", **changes}
    with pytest.raises(FieldErrors) as caught:
        scope_services.line_create(user=world.alice, contract=contract, lock_version=1, **data)
    assert field in caught.value.errors
    with pytest.raises(FieldErrors) as caught:
        scope_services.line_update(
            user=world.alice, line=_line(contract, "FI-1"), lock_version=1, **changes
        )
    assert field in caught.value.errors
    assert _state(contract) == before


def test_a_stale_version_is_refused_and_nothing_changes(world, contract):
    scope_services.line_update(
        user=world.alice, line=_line(contract, "R-1"), lock_version=1, quantity="3"
    )
    before = _state(contract)
    assert before[1] == 2
    for call in (
        lambda: scope_services.line_update(
            user=world.alice, line=_line(contract, "FI-1"), lock_version=1, quantity="1"
        ),
        lambda: scope_services.line_create(
            user=world.alice, contract=contract, lock_version=1, description="X", quantity="1",
            unit_price="1",
        ),
        lambda: scope_services.line_delete(
            user=world.alice, line=_line(contract, "FI-1"), lock_version=1
        ),
        lambda: scope_services.section_create(
            user=world.alice, contract=contract, lock_version=1, title="Lot 3"
        ),
        lambda: scope_services.section_delete(
            user=world.alice, section=_section(contract, "2"), lock_version=1
        ),
    ):  # fmt: skip
        with pytest.raises(StaleEdit):
            call()
        assert _state(contract) == before


def test_sections_are_added_numbered_edited_and_validated(world, contract):
    lot3 = scope_services.section_create(
        user=world.alice, contract=contract, lock_version=1, title=" Lot 3 ", comments="Sous-sol"
    )
    assert (lot3.number, lot3.sort_key, lot3.title) == ("3", "0003", "Lot 3")
    sub = scope_services.section_create(
        user=world.alice, contract=contract, lock_version=2, title="Caves", parent=lot3
    )
    assert (sub.number, sub.sort_key, sub.parent_id) == ("3.1", "0003.0001", lot3.pk)
    nested = scope_services.section_create(
        user=world.alice, contract=contract, lock_version=3, title="Sondages",
        parent=_section(contract, "1"),
    )  # fmt: skip
    assert (nested.number, nested.sort_key) == ("1.2", "0001.0002")
    import datetime as dt

    scope_services.section_update(
        user=world.alice,
        section=lot3,
        lock_version=4,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 4, 30),
    )
    lot3.refresh_from_db()
    assert lot3.start_date == dt.date(2026, 3, 1) and lot3.comments == "Sous-sol"
    before = _state(contract)
    with pytest.raises(FieldErrors) as caught:
        scope_services.section_update(
            user=world.alice, section=lot3, lock_version=5, end_date=dt.date(2026, 2, 1)
        )
    assert "end_date" in caught.value.errors
    with pytest.raises(FieldErrors) as caught:
        scope_services.section_create(user=world.alice, contract=contract, lock_version=5, title="")
    assert "title" in caught.value.errors
    assert _state(contract) == before


def test_deleting_a_section_deletes_its_lines_and_sub_sections(world, contract):
    scope_services.section_delete(user=world.alice, section=_section(contract, "1"), lock_version=1)
    assert list(
        ContractSection.objects.filter(contract=contract).values_list("number", flat=True)
    ) == ["2"]
    assert sorted(
        ContractLine.objects.filter(contract=contract).values_list("reference", flat=True)
    ) == ["FI-1", "R-1"]
    contract.refresh_from_db()
    assert contract.base_net == D("132.90") and contract.lock_version == 2


def test_deleting_a_line(world, contract):
    scope_services.line_delete(user=world.alice, line=_line(contract, "FD-REM"), lock_version=1)
    assert not ContractLine.objects.filter(contract=contract, reference="FD-REM").exists()
    contract.refresh_from_db()
    assert contract.base_net == D("991.36")


def test_a_billed_line_cannot_be_deleted_nor_its_section(world, contract, monkeypatch):
    monkeypatch.setattr(scope_selectors, "line_is_billed", lambda line: line.reference == "FD-1")
    before = _state(contract)
    with pytest.raises(DomainError) as caught:
        scope_services.line_delete(user=world.alice, line=_line(contract, "FD-1"), lock_version=1)
    assert caught.value.message == scope_services.line_deletion_refusal(_line(contract, "FD-1"))
    for number in ("1", "1.1"):
        with pytest.raises(DomainError):
            scope_services.section_delete(
                user=world.alice, section=_section(contract, number), lock_version=1
            )
    assert _state(contract) == before
    # The other lines may still go.
    scope_services.line_delete(user=world.alice, line=_line(contract, "FD-REM"), lock_version=1)


def _change_order_line(world, contract: Contract) -> ContractLine:
    order = ChangeOrder.objects.create(
        company=world.company_a, contract=contract, number=1, title="Avenant 1", status="approved"
    )
    return ContractLine.objects.create(
        company=world.company_a,
        contract=contract,
        section=_section(contract, "2"),
        position=9,
        sort_key="0002-000009",
        reference="AV-1",
        description="Peinture supplémentaire",
        quantity=D("1"),
        unit_price=D("40.00"),
        net=D("40.00"),
        change_order=order,
    )


def test_a_line_from_a_change_order_cannot_be_edited_or_deleted_here(world, contract):
    line = _change_order_line(world, contract)
    before = _state(contract)
    with pytest.raises(DomainError) as caught:
        scope_services.line_update(user=world.alice, line=line, lock_version=1, quantity="2")
    assert caught.value.message == scope_services.order_line_refusal(line)
    with pytest.raises(DomainError):
        scope_services.line_delete(user=world.alice, line=line, lock_version=1)
    with pytest.raises(DomainError):
        scope_services.section_delete(
            user=world.alice, section=_section(contract, "2"), lock_version=1
        )
    assert _state(contract) == before


def test_a_line_an_order_amends_cannot_be_deleted(world, contract):
    order = ChangeOrder.objects.create(
        company=world.company_a, contract=contract, number=1, title="Avenant 1"
    )
    ChangeOrderLine.objects.create(
        company=world.company_a,
        change_order=order,
        amends=_line(contract, "FI-1"),
        description="Peinture : +2 m²",
        quantity=D("2"),
        unit_price=D("8.40"),
        net=D("16.80"),
    )
    before = _state(contract)
    with pytest.raises(InUse):
        scope_services.line_delete(user=world.alice, line=_line(contract, "FI-1"), lock_version=1)
    assert _state(contract) == before


def test_a_read_only_member_and_another_company_are_refused(world, contract):
    before = _state(contract)
    with pytest.raises(PermissionDenied):
        scope_services.line_update(
            user=world.bob, line=_line(contract, "R-1"), lock_version=1, quantity="9"
        )
    with pytest.raises(DomainError):
        scope_services.section_create(
            user=world.charlie, contract=contract, lock_version=1, title="Intrus"
        )
    assert _state(contract) == before
