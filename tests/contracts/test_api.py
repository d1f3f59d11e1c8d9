"""The contracts API (shared/API.md): GET /contracts/{id}, and the paginated list."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

DEFAULT_SETTINGS = {
    "pricing": "lump_sum",
    "retention_rate": "5.00",
    "retention_base": "gross",
    "retention_on": "every_invoice",
    "retention_guarantee": False,
    "guarantee_reference": "",
    "guarantee_end_date": None,
    "down_payment_deduction": "prorata",
    "deduction_warning_threshold": "50.00",
    "revision": {"fixed_part": "0.1250", "rounding": "3up", "indices": []},
    "handover_date": None,
    "warranty_months": 12,
    "payment_terms": "60d",
    "procurement": "private",
    "service_orders_from_quotes": False,
    "reverse_charge": False,
    "invoice_presentation": "detailed",
    "invoice_recap": False,
    "revision_provisional": False,
    "advance_amount": "0.00",
    "advance_start_percent": None,
    "advance_end_percent": "80.00",
}


def _line(contract, reference: str) -> int:
    return contract.lines.get(reference=reference).pk


def test_a_contract_with_its_lines_in_reading_order(alice_api, contract):
    response = alice_api.get(f"/contracts/{contract.pk}")
    assert response.status_code == 200
    text = contract.lines.get(kind="text").pk
    body = response.json()
    assert body["settings"] == DEFAULT_SETTINGS
    assert {
        key: body[key] for key in ("id", "reference", "status", "pricing", "base_net", "lines")
    } == {
        "id": contract.pk,
        "reference": "DEV2026-7",
        "status": "active",
        "pricing": "lump_sum",
        "base_net": "971.36",
        "lines": [
            {
                "id": _line(contract, "R-1"),
                "reference": "R-1",
                "description": "Déplacement",
                "unit": "u",
                "quantity": "2.000",
                "unit_price": "15.00",
                "net": "30.00",
                "vat_rate": "20.00",
                "section": None,
                "change_order_id": None,
                "service_order_id": None,
            },
            {
                "id": _line(contract, "GO-1"),
                "reference": "GO-1",
                "description": "Ragréage\nsur 5 mm",
                "unit": "m²",
                "quantity": "10.000",
                "unit_price": "12.35",
                "net": "123.46",
                "vat_rate": "20.00",
                "section": "1",
                "change_order_id": None,
                "service_order_id": None,
            },
            {
                "id": text,
                "reference": "",
                "description": "Les travaux ont lieu le samedi.",
                "unit": "",
                "quantity": "0.000",
                "unit_price": "0.00",
                "net": "0.00",
                "vat_rate": "20.00",
                "section": "1",
                "change_order_id": None,
                "service_order_id": None,
            },
            {
                "id": _line(contract, "FD-1"),
                "reference": "FD-1",
                "description": "Semelles filantes",
                "unit": "m³",
                "quantity": "3.500",
                "unit_price": "210.00",
                "net": "735.00",
                "vat_rate": "20.00",
                "section": "1.1",
                "change_order_id": None,
                "service_order_id": None,
            },
            {
                "id": _line(contract, "FD-REM"),
                "reference": "FD-REM",
                "description": "Remise",
                "unit": "ft",
                "quantity": "1.000",
                "unit_price": "-20.00",
                "net": "-20.00",
                "vat_rate": "20.00",
                "section": "1.1",
                "change_order_id": None,
                "service_order_id": None,
            },
            {
                "id": _line(contract, "FI-1"),
                "reference": "FI-1",
                "description": "Peinture",
                "unit": "m²",
                "quantity": "12.250",
                "unit_price": "8.40",
                "net": "102.90",
                "vat_rate": "10.00",
                "section": "2",
                "change_order_id": None,
                "service_order_id": None,
            },
        ],
    }


def test_the_line_nets_add_up_to_base_net(alice_api, contract):
    from decimal import Decimal

    body = alice_api.get(f"/contracts/{contract.pk}").json()
    assert sum(Decimal(line["net"]) for line in body["lines"]) == Decimal(body["base_net"])


def test_a_read_only_member_reads_it(bob_api, contract):
    assert bob_api.get(f"/contracts/{contract.pk}").json()["reference"] == "DEV2026-7"


def test_another_company_gets_404(charlie_api, contract):
    response = charlie_api.get(f"/contracts/{contract.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable.", "errors": []}
    assert charlie_api.get("/contracts").json() == {"items": [], "count": 0}


def test_a_missing_contract_is_404(alice_api):
    assert alice_api.get("/contracts/999999").status_code == 404


def test_the_list(alice_api, contract, acme, acme_site, built):
    response = alice_api.get("/contracts?q=acme&status=active")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": contract.pk,
                "reference": "DEV2026-7",
                "title": "Rénovation du hall",
                "status": "active",
                "client_id": acme.pk,
                "client": "Acme Construction",
                "site_id": acme_site.pk,
                "quote_id": built.quote.pk,
                "contract_type": "",
                "postcode": "69003",
                "city": "Lyon",
                "base_net": "971.36",
            }
        ],
        "count": 1,
    }
    assert alice_api.get("/contracts?status=finished").json() == {"items": [], "count": 0}


def test_an_unknown_status_is_a_400_naming_the_field(alice_api, contract):
    response = alice_api.get("/contracts?status=signed")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["status"]


def test_the_detail_runs_a_fixed_number_of_queries(
    alice_api, contract, django_assert_max_num_queries
):
    # token, its last use, membership, contract, sections, lines, revision indices
    with django_assert_max_num_queries(7):
        assert alice_api.get(f"/contracts/{contract.pk}").status_code == 200
