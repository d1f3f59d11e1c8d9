"""Parties fixtures: a client of company A with its address, a supplier, helpers."""

from __future__ import annotations

from typing import Any

import pytest

from chantier.parties import services
from chantier.parties.models import Client, Supplier

# A real-format SIREN and its VAT number (key 44), both valid.
SIREN = "732829320"
VAT = "FR44732829320"


def address(line1: str = "8 rue des Tilleuls", postcode: str = "69003", city: str = "Lyon"):
    return {"address_line1": line1, "postcode": postcode, "city": city}


@pytest.fixture
def acme(world: Any) -> Client:
    """Alice's client: a company in Lyon 3e."""
    return services.client_create(
        user=world.alice,
        name="Acme Construction",
        siren=SIREN,
        vat_number=VAT,
        email="contact@acme.example",
        phone="04 78 00 00 01",
        **address(),
    )


@pytest.fixture
def bravo_client(world: Any) -> Client:
    """Charlie's client (company B)."""
    return services.client_create(
        user=world.charlie, name="Bravo Client", **address("1 place Bellecour", "69002")
    )


@pytest.fixture
def point_p(world: Any) -> Supplier:
    return services.supplier_create(
        user=world.alice,
        name="Point P Gerland",
        trade="Matériaux",
        **address("10 rue Jean Bouin", "69007"),
    )
