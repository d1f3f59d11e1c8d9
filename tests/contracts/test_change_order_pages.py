"""Change order pages: list tab, create, add lines, submit, approve, delete; tenancy, roles,
stale versions and query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from chantier.contracts import change_order_services as services
from chantier.contracts.models import ChangeOrder, ChangeOrderLine, Contract, ContractLine
from tests.contracts.test_change_order_services import cline, three_lines

D = Decimal
pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    return response.content.decode()


def make(world: Any, contract: Contract, lines: Any = None) -> ChangeOrder:
    return services.change_order_create(
        user=world.alice,
        contract=contract,
        title="Façade",
        lines=three_lines(contract) if lines is None else lines,
    )


def test_create_add_lines_submit_approve_through_the_pages(world, alice_client, contract):
    list_url = reverse("contracts:change_order_list", args=[contract.pk])
    assert alice_client.get(list_url).status_code == 200
    create_url = reverse("contracts:change_order_create", args=[contract.pk])
    assert alice_client.get(create_url).status_code == 200

    response = alice_client.post(create_url, {"title": "Façade", "description": "Demande"})

    order = ChangeOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:change_order_detail", args=[order.pk])
    assert order.number == 1
    detail = alice_client.get(response["Location"])
    assert detail.status_code == 200
    assert 'aria-current="page"' in html(detail)

    add_url = reverse("contracts:change_order_line_add", args=[order.pk])
    section_1 = contract.sections.get(number="1")
    new = alice_client.post(
        add_url,
        {
            "kind": "new",
            "section_id": section_1.pk,
            "description": "Enduit de façade",
            "unit": "m²",
            "quantity": "5",
            "unit_price": "20,00",
            "vat_rate": "20.00",
            "lock_version": order.lock_version,
        },
    )
    assert new.status_code == 302, html(new)
    order.refresh_from_db()
    change = alice_client.post(
        add_url,
        {
            "kind": "change",
            "amends_line_id": cline(contract, "FD-1").pk,
            "change": "quantity",
            "delta": "-0,5",
            "lock_version": order.lock_version,
        },
    )
    assert change.status_code == 302, html(change)
    order.refresh_from_db()
    price = alice_client.post(
        add_url,
        {
            "kind": "change",
            "amends_line_id": cline(contract, "FI-1").pk,
            "change": "price",
            "delta": "1",
            "lock_version": order.lock_version,
        },
    )
    assert price.status_code == 302, html(price)
    order.refresh_from_db()
    assert order.net == D("7.25")

    submit = alice_client.post(
        reverse("contracts:change_order_submit", args=[order.pk]),
        {"lock_version": order.lock_version},
    )
    assert submit.status_code == 302
    order.refresh_from_db()
    assert order.status == ChangeOrder.Status.SUBMITTED
    approve = alice_client.post(
        reverse("contracts:change_order_approve", args=[order.pk]),
        {"decision_note": "Signé le 3", "lock_version": order.lock_version},
        follow=True,
    )
    assert _("%(order)s is approved: its lines joined the contract.") % {"order": order} in html(
        approve
    )
    order.refresh_from_db()
    contract.refresh_from_db()
    assert (order.status, order.decision_note) == (ChangeOrder.Status.APPROVED, "Signé le 3")
    assert contract.base_net == D("978.61")
    page = html(alice_client.get(reverse("contracts:contract_detail", args=[contract.pk])))
    assert "Enduit de façade" in page


def test_bad_line_is_shown_with_its_field_and_nothing_saved(world, alice_client, contract):
    order = make(world, contract, lines=[])
    add_url = reverse("contracts:change_order_line_add", args=[order.pk])
    response = alice_client.post(
        add_url,
        {
            "kind": "change",
            "amends_line_id": cline(contract, "FD-1").pk,
            "change": "quantity",
            "delta": "-4",  # 3.5 m³ - 4 < 0
            "lock_version": order.lock_version,
        },
    )
    assert response.status_code == 400
    form = response.context["change_line_form"]
    assert "delta" in form.errors or "__all__" in form.errors
    missing = alice_client.post(
        add_url, {"kind": "new", "quantity": "x", "lock_version": order.lock_version}
    )
    assert missing.status_code == 400
    assert {"description", "quantity", "unit_price"} <= set(missing.context["new_line_form"].errors)
    assert not ChangeOrderLine.objects.exists()


def test_stale_version_is_refused_on_the_page(world, alice_client, contract):
    order = make(world, contract, lines=[])
    stale = order.lock_version
    services.change_order_update(user=world.alice, change_order=order, title="Changé")
    response = alice_client.post(
        reverse("contracts:change_order_line_add", args=[order.pk]),
        {
            "kind": "new",
            "description": "Enduit",
            "unit": "m²",
            "quantity": "1",
            "unit_price": "1",
            "vat_rate": "20.00",
            "lock_version": stale,
        },
    )
    assert response.status_code == 400
    assert response.context["new_line_form"].non_field_errors()
    assert not ChangeOrderLine.objects.exists()
    edit = alice_client.post(
        reverse("contracts:change_order_edit", args=[order.pk]),
        {"title": "Encore", "lock_version": stale},
    )
    assert edit.status_code == 400
    order.refresh_from_db()
    assert order.title == "Changé"


def test_submitted_change_order_is_not_editable(world, alice_client, contract):
    order = make(world, contract)
    services.change_order_submit(user=world.alice, change_order=order)
    line = order.lines.first()
    response = alice_client.post(
        reverse("contracts:change_order_line_delete", args=[order.pk, line.pk]), follow=True
    )
    assert response.status_code == 200
    assert order.lines.count() == 3
    page = alice_client.get(reverse("contracts:change_order_detail", args=[order.pk]))
    assert page.context["editable"] is False
    assert page.context["decision_form"] is not None


def test_delete_a_draft_with_confirmation(world, alice_client, contract):
    order = make(world, contract)
    url = reverse("contracts:change_order_delete", args=[order.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url)
    assert response.status_code == 302
    assert not ChangeOrder.objects.exists()
    other = make(world, contract)
    assert other.number == 2
    services.change_order_submit(user=world.alice, change_order=other)
    assert (
        alice_client.post(reverse("contracts:change_order_delete", args=[other.pk])).status_code
        == 409
    )
    assert ChangeOrder.objects.filter(pk=other.pk).exists()


def test_tenancy_and_roles(world, alice_client, bob_client, charlie_client, contract):
    order = make(world, contract)
    detail = reverse("contracts:change_order_detail", args=[order.pk])
    create_url = reverse("contracts:change_order_create", args=[contract.pk])
    assert charlie_client.get(detail).status_code == 404
    assert (
        charlie_client.get(reverse("contracts:change_order_list", args=[contract.pk])).status_code
        == 404
    )
    assert charlie_client.post(create_url, {"title": "x"}).status_code == 404
    assert bob_client.get(detail).status_code == 200
    assert bob_client.post(create_url, {"title": "x"}).status_code == 403
    assert (
        bob_client.post(reverse("contracts:change_order_submit", args=[order.pk])).status_code
        == 403
    )
    assert ChangeOrder.objects.count() == 1
    assert ChangeOrder.objects.get().status == ChangeOrder.Status.DRAFT


def test_list_and_detail_run_a_fixed_number_of_queries(
    world, alice_client, contract, django_assert_max_num_queries
):
    list_url = reverse("contracts:change_order_list", args=[contract.pk])
    first = make(world, contract)
    counts = []
    for url in (list_url, reverse("contracts:change_order_detail", args=[first.pk])):
        with django_assert_max_num_queries(20) as captured:
            assert alice_client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    for _n in range(4):
        make(world, contract)
    fd1 = cline(contract, "FD-1")
    for _n in range(5):
        services.change_order_line_add(
            user=world.alice,
            change_order=first,
            data={"amends_line_id": fd1.pk, "quantity": "0.1", "unit_price": "210"},
        )
    again = []
    for url in (list_url, reverse("contracts:change_order_detail", args=[first.pk])):
        with django_assert_max_num_queries(20) as captured:
            assert alice_client.get(url).status_code == 200
        again.append(len(captured.captured_queries))
    assert again == counts
    assert ContractLine.objects.filter(change_order__isnull=False).count() == 0
