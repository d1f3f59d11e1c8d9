"""Change orders in the API: create, read, list, submit/approve/reject, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.contracts.models import ChangeOrder, Contract
from tests.contracts.test_change_order_services import cline, three_lines, world_b_contract

SHARED_FIXTURES = (world_b_contract,)
D = Decimal
pytestmark = pytest.mark.django_db


def body(contract: Contract) -> dict:
    return {"title": "Façade", "description": "Demande du client", "lines": three_lines(contract)}


def test_create_submit_approve_then_the_contract_has_the_lines(alice_api, contract):
    created = alice_api.post(f"/contracts/{contract.pk}/change-orders", body(contract))

    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["number"], data["status"], data["net"]) == (1, "draft", "7.25")
    pk = data["id"]
    one = alice_api.get(f"/change-orders/{pk}").json()
    assert [line["net"] for line in one["lines"]] == ["100.00", "-105.00", "12.25"]
    assert [line["change"] for line in one["lines"]] == ["new", "quantity", "price"]
    assert one["vat"] == [
        {"rate": "20.00", "base": "-5.00", "amount": "-1.00"},
        {"rate": "10.00", "base": "12.25", "amount": "1.23"},
    ]
    assert one["gross"] == "7.48"

    assert alice_api.post(f"/change-orders/{pk}/submit").json()["status"] == "submitted"
    approved = alice_api.post(f"/change-orders/{pk}/approve", {"decision_note": "OK"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"

    shown = alice_api.get(f"/contracts/{contract.pk}").json()
    assert shown["base_net"] == "978.61"
    nets = [D(line["net"]) for line in shown["lines"]]
    assert sum(nets) == D(shown["base_net"])
    descriptions = [line["description"] for line in shown["lines"]]
    assert "Enduit de façade" in descriptions
    section_of = {line["description"]: line["section"] for line in shown["lines"]}
    assert section_of["Enduit de façade"] == "1"


def test_list_is_paginated_by_number(alice_api, contract):
    for title in ("A", "B", "C"):
        alice_api.post(f"/contracts/{contract.pk}/change-orders", {"title": title})
    page = alice_api.get(f"/contracts/{contract.pk}/change-orders?page=2&page_size=2").json()
    assert page["count"] == 3
    assert [(item["number"], item["title"]) for item in page["items"]] == [(3, "C")]


def test_bad_input_is_422_with_field_names_and_nothing_saved(alice_api, contract):
    fd1 = cline(contract, "FD-1")
    missing = alice_api.post(f"/contracts/{contract.pk}/change-orders", {"lines": []})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["title"]

    bad = alice_api.post(
        f"/contracts/{contract.pk}/change-orders",
        {
            "title": "Façade",
            "lines": [
                {"description": "x", "unit": "u", "quantity": "1", "unit_price": "2",
                 "vat_rate": "7"},
                {"description": "", "unit": "", "quantity": "-10", "unit_price": "210.00",
                 "vat_rate": "20", "amends_line_id": fd1.pk},
                {"description": "y", "unit": "u", "quantity": "1", "unit_price": "2",
                 "vat_rate": "20", "section_id": 999999},
            ],
        },
    )  # fmt: skip
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "lines.0.vat_rate",
        "lines.1.quantity",
        "lines.2.section_id",
    }
    assert not ChangeOrder.objects.exists()


def test_refused_transitions_are_409(alice_api, contract):
    pk = alice_api.post(f"/contracts/{contract.pk}/change-orders", body(contract)).json()["id"]
    assert alice_api.post(f"/change-orders/{pk}/approve").status_code == 409  # a draft
    alice_api.post(f"/change-orders/{pk}/submit")
    assert alice_api.post(f"/change-orders/{pk}/approve").status_code == 200
    again = alice_api.post(f"/change-orders/{pk}/approve")
    assert again.status_code == 409
    assert again.json()["detail"]
    contract.refresh_from_db()
    assert contract.base_net == D("978.61")


def test_foreign_ids_are_404_and_readers_403(alice_api, bob_api, charlie_api, contract):
    pk = alice_api.post(f"/contracts/{contract.pk}/change-orders", body(contract)).json()["id"]
    assert charlie_api.get(f"/change-orders/{pk}").status_code == 404
    assert charlie_api.get(f"/contracts/{contract.pk}/change-orders").status_code == 404
    assert charlie_api.post(f"/change-orders/{pk}/submit").status_code == 404
    foreign = charlie_api.post(f"/contracts/{contract.pk}/change-orders", {"title": "x"})
    assert foreign.status_code == 404
    assert bob_api.get(f"/change-orders/{pk}").status_code == 200
    assert bob_api.post(f"/change-orders/{pk}/submit").status_code == 403
    assert (
        bob_api.post(f"/contracts/{contract.pk}/change-orders", {"title": "x"}).status_code == 403
    )
    assert ChangeOrder.objects.get().status == ChangeOrder.Status.DRAFT
    assert ChangeOrder.objects.count() == 1


def test_reject_leaves_the_base(alice_api, contract):
    pk = alice_api.post(f"/contracts/{contract.pk}/change-orders", body(contract)).json()["id"]
    alice_api.post(f"/change-orders/{pk}/submit")
    rejected = alice_api.post(f"/change-orders/{pk}/reject", {"decision_note": "Non"})
    assert rejected.json()["status"] == "rejected"
    assert alice_api.get(f"/contracts/{contract.pk}").json()["base_net"] == "971.36"
