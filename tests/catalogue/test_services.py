"""Catalogue services: the rules, and that every refusal leaves the data unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.catalogue import services
from chantier.catalogue.models import Category, Item, ItemComponent
from chantier.core.exceptions import DomainError, InUse, PermissionDenied
from chantier.core.models import AuditEntry
from chantier.parties.models import Supplier

D = Decimal
pytestmark = pytest.mark.usefixtures("english")


def snapshot():
    return (
        list(Item.objects.order_by("pk").values_list()),
        list(Category.objects.order_by("pk").values_list()),
        list(ItemComponent.objects.order_by("pk").values_list()),
    )


def test_item_create_stores_rounded_values_and_audits(world, make_item):
    item = make_item("BA13", name="Plaque BA13", purchase_cost="2.85555", sale_price="5.905")
    item.refresh_from_db()
    assert item.purchase_cost == D("2.8556")  # 4 places, half-up
    assert item.sale_price == D("5.91")  # 2 places, half-up
    assert item.vat_rate == D("20.00")
    assert item.company == world.company_a
    assert AuditEntry.objects.filter(action="item_create", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"vat_rate": "19.6"}, "vat_rate", "19.6"),
        ({"purchase_cost": "-1"}, "purchase_cost", "negative"),
        ({"sale_price": "-5"}, "sale_price", "discount"),
        ({"kind": "gift"}, "kind", "gift"),
        ({"name": "  "}, "name", "required"),
        ({"datasheet_url": "not a url"}, "datasheet_url", "URL"),
        ({"unit": "x" * 30}, "unit", "20"),
    ],
)
def test_item_create_refusals_write_nothing(world, make_item, fields, field, words):
    before = snapshot()
    with pytest.raises(DomainError) as err:
        make_item("REF-1", **fields)
    assert err.value.field == field
    assert words in err.value.message
    assert snapshot() == before


def test_a_discount_may_have_a_negative_price(make_item):
    item = make_item("REM", kind="discount", sale_price="-50")
    assert item.sale_price == D("-50.00")


def test_reference_is_unique_per_company_with_a_clear_message(world, make_item):
    make_item("BA13")
    before = snapshot()
    with pytest.raises(DomainError) as err:
        make_item("BA13")
    assert err.value.field == "reference"
    assert "BA13" in err.value.message and "already exists" in err.value.message
    assert snapshot() == before
    make_item("BA13", user=world.charlie)  # another company may use it


def test_item_update_changes_only_given_fields(world, make_item):
    item = make_item("BA13", name="Plaque", sale_price="5")
    services.item_update(user=world.alice, item=item, data={"sale_price": D("6.5")})
    item.refresh_from_db()
    assert (item.name, item.sale_price) == ("Plaque", D("6.50"))
    entry = AuditEntry.objects.get(action="item_update")
    assert entry.data == {"fields": ["sale_price"]}


def test_item_update_refuses_a_foreign_supplier_or_category(world, make_item):
    item = make_item("BA13")
    foreign_supplier = Supplier.objects.create(company=world.company_b, name="Autre")
    foreign_category = services.category_create(user=world.charlie, name="Autre")
    before = snapshot()
    with pytest.raises(DomainError) as err:
        services.item_update(user=world.alice, item=item, data={"supplier": foreign_supplier})
    assert err.value.field == "supplier"
    with pytest.raises(DomainError) as err:
        services.item_update(user=world.alice, item=item, data={"category": foreign_category})
    assert err.value.field == "category"
    assert snapshot() == before


def test_read_only_role_cannot_write(world, make_item):
    item = make_item("BA13")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.item_create(user=world.bob, data={"reference": "X", "name": "X"})
    with pytest.raises(PermissionDenied):
        services.item_delete(user=world.bob, item=item)
    with pytest.raises(PermissionDenied):
        services.category_create(user=world.bob, name="Plâtrerie")
    assert snapshot() == before


def test_components_are_refused_on_simple_items_zero_quantities_and_cycles(world, make_item, add):
    simple = make_item("VIS")
    board = make_item("BA13", purchase_cost="2.85")
    joint = make_item("JOINT", structure="assembly")
    wall = make_item("CLOISON", structure="assembly")
    add(joint, board, "1")
    add(wall, joint, "2.6")
    before = snapshot()
    cases = [
        (simple, board, "1", "simple item"),
        (wall, board, "0", "greater than 0"),
        (wall, board, "-2", "greater than 0"),
        (joint, wall, "1", "contain itself"),  # wall contains joint: a cycle
        (wall, wall, "1", "contain itself"),
        (wall, joint, "1", "already a component"),
    ]
    for parent, component, quantity, words in cases:
        with pytest.raises(DomainError) as err:
            add(parent, component, quantity)
        assert words in err.value.message, (parent, component, quantity)
    assert snapshot() == before


def test_component_from_another_company_is_refused(world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    foreign = make_item("AUTRE", user=world.charlie)
    with pytest.raises(DomainError):
        add(wall, foreign, "1")
    assert not ItemComponent.objects.exists()


def test_component_update_and_remove(world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    row = add(wall, make_item("BA13"), "2.1")
    services.component_update(user=world.alice, component=row, quantity=D("2.0004"))
    row.refresh_from_db()
    assert row.quantity == D("2.000")
    with pytest.raises(DomainError):
        services.component_update(user=world.alice, component=row, quantity=D("0"))
    row.refresh_from_db()
    assert row.quantity == D("2.000")
    services.component_remove(user=world.alice, component=row)
    assert not wall.components.exists()


def test_an_assembly_with_components_cannot_become_simple(world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    add(wall, make_item("BA13"), "2")
    with pytest.raises(DomainError) as err:
        services.item_update(user=world.alice, item=wall, data={"structure": "simple"})
    assert err.value.field == "structure"
    wall.refresh_from_db()
    assert wall.structure == "assembly"


def test_an_item_used_as_a_component_cannot_be_deleted(world, make_item, add):
    board = make_item("BA13")
    wall = make_item("CLOISON", structure="assembly")
    add(wall, board, "2")
    before = snapshot()
    with pytest.raises(InUse) as err:
        services.item_delete(user=world.alice, item=board)
    assert "component of 1 item (CLOISON)" in err.value.message
    assert snapshot() == before
    services.item_delete(user=world.alice, item=wall)  # its own component rows go with it
    services.item_delete(user=world.alice, item=board)
    assert not Item.objects.exists() and not ItemComponent.objects.exists()


def test_categories_one_level_unique_names_and_delete_refusals(world, make_item):
    platre = services.category_create(user=world.alice, name="Plâtrerie")
    plaques = services.category_create(user=world.alice, name="Plaques", parent=platre)
    before = snapshot()
    with pytest.raises(DomainError, match="already exists"):
        services.category_create(user=world.alice, name="plâtrerie")
    with pytest.raises(DomainError, match="subcategories of its own"):
        services.category_create(user=world.alice, name="Vis", parent=plaques)
    elec = services.category_create(user=world.alice, name="Électricité")
    before = snapshot()
    with pytest.raises(DomainError, match="cannot become a subcategory"):
        services.category_update(user=world.alice, category=platre, name="P", parent=elec)
    with pytest.raises(InUse, match="1 subcategory"):
        services.category_delete(user=world.alice, category=platre)
    assert snapshot() == before
    make_item("BA13", category=plaques)
    with pytest.raises(InUse, match=r"1 item \(BA13\)"):
        services.category_delete(user=world.alice, category=plaques)
    services.category_create(user=world.alice, name="Plaques")  # same name, other parent
    services.category_update(
        user=world.alice, category=plaques, name="Plaques de plâtre", parent=platre
    )
    plaques.refresh_from_db()
    assert str(plaques) == "Plâtrerie › Plaques de plâtre"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sale_price": "1e30"}, "sale_price"),
        ({"sale_price": "123456789012345678901234567"}, "sale_price"),  # 27 digits
        ({"sale_price": "1000000000000"}, "sale_price"),  # 13 digits: the column holds 12
        ({"sale_price": "-1e30", "kind": "discount"}, "sale_price"),
        ({"purchase_cost": "1e30"}, "purchase_cost"),
        ({"purchase_cost": "10000000000"}, "purchase_cost"),  # 11 digits: the column holds 10
        ({"purchase_cost": "9999999999.99995"}, "purchase_cost"),  # rounds up to 11 digits
    ],
)
def test_numbers_out_of_the_column_range_are_refused(world, make_item, fields, field):
    before = snapshot()
    with pytest.raises(DomainError) as err:
        make_item("REF-1", **fields)
    assert err.value.field == field
    assert "too large" in err.value.message
    assert snapshot() == before


def test_the_largest_numbers_the_columns_hold_are_accepted(make_item):
    item = make_item("MAX", purchase_cost="9999999999.99994", sale_price="999999999999.994")
    item.refresh_from_db()
    assert (item.purchase_cost, item.sale_price) == (D("9999999999.9999"), D("999999999999.99"))


def test_a_huge_component_quantity_is_refused(world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    board = make_item("BA13")
    for quantity in ("1e30", "-1e30", "100000000000"):
        with pytest.raises(DomainError) as err:
            add(wall, board, quantity)
        assert err.value.field == "quantity", quantity
    assert not ItemComponent.objects.exists()


def test_a_reference_saved_meanwhile_by_someone_else_is_a_clear_refusal(
    world, make_item, monkeypatch
):
    """Two users create the same reference at once: both pass the exists() check, the
    second save hits the unique constraint and gets the usual message, not a 500."""
    make_item("BA13")
    other = make_item("VIS")
    monkeypatch.setattr(services, "_check_reference_free", lambda item: None)
    before = snapshot()
    with pytest.raises(DomainError) as err:
        make_item("BA13")
    assert (err.value.field, err.value.message) == (
        "reference",
        "An item with the reference BA13 already exists.",
    )
    with pytest.raises(DomainError) as err:
        services.item_update(user=world.alice, item=other, data={"reference": "BA13"})
    assert err.value.field == "reference"
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="item_create").count() == 2


def test_a_category_saved_meanwhile_by_someone_else_is_a_clear_refusal(world, monkeypatch):
    platre = services.category_create(user=world.alice, name="Plâtrerie")
    services.category_create(user=world.alice, name="Plaques", parent=platre)
    elec = services.category_create(user=world.alice, name="Électricité")
    monkeypatch.setattr(services, "_check_category_name_free", lambda category: None)
    before = snapshot()
    with pytest.raises(DomainError) as err:
        services.category_create(user=world.alice, name="Plâtrerie")
    assert (err.value.field, err.value.message) == (
        "name",
        "A category named Plâtrerie already exists here.",
    )
    with pytest.raises(DomainError) as err:
        services.category_create(user=world.alice, name="Plaques", parent=platre)
    assert err.value.field == "name"
    with pytest.raises(DomainError) as err:
        services.category_update(user=world.alice, category=elec, name="Plâtrerie")
    assert err.value.field == "name"
    assert snapshot() == before
