"""The fast path (one line's difference) always stores what a full re-pricing stores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chantier.parties.models import Client
from chantier.quotes import line_services, pricing, services
from chantier.quotes.models import Chapter, Quote, QuoteLine
from tests.conftest import World

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2)
rates = st.sampled_from(["20.00", "10.00", "5.50", "0.00"])
line_data = st.fixed_dictionaries(
    {
        "quantity": quantities.map(str),
        "unit_price": prices.map(str),
        "vat_rate": rates,
        "optional": st.booleans(),
    }
)
# (action, chapter index, line index, data)
actions = st.lists(
    st.tuples(
        st.sampled_from(["add", "update", "delete"]),
        st.integers(0, 3),
        st.integers(0, 50),
        line_data,
    ),
    min_size=1,
    max_size=12,
)


def snapshot(quote: Quote) -> tuple[Any, ...]:
    quote.refresh_from_db()
    chapters = sorted(
        Chapter.objects.filter(quote=quote).values_list(
            "pk", "net", "labour_cost", "supply_cost", "labour_hours"
        )
    )
    return (
        quote.net,
        quote.vat_breakdown,
        quote.vat_total,
        quote.gross,
        quote.optional_net,
        quote.labour_net,
        quote.supply_net,
        quote.line_count,
        chapters,
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_line_differences_match_full_recompute(world: World, steps: list[Any]) -> None:
    client = Client.objects.create(company=world.company_a, name="Propriété")
    quote = services.quote_create(
        user=world.alice,
        client=client,
        data={"title": "Propriété"},
        chapters=[
            {"title": "Lot 1", "chapters": [{"title": "Lot 1.1"}, {"title": "Lot 1.2"}]},
            {"title": "Lot 2"},
        ],
    )
    chapters = list(Chapter.objects.filter(quote=quote).order_by("sort_key"))
    for action, chapter_index, line_index, data in steps:
        lines = list(QuoteLine.objects.filter(quote=quote).order_by("pk"))
        if action == "add" or not lines:
            line_services.line_add(
                user=world.alice,
                quote=quote,
                chapter=chapters[chapter_index],
                data={"description": "Ligne", "unit": "u", **data},
            )
        elif action == "update":
            line_services.line_update(
                user=world.alice, line=lines[line_index % len(lines)], data=data
            )
        else:
            line_services.line_delete(user=world.alice, line=lines[line_index % len(lines)])
    fast = snapshot(quote)
    pricing.recompute(quote)
    assert snapshot(quote) == fast
