"""Billing fixtures: the contract of french-rules §1.4 (M = 33 060.00 HT), made the way a
user makes it (quote through the API, accepted), with its lines L1, L2, L3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chantier.parties.models import Client
from chantier.quotes.models import Quote
from tests.conftest import ApiClient, World


def quote_line(
    description: str, unit: str, quantity: str, price: str, vat: str = "20.00"
) -> dict[str, str]:
    return {
        "description": description,
        "unit": unit,
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
    }


@dataclass
class Example:
    contract_id: int
    lines: dict[str, int]  # "L1" → contract line id


def seller_identity(company: Any) -> None:
    """The seller's legal identity that an e-invoice needs (french-rules §6.1)."""
    from chantier.core.models import Company

    Company.objects.filter(pk=company.pk).update(
        siren="732829320",
        siret="73282932000074",
        vat_number="FR44732829320",
        address_line1="1 rue du Port",
        postcode="69002",
        city="Lyon",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )


def make_contract(
    api: ApiClient, company: Any, lines: list[dict[str, str]], pricing: str = "lump_sum"
) -> Example:
    client = Client.objects.create(
        company=company,
        name="SCI Les Tilleuls",
        siren="732829320",
        address_line1="4 rue des Lilas",
        postcode="69003",
        city="Lyon",
    )
    quote = api.post(
        "/quotes",
        {
            "client_id": client.pk,
            "title": "Extension",
            "chapters": [{"title": "Gros œuvre", "lines": lines}],
        },
    )
    assert quote.status_code == 201, quote.content
    quote_id = quote.json()["id"]
    Quote.objects.filter(pk=quote_id).update(status="sent", number=f"DEV2026-{quote_id}")
    accepted = api.post(f"/quotes/{quote_id}/accept")
    assert accepted.status_code == 200, accepted.content
    contract_id = int(accepted.json()["contract_id"])
    if pricing != "lump_sum":
        assert api.patch(f"/contracts/{contract_id}", {"pricing": pricing}).status_code == 200
    contract = api.get(f"/contracts/{contract_id}").json()
    ids = {row["description"].split()[0]: row["id"] for row in contract["lines"]}
    return Example(contract_id, ids)


@pytest.fixture
def example(world: World, alice_api: ApiClient) -> Example:
    """L1 forfait 10 000.00; L2 250 m² × 80.00; L3 120 m² × 25.50 (M = 33 060.00)."""
    seller_identity(world.company_a)
    return make_contract(
        alice_api,
        world.company_a,
        [
            quote_line("L1 Terrassement", "forfait", "1", "10000.00"),
            quote_line("L2 Maçonnerie", "m²", "250", "80.00"),
            quote_line("L3 Enduit", "m²", "120", "25.50"),
        ],
    )
