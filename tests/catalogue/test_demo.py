"""The demo catalogue: every model and kind, kits and nested assemblies, priced by cost."""

from __future__ import annotations

from decimal import Decimal

from chantier.catalogue import demo, selectors
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.core.demo import load_demo
from chantier.core.models import Company

D = Decimal


def test_demo_has_every_kind_kits_and_a_three_level_assembly(db):
    assert load_demo()
    company = Company.objects.get()
    items = Item.objects.filter(company=company)
    assert items.count() >= 40
    assert set(items.values_list("kind", flat=True)) == set(Item.Kind.values)
    assert items.filter(structure="kit").count() == 2
    assert items.filter(structure="assembly").count() >= 3
    assert Category.objects.filter(company=company, parent__isnull=False).exists()
    assert ItemComponent.objects.filter(company=company).exists()
    assert items.filter(supplier__isnull=False).exists()  # the parties demo's suppliers
    wall = items.get(reference="01-CLOISON-72-48")
    detail = selectors.item_detail(company, wall)
    # supply 0.8 × 1.25 + 2.2 × 1.65 + 2.1 × 2.85 + 1.05 × 3.10 + 30 × 0.012
    #        + 2.6 × (0.045 + 0.25 × 1.19) = 15.1205; labour 2.6 × 0.05 × 38.5 + 0.45 × 38.5
    assert (detail.cost.supply_cost, detail.cost.labour_cost) == (D("15.1205"), D("22.3300"))
    # (22.33 × 1.35 + 15.1205 × 1.20) × 1.10 = 53.11911 with the demo coefficients
    assert wall.sale_price == D("53.12")


def test_demo_without_suppliers_leaves_the_supplier_empty(world):
    demo.load(world.company_a, world.alice)
    assert Item.objects.filter(company=world.company_a).count() >= 40
    assert not Item.objects.filter(supplier__isnull=False).exists()


def test_the_pages_read_french_by_default(alice_client, world):
    demo.load(world.company_a, world.alice)
    page = alice_client.get("/catalogue/").content.decode()
    assert "Nouvel article" in page and "Déboursé sec" in page and "Tous les types" in page
    wall = Item.objects.get(reference="01-CLOISON-72-48")
    page = alice_client.get(f"/catalogue/{wall.pk}/").content.decode()
    assert "Prix de vente conseillé" in page and "Ajouter un composant" in page
