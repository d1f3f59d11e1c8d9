"""The contracts API for settings and blank contracts (API.md): GET with settings and the
lines of approved change orders, PATCH with the page's validation (422 naming the fields,
nothing saved), optimistic lock, retention confirmation, POST /contracts, search."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.contracts import selectors
from chantier.contracts.models import ChangeOrder, Contract, ContractLine, RevisionIndex

pytestmark = pytest.mark.django_db

D = Decimal

SETTINGS = {
    "pricing": "unit_price",
    "retention_rate": "3.5",
    "retention_base": "net",
    "retention_on": "final_only",
    "retention_guarantee": False,
    "down_payment_deduction": "first",
    "revision": {
        "fixed_part": "0.15",
        "rounding": "none",
        "indices": [
            {"name": "BT01", "weight": "0.60", "base_value": "130.2"},
            {"name": "TP01", "weight": "0.25", "base_value": "112.4"},
        ],
    },
    "handover_date": "2026-09-30",
    "warranty_months": 24,
    "payment_terms": "30d",
    "procurement": "public",
}


def test_patch_saves_the_settings_and_get_returns_them(alice_api, contract):
    response = alice_api.patch(f"/contracts/{contract.pk}", SETTINGS)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["pricing"] == "unit_price"
    assert body["settings"] == {
        "pricing": "unit_price",
        "retention_rate": "3.50",
        "retention_base": "net",
        "retention_on": "final_only",
        "retention_guarantee": False,
        "guarantee_reference": "",
        "guarantee_end_date": None,
        "down_payment_deduction": "first",
        "deduction_warning_threshold": "50.00",
        "revision": {
            "fixed_part": "0.1500",
            "rounding": "none",
            "indices": [
                {"name": "BT01", "weight": "0.6000", "base_value": "130.2000"},
                {"name": "TP01", "weight": "0.2500", "base_value": "112.4000"},
            ],
        },
        "handover_date": "2026-09-30",
        "warranty_months": 24,
        "payment_terms": "30d",
        "procurement": "public",
        "service_orders_from_quotes": False,
        "reverse_charge": False,
        "invoice_presentation": "detailed",
        "invoice_recap": False,
        "revision_provisional": False,
        "advance_amount": "0.00",
        "advance_start_percent": None,
        "advance_end_percent": "80.00",
    }
    assert alice_api.get(f"/contracts/{contract.pk}").json()["settings"] == body["settings"]
    contract.refresh_from_db()
    assert (contract.payment_terms, contract.payment_days) == ("days", 30)
    assert contract.lock_version == 2


def test_patch_is_partial(alice_api, contract):
    alice_api.patch(f"/contracts/{contract.pk}", SETTINGS)
    response = alice_api.patch(f"/contracts/{contract.pk}", {"payment_terms": "45d_eom"})
    settings = response.json()["settings"]
    assert settings["payment_terms"] == "45d_eom"
    assert settings["retention_rate"] == "3.50"
    assert len(settings["revision"]["indices"]) == 2  # indices unchanged when not sent
    contract.refresh_from_db()
    assert contract.payment_days is None


def test_patch_changes_the_general_information(alice_api, contract):
    response = alice_api.patch(
        f"/contracts/{contract.pk}",
        {
            "status": "finished",
            "contract_type": "Rénovation",
            "next_due_date": "2027-01-15",
            "address": {"line1": "1 place Bellecour", "postcode": "69002", "city": "Lyon"},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["contract_type"], body["next_due_date"]) == (
        "finished",
        "Rénovation",
        "2027-01-15",
    )
    assert body["address"] == {
        "line1": "1 place Bellecour",
        "line2": "",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
        "same_as_client": False,
    }


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"retention_rate": "5.01"}, ["retention_rate"]),
        ({"retention_rate": "-0.5"}, ["retention_rate"]),
        ({"retention_guarantee": True}, ["guarantee_reference", "guarantee_end_date"]),
        (
            {"revision": {"indices": [{"name": "BT01", "weight": "0.8", "base_value": "100"}]}},
            ["revision.indices"],
        ),
        ({"revision": {"rounding": "2down"}}, ["revision.rounding"]),
        ({"payment_terms": "net 30"}, ["payment_terms"]),
        ({"payment_terms": "0d"}, ["payment_terms"]),
        ({"pricing": "cost_plus", "warranty_months": -1}, ["pricing", "warranty_months"]),
        ({"address": {"line1": "1 rue X", "postcode": "", "city": ""}}, [
            "address.postcode", "address.city"]),
        ({"retention_rate": "abc"}, ["retention_rate"]),
        ({"handover_date": "2026-13-01"}, ["handover_date"]),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_fields_and_nothing_is_saved(
    alice_api, contract, patch, fields
):
    body = patch if "pricing" in patch else {**patch, "pricing": "unit_price"}
    response = alice_api.patch(f"/contracts/{contract.pk}", body)
    assert response.status_code == 422, response.json()
    assert sorted(error["field"] for error in response.json()["errors"]) == sorted(fields)
    contract.refresh_from_db()
    assert (contract.pricing, contract.retention_rate, contract.lock_version) == (
        "lump_sum",
        D("5.00"),
        1,
    )
    assert not RevisionIndex.objects.exists()


def test_a_stale_lock_version_is_a_409(alice_api, contract):
    body = {"pricing": "unit_price", "lock_version": 7}
    response = alice_api.patch(f"/contracts/{contract.pk}", body)
    assert response.status_code == 409
    contract.refresh_from_db()
    assert contract.pricing == "lump_sum"


def test_retention_changes_after_an_invoice_need_confirm(alice_api, contract, monkeypatch):
    monkeypatch.setattr(selectors, "contract_has_invoices", lambda contract: True)
    response = alice_api.patch(f"/contracts/{contract.pk}", {"retention_on": "final_only"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "retention_on"
    contract.refresh_from_db()
    assert contract.retention_on == "every_invoice"
    response = alice_api.patch(
        f"/contracts/{contract.pk}", {"retention_on": "final_only", "confirm": True}
    )
    assert response.status_code == 200
    assert response.json()["settings"]["retention_on"] == "final_only"


def test_roles_and_tenancy(bob_api, charlie_api, contract):
    assert bob_api.patch(f"/contracts/{contract.pk}", {"pricing": "unit_price"}).status_code == 403
    assert (
        charlie_api.patch(f"/contracts/{contract.pk}", {"pricing": "unit_price"}).status_code == 404
    )
    contract.refresh_from_db()
    assert contract.pricing == "lump_sum"


def test_lines_of_approved_change_orders_are_included(alice_api, world, contract):
    change_order = ChangeOrder.objects.create(
        company=world.company_a, contract=contract, number=1, title="Avenant 1",
        status=ChangeOrder.Status.APPROVED, net=D("-24.70"),
    )  # fmt: skip
    line = ContractLine.objects.create(
        company=world.company_a, contract=contract, change_order=change_order,
        amends=contract.lines.get(reference="GO-1"), sort_key="9999-000001",
        reference="GO-1", description="Moins-value ragréage", unit="m²",
        quantity=D("-2"), unit_price=D("12.35"), net=D("-24.70"),
    )  # fmt: skip
    lines = alice_api.get(f"/contracts/{contract.pk}").json()["lines"]
    assert lines[-1] == {
        "id": line.pk,
        "reference": "GO-1",
        "description": "Moins-value ragréage",
        "unit": "m²",
        "quantity": "-2.000",
        "unit_price": "12.35",
        "net": "-24.70",
        "vat_rate": "20.00",
        "section": None,
        "change_order_id": change_order.pk,
        "service_order_id": None,
    }
    assert all(row["change_order_id"] is None for row in lines[:-1])


# --- POST /contracts ------------------------------------------------------------------------


def test_post_creates_a_blank_contract(alice_api, acme):
    response = alice_api.post(
        "/contracts",
        {"client_id": acme.pk, "title": "Entretien", "reference": "M-1",
         "contract_type": "Maintenance", "next_due_date": "2026-05-01"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    contract = Contract.objects.get(pk=body["id"])
    assert (body["reference"], body["contract_type"], body["base_net"]) == (
        "M-1",
        "Maintenance",
        "0.00",
    )
    assert body["address"]["same_as_client"] is True
    assert body["address"]["line1"] == "8 rue des Tilleuls"
    assert body["lines"] == []
    assert body["settings"]["retention_rate"] == "5.00"
    assert contract.created_by is not None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "X", "address": {"line1": "1 rue X"}}, ["address.postcode", "address.city"]),
        ({"title": "", "status": "signed"}, ["status", "title"]),
        ({"title": "X", "reference": "DEV2026-7"}, ["reference"]),
    ],
)
def test_post_refuses_bad_input_naming_the_fields(alice_api, acme, contract, body, fields):
    response = alice_api.post("/contracts", {"client_id": acme.pk, **body})
    assert response.status_code == 422, response.json()
    assert sorted(error["field"] for error in response.json()["errors"]) == sorted(fields)
    assert Contract.objects.count() == 1


def test_post_refuses_another_company_client(charlie_api, bob_api, acme):
    response = charlie_api.post("/contracts", {"client_id": acme.pk, "title": "X"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["client_id"]
    assert bob_api.post("/contracts", {"client_id": acme.pk, "title": "X"}).status_code == 403
    assert not Contract.objects.exists()


def test_the_list_searches_the_intervention_address_and_type(alice_api, acme):
    alice_api.post(
        "/contracts",
        {"client_id": acme.pk, "title": "Entretien", "contract_type": "Maintenance",
         "address": {"line1": "3 allée des Pins", "postcode": "69500", "city": "Bron"}},
    )  # fmt: skip
    assert alice_api.get("/contracts?q=bron").json()["count"] == 1
    assert alice_api.get("/contracts?q=ALLEE").json()["count"] == 1
    assert alice_api.get("/contracts?q=maintenance&status=active").json()["count"] == 1
    assert alice_api.get("/contracts?q=bron&status=pending").json()["count"] == 0
