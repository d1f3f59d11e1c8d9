"""costing.py: direct cost of assemblies, labour/supply split, suggested price (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chantier.catalogue.costing import (
    Coefficients,
    Component,
    Cost,
    CostItem,
    CycleError,
    direct_cost,
    exact_cost,
    suggest_sale_price,
    would_create_cycle,
)

D = Decimal


def leaf(pk: int, kind: str, cost: str) -> CostItem:
    return CostItem(pk, kind, D(cost))


def assembly(pk: int, *parts: tuple[int, str]) -> CostItem:
    return CostItem(pk, "supply", D(0), tuple(Component(c, D(q)) for c, q in parts))


def catalogue_of(*items: CostItem) -> dict[int, CostItem]:
    return {item.id: item for item in items}


# A partition wall per m² (french-rules §11 "m² de cloison plaque"), three levels deep:
# wall -> joint treatment (per metre) -> tape, filler, labour.
RAIL, STUD, BOARD, SCREW, TAPE, FILLER, PLASTERER, JOINT, WALL = range(1, 10)
WALL_CATALOGUE = catalogue_of(
    leaf(RAIL, "supply", "1.2500"),
    leaf(STUD, "supply", "1.6500"),
    leaf(BOARD, "supply", "2.8500"),
    leaf(SCREW, "supply", "0.0120"),
    leaf(TAPE, "supply", "0.0450"),
    leaf(FILLER, "supply", "1.1900"),
    leaf(PLASTERER, "labour", "38.5000"),
    assembly(JOINT, (TAPE, "1"), (FILLER, "0.333"), (PLASTERER, "0.05")),
    assembly(
        WALL,
        (RAIL, "0.8"),
        (STUD, "2.2"),
        (BOARD, "2.1"),
        (SCREW, "30"),
        (JOINT, "2.6"),
        (PLASTERER, "0.45"),
    ),
)


def test_worked_example_wall_by_hand():
    # joint per metre: supply 1 × 0.045 + 0.333 × 1.19 = 0.44127; labour 0.05 × 38.50 = 1.925
    # wall per m²: supply 0.8 × 1.25 + 2.2 × 1.65 + 2.1 × 2.85 + 30 × 0.012 + 2.6 × 0.44127
    #            = 1 + 3.63 + 5.985 + 0.36 + 1.147302 = 12.122302 -> 12.1223
    #   labour 2.6 × 1.925 + 0.45 × 38.50 = 5.005 + 17.325 = 22.33; hours 2.6 × 0.05 + 0.45 = 0.58
    cost = direct_cost(WALL, WALL_CATALOGUE)
    assert cost == Cost(
        labour_hours=D("0.5800"), labour_cost=D("22.3300"), supply_cost=D("12.1223")
    )
    assert cost.total == D("34.4523")
    assert direct_cost(JOINT, WALL_CATALOGUE) == Cost(D("0.0500"), D("1.9250"), D("0.4413"))


def test_worked_example_suggested_price():
    # (22.33 × 1.10 × 1.35 + 12.1223 × 1.20) × 1.10 = (33.16005 + 14.54676) × 1.10 = 52.477491
    coefficients = Coefficients(
        labour=D("1.3500"), supply=D("1.2000"), difficulty=D("1.1000"), overhead=D("1.1000")
    )
    suggestion = suggest_sale_price(direct_cost(WALL, WALL_CATALOGUE), coefficients)
    assert suggestion.sale_price == D("52.48")
    assert suggestion.labour_hours == D("0.6380")


def test_french_rules_11_2_direct_cost_and_price_with_k():
    # DS = 6 h × 38.50 + 142.30 supplies + 25.00 equipment = 398.30; PV = 398.30 × 1.3846
    catalogue = catalogue_of(
        leaf(1, "labour", "38.50"),
        leaf(2, "supply", "142.30"),
        leaf(3, "equipment", "25.00"),
        assembly(4, (1, "6"), (2, "1"), (3, "1")),
    )
    cost = direct_cost(4, catalogue)
    assert (cost.total, cost.labour_cost, cost.supply_cost) == (D("398.30"), D("231"), D("167.3"))
    assert suggest_sale_price(cost, Coefficients(overhead=D("1.3846"))).sale_price == D("551.49")


def test_a_leaf_costs_its_purchase_cost():
    catalogue = catalogue_of(leaf(1, "labour", "40"), leaf(2, "service", "12.5"))
    assert direct_cost(1, catalogue) == Cost(D("1.0000"), D("40.0000"), D("0.0000"))
    assert direct_cost(2, catalogue).supply_cost == D("12.5000")


def test_rounding_is_half_up_once_at_the_end():
    catalogue = catalogue_of(leaf(1, "supply", "0.0001"), assembly(2, (1, "0.5")))
    assert direct_cost(2, catalogue).supply_cost == D("0.0001")  # 0.00005 -> 0.0001
    assert exact_cost(2, catalogue).supply_cost == D("0.00005")


def test_a_cycle_is_detected():
    catalogue = catalogue_of(
        leaf(1, "supply", "1"), assembly(2, (3, "1")), assembly(3, (1, "2"), (2, "1"))
    )
    with pytest.raises(CycleError):
        direct_cost(2, catalogue)
    assert would_create_cycle(WALL_CATALOGUE, JOINT, WALL)
    assert would_create_cycle(WALL_CATALOGUE, TAPE, TAPE)
    assert not would_create_cycle(WALL_CATALOGUE, WALL, TAPE)


amounts = st.decimals(min_value=0, max_value=100_000, places=4)
quantities = st.decimals(min_value=D("0.001"), max_value=10_000, places=3)
kinds = st.sampled_from(["supply", "labour", "service", "equipment", "discount"])
leaves = st.lists(st.tuples(kinds, amounts, quantities), min_size=1, max_size=8)


def _catalogue(parts: list[tuple[str, Decimal, Decimal]]) -> dict[int, CostItem]:
    """Item 0 is an assembly of one leaf per part (kind, unit cost, quantity)."""
    items = {i: CostItem(i, kind, cost) for i, (kind, cost, _q) in enumerate(parts, start=1)}
    components = tuple(Component(i, q) for i, (_k, _c, q) in enumerate(parts, start=1))
    items[0] = CostItem(0, "supply", D(0), components)
    return items


@given(leaves)
def test_cost_is_additive_in_components(parts):
    whole = exact_cost(0, _catalogue(parts))
    total = Cost()
    for part in parts:
        total += exact_cost(0, _catalogue([part]))
    assert whole == total


@given(leaves, st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=50))
def test_scaling_a_quantity_scales_its_contribution(parts, index, k):
    index %= len(parts)
    kind, cost, quantity = parts[index]
    others = parts[:index] + parts[index + 1 :]
    base = exact_cost(0, _catalogue(others)) if others else Cost()
    scaled = [*others, (kind, cost, quantity * k)]
    single = exact_cost(0, _catalogue([parts[index]]))
    contribution = exact_cost(0, _catalogue(scaled))
    assert contribution.total - base.total == k * single.total
    assert contribution.labour_hours - base.labour_hours == k * single.labour_hours


@given(leaves)
def test_labour_plus_supply_is_the_total_with_4_places(parts):
    cost = direct_cost(0, _catalogue(parts))
    assert cost.labour_cost + cost.supply_cost == cost.total
    assert cost.total == cost.total.quantize(D("0.0001"))
    labour = sum((c * q for kind, c, q in parts if kind == "labour"), D(0))
    assert abs(cost.labour_cost - labour) <= D("0.00005")


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=7), st.integers(min_value=0, max_value=7)),
        max_size=30,
    )
)
def test_no_cycle_is_ever_accepted(edges):
    catalogue = {i: CostItem(i, "supply", D(i)) for i in range(8)}
    refused = []
    for parent, child in edges:
        if would_create_cycle(catalogue, parent, child):
            refused.append((parent, child))
            continue
        old = catalogue[parent]
        if any(c.item_id == child for c in old.components):
            continue
        catalogue[parent] = CostItem(
            parent, old.kind, D(0), (*old.components, Component(child, D(1)))
        )
    for pk in catalogue:
        exact_cost(pk, catalogue)  # terminates: the accepted graph has no cycle
    for parent, child in refused:
        forced = dict(catalogue)
        old = forced[parent]
        forced[parent] = CostItem(parent, old.kind, D(0), (*old.components, Component(child, D(1))))
        with pytest.raises(CycleError):
            exact_cost(parent, forced)
