"""Catalogue API: GET /api/v1/items (paginated, searchable) and GET /api/v1/items/{id}."""

from __future__ import annotations

import pytest

from chantier.api.main import api


@pytest.fixture
def wall(make_item, add):
    board = make_item("BA13", name="Plaque BA13", purchase_cost="2.85", sale_price="5.9")
    labour = make_item("MO-PLAQ", name="Plaquiste", kind="labour", purchase_cost="38.5")
    wall = make_item("CLOISON", name="Cloison 72/48", structure="assembly", unit="m²")
    add(wall, board, "2.1")
    add(wall, labour, "0.45")
    return wall


def test_the_router_is_mounted():
    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/items" in paths and "/api/v1/items/{item_id}" in paths


def test_list_items_is_paginated_and_searchable(alice_api, wall, make_item):
    for i in range(5):
        make_item(f"VIS-{i}", supplier_reference=f"SPAX-{i}")
    body = alice_api.get("/items?page_size=3").json()
    assert body["count"] == 8 and len(body["items"]) == 3
    assert [i["reference"] for i in body["items"]] == ["BA13", "CLOISON", "MO-PLAQ"]
    board = body["items"][0]
    assert (board["purchase_cost"], board["sale_price"], board["vat_rate"]) == (
        "2.8500",
        "5.90",
        "20.00",
    )
    assert alice_api.get("/items?page=3&page_size=3").json()["items"][-1]["reference"] == "VIS-4"
    assert alice_api.get("/items?q=spax-3").json()["count"] == 1
    assert [i["reference"] for i in alice_api.get("/items?kind=labour").json()["items"]] == [
        "MO-PLAQ"
    ]


def test_unknown_kind_is_a_400_with_the_field(alice_api):
    response = alice_api.get("/items?kind=gift")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"
    assert alice_api.get("/items?page_size=500").status_code == 422


def test_item_detail_has_components_and_direct_cost(alice_api, wall):
    response = alice_api.get(f"/items/{wall.pk}")
    assert response.status_code == 200
    body = response.json()
    assert [
        (c["reference"], c["quantity"], c["unit_cost"], c["cost"]) for c in body["components"]
    ] == [
        ("BA13", "2.100", "2.8500", "5.9850"),
        ("MO-PLAQ", "0.450", "38.5000", "17.3250"),
    ]
    assert body["direct_cost"] == {
        "total": "23.3100",
        "labour_hours": "0.4500",
        "labour_cost": "17.3250",
        "supply_cost": "5.9850",
        "suggested_sale_price": "23.31",
    }
    assert body["structure"] == "assembly" and body["unit"] == "m²"


def test_read_only_member_reads_another_company_gets_404(bob_api, charlie_api, wall, world):
    assert bob_api.get(f"/items/{wall.pk}").status_code == 200
    assert charlie_api.get(f"/items/{wall.pk}").status_code == 404
    assert charlie_api.get("/items").json() == {"items": [], "count": 0}
    assert charlie_api.get("/items/999999").status_code == 404


def test_without_a_token_is_a_401(client, wall):
    assert client.get("/api/v1/items").status_code == 401


def test_decimals_are_rounded_half_up_with_fixed_places():
    """API decimals go through chantier.core.money (half-up), not format()'s half-even."""
    from decimal import Decimal

    from chantier.catalogue.api import _places

    assert _places(Decimal("0.125"), 2) == "0.13"
    assert _places(Decimal("2.00005"), 4) == "2.0001"
    assert _places(Decimal("0.0025"), 3) == "0.003"
    assert _places(Decimal("5"), 2) == "5.00"
    assert _places(Decimal("-0.125"), 2) == "-0.13"
