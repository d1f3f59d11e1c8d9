"""Works fixtures: a blank contract of company A (alice) and one of company B (charlie);
today is fixed so that date rules give the same answers every day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chantier.contracts import services as contract_services
from chantier.contracts.models import Contract
from chantier.parties import services as parties_services

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch: Any) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def make_contract(user: Any, name: str, reference: str) -> Contract:
    client = parties_services.client_create(
        user=user, name=name, address_line1="8 rue des Tilleuls", postcode="69003", city="Lyon"
    )
    return contract_services.contract_create(
        user=user,
        data={"client": client, "title": f"Travaux {reference}", "reference": reference},
    )


@pytest.fixture
def contract(world: Any) -> Contract:
    return make_contract(world.alice, "Acme Construction", "MAR-A1")


@pytest.fixture
def foreign_contract(world: Any) -> Contract:
    return make_contract(world.charlie, "Bravo Client", "MAR-B1")
