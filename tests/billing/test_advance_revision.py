"""Public advance repaid by précompte (french-rules §3.2, example 3.B), provisional revision
with the last known index (billing.md "Price revision"), actualisation (example 4.B)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from chantier.billing.models import IndexValue
from chantier.contracts import actualisation
from chantier.contracts.models import Contract, ContractLine
from tests.billing.conftest import Example, make_contract, quote_line, seller_identity
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient


def test_example_3b_advance_repaid_between_65_and_80_percent(
    alice_api: ApiClient, world: Any
) -> None:
    seller_identity(world.company_a)
    # M = 600 000.00 HT = 720 000.00 TTC; a unit-price line of 600 000 units at 1.00 so that
    # the cumulative quantity is the cumulative amount HT.
    example = make_contract(
        alice_api,
        world.company_a,
        [quote_line("L1 Travaux", "u", "600000", "1.00")],
        pricing="unit_price",
    )
    patched = alice_api.patch(f"/contracts/{example.contract_id}", {"advance_amount": "72000.00"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["settings"]["advance_amount"] == "72000.00"
    expected = []
    for executed_ttc in ("400000", "500000", "560000", "600000", "700000"):
        quantity = (Decimal(executed_ttc) / Decimal("1.2")).quantize(Decimal("0.001"))
        invoice = issued(
            alice_api, statement(alice_api, example, [("L1", "cumulative_quantity", str(quantity))])
        )
        expected.append([d["amount"] for d in invoice["deductions"] if d["kind"] == "advance"])
    assert expected == [[], ["21333.33"], ["40000.00"], ["10666.67"], []]


def test_advance_thresholds_are_checked(alice_api: ApiClient, example: Example) -> None:
    refused = alice_api.patch(
        f"/contracts/{example.contract_id}",
        {"advance_start_percent": "80", "advance_end_percent": "65"},
    )
    assert refused.status_code == 422
    assert Contract.objects.get(pk=example.contract_id).advance_start_percent is None


def test_provisional_revision_uses_the_last_known_index(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0.125",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "0.875", "base_value": "130.0"}],
            },
            "revision_provisional": True,
        },
    )
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2026, 1, 1), value=Decimal("134.5")
    )
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "50")])  # dated 2026-03-31
    assert draft.status_code == 201, draft.content
    body = draft.json()
    assert body["revision_coefficient"] == "1.0310"
    assert [line["net"] for line in body["lines"] if line["kind"] == "revision"] == ["155.00"]
    assert [w["code"] for w in body["warnings"]] == ["provisional_index"]
    assert "01/2026" in body["warnings"][0]["message"]


def test_example_4b_actualisation_of_the_contract(
    alice_client: Any, alice_api: ApiClient, example: Example, world: Any
) -> None:
    alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "1", "base_value": "130.0"}],
            }
        },
    )
    contract = Contract.objects.get(pk=example.contract_id)
    url = reverse("contracts:info_actualise", args=[contract.pk])
    missing = alice_client.post(url, {"price_date": "2025-01-15", "start_date": "2025-06-01"})
    assert missing.status_code == 400
    assert "BT01" in missing.content.decode() and "03/2025" in missing.content.decode()
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2025, 3, 1), value=Decimal("131.3")
    )
    done = alice_client.post(url, {"price_date": "2025-01-15", "start_date": "2025-06-01"})
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.actualisation_coefficient == Decimal("1.0100")
    assert contract.base_net == Decimal("33390.60")
    assert ContractLine.objects.get(pk=example.lines["L1"]).net == Decimal("10100.00")
    again = alice_client.post(url, {"price_date": "2025-01-15", "start_date": "2025-06-01"})
    assert again.status_code == 400
    assert Contract.objects.get(pk=contract.pk).base_net == Decimal("33390.60")


def test_no_actualisation_within_three_months(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "1", "base_value": "130.0"}],
            }
        },
    )
    contract = Contract.objects.get(pk=example.contract_id)
    coefficient = actualisation.contract_actualise(
        user=world.alice,
        contract=contract,
        price_date=dt.date(2025, 1, 15),
        start_date=dt.date(2025, 4, 15),
    )
    assert coefficient == Decimal(1)
    assert Contract.objects.get(pk=contract.pk).base_net == Decimal("33060.00")


def test_provisional_revision_is_regularised_once_the_index_is_known(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0.125",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "0.875", "base_value": "130.0"}],
            },
            "revision_provisional": True,
        },
    )
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2026, 1, 1), value=Decimal("134.5")
    )
    first = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "50")]))
    assert [line["net"] for line in first["lines"] if line["kind"] == "revision"] == [
        "155.00"
    ]  # C 1.031
    # March's value is published: C = 0.125 + 0.875 × 139/130 = 1.0605… → 1.061
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2026, 3, 1), value=Decimal("139.0")
    )
    body = {
        "kind": "progress",
        "date": "2026-04-30",
        "progress": [{"line_id": example.lines["L1"], "mode": "cumulative_percent", "value": "60"}],
    }
    second = issued(alice_api, alice_api.post(f"/contracts/{example.contract_id}/invoices", body))
    revisions = [line["net"] for line in second["lines"] if line["kind"] == "revision"]
    # its own revision (1 000.00 × 0.061, provisional with March's value) and the
    # regularisation of statement 1: 5 000.00 × (0.061 − 0.031) = 150.00
    assert revisions == ["61.00", "150.00"]
    codes = [w["code"] for w in second["warnings"]]
    assert "revision_regularised" in codes and "provisional_index" in codes
    # regularised once: May's value known too; the third statement regularises statement 2
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2026, 4, 1), value=Decimal("139.0")
    )
    body["date"], body["progress"][0]["value"] = "2026-05-31", "70"
    IndexValue.objects.create(
        company=world.company_a, name="BT01", month=dt.date(2026, 5, 1), value=Decimal("139.0")
    )
    third = issued(alice_api, alice_api.post(f"/contracts/{example.contract_id}/invoices", body))
    assert [line["net"] for line in third["lines"] if line["kind"] == "revision"] == ["61.00"]
