"""Catalogue pages: forms, search, roles, tenancy, components, deletion, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chantier.catalogue import services
from chantier.catalogue.models import Category, Item, ItemComponent

D = Decimal
FORM = {
    "reference": "PLA-BA13",
    "name": "Plaque de plâtre BA13",
    "kind": "supply",
    "structure": "simple",
    "unit": "m²",
    "purchase_cost": "2,85",
    "sale_price": "5,90",
    "vat_rate": "20.00",
    "supplier_reference": "PP-123",
    "datasheet_url": "https://fiches.example.com/ba13.pdf",
    "active": "on",
}


def snapshot():
    return (
        list(Item.objects.order_by("pk").values_list()),
        list(Category.objects.order_by("pk").values_list()),
        list(ItemComponent.objects.order_by("pk").values_list()),
    )


def url(name, *args, **query):
    path = reverse(f"catalogue:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_create_an_item_through_the_form_and_find_it_by_search(alice_client):
    response = alice_client.post(url("item_create"), FORM)
    item = Item.objects.get(reference="PLA-BA13")
    assert response.status_code == 302 and response["Location"] == url("item_detail", item.pk)
    assert (item.purchase_cost, item.sale_price, item.unit) == (D("2.8500"), D("5.90"), "m²")
    page = alice_client.get(url("item_list", q="ba13")).content.decode()
    assert "PLA-BA13" in page and "5,90\u00a0€" in page
    assert "PLA-BA13" in alice_client.get(url("item_list", q="PP-123")).content.decode()
    assert "PLA-BA13" not in alice_client.get(url("item_list", q="cuivre")).content.decode()


def test_the_form_shows_clear_errors_and_creates_nothing(alice_client, make_item):
    make_item("PLA-BA13")
    before = snapshot()
    response = alice_client.post(url("item_create"), FORM)
    assert response.status_code == 400
    assert "PLA-BA13 existe déjà" in response.content.decode()
    response = alice_client.post(url("item_create"), {**FORM, "reference": "X", "sale_price": "-3"})
    assert response.status_code == 400
    assert "Seule une remise peut avoir un prix de vente négatif" in response.content.decode()
    response = alice_client.post(url("item_create"), {**FORM, "reference": "X", "vat_rate": "19.6"})
    assert response.status_code == 400
    assert snapshot() == before


def test_edit_an_item(alice_client, make_item):
    item = make_item("PLA-BA13", name="Plaque")
    response = alice_client.post(url("item_edit", item.pk), {**FORM, "sale_price": "6,10"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.sale_price) == ("Plaque de plâtre BA13", D("6.10"))


def test_list_filters_by_kind_and_category(world, alice_client, make_item):
    plaques = services.category_create(user=world.alice, name="Plâtrerie")
    sub = services.category_create(user=world.alice, name="Plaques", parent=plaques)
    make_item("BA13", category=sub)
    make_item("MO-PLAQ", kind="labour")
    page = alice_client.get(url("item_list", kind="labour")).content.decode()
    assert "MO-PLAQ" in page and "BA13" not in page
    page = alice_client.get(url("item_list", category=plaques.pk)).content.decode()
    assert "BA13" in page and "MO-PLAQ" not in page


def test_read_only_member_sees_no_write_buttons_and_gets_403(bob_client, world, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    board = make_item("BA13")
    row = add(wall, board, "2")
    category = services.category_create(user=world.alice, name="Plâtrerie")
    page = bob_client.get(url("item_list")).content.decode()
    assert url("item_create") not in page and url("item_import") not in page
    detail = bob_client.get(url("item_detail", wall.pk)).content.decode()
    for path in (
        url("item_edit", wall.pk),
        url("item_delete", wall.pk),
        url("component_add", wall.pk),
        url("component_update", row.pk),
        url("component_remove", row.pk),
    ):
        assert path not in detail, path
    assert 'list="component-choices"' not in detail
    categories = bob_client.get(url("category_list")).content.decode()
    for path in (
        url("category_create"),
        url("category_edit", category.pk),
        url("category_delete", category.pk),
    ):
        assert path not in categories, path
    # The pages that change data answer 403 (core.access.writer_required), as elsewhere.
    pages = [
        url("item_create"),
        url("item_edit", wall.pk),
        url("item_delete", board.pk),
        url("item_import"),
        url("category_create"),
        url("category_edit", category.pk),
        url("category_delete", category.pk),
    ]
    for path in pages:
        response = bob_client.get(path)
        assert response.status_code == 403, path
        assert "Votre rôle permet de consulter" in response.content.decode(), path
    before = snapshot()
    posts = [
        (url("item_create"), FORM),
        (url("item_edit", wall.pk), FORM),
        (url("item_delete", board.pk), {}),
        (url("component_add", wall.pk), {"component": "BA13", "quantity": "1"}),
        (url("component_update", row.pk), {"quantity": "3"}),
        (url("component_remove", row.pk), {}),
        (url("category_create"), {"name": "Plomberie"}),
        (url("category_edit", category.pk), {"name": "Plomberie"}),
        (url("category_delete", category.pk), {}),
        (url("item_import"), {}),
    ]
    for path, data in posts:
        assert bob_client.post(path, data).status_code == 403, path
    assert snapshot() == before


def test_another_company_gets_404_and_changes_nothing(world, charlie_client, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    board = make_item("BA13")
    row = add(wall, board, "2")
    category = services.category_create(user=world.alice, name="Plâtrerie")
    for path in [
        url("item_detail", wall.pk),
        url("item_edit", wall.pk),
        url("item_delete", wall.pk),
        url("category_edit", category.pk),
        url("category_delete", category.pk),
    ]:
        assert charlie_client.get(path).status_code == 404, path
    before = snapshot()
    for path, data in [
        (url("item_edit", wall.pk), FORM),
        (url("item_delete", board.pk), {}),
        (url("component_add", wall.pk), {"component": "BA13", "quantity": "1"}),
        (url("component_update", row.pk), {"quantity": "3"}),
        (url("component_remove", row.pk), {}),
        (url("category_delete", category.pk), {}),
    ]:
        assert charlie_client.post(path, data).status_code == 404, path
    assert snapshot() == before
    assert "CLOISON" not in charlie_client.get(url("item_list")).content.decode()


def test_components_on_the_detail_page_with_htmx_and_without(alice_client, make_item):
    wall = make_item("CLOISON", structure="assembly", unit="m²")
    make_item("BA13", purchase_cost="2.85")
    make_item("MO", kind="labour", purchase_cost="38.50")
    response = alice_client.post(
        url("component_add", wall.pk),
        {"component": "BA13", "quantity": "2,1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    section = response.content.decode()
    assert section.lstrip().startswith('<section id="components"') and "<html" not in section
    assert "5,9850\u00a0€" in section  # 2.1 × 2.85
    # The direct cost at the top of the page is swapped out of band by htmx.
    assert '<span id="direct-cost" hx-swap-oob="true">5,9850\u00a0€</span>' in section
    response = alice_client.post(
        url("component_add", wall.pk), {"component": "MO", "quantity": "0,45"}
    )
    assert response.status_code == 302
    page = alice_client.get(url("item_detail", wall.pk)).content.decode()
    # 5.985 + 0.45 × 38.50 = 5.985 + 17.325 = 23.31; suggested (coefficients 1) 23.31 €
    assert "23,3100\u00a0€" in page and "17,3250\u00a0€" in page and "0,45\u00a0h" in page
    assert "23,31\u00a0€" in page


def test_a_component_cycle_is_refused_on_the_page(alice_client, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    joint = make_item("JOINT", structure="assembly")
    add(wall, joint, "2")
    before = snapshot()
    response = alice_client.post(
        url("component_add", joint.pk),
        {"component": "CLOISON", "quantity": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "contient JOINT" in response.content.decode()
    response = alice_client.post(
        url("component_add", joint.pk), {"component": "CLOISON", "quantity": "1"}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_delete_is_confirmed_and_refused_while_used(alice_client, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    board = make_item("BA13")
    add(wall, board, "2")
    page = alice_client.get(url("item_delete", board.pk)).content.decode()
    assert "composant de 1 article (CLOISON)" in page and 'type="submit"' not in page
    before = snapshot()
    response = alice_client.post(url("item_delete", board.pk))
    assert response.status_code == 409
    assert snapshot() == before
    assert 'type="submit"' in alice_client.get(url("item_delete", wall.pk)).content.decode()
    assert alice_client.post(url("item_delete", wall.pk)).status_code == 302
    assert not Item.objects.filter(pk=wall.pk).exists()


def test_category_pages(alice_client, make_item):
    response = alice_client.post(url("category_create"), {"name": "Plâtrerie"})
    assert response.status_code == 302
    platre = Category.objects.get(name="Plâtrerie")
    alice_client.post(url("category_create"), {"name": "Plaques", "parent": platre.pk})
    assert alice_client.post(url("category_create"), {"name": "plâtrerie"}).status_code == 400
    page = alice_client.get(url("category_list")).content.decode()
    assert "Plâtrerie › Plaques" in page
    make_item("BA13", category=Category.objects.get(name="Plaques"))
    response = alice_client.post(url("category_delete", platre.pk))
    assert response.status_code == 409 and "sous-catégorie" in response.content.decode()
    response = alice_client.post(url("category_edit", platre.pk), {"name": "Plâtrerie sèche"})
    assert response.status_code == 302
    platre.refresh_from_db()
    assert platre.name == "Plâtrerie sèche"


@pytest.fixture
def big_catalogue(world, make_item, add):
    """35 simple items, and a 3-level assembly: lot -> wall -> joint -> leaves."""
    leaves = [make_item(f"ART-{i:03d}", purchase_cost=f"{i}.25") for i in range(35)]
    joint = make_item("OUV-JOINT", structure="assembly")
    wall = make_item("OUV-CLOISON", structure="assembly")
    lot = make_item("OUV-LOT", structure="assembly")
    for leaf in leaves[:10]:
        add(joint, leaf, "1.5")
    for leaf in leaves[10:20]:
        add(wall, leaf, "2")
    add(wall, joint, "2.6")
    add(lot, wall, "12.5")
    add(lot, leaves[30], "1")
    return lot


def test_list_page_query_count_does_not_grow_with_rows(
    alice_client, big_catalogue, django_assert_max_num_queries
):
    # session, user, membership, count, page, categories of the filter (+ 1 per level of
    # nesting below the assemblies on the page, whatever the size of the catalogue: the lot
    # alone is 3 levels deep)
    paths = [url("item_list"), url("item_list", page=2), url("item_list", q="OUV")]
    for path in [*paths, url("item_list", q="OUV-LOT")]:
        with django_assert_max_num_queries(9):
            response = alice_client.get(path)
        assert response.status_code == 200
    assert "OUV-LOT" in response.content.decode()


def test_detail_page_of_a_3_level_assembly_in_bounded_queries(
    alice_client, big_catalogue, django_assert_max_num_queries
):
    # session, user, membership, item, its components, the 2 levels below them, used in
    with django_assert_max_num_queries(8):
        response = alice_client.get(url("item_detail", big_catalogue.pk))
    assert response.status_code == 200
    # joint = 1.5 × Σ(i + 0.25, i < 10) = 1.5 × 47.5 = 71.25; wall = 2 × Σ(i + 0.25, 10 ≤ i < 20)
    # + 2.6 × 71.25 = 2 × 147.5 + 185.25 = 480.25; lot = 12.5 × 480.25 + 30.25 = 6033.375
    assert "6\u00a0033,3750\u00a0€" in response.content.decode()


def test_change_a_component_quantity_and_remove_it(alice_client, make_item, add):
    wall = make_item("CLOISON", structure="assembly")
    row = add(wall, make_item("BA13", purchase_cost="2"), "2")
    htmx = {"HX-Request": "true"}
    response = alice_client.post(url("component_update", row.pk), {"quantity": "3,5"}, headers=htmx)
    assert response.status_code == 200 and "7,0000\u00a0€" in response.content.decode()
    row.refresh_from_db()
    assert row.quantity == D("3.500")
    response = alice_client.post(url("component_update", row.pk), {"quantity": "abc"}, headers=htmx)
    assert "msg-error" in response.content.decode()
    response = alice_client.post(url("component_update", row.pk), {"quantity": "0"})
    assert response.status_code == 400 and "supérieure à 0" in response.content.decode()
    row.refresh_from_db()
    assert row.quantity == D("3.500")
    response = alice_client.post(url("component_remove", row.pk))
    assert response.status_code == 302
    assert not ItemComponent.objects.exists()


def test_an_empty_post_shows_what_is_missing(alice_client):
    for name in ("item_create", "category_create", "item_import"):
        response = alice_client.post(url(name), {})
        assert response.status_code == 400, name
        page = response.content.decode()
        assert "field-errors" in page and "Ce champ est obligatoire." in page, name
    assert snapshot() == ([], [], [])


def test_the_saved_message_names_the_new_reference(alice_client, make_item):
    item = make_item("PLA-BA13", name="Plaque")
    response = alice_client.post(
        url("item_edit", item.pk), {**FORM, "reference": "PLA-BA13-H1"}, follow=True
    )
    assert response.status_code == 200
    assert "Article PLA-BA13-H1 enregistré." in response.content.decode()


def test_a_sale_price_with_more_decimals_is_rounded_half_up(alice_client, make_item):
    response = alice_client.post(url("item_create"), {**FORM, "sale_price": "12,345"})
    assert response.status_code == 302
    assert Item.objects.get(reference="PLA-BA13").sale_price == D("12.35")
    item = Item.objects.get(reference="PLA-BA13")
    response = alice_client.post(url("item_edit", item.pk), {**FORM, "sale_price": "0,0049"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.sale_price == D("0.00")
    response = alice_client.post(url("item_edit", item.pk), {**FORM, "sale_price": "1,23456"})
    assert response.status_code == 400  # 4 decimals at most
    item.refresh_from_db()
    assert item.sale_price == D("0.00")


def test_the_component_field_searches_instead_of_listing_the_catalogue(
    alice_client, charlie_client, make_item, django_assert_max_num_queries
):
    wall = make_item("CLOISON", structure="assembly")
    for i in range(30):
        make_item(f"ART-{i:03d}", name=f"Plaque {i}" if i % 2 else f"Vis {i}")
    detail = alice_client.get(url("item_detail", wall.pk)).content.decode()
    search = url("component_search", wall.pk)
    assert 'list="component-choices"' in detail and f'hx-get="{search}"' in detail
    assert "ART-000" not in detail and "<select" not in detail.split('id="components"')[1]
    with django_assert_max_num_queries(5):  # session, user, membership, item, matches
        response = alice_client.get(search, {"component": "plaque"})
    options = response.content.decode()
    assert options.count("<option") == 15 and "Vis" not in options
    assert '<option value="ART-001">ART-001 · Plaque 1 (u)</option>' in options
    everything = alice_client.get(search, {"component": ""}).content.decode()
    assert everything.count("<option") == 20  # at most 20 matches
    assert "CLOISON" not in everything  # not a component of itself
    assert charlie_client.get(search).status_code == 404


def test_a_component_is_added_by_its_reference(alice_client, make_item):
    wall = make_item("CLOISON", structure="assembly")
    make_item("BA13", purchase_cost="2")
    htmx = {"HX-Request": "true"}
    response = alice_client.post(
        url("component_add", wall.pk), {"component": "BA-13", "quantity": "1"}, headers=htmx
    )
    assert "Aucun article n&#x27;a la référence BA-13" in response.content.decode()
    assert not ItemComponent.objects.exists()
    response = alice_client.post(
        url("component_add", wall.pk), {"component": " BA13 ", "quantity": "2"}, headers=htmx
    )
    assert "4,0000\u00a0€" in response.content.decode()
    assert ItemComponent.objects.get().component.reference == "BA13"


def test_costs_load_only_the_graph_below_the_items_shown(
    world, alice_client, big_catalogue, make_item, add
):
    """Other assemblies of the company are not read: the graph is loaded level by level
    from the items of the page (every component query filters on its parents)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def graph_reads(queries):
        return [
            q["sql"]
            for q in queries
            if q["sql"].startswith("SELECT") and 'FROM "catalogue_itemcomponent"' in q["sql"]
        ]

    other = make_item("ZZ-OTHER", structure="assembly")
    add(other, make_item("ZZ-LEAF"), "1")
    for path in (url("item_list", q="OUV-LOT"), url("item_detail", big_catalogue.pk)):
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(path).status_code == 200
        reads = graph_reads(ctx.captured_queries)
        assert reads, path
        for sql in reads:
            assert '"parent_id" IN' in sql or '"parent_id" =' in sql, sql
    with CaptureQueriesContext(connection) as ctx:
        add(make_item("ZZ-NEW", structure="assembly"), big_catalogue, "1")
    for sql in graph_reads(ctx.captured_queries):
        assert '"parent_id" IN' in sql or '"parent_id" =' in sql, sql


def test_the_category_filter_offers_categories(world, alice_client):
    from chantier.catalogue.filters import ItemFilterForm

    assert ItemFilterForm.base_fields["category"].queryset.model is Category
    services.category_create(user=world.alice, name="Plâtrerie")
    page = alice_client.get(url("item_list")).content.decode()
    assert ">Plâtrerie</option>" in page
