"""The contracts demo: a row of every model, consistent amounts, pages and API render it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chantier.contracts import demo
from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
)
from chantier.core.demo import DEMO_APPS
from chantier.parties import demo as parties_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    parties_demo.load(world.company_a, world.alice)
    demo.load(world.company_a, world.alice)
    return Contract.objects.filter(company=world.company_a)


def test_contracts_are_in_the_demo_after_catalogue():
    assert DEMO_APPS.index("contracts") > DEMO_APPS.index("catalogue")
    if "quotes" in DEMO_APPS:
        assert DEMO_APPS.index("contracts") > DEMO_APPS.index("quotes")


def test_a_row_of_every_model_with_consistent_amounts(loaded):
    for model in (Contract, ContractSection, ContractLine, ContractLineComponent):
        assert model.objects.exists(), model
    facade = loaded.get(reference="DEV2025-042")
    assert facade.site is not None and facade.client.name == "Agence Rhône Habitat"
    # 14 825.00 from the quote + avenant n°1 approved (18 ml × 42.50 = 765.00); n°2 is only
    # submitted and n°3 a draft, so they are not in the billing base.
    assert facade.base_net == Decimal("15590.00")
    assert sum(facade.lines.values_list("net", flat=True)) == facade.base_net
    assert list(facade.change_orders.order_by("pk").values_list("number", "status")) == [
        (1, "approved"),
        (2, "submitted"),
        (3, "draft"),
    ]
    assert list(facade.service_orders.order_by("pk").values_list("number", "status")) == [
        (1, "validated"),
        (2, "awaiting"),
        (None, "draft"),
    ]
    assert facade.participants.count() == 2 and facade.interactions.count() == 2
    assert facade.service_orders.get(number=1).attachments.count() == 1
    assert facade.address_line1 and facade.postcode and facade.city
    assert list(facade.sections.order_by("sort_key").values_list("number", flat=True)) == [
        "1",
        "2",
        "2.1",
        "2.2",
    ]
    assert set(loaded.values_list("status", flat=True)) == {"active", "finished"}


def test_the_demo_loads_in_two_companies_and_without_the_parties_demo(world):
    demo.load(world.company_a, world.alice)
    demo.load(world.company_b, world.charlie)
    assert Contract.objects.filter(company=world.company_b).count() == 2
    assert not ContractLine.objects.filter(
        company=world.company_b, contract__company=world.company_a
    )


def test_pages_and_api_render_the_demo(loaded, alice_client, alice_api):
    assert "DEV2025-042" in alice_client.get(reverse("contracts:contract_list")).content.decode()
    for contract in loaded:
        page = alice_client.get(reverse("contracts:contract_detail", args=[contract.pk]))
        assert page.status_code == 200
        body = alice_api.get(f"/contracts/{contract.pk}").json()
        assert Decimal(body["base_net"]) == contract.base_net
