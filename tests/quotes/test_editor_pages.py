"""The quote editor page (quotes:detail): tree, stored amounts, inline edits with live
totals, stale versions, bad input, roles and tenancy, quick entry, filtering, speed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from chantier.catalogue import services as catalogue_services
from chantier.catalogue.models import Item
from chantier.parties.models import Client
from chantier.quotes import line_services, selectors, services
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine
from tests.conftest import World

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
STALE = (
    "Someone else changed this quote since you opened it. Reload the page: "
    "your change was not saved."
)


def fr(msgid: str) -> str:
    """What the French page shows for an English msgid (itself until the .po has it)."""
    with translation.override("fr"):
        return gettext(msgid)


def html(response: Any) -> str:
    return response.content.decode()


def nbsp(text: str) -> str:
    """Amounts print with non-breaking spaces (1 234,56 €)."""
    return text.replace(" ", "\u00a0")


def line(
    description: str, quantity: str, price: str, vat: str = "20.00", **extra: Any
) -> dict[str, Any]:
    return {
        "description": description,
        "unit": "u",
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
        **extra,
    }


@pytest.fixture
def client_a(world: World) -> Client:
    return Client.objects.create(company=world.company_a, name="SCI Les Tilleuls", city="Lyon")


@pytest.fixture
def quote(world: World, client_a: Client) -> Quote:
    """Two chapters (one with a sub-chapter), an optional line, a discount, a text line."""
    return services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "Rénovation salle de bains"},
        chapters=[
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00", reference="DEM-01")],
                "chapters": [
                    {
                        "title": "Évacuation",
                        "lines": [line("Benne 8 m³", "2", "180.50", reference="BEN-08")],
                    }
                ],
            },
            {
                "title": "Plomberie",
                "lines": [
                    line("Douche italienne", "1", "1850.00", "10.00", reference="PLB-01"),
                    line("Option sèche-serviettes", "1", "420.00", "10.00", optional=True),
                    line("Remise fidélité", "1", "-100.00", "10.00", kind="discount"),
                    {"kind": "text", "description": "Fourniture au choix du client"},
                ],
            },
        ],
    )


def url(name: str, pk: int, query: str = "") -> str:
    return reverse(f"quotes:{name}", args=[pk]) + (f"?{query}" if query else "")


def stored(quote: Quote) -> dict[str, Any]:
    """Everything an edit could change: totals, chapters, lines, version."""
    quote.refresh_from_db()
    return {
        "totals": (quote.net, quote.vat_breakdown, quote.gross, quote.optional_net),
        "version": quote.lock_version,
        "chapters": sorted(Chapter.objects.filter(quote=quote).values_list("pk", "title", "net")),
        "lines": sorted(
            QuoteLine.objects.filter(quote=quote).values_list(
                "pk", "chapter_id", "position", "quantity", "entered_price", "vat_rate", "net"
            )
        ),
    }


def benne(quote: Quote) -> QuoteLine:
    return QuoteLine.objects.get(quote=quote, reference="BEN-08")


def chapter(quote: Quote, number: str) -> Chapter:
    return Chapter.objects.get(quote=quote, number=number)


def field_error(page: str, name: str) -> str:
    """The error text shown inside the field `name`'s block ("" when there is none)."""
    match = re.search(
        rf'<div class="field[^"]*has-error[^"]*">\s*<label[^>]*for="[^"]*{name}"[^>]*>.*?'
        r'<div class="field-errors" role="alert">(.*?)</div>',
        page,
        re.S,
    )
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


# The page -----------------------------------------------------------------------------


def test_page_shows_the_tree_numbers_and_stored_amounts(alice_client: HttpClient, quote: Quote):
    response = alice_client.get(url("detail", quote.pk))
    assert response.status_code == 200
    page = html(response)
    one, one_one, two = chapter(quote, "1"), chapter(quote, "1.1"), chapter(quote, "2")
    # Document order: chapter 1, its line, 1.1 and its line, chapter 2 and its lines.
    ids = re.findall(r'<tbody id="((?:chapter|line)-\d+)"', page)
    lines = {
        row.reference or row.description[:8]: row.pk
        for row in QuoteLine.objects.filter(quote=quote)
    }
    assert ids[:4] == [
        f"chapter-{one.pk}",
        f"line-{lines['DEM-01']}",
        f"chapter-{one_one.pk}",
        f"line-{lines['BEN-08']}",
    ]
    assert ids[4] == f"chapter-{two.pk}" and len(ids) == 9
    assert re.search(rf'id="ch-{one.pk}-net"><strong>{nbsp("711,00 €")}', page)
    assert re.search(rf'id="ch-{one_one.pk}-net"><strong>{nbsp("361,00 €")}', page)
    assert re.search(rf'id="ch-{two.pk}-net"><strong>{nbsp("1 750,00 €")}', page)
    assert f'id="total-net"><strong>{nbsp("2 461,00 €")}</strong>' in page
    assert nbsp("142,20 €") in page and nbsp("175,00 €") in page  # VAT 20 % and 10 %
    assert f'id="total-gross"><strong>{nbsp("2 778,20 €")}</strong>' in page
    assert f'id="total-options">{nbsp("420,00 €")}' in page
    assert nbsp("361,00 €") in page  # Benne: 2 × 180,50
    assert "Fourniture au choix du client" in page
    assert fr("not counted in the total") in page  # the optional line is marked
    assert 'id="new-line"' in page and 'id="new-chapter"' in page


def test_assembly_components_are_greyed_with_computed_quantities(
    alice_client: HttpClient, world: World, quote: Quote
):
    plate = catalogue_services.item_create(
        user=world.alice,
        data={"reference": "PLA-BA13", "name": "Plaque BA13", "purchase_cost": D("2.85")},
    )
    wall = catalogue_services.item_create(
        user=world.alice,
        data={"reference": "CLOISON", "name": "Cloison 72/48", "structure": "assembly"},
    )
    catalogue_services.component_add(
        user=world.alice, parent=wall, component=plate, quantity=D("2.1")
    )
    added = line_services.line_add(
        user=world.alice,
        quote=quote,
        data={"quantity": "12.5"},
        chapter=chapter(quote, "2"),
        item=wall,
    )
    page = html(alice_client.get(url("detail", quote.pk)))
    row = re.search(rf'<tbody id="line-{added.pk}".*?</tbody>', page, re.S).group(0)
    component = re.search(r'<tr class="component">.*?</tr>', row, re.S).group(0)
    assert "PLA-BA13" in component and "Plaque BA13" in component
    assert "26,25" in component  # 12.5 × 2.1


def test_cost_columns_show_direct_cost_margin_and_split(
    alice_client: HttpClient, world: World, quote: Quote
):
    line_services.line_add(
        user=world.alice,
        quote=quote,
        data={
            "reference": "MO-01",
            "description": "Pose",
            "quantity": "10",
            "unit_price": "50",
            "unit_labour_hours": "1",
            "unit_labour_cost": "30",
            "unit_supply_cost": "5",
        },
        chapter=chapter(quote, "2"),
    )
    page = html(alice_client.get(url("detail", quote.pk, "costs=1")))
    assert fr("Direct cost") in page and fr("Margin rate") in page
    row = re.search(
        r'<tbody id="line-\d+" class="line kind-item">\s*<tr>\s*<td class="nowrap">MO-01.*?</tr>',
        page,
        re.S,
    ).group(0)
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row, re.S)
    # quantity, unit price, VAT, net, hours, labour, supply, direct cost, margin, rate, split
    assert cells[3] == nbsp("500,00 €")
    assert cells[4] == nbsp("10 h")
    assert cells[5:9] == [nbsp("300,00 €"), nbsp("50,00 €"), nbsp("350,00 €"), nbsp("150,00 €")]
    assert cells[9] == "30,00&nbsp;%"
    assert cells[10] == f"{nbsp('428,57 €')} / {nbsp('71,43 €')}"  # 500 × 300/350
    quote.refresh_from_db()
    assert f'id="total-cost">{nbsp("350,00 €")}' in page
    assert f'id="total-margin">{nbsp("2 611,00 €")}' in page  # 2 961 − 350
    assert f'id="total-hours">{nbsp("10 h")}' in page


# Editing a line ----------------------------------------------------------------------


def edit_data(row: QuoteLine, quote: Quote, **changes: str) -> dict[str, str]:
    """What the line's form posts, with `changes`."""
    data = {
        "reference": row.reference,
        "description": row.description,
        "unit": row.unit,
        "quantity": str(row.quantity).replace(".", ","),
        "unit_price": str(row.entered_price).replace(".", ","),
        "vat_rate": f"{row.vat_rate:.2f}",
        "kind": row.kind,
        "price_mode": row.price_mode,
        "unit_labour_hours": "0",
        "unit_labour_cost": "0",
        "unit_supply_cost": "0",
        "lock_version": str(quote.lock_version),
    }
    data.update(changes)
    return data


def test_htmx_edit_form_then_save_returns_the_row_and_new_totals_out_of_band(
    alice_client: HttpClient, quote: Quote
):
    row = benne(quote)
    form = html(alice_client.get(url("line_edit", row.pk), **HTMX))
    assert f'<tbody id="line-{row.pk}" class="line editing">' in form
    assert 'name="quantity"' in form and 'value="2"' in form
    assert f'name="lock_version" value="{quote.lock_version}"' in form

    response = alice_client.post(
        url("line_edit", row.pk), edit_data(row, quote, quantity="3"), **HTMX
    )
    assert response.status_code == 200
    page = html(response)
    assert page.lstrip().startswith(f'<tbody id="line-{row.pk}"')
    assert nbsp("541,50 €") in page  # 3 × 180,50
    one, one_one = chapter(quote, "1"), chapter(quote, "1.1")
    assert f'id="ch-{one_one.pk}-net" hx-swap-oob="true"><strong>{nbsp("541,50 €")}' in page
    assert f'id="ch-{one.pk}-net" hx-swap-oob="true"><strong>{nbsp("891,50 €")}' in page
    assert (
        'id="totals" class="card totals" aria-labelledby="totals-heading" hx-swap-oob="true"'
        in page
    )
    assert f'id="total-net"><strong>{nbsp("2 641,50 €")}' in page
    assert f'id="total-gross"><strong>{nbsp("2 994,80 €")}' in page  # 891,50×1,2 + 1750×1,1
    quote.refresh_from_db()
    assert (quote.net, quote.gross) == (D("2641.50"), D("2994.80"))
    lock = f'id="lock-version" name="lock_version" form="reorder" value="{quote.lock_version}"'
    assert f'{lock} hx-swap-oob="true"' in page
    assert benne(quote).quantity == D("3.000")


def test_edit_without_javascript_redirects_to_the_line(alice_client: HttpClient, quote: Quote):
    row = benne(quote)
    page = alice_client.get(url("line_edit", row.pk))
    assert page.status_code == 200 and "<!doctype html>" in html(page)
    response = alice_client.post(
        url("line_edit", row.pk, "costs=1"), edit_data(row, quote, quantity="1 234,5")
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", quote.pk, "costs=1&page=1") + f"#line-{row.pk}"
    assert benne(quote).quantity == D("1234.500")  # French number with a thousands space
    follow = html(alice_client.get(response["Location"]))
    assert fr("Line saved.") in follow


def test_stale_version_is_refused_with_a_message_and_nothing_changes(
    alice_client: HttpClient, world: World, quote: Quote
):
    row = benne(quote)
    loaded = quote.lock_version
    line_services.line_update(  # someone else saves first
        user=world.alice, line=row, data={"quantity": "4"}, lock_version=loaded
    )
    before = stored(quote)
    for extra in (HTMX, {}):
        response = alice_client.post(
            url("line_edit", row.pk),
            edit_data(row, quote, quantity="9", lock_version=str(loaded)),
            **extra,
        )
        assert escape(fr(STALE)) in html(response)
        assert response.status_code == (200 if extra else 409)
        assert stored(quote) == before
    # A post without any version is refused the same way.
    data = edit_data(row, quote, quantity="9")
    del data["lock_version"]
    assert escape(fr(STALE)) in html(alice_client.post(url("line_edit", row.pk), data))
    assert stored(quote) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "The quantity must be greater than zero."),
        ({"quantity": "-2"}, "quantity", "The quantity must be greater than zero."),
        ({"unit_price": "-5"}, "unit_price", "The unit price cannot be negative."),
        ({"vat_rate": "19.6"}, "vat_rate", None),
        ({"quantity": "abc"}, "quantity", None),
        ({"description": ""}, "description", "Describe the line."),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_input_shows_the_error_at_the_field_and_nothing_changes(
    alice_client: HttpClient,
    quote: Quote,
    changes: dict[str, str],
    field: str,
    message: str | None,
    htmx: bool,
):
    row = benne(quote)
    before = stored(quote)
    response = alice_client.post(
        url("line_edit", row.pk), edit_data(row, quote, **changes), **(HTMX if htmx else {})
    )
    assert response.status_code == (200 if htmx else 400)
    page = html(response)
    error = field_error(page, field)
    assert error, f"no error shown at {field}"
    if message:
        assert error == fr(message)
    assert stored(quote) == before
    assert f'<tbody id="line-{row.pk}" class="line editing">' in page  # still the form


def test_cancel_gives_the_row_back(alice_client: HttpClient, quote: Quote):
    row = benne(quote)
    page = html(alice_client.get(url("line_row", row.pk), **HTMX))
    assert page.lstrip().startswith(f'<tbody id="line-{row.pk}" class="line kind-item">')
    response = alice_client.get(url("line_row", row.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{row.pk}")


def test_delete_a_line_with_htmx_sends_the_new_totals(alice_client: HttpClient, quote: Quote):
    row = benne(quote)
    confirm = alice_client.get(url("line_delete", row.pk))
    assert confirm.status_code == 200 and fr("Delete this line?") in html(confirm)
    response = alice_client.post(
        url("line_delete", row.pk), {"lock_version": quote.lock_version}, **HTMX
    )
    assert response.status_code == 200
    page = html(response)
    assert (
        f'id="ch-{chapter(quote, "1.1").pk}-net" hx-swap-oob="true"><strong>{nbsp("0,00 €")}'
        in page
    )
    assert f'id="total-net"><strong>{nbsp("2 100,00 €")}' in page
    assert not QuoteLine.objects.filter(pk=row.pk).exists()


def test_delete_a_line_without_javascript(alice_client: HttpClient, quote: Quote):
    row = benne(quote)
    stale = alice_client.post(url("line_delete", row.pk), {"lock_version": quote.lock_version - 1})
    assert stale.status_code == 409 and escape(fr(STALE)) in html(stale)
    assert QuoteLine.objects.filter(pk=row.pk).exists()
    response = alice_client.post(url("line_delete", row.pk), {"lock_version": quote.lock_version})
    assert response.status_code == 302
    assert not QuoteLine.objects.filter(pk=row.pk).exists()
    quote.refresh_from_db()
    assert quote.net == D("2100.00")


# Roles and tenancy -------------------------------------------------------------------


def editor_routes(quote: Quote) -> dict[str, list[str]]:
    """Every editor URL of `quote`: GET pages and POST actions."""
    row, one = benne(quote), chapter(quote, "1")
    return {
        "get": [
            url("detail", quote.pk),
            url("item_search", quote.pk, "item=plaque"),
            url("line_row", row.pk),
            url("line_edit", row.pk),
            url("line_move", row.pk),
            url("line_delete", row.pk),
            url("chapter_edit", one.pk),
            url("chapter_delete", one.pk),
        ],
        "post": [
            url("line_add", quote.pk),
            url("chapter_add", quote.pk),
            url("reorder", quote.pk),
            url("pricing", quote.pk),
            url("line_edit", row.pk),
            url("line_move", row.pk),
            url("line_delete", row.pk),
            url("chapter_rename", one.pk),
            url("chapter_move", one.pk),
            url("chapter_delete", one.pk),
        ],
    }


def full_post(quote: Quote) -> dict[str, str]:
    """A post that would change something if it were allowed."""
    row = benne(quote)
    return {
        **edit_data(row, quote, quantity="7"),
        "title": "Renommé",
        "line_up": str(row.pk),
        "pricing_method": "k_rates",
    }


def test_reader_sees_the_page_without_any_form_and_cannot_post(
    bob_client: HttpClient, quote: Quote
):
    page = html(bob_client.get(url("detail", quote.pk)))
    assert nbsp("2 461,00 €") in page
    for marker in (
        'id="new-line"',
        'id="new-chapter"',
        'id="pricing"',
        'class="row-actions"',
        "hx-post",
    ):
        assert marker not in page
    before = stored(quote)
    routes = editor_routes(quote)
    for target in routes["post"]:
        assert bob_client.post(target, full_post(quote)).status_code == 403, target
    for target in routes["get"]:
        status = bob_client.get(target).status_code
        assert status in (200, 302, 403), target
    assert stored(quote) == before


def test_another_company_gets_404_everywhere(charlie_client: HttpClient, quote: Quote):
    before = stored(quote)
    routes = editor_routes(quote)
    for target in routes["get"]:
        assert charlie_client.get(target).status_code == 404, target
    for target in routes["post"]:
        assert charlie_client.post(target, full_post(quote)).status_code == 404, target
    assert stored(quote) == before


def test_a_line_of_another_quote_cannot_be_moved_through_this_one(
    alice_client: HttpClient, world: World, quote: Quote, client_a: Client
):
    other = services.quote_create(
        user=world.alice, client=client_a, data={"title": "Autre"}, lines=[line("X", "1", "1")]
    )
    foreign_line = QuoteLine.objects.get(quote=other)
    before = stored(other)
    alice_client.post(
        url("reorder", quote.pk), {"line_down": foreign_line.pk, "lock_version": quote.lock_version}
    )
    assert stored(other) == before


def test_a_sent_quote_is_read_only_with_a_way_to_a_new_version(
    alice_client: HttpClient, quote: Quote
):
    Quote.objects.filter(pk=quote.pk).update(status="sent", number="DEV2026-0001")
    quote.refresh_from_db()
    page = html(alice_client.get(url("detail", quote.pk)))
    assert 'id="read-only"' in page
    assert f'action="{url("revise", quote.pk)}"' in page
    for marker in ('id="new-line"', 'id="new-chapter"', 'class="row-actions"'):
        assert marker not in page
    before = stored(quote)
    row = benne(quote)
    response = alice_client.post(url("line_edit", row.pk), edit_data(row, quote, quantity="5"))
    assert response.status_code == 400
    assert stored(quote) == before
    response = alice_client.post(
        url("line_add", quote.pk),
        {
            "description": "Nouvelle",
            "quantity": "1",
            "unit_price": "10",
            "lock_version": quote.lock_version,
        },
    )
    assert response.status_code == 400
    with translation.override("fr"):
        refusal = gettext("This quote is %(status)s: create a new version to change it.") % {
            "status": quote.get_status_display().lower()
        }
    assert refusal in html(response)
    assert stored(quote) == before


# Adding: free lines, catalogue items, quick entry (seed 001) -------------------------


def new_line(quote: Quote, **fields: Any) -> dict[str, Any]:
    quote.refresh_from_db()
    data = {"quantity": "1", "lock_version": quote.lock_version}
    data.update(fields)
    return data


@pytest.fixture
def assemblies(world: World) -> dict[str, Item]:
    plate = catalogue_services.item_create(
        user=world.alice,
        data={"reference": "PLA-BA13", "name": "Plaque BA13", "purchase_cost": D("2.85")},
    )
    made = {"plate": plate}
    for reference, name in (("CLOISON-72", "Cloison 72/48"), ("CLOISON-98", "Cloison 98/48")):
        made[reference] = catalogue_services.item_create(
            user=world.alice,
            data={"reference": reference, "name": name, "structure": "assembly", "unit": "m²"},
        )
        catalogue_services.component_add(
            user=world.alice, parent=made[reference], component=plate, quantity=D("2")
        )
    catalogue_services.item_create(
        user=world.alice,
        data={"reference": "PEINT", "name": "Peinture cloison", "sale_price": D("12.50")},
    )
    return made


def test_add_a_free_line_into_a_chapter(alice_client: HttpClient, quote: Quote):
    two = chapter(quote, "2")
    response = alice_client.post(
        url("line_add", quote.pk),
        new_line(
            quote,
            chapter=two.pk,
            reference="ELEC-1",
            description="Prise étanche",
            unit="u",
            quantity="3",
            unit_price="45,50",
            vat_rate="10.00",
        ),
    )
    assert response.status_code == 302
    added = QuoteLine.objects.get(quote=quote, reference="ELEC-1")
    assert (added.chapter_id, added.net, added.vat_rate) == (two.pk, D("136.50"), D("10.00"))
    assert response["Location"].endswith(f"#line-{added.pk}")
    assert f"into={two.pk}" in response["Location"] and "entry=1" in response["Location"]
    page = html(alice_client.get(response["Location"]))
    assert "autofocus" in page  # quick entry goes on in the reference field
    assert re.search(rf'<option value="{two.pk}" selected>', page)
    two.refresh_from_db()
    assert two.net == D("1886.50")


def test_add_with_htmx_renders_the_editor_in_place(alice_client: HttpClient, quote: Quote):
    response = alice_client.post(
        url("line_add", quote.pk),
        new_line(quote, description="Nettoyage", unit_price="80"),
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"].startswith(url("detail", quote.pk))
    page = html(response)
    assert fr("Line added.") in page and 'id="editor"' in page
    assert f'id="total-net"><strong>{nbsp("2 541,00 €")}' in page


def test_add_refused_shows_the_field_error(alice_client: HttpClient, quote: Quote):
    before = stored(quote)
    for extra, status in ((HTMX, 200), ({}, 400)):
        response = alice_client.post(
            url("line_add", quote.pk),
            new_line(quote, description="Rien", quantity="0", unit_price="5"),
            **extra,
        )
        assert response.status_code == status
        assert field_error(html(response), "quantity") == fr(
            "The quantity must be greater than zero."
        )
    assert stored(quote) == before


def test_add_a_catalogue_item(alice_client: HttpClient, quote: Quote, assemblies: dict[str, Item]):
    choices = html(alice_client.get(url("item_search", quote.pk, "item=cloison 98")))
    assert choices.count("<option") == 1 and 'value="CLOISON-98"' in choices
    response = alice_client.post(
        url("line_add", quote.pk),
        new_line(quote, chapter=chapter(quote, "2").pk, item="CLOISON-98", quantity="4"),
    )
    assert response.status_code == 302
    added = QuoteLine.objects.get(quote=quote, reference="CLOISON-98")
    assert (added.unit, added.price_mode, added.quantity) == ("m²", "cost", D("4.000"))
    component = LineComponent.objects.get(line=added)
    assert (component.reference, component.quantity_per_unit) == ("PLA-BA13", D("2.000"))
    simple = alice_client.post(
        url("line_add", quote.pk), new_line(quote, item="PEINT", quantity="2")
    )
    assert simple.status_code == 302
    assert QuoteLine.objects.get(quote=quote, reference="PEINT").net == D("25.00")
    unknown = alice_client.post(url("line_add", quote.pk), new_line(quote, item="NOPE"))
    assert unknown.status_code == 400
    assert "NOPE" in field_error(html(unknown), "item")


def test_quick_entry_assembly_prefix_lists_assemblies_then_inserts_the_one_chosen(
    alice_client: HttpClient, quote: Quote, assemblies: dict[str, Item]
):
    before = stored(quote)
    listed = alice_client.post(
        url("line_add", quote.pk),
        new_line(quote, chapter=chapter(quote, "1").pk, reference="*cloison", quantity="10"),
    )
    assert listed.status_code == 200
    page = html(listed)
    buttons = re.findall(r'<button type="submit" name="item_pk" value="(\d+)"', page)
    assert buttons == [str(assemblies["CLOISON-72"].pk), str(assemblies["CLOISON-98"].pk)]
    assert 'value="*cloison"' in page and 'value="10"' in page  # the form is kept
    assert stored(quote) == before  # listing creates nothing
    chosen = alice_client.post(
        url("line_add", quote.pk),
        new_line(
            quote,
            chapter=chapter(quote, "1").pk,
            reference="*cloison",
            quantity="10",
            item_pk=assemblies["CLOISON-72"].pk,
        ),
    )
    assert chosen.status_code == 302
    added = QuoteLine.objects.get(quote=quote, reference="CLOISON-72")
    assert (added.chapter_id, added.quantity) == (chapter(quote, "1").pk, D("10.000"))
    assert added.components.count() == 1
    nothing = alice_client.post(url("line_add", quote.pk), new_line(quote, reference="*béton"))
    assert nothing.status_code == 400
    assert "béton" in field_error(html(nothing), "reference")


def test_quick_entry_chapter_prefix_opens_a_chapter_at_the_form_chapter_level(
    alice_client: HttpClient, quote: Quote
):
    one_one = chapter(quote, "1.1")
    response = alice_client.post(
        url("line_add", quote.pk),
        new_line(quote, chapter=one_one.pk, reference="#Gros œuvre"),
    )
    assert response.status_code == 302
    opened = Chapter.objects.get(quote=quote, title="Gros œuvre")
    assert (opened.parent_id, opened.number) == (chapter(quote, "1").pk, "1.2")
    assert f"into={opened.pk}" in response["Location"]
    quote.refresh_from_db()
    top = alice_client.post(url("line_add", quote.pk), new_line(quote, reference="#"))
    assert top.status_code == 302
    with translation.override("fr"):
        default_title = gettext("Chapter level %(depth)d") % {"depth": 1}
    created = Chapter.objects.get(quote=quote, number="3")
    assert (created.parent_id, created.title) == (None, default_title)


# Chapters, moves, pricing ------------------------------------------------------------


def test_add_rename_move_and_delete_a_chapter(alice_client: HttpClient, quote: Quote):
    one = chapter(quote, "1")
    response = alice_client.post(
        url("chapter_add", quote.pk),
        {"title": "Finitions", "parent": one.pk, "lock_version": quote.lock_version},
    )
    assert response.status_code == 302
    added = Chapter.objects.get(quote=quote, title="Finitions")
    assert added.number == "1.2"
    quote.refresh_from_db()
    page = html(alice_client.get(url("chapter_edit", added.pk)))
    assert 'value="Finitions"' in page
    alice_client.post(
        url("chapter_rename", added.pk), {"title": "Peintures", "lock_version": quote.lock_version}
    )
    added.refresh_from_db()
    assert added.title == "Peintures"
    quote.refresh_from_db()
    moved = alice_client.post(
        url("chapter_move", added.pk),
        {"parent": "", "position": "1", "lock_version": quote.lock_version},
    )
    assert moved.status_code == 302
    added.refresh_from_db()
    assert (added.parent_id, added.number) == (None, "1")
    assert chapter(quote, "2").title == "Démolition"
    quote.refresh_from_db()
    into_itself = alice_client.post(
        url("chapter_move", chapter(quote, "2").pk),
        {"parent": chapter(quote, "2.1").pk, "lock_version": quote.lock_version},
    )
    assert into_itself.status_code == 400  # its own sub-chapter is not offered
    quote.refresh_from_db()
    confirm = html(alice_client.get(url("chapter_delete", chapter(quote, "2").pk)))
    assert "2" in confirm
    deleted = alice_client.post(
        url("chapter_delete", chapter(quote, "2").pk), {"lock_version": quote.lock_version}
    )
    assert deleted.status_code == 302
    quote.refresh_from_db()
    assert quote.net == D("1750.00")
    assert list(Chapter.objects.filter(quote=quote).values_list("number", "title")) == [
        ("1", "Peintures"),
        ("2", "Plomberie"),
    ]


def test_up_and_down_buttons_and_the_move_page(alice_client: HttpClient, quote: Quote):
    two = chapter(quote, "2")
    douche = QuoteLine.objects.get(quote=quote, reference="PLB-01")
    response = alice_client.post(
        url("reorder", quote.pk, "costs=1"),
        {"line_down": douche.pk, "lock_version": quote.lock_version},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{douche.pk}")
    assert "costs=1" in response["Location"]
    douche.refresh_from_db()
    assert douche.position == 2
    quote.refresh_from_db()
    alice_client.post(
        url("reorder", quote.pk), {"chapter_up": two.pk, "lock_version": quote.lock_version}
    )
    two.refresh_from_db()
    assert two.number == "1"
    quote.refresh_from_db()
    stale = alice_client.post(
        url("reorder", quote.pk), {"chapter_down": two.pk, "lock_version": quote.lock_version - 1}
    )
    assert stale.status_code == 302
    two.refresh_from_db()
    assert two.number == "1"
    assert escape(fr(STALE)) in html(alice_client.get(stale["Location"]))
    assert alice_client.get(url("line_move", douche.pk)).status_code == 200
    moved = alice_client.post(
        url("line_move", douche.pk),
        {"chapter": chapter(quote, "2.1").pk, "position": "1", "lock_version": quote.lock_version},
    )
    assert moved.status_code == 302
    douche.refresh_from_db()
    assert (douche.chapter_id, douche.position) == (chapter(quote, "2.1").pk, 1)
    quote.refresh_from_db()
    assert chapter(quote, "2.1").net == D("2211.00")  # 1 850 + 361


def test_pricing_form_reprices_the_lines_priced_from_cost(
    alice_client: HttpClient, world: World, quote: Quote
):
    """french-rules §11.2: K = 1.3846, unit price 551.49, 12.5 units = 6 893.63."""
    added = line_services.line_add(
        user=world.alice,
        quote=quote,
        data={
            "description": "Ouvrage",
            "unit": "m²",
            "quantity": "12.5",
            "price_mode": "cost",
            "unit_labour_cost": "200",
            "unit_supply_cost": "198.30",
        },
    )
    quote.refresh_from_db()
    data = {
        "pricing_method": "k_rates",
        "labour_coefficient": "1",
        "supply_coefficient": "1",
        "difficulty_coefficient": "1",
        "overhead_coefficient": "1",
        "site_costs_rate": "8",
        "overheads_rate": "12",
        "profit_rate": "10",
        "k_multipliers": "",
        "lock_version": quote.lock_version,
    }
    refused = alice_client.post(url("pricing", quote.pk), {**data, "overheads_rate": "95"})
    assert refused.status_code == 400
    assert field_error(html(refused), "overheads_rate")
    assert alice_client.post(url("pricing", quote.pk), data).status_code == 302
    added.refresh_from_db()
    assert (added.k, added.unit_price, added.net) == (D("1.3846"), D("551.49"), D("6893.63"))
    page = html(alice_client.get(url("detail", quote.pk)))
    assert nbsp("6 893,63 €") in page
    quote.refresh_from_db()
    zero = alice_client.post(
        url("pricing", quote.pk),
        {
            **data,
            "pricing_method": "coefficients",
            "labour_coefficient": "0",
            "lock_version": quote.lock_version,
        },
    )
    assert zero.status_code == 400
    assert field_error(html(zero), "labour_coefficient") == fr(
        "A coefficient must be greater than zero."
    )


# Filtering (seed 001 "calcul dynamique des totaux") ----------------------------------


def totals_panel(page: str) -> dict[str, str]:
    panel = re.search(r'<section id="totals".*?</section>', page, re.S).group(0)
    found = dict(
        re.findall(r'<dd id="total-([a-z-]+)">(?:<strong>)?(.*?)(?:</strong>)?</dd>', panel)
    )
    found["vat"] = re.findall(r'<dd class="vat-amount">(.*?)</dd>', panel)
    return found


@pytest.mark.parametrize(
    ("query", "shown", "net", "vat", "gross", "subtotals"),
    [
        (
            "q=benne",
            ["BEN-08"],
            "361,00 €",
            ["72,20 €"],
            "433,20 €",
            {"1": "361,00 €", "1.1": "361,00 €"},
        ),
        (
            "q=PLOMBERIE",
            ["PLB-01", "Option s", "Remise f", "Fournitu"],
            "1 750,00 €",
            ["175,00 €"],
            "1 925,00 €",
            {"2": "1 750,00 €"},
        ),
        ("kind=discount", ["Remise f"], "-100,00 €", ["-10,00 €"], "-110,00 €", {"2": "-100,00 €"}),
        ("optional=yes", ["Option s"], "0,00 €", [], "0,00 €", {"2": "0,00 €"}),
        (
            "chapter={1.1}",
            ["BEN-08"],
            "361,00 €",
            ["72,20 €"],
            "433,20 €",
            {"1": "361,00 €", "1.1": "361,00 €"},
        ),
        (
            "chapter={1}&q=dépose",
            ["DEM-01"],
            "350,00 €",
            ["70,00 €"],
            "420,00 €",
            {"1": "350,00 €"},
        ),
    ],
)
def test_filtered_lines_and_totals(
    alice_client: HttpClient,
    quote: Quote,
    query: str,
    shown: list[str],
    net: str,
    vat: list[str],
    gross: str,
    subtotals: dict[str, str],
):
    numbers = {c.number: c for c in Chapter.objects.filter(quote=quote)}
    query = re.sub(r"\{([\d.]+)\}", lambda m: str(numbers[m.group(1)].pk), query)
    page = html(alice_client.get(url("detail", quote.pk, query)))
    keys = {
        row.pk: row.reference or row.description[:8]
        for row in QuoteLine.objects.filter(quote=quote)
    }
    assert [keys[int(pk)] for pk in re.findall(r'<tbody id="line-(\d+)"', page)] == shown
    panel = totals_panel(page)
    assert (panel["net"], panel["gross"]) == (nbsp(net), nbsp(gross))
    assert panel["vat"] == [nbsp(amount) for amount in vat]
    headings = dict(re.findall(r'id="ch-(\d+)-net"><strong>(.*?)</strong>', page))
    assert {numbers_by_pk: amount for numbers_by_pk, amount in headings.items()} == {
        str(numbers[number].pk): nbsp(amount) for number, amount in subtotals.items()
    }
    assert fr("Totals of the lines shown") in page
    quote.refresh_from_db()
    assert quote.net == D("2461.00")  # the stored totals are untouched


def test_filtered_totals_selector_matches_the_engine_on_the_stored_quote(quote: Quote):
    chapters = selectors.quote_chapters(quote)
    everything, _, shown = selectors.filtered_totals(
        quote, chapters, selectors.EditorFilter(kind="item")
    )
    quote.refresh_from_db()
    # Items only (no discount, no text): 350 + 361 + 1 850 counted, the option apart.
    assert everything.totals.net == D("2561.00")
    assert everything.optional_net == D("420.00")
    assert [(v.rate, v.base, v.amount) for v in everything.vat] == [
        (D("20.00"), D("711.00"), D("142.20")),
        (D("10.00"), D("1850.00"), D("185.00")),
    ]
    assert everything.gross == D("2888.20")
    assert len(shown) == 4


def test_an_edit_in_a_filtered_view_returns_the_filtered_totals(
    alice_client: HttpClient, quote: Quote
):
    row = benne(quote)
    response = alice_client.post(
        url("line_edit", row.pk, "q=benne"), edit_data(row, quote, quantity="3"), **HTMX
    )
    page = html(response)
    one = chapter(quote, "1")
    assert f'id="ch-{one.pk}-net" hx-swap-oob="true"><strong>{nbsp("541,50 €")}' in page
    assert totals_panel(page)["net"] == nbsp("541,50 €")
    assert totals_panel(page)["gross"] == nbsp("649,80 €")
    one.refresh_from_db()
    assert one.net == D("891.50")  # stored: the whole chapter


# Pages of lines and speed ------------------------------------------------------------


@pytest.fixture
def paged(world: World, client_a: Client) -> Quote:
    def lines(prefix: str, count: int) -> list[dict[str, Any]]:
        return [
            line(f"{prefix}{i}", "1", "10", reference=f"{prefix}{i}") for i in range(1, count + 1)
        ]

    return services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "Pages"},
        chapters=[
            {
                "title": "A",
                "lines": lines("a", 3),
                "chapters": [{"title": "A1", "lines": lines("b", 3)}],
            },
            {"title": "B"},
            {"title": "C", "lines": lines("c", 2)},
        ],
    )


def outline(page: selectors.EditorPage) -> list[str]:
    return [
        (f"[{row.chapter.title}]" + ("…" if row.continued else ""))
        if row.is_heading
        else row.line.reference
        for row in page.rows
    ]


def test_pages_repeat_the_heading_path_of_a_chapter_they_continue(paged: Quote):
    chapters = selectors.quote_chapters(paged)
    pages = [
        selectors.editor_page(paged, chapters=chapters, page=number, page_size=3)
        for number in (1, 2, 3)
    ]
    assert [outline(page) for page in pages] == [
        ["[A]", "a1", "a2", "a3"],
        ["[A]…", "[A1]", "b1", "b2", "b3"],
        ["[B]", "[C]", "c1", "c2"],
    ]
    assert [page.num_pages for page in pages] == [3, 3, 3]
    filtered = selectors.editor_page(
        paged, chapters=chapters, line_filter=selectors.EditorFilter(text="b2 c1"), page=1
    )
    assert outline(filtered) == []  # every word must match one line
    filtered = selectors.editor_page(
        paged,
        chapters=chapters,
        line_filter=selectors.EditorFilter(chapter=chapters[1].pk),
        page=2,
        page_size=2,
    )
    assert outline(filtered) == ["[A]…", "[A1]…", "b3"]


def test_the_page_links_pages_and_marks_continued_headings(
    alice_client: HttpClient, paged: Quote, monkeypatch: Any
):
    monkeypatch.setattr(selectors, "EDITOR_PAGE_SIZE", 3)
    page = html(alice_client.get(url("detail", paged.pk, "page=2&costs=1")))
    assert fr("(continued)") in page
    assert 'href="?costs=1&amp;page=3" rel="next"' in page
    assert 'href="?costs=1&amp;page=1" rel="prev"' in page
    last = QuoteLine.objects.get(quote=paged, reference="c2")
    edited = alice_client.post(url("line_edit", last.pk), edit_data(last, paged, quantity="2"))
    assert edited["Location"] == url("detail", paged.pk, "page=3") + f"#line-{last.pk}"


def big_quote(world: World, client_a: Client, lines_per_chapter: int) -> Quote:
    """Three chapters (one with a sub-chapter) and assembly lines with components."""
    made = services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": f"{lines_per_chapter} lignes"},
        chapters=[
            {
                "title": f"Lot {n}",
                "lines": [line(f"L{n}-{i}", "2", "10") for i in range(lines_per_chapter - 1)],
                "chapters": [{"title": f"Sous-lot {n}"}] if n == 1 else [],
            }
            for n in range(1, 4)
        ],
    )
    wall = Item.objects.filter(company=world.company_a, reference="CLOISON-72").first()
    for chapter_row in Chapter.objects.filter(quote=made, depth=1):
        made.refresh_from_db()
        line_services.line_add(
            user=world.alice, quote=made, data={"quantity": "3"}, chapter=chapter_row, item=wall
        )
    made.refresh_from_db()
    return made


def test_the_page_makes_the_same_few_queries_for_10_and_60_lines(
    alice_client: HttpClient,
    world: World,
    client_a: Client,
    assemblies: dict[str, Item],
    django_assert_max_num_queries: Any,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (4, 20):  # 3 chapters × size lines: 12 and 60
        made = big_quote(world, client_a, size)
        assert made.line_count == 3 * size
        for query in ("", "costs=1", "q=L1&kind=item"):
            with CaptureQueriesContext(connection) as captured:
                response = alice_client.get(url("detail", made.pk, query))
            assert response.status_code == 200
            counts[(size, query)] = len(captured)
        with django_assert_max_num_queries(10):
            alice_client.get(url("detail", made.pk))
    for query in ("", "costs=1", "q=L1&kind=item"):
        assert counts[(4, query)] == counts[(20, query)], counts
