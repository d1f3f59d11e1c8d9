"""The demo rows: valid, at least one of each model, every page renders them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from stdnum.eu import vat
from stdnum.fr import siren

from chantier.parties import demo
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier
from tests.parties.test_access import OBJECT_OF, parties_patterns

pytestmark = pytest.mark.django_db


def test_demo_loads_realistic_valid_rows(world):
    demo.load(world.company_a, world.alice)
    company = world.company_a
    assert Client.objects.filter(company=company).count() == 12
    assert set(Client.objects.values_list("kind", flat=True)) == {"company", "individual"}
    assert Supplier.objects.filter(kind="supplier").count() == 4
    assert Supplier.objects.filter(kind="subcontractor").count() == 2
    assert Site.objects.count() == 3
    assert Contact.objects.filter(client__isnull=False).exists()
    assert Contact.objects.filter(supplier__isnull=False).exists()
    assert Interaction.objects.count() >= 3
    for number, vat_number in Client.objects.exclude(siren="").values_list("siren", "vat_number"):
        assert siren.is_valid(number) and vat.is_valid(vat_number)
        assert vat_number == "FR" + siren.to_tva(number)


def test_every_page_renders_the_demo_rows(world, alice_client):
    demo.load(world.company_a, world.alice)
    objects = {
        Client: Client.objects.filter(contacts__isnull=False, sites__isnull=False).first(),
        Supplier: Supplier.objects.filter(contacts__isnull=False).first(),
        Contact: Contact.objects.first(),
        Site: Site.objects.first(),
        Interaction: Interaction.objects.first(),
    }
    for pattern in parties_patterns():
        if pattern.name == "interaction_create":
            continue  # POST only
        args = [objects[OBJECT_OF[pattern.name]].pk] if pattern.name in OBJECT_OF else []
        response = alice_client.get(reverse(f"parties:{pattern.name}", args=args))
        assert response.status_code == 200, pattern.name
