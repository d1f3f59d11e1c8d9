"""Service orders (french-rules §10, seed 000): numbering, workflow, billing base, sources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chantier.contracts import service_order_services as services
from chantier.contracts.models import ChangeOrder, Contract, ContractLine, ServiceOrder
from chantier.core.exceptions import DomainError, PermissionDenied, StaleEdit
from tests.contracts.conftest import make_quote

D = Decimal
Kind = ServiceOrder.Kind


def create(world, contract, **data):
    values = {"kind": Kind.CHANGE, "title": "Prix nouveaux", **data}
    return services.service_order_create(user=world.alice, contract=contract, data=values)


def test_example_10A_observation_deadline_and_binding(world, contract):
    order = create(
        world,
        contract,
        issue_date=dt.date(2026, 2, 9),
        notification_date=dt.date(2026, 2, 10),
        delay_days=10,
    )
    services.service_order_issue(user=world.alice, order=order)

    assert order.number == 1
    assert order.status == ServiceOrder.Status.AWAITING
    assert order.observation_deadline == dt.date(2026, 2, 25)
    assert order.is_binding is False  # changes the time, no owner validation
    services.service_order_update(
        user=world.alice, order=order, data={"owner_validation_ref": "MOA-2026-14"}
    )
    assert ServiceOrder.objects.get(pk=order.pk).is_binding is True


def test_numbers_are_continuous_and_never_reused(world, contract):
    first = create(world, contract, title="A")
    second = create(world, contract, title="B")
    services.service_order_delete(user=world.alice, order=first)  # a draft: no number
    services.service_order_issue(user=world.alice, order=second)
    third = create(world, contract, title="C")
    services.service_order_issue(user=world.alice, order=third)

    assert (second.number, third.number) == (1, 2)
    with pytest.raises(DomainError):
        services.service_order_delete(user=world.alice, order=second)
    services.service_order_refuse(user=world.alice, order=third, note="non")
    fourth = services.service_order_create(
        user=world.alice, contract=contract, data={"kind": "start", "title": "D"}, issue=True
    )
    assert fourth.number == 3  # a refused order keeps its number
    assert Contract.objects.get(pk=contract.pk).last_service_order_number == 3


def test_validated_lines_join_the_billing_base(world, contract):
    order = create(world, contract, owner_validation_ref="MOA-1")
    go1 = ContractLine.objects.get(contract=contract, reference="GO-1")
    services.service_order_line_save(
        user=world.alice,
        order=order,
        data={"description": "Carrelage", "quantity": "4", "unit_price": "25.125"},
    )
    services.service_order_line_save(
        user=world.alice,
        order=order,
        data={"description": "Moins de ragréage", "quantity": "-2", "unit_price": "12.35",
              "amends": go1.pk},
    )  # fmt: skip
    order.refresh_from_db()
    assert order.financial_impact == D("100.52") - D("24.70")  # 4 × 25.13, -2 × 12.35
    services.service_order_issue(user=world.alice, order=order)
    services.service_order_validate(user=world.alice, order=order)

    contract.refresh_from_db()
    assert contract.base_net == D("971.36") + D("75.82")
    added = ContractLine.objects.filter(service_order=order).order_by("pk")
    assert [(x.description, x.net, x.amends_id) for x in added] == [
        ("Carrelage", D("100.52"), None),
        ("Moins de ragréage", D("-24.70"), go1.pk),
    ]
    assert added[1].section_id == go1.section_id
    with pytest.raises(DomainError):  # lines are final once validated
        services.service_order_line_save(
            user=world.alice, order=order, data={"description": "x", "quantity": 1, "unit_price": 1}
        )


def test_negative_quantity_refused(world, contract):
    order = create(world, contract)
    go1 = ContractLine.objects.get(contract=contract, reference="GO-1")  # 10 m² × 12.35
    with pytest.raises(DomainError) as error:
        services.service_order_line_save(
            user=world.alice,
            order=order,
            data={"description": "x", "quantity": "-11", "unit_price": "12.35", "amends": go1},
        )
    assert error.value.errors == {"quantity": [error.value.errors["quantity"][0]]}
    assert not order.lines.exists()


def test_impact_without_lines_adds_one_line_and_start_sets_the_date(world, contract):
    world.company_a.default_vat_rate = D("10.00")
    world.company_a.save()
    order = services.service_order_create(
        user=world.alice,
        contract=contract,
        data={"kind": "start", "title": "Démarrage", "financial_impact": D("250.00"),
              "notification_date": dt.date(2026, 3, 2), "owner_validation_ref": "V1"},
        issue=True,
    )  # fmt: skip
    services.service_order_validate(user=world.alice, order=order)

    contract.refresh_from_db()
    [line] = ContractLine.objects.filter(service_order=order)
    assert (line.reference, line.quantity, line.net, line.vat_rate) == (
        "OS1", D("1.000"), D("250.00"), D("10.00"),
    )  # fmt: skip
    assert contract.base_net == D("1221.36")
    assert contract.start_date == dt.date(2026, 3, 2)


def make_change_order(contract, status=ChangeOrder.Status.APPROVED, net="500.00"):
    return ChangeOrder.objects.create(
        company=contract.company, contract=contract, number=1, title="Avenant cloisons",
        net=D(net), status=status,
    )  # fmt: skip


def test_from_a_change_order_never_counts_it_twice(world, contract):
    change_order = make_change_order(contract)
    order = services.service_order_create(
        user=world.alice, contract=contract, data={}, change_order=change_order, issue=True
    )
    assert (order.title, order.financial_impact, order.origin) == (
        "Avenant cloisons", D("500.00"), "change_order",
    )  # fmt: skip
    services.service_order_validate(user=world.alice, order=order)
    contract.refresh_from_db()
    assert contract.base_net == D("971.36")  # the change order's approval counts it

    other = services.service_order_create(
        user=world.alice, contract=contract, data={"title": "Avec extra"}, change_order=change_order
    )
    services.service_order_line_save(
        user=world.alice,
        order=other,
        data={"description": "Extra", "quantity": 1, "unit_price": 40},
    )
    other.refresh_from_db()
    assert other.financial_impact == D("540.00")
    services.service_order_issue(user=world.alice, order=other)
    services.service_order_validate(user=world.alice, order=other)
    contract.refresh_from_db()
    assert contract.base_net == D("1011.36")


def test_from_a_quote_needs_the_option(world, contract, acme):
    extra = make_quote(world.company_a, acme, number="DEV2026-9", net=D("300.00"), title="Auvent")
    with pytest.raises(DomainError) as error:
        services.service_order_create(user=world.alice, contract=contract, data={}, quote=extra)
    assert error.value.field == "quote"
    assert not ServiceOrder.objects.exists()

    Contract.objects.filter(pk=contract.pk).update(service_orders_from_quotes=True)
    contract.refresh_from_db()
    order = services.service_order_create(user=world.alice, contract=contract, data={}, quote=extra)
    assert (order.title, order.financial_impact, order.origin) == ("Auvent", D("300.00"), "quote")
    assert list(order.quotes.all()) == [extra]


def test_bad_input_names_the_fields(world, contract):
    with pytest.raises(DomainError) as error:
        services.service_order_create(
            user=world.alice,
            contract=contract,
            data={"kind": "nope", "title": " ", "delay_days": 9999},
        )
    assert set(error.value.errors) == {"kind", "title", "delay_days"}
    with pytest.raises(DomainError) as error:
        create(world, contract, kind=Kind.NO_FINANCIAL, financial_impact=D("10"))
    assert error.value.field == "financial_impact"
    assert not ServiceOrder.objects.exists()


def test_stale_edit_and_read_only_role_refused(world, contract):
    order = create(world, contract)
    with pytest.raises(StaleEdit):
        services.service_order_update(
            user=world.alice, order=order, data={"title": "X"}, lock_version=order.lock_version - 1
        )
    with pytest.raises(PermissionDenied):
        services.service_order_issue(user=world.bob, order=order)
    order.refresh_from_db()
    assert (order.title, order.number) == ("Prix nouveaux", None)


def test_attachments_any_time_with_a_size_limit(world, contract, monkeypatch):
    order = services.service_order_create(
        user=world.alice, contract=contract, data={"kind": "change", "title": "T"}, issue=True
    )
    services.service_order_validate(user=world.alice, order=order)
    attachment = services.service_order_attachment_add(
        user=world.alice, order=order, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")
    )
    assert (attachment.name, attachment.size) == ("plan.pdf", 13)
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(DomainError) as error:
        services.service_order_attachment_add(
            user=world.alice, order=order, file=SimpleUploadedFile("big.pdf", b"x" * 11)
        )
    assert error.value.field == "file"
    assert order.attachments.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_consecutive_numbers(world, contract):
    """Two orders issued at once on one contract: 1 and 2 (on PostgreSQL, real row locks)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    orders = [create(world, contract, title=f"T{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def issue(order: ServiceOrder) -> None:
        try:
            barrier.wait()
            services.service_order_issue(user=world.alice, order=order)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(ServiceOrder.objects.values_list("number", flat=True))
    assert numbers == [1, 2]
