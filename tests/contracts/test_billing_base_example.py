"""french-rules §1.4, example 1.B, through the integration API as an integrator would:
the contract of §1.4 (M = 33 060.00) comes from an accepted quote, avenant n°1 adds L4
"Mur supplémentaire" = 2 500.00 HT, and once approved the billing base is 35 560.00 with
L4 among the contract's lines. Accountant and sales users can read it all, change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.contracts.models import ChangeOrder, Contract, ContractLine
from chantier.core import services as core_services
from chantier.core.models import Role
from chantier.parties.models import Client
from chantier.quotes.models import Quote
from tests.conftest import PASSWORD, ApiClient, World

D = Decimal


def line(description: str, unit: str, quantity: str, price: str) -> dict[str, str]:
    return {
        "description": description,
        "unit": unit,
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": "20.00",
    }


@pytest.fixture
def contract_id(world: World, alice_api: ApiClient) -> int:
    client = Client.objects.create(
        company=world.company_a,
        name="SCI Les Tilleuls",
        address_line1="4 rue des Lilas",
        postcode="69003",
        city="Lyon",
    )
    quote = alice_api.post(
        "/quotes",
        {
            "client_id": client.pk,
            "title": "Extension",
            "chapters": [
                {
                    "title": "Gros œuvre",
                    "lines": [
                        line("L1 Terrassement", "forfait", "1", "10000.00"),
                        line("L2 Maçonnerie", "m²", "250", "80.00"),
                        line("L3 Enduit", "m²", "120", "25.50"),
                    ],
                }
            ],
        },
    )
    assert quote.status_code == 201, quote.content
    quote_id = quote.json()["id"]
    Quote.objects.filter(pk=quote_id).update(status="sent", number="DEV2026-1")
    accepted = alice_api.post(f"/quotes/{quote_id}/accept")
    assert accepted.status_code == 200, accepted.content
    return int(accepted.json()["contract_id"])


def test_example_1b_the_avenant_joins_the_billing_base(
    alice_api: ApiClient, contract_id: int
) -> None:
    before = alice_api.get(f"/contracts/{contract_id}").json()
    assert before["base_net"] == "33060.00"
    assert [row["net"] for row in before["lines"]] == ["10000.00", "20000.00", "3060.00"]

    created = alice_api.post(
        f"/contracts/{contract_id}/change-orders",
        {
            "title": "Mur supplémentaire",
            "lines": [line("L4 Mur supplémentaire", "u", "1", "2500.00")],
        },
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    # Not in the base while it is not approved.
    assert alice_api.get(f"/contracts/{contract_id}").json()["base_net"] == "33060.00"
    assert alice_api.post(f"/change-orders/{order_id}/submit").status_code == 200
    assert alice_api.get(f"/contracts/{contract_id}").json()["base_net"] == "33060.00"

    approved = alice_api.post(f"/change-orders/{order_id}/approve")

    assert approved.status_code == 200, approved.content
    after = alice_api.get(f"/contracts/{contract_id}").json()
    assert after["base_net"] == "35560.00"
    l4 = [row for row in after["lines"] if row["description"] == "L4 Mur supplémentaire"]
    assert len(l4) == 1 and l4[0]["net"] == "2500.00" and l4[0]["change_order_id"] == order_id
    assert sum(D(row["net"]) for row in after["lines"]) == D("35560.00")
    listed = alice_api.get("/change-orders?status=approved").json()
    assert [item["id"] for item in listed["items"]] == [order_id]
    assert alice_api.get("/change-orders?status=submitted").json()["count"] == 0
    assert alice_api.get("/change-orders?status=bogus").status_code == 400
    assert alice_api.get("/service-orders?status=bogus").status_code == 400
    stored = ContractLine.objects.filter(contract_id=contract_id)
    assert sum(row.net for row in stored) == Contract.objects.get(pk=contract_id).base_net


def test_a_negative_change_order_lowers_the_base(alice_api: ApiClient, contract_id: int) -> None:
    l3 = next(
        row
        for row in alice_api.get(f"/contracts/{contract_id}").json()["lines"]
        if row["description"] == "L3 Enduit"
    )
    created = alice_api.post(
        f"/contracts/{contract_id}/change-orders",
        {
            "title": "Moins d'enduit",
            "lines": [
                {
                    "description": "L3 Enduit: −20 m²",
                    "unit": "m²",
                    "quantity": "-20",
                    "unit_price": "25.50",
                    "vat_rate": "20.00",
                    "amends_line_id": l3["id"],
                }
            ],
        },
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    alice_api.post(f"/change-orders/{order_id}/submit")
    assert alice_api.post(f"/change-orders/{order_id}/approve").status_code == 200
    assert alice_api.get(f"/contracts/{contract_id}").json()["base_net"] == "32550.00"


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.SALES])
def test_accountant_and_sales_read_but_change_nothing(
    world: World, alice_api: ApiClient, contract_id: int, role: str
) -> None:
    reader, _ = core_services.user_create(
        username=f"reader-{role}", company=world.company_a, role=role, password=PASSWORD
    )
    api = ApiClient(core_services.api_token_create(user=reader))
    assert api.get(f"/contracts/{contract_id}").status_code == 200
    assert api.get("/contracts").json()["count"] == 1

    refused = [
        api.patch(f"/contracts/{contract_id}", {"retention_rate": "3.00"}),
        api.post(f"/contracts/{contract_id}/change-orders", {"title": "X", "lines": []}),
        api.post(f"/contracts/{contract_id}/service-orders", {"kind": "change", "title": "X"}),
    ]

    assert [response.status_code for response in refused] == [403, 403, 403]
    contract = Contract.objects.get(pk=contract_id)
    assert contract.retention_rate == D("5.00")
    assert not ChangeOrder.objects.exists() and not contract.service_orders.exists()
