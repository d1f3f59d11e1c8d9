"""Quote services: build, edit lines with live totals, versions, decisions (issue 3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chantier.core.exceptions import DomainError, FieldErrors, StaleEdit
from chantier.parties.models import Client
from chantier.quotes import line_services, pricing, services
from chantier.quotes.models import Chapter, Quote, QuoteLine
from tests.conftest import World

D = Decimal


@pytest.fixture
def client_a(world: World) -> Client:
    return Client.objects.create(company=world.company_a, name="SCI Les Tilleuls", city="Lyon")


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


def two_chapters(world: World, client_a: Client) -> Quote:
    return services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "Rénovation salle de bains"},
        chapters=[
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00")],
                "chapters": [{"title": "Évacuation", "lines": [line("Benne", "2", "180.50")]}],
            },
            {
                "title": "Plomberie",
                "lines": [
                    line("Douche italienne", "1", "1850.00", "10.00"),
                    line("Option sèche-serviettes", "1", "420.00", "10.00", optional=True),
                    line("Remise", "1", "-100.00", "10.00", kind="discount"),
                    {"kind": "text", "description": "Fourniture au choix du client"},
                ],
            },
        ],
    )


def stored(quote: Quote) -> dict[str, Any]:
    quote.refresh_from_db()
    chapters = {c.number: c.net for c in Chapter.objects.filter(quote=quote)}
    return {
        "net": quote.net,
        "vat": quote.vat_breakdown,
        "gross": quote.gross,
        "optional": quote.optional_net,
        "chapters": chapters,
        "count": quote.line_count,
    }


def test_build_prices_numbers_and_totals(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    totals = stored(quote)
    assert totals["chapters"] == {"1": D("711.00"), "1.1": D("361.00"), "2": D("1750.00")}
    assert totals["net"] == D("2461.00")
    assert totals["vat"] == [
        {"rate": "20.00", "base": "711.00", "amount": "142.20"},
        {"rate": "10.00", "base": "1750.00", "amount": "175.00"},
    ]
    assert totals["gross"] == D("2778.20")
    assert totals["optional"] == D("420.00")
    assert totals["count"] == 6


def test_vat_on_the_sum_of_bases(world: World, client_a: Client) -> None:
    """french-rules §5.2 B: 3 × 33.33 at 10 % gives VAT 10.00, not 3 × 3.33."""
    quote = services.quote_create(
        user=world.alice,
        client=client_a,
        data={"title": "TVA"},
        lines=[line(f"Poste {i}", "1", "33.33", "10.00") for i in range(3)],
    )
    quote.refresh_from_db()
    assert quote.vat_breakdown == [{"rate": "10.00", "base": "99.99", "amount": "10.00"}]
    assert quote.gross == D("109.99")


def test_line_edit_updates_chapters_and_quote_like_a_full_recompute(
    world: World, client_a: Client
) -> None:
    quote = two_chapters(world, client_a)
    benne = QuoteLine.objects.get(quote=quote, description="Benne")
    line_services.line_update(
        user=world.alice,
        line=benne,
        data={"quantity": "3", "vat_rate": "10"},
        lock_version=quote.lock_version,
    )
    fast = stored(quote)
    assert fast["chapters"]["1.1"] == D("541.50")
    assert fast["chapters"]["1"] == D("891.50")
    pricing.recompute(quote)
    assert stored(quote) == fast


def test_stale_save_is_refused_and_nothing_changes(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    loaded = quote.lock_version
    benne = QuoteLine.objects.get(quote=quote, description="Benne")
    line_services.line_update(
        user=world.alice, line=benne, data={"quantity": "3"}, lock_version=loaded
    )
    before = stored(quote)
    with pytest.raises(StaleEdit):
        line_services.line_update(
            user=world.alice, line=benne, data={"quantity": "9"}, lock_version=loaded
        )
    assert stored(quote) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"unit_price": "-5"}, "unit_price"),
        ({"vat_rate": "19.6"}, "vat_rate"),
        ({"quantity": "abc"}, "quantity"),
    ],
)
def test_bad_line_input_is_refused_with_the_field(
    world: World, client_a: Client, data: dict[str, str], field: str
) -> None:
    quote = two_chapters(world, client_a)
    benne = QuoteLine.objects.get(quote=quote, description="Benne")
    before = stored(quote)
    with pytest.raises(DomainError) as caught:
        line_services.line_update(user=world.alice, line=benne, data=data)  # type: ignore[arg-type]
    error = caught.value
    fields = set(error.errors) if isinstance(error, FieldErrors) else {error.field}
    assert field in fields
    assert stored(quote) == before


def test_k_rates_worked_example(world: World, client_a: Client) -> None:
    """french-rules §11.2: K = 1.3846, unit price 551.49, 12.5 units = 6 893.63."""
    quote = services.quote_create(user=world.alice, client=client_a, data={"title": "K"})
    line_services.quote_pricing_update(
        user=world.alice,
        quote=quote,
        data={
            "pricing_method": "k_rates",
            "site_costs_rate": "8",
            "overheads_rate": "12",
            "profit_rate": "10",
        },
    )
    added = line_services.line_add(
        user=world.alice,
        quote=quote,
        data={
            "description": "Ouvrage",
            "unit": "m²",
            "quantity": "12.5",
            "price_mode": "cost",
            "unit_labour_hours": "0",
            "unit_labour_cost": "200",
            "unit_supply_cost": "198.30",
        },
    )
    assert added.k == D("1.3846")
    assert added.unit_price == D("551.49")
    assert added.net == D("6893.63")
    quote.refresh_from_db()
    assert quote.net == D("6893.63")


def test_sent_quote_is_revised_into_a_new_version(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    Quote.objects.filter(pk=quote.pk).update(status="sent", number="DEV2026-0001")
    quote.refresh_from_db()
    benne = QuoteLine.objects.get(quote=quote, description="Benne")
    with pytest.raises(DomainError):
        line_services.line_update(user=world.alice, line=benne, data={"quantity": "5"})
    v2 = services.quote_update(user=world.alice, quote=quote, data={"title": "Variante 2"})
    assert (v2.version, v2.number, v2.status, v2.family_id) == (
        2,
        "DEV2026-0001",
        "draft",
        quote.pk,
    )
    quote.refresh_from_db()
    assert quote.superseded and quote.title == "Rénovation salle de bains"
    assert stored(v2)["net"] == D("2461.00")
    assert QuoteLine.objects.filter(quote=v2).count() == 6


def test_duplicate_as_alternative(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    alt = services.quote_duplicate(user=world.alice, quote=quote)
    assert alt.alternative_of_id == quote.pk and alt.number == "" and alt.version == 1
    assert stored(alt)["chapters"] == stored(quote)["chapters"]


def test_chapter_move_renumbers(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    plomberie = Chapter.objects.get(quote=quote, title="Plomberie")
    line_services.chapter_move(user=world.alice, chapter=plomberie, parent=None, position=1)
    assert {c.title: c.number for c in Chapter.objects.filter(quote=quote)} == {
        "Plomberie": "1",
        "Démolition": "2",
        "Évacuation": "2.1",
    }
    assert stored(quote)["net"] == D("2461.00")


def test_reader_cannot_edit(world: World, client_a: Client) -> None:
    quote = two_chapters(world, client_a)
    with pytest.raises(DomainError):
        line_services.chapter_add(user=world.bob, quote=quote, title="Lot 3")
    assert Chapter.objects.filter(quote=quote).count() == 3


def _nested(levels: int) -> dict[str, Any]:
    chapter: dict[str, Any] = {"title": f"Niveau {levels}", "lines": [line("Poste", "1", "10")]}
    for level in range(levels - 1, 0, -1):
        chapter = {"title": f"Niveau {level}", "chapters": [chapter], "lines": []}
    return chapter


def test_build_nests_eight_levels_and_refuses_nine(world: World, client_a: Client) -> None:
    """Chapters nest 8 levels deep (line_services.MAX_DEPTH); an empty list of
    sub-chapters under the 8th level is no 9th level."""
    eight = _nested(8)
    deepest = eight
    for _level in range(7):
        deepest = deepest["chapters"][0]
    deepest["chapters"] = []
    quote = services.quote_create(
        user=world.alice, client=client_a, data={"title": "Huit"}, chapters=[eight]
    )
    assert max(Chapter.objects.filter(quote=quote).values_list("depth", flat=True)) == 8
    before = Quote.objects.count()
    with pytest.raises(FieldErrors) as caught:
        services.quote_create(
            user=world.alice, client=client_a, data={"title": "Neuf"}, chapters=[_nested(9)]
        )
    assert set(caught.value.errors) == {"chapters.0" + ".chapters.0" * 7 + ".chapters"}
    assert Quote.objects.count() == before


@pytest.mark.parametrize(
    ("quantity", "price", "labour_cost"),
    [
        ("99999999999", "180.50", "0"),  # net 1.8e13: more than an amount column holds
        ("10000000", "0.10", "99999999"),  # labour cost 1e15 behind a small price
    ],
)
def test_a_line_too_large_to_store_is_refused(
    world: World, client_a: Client, quantity: str, price: str, labour_cost: str
) -> None:
    before = (Quote.objects.count(), QuoteLine.objects.count())
    with pytest.raises(FieldErrors) as caught:
        services.quote_create(
            user=world.alice,
            client=client_a,
            data={"title": "Trop grand"},
            lines=[line("Poste", quantity, price, unit_labour_cost=labour_cost)],
        )
    assert set(caught.value.errors) == {"lines.0.quantity"}
    assert (Quote.objects.count(), QuoteLine.objects.count()) == before


def test_a_total_too_large_to_store_is_refused(world: World, client_a: Client) -> None:
    before = (Quote.objects.count(), QuoteLine.objects.count())
    big = [line(f"Poste {i}", "9999999", "99999.99") for i in range(2)]  # 2 × 9.99e11
    with pytest.raises(DomainError) as caught:
        services.quote_create(user=world.alice, client=client_a, data={"title": "X"}, lines=big)
    assert caught.value.message and not caught.value.field  # the total, no one line
    assert (Quote.objects.count(), QuoteLine.objects.count()) == before
