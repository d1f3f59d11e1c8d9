"""Direct cost (déboursé sec) of catalogue items, kits and assemblies. Pure: no Django.

french-rules §11.1: the direct cost of an ouvrage is what is directly attached
to it: labour (hours × all-in hourly cost), supplies, equipment. Per unit of an
assembly it is Σ component quantity × component unit direct cost, recursively
through sub-assemblies. Labour is what comes from items of kind "labour";
everything else (supply, equipment, service, ...) counts as supply.

Catalogue costs carry 4 places (DESIGN "Money"): the sums are exact and each
part is rounded half-up once, at the end; the total is the sum of the rounded
parts, so labour + supply = total always holds.

The sale price suggestion follows seed 001 ("Tableau Coefficients"): labour
cost × labour coefficient + supply cost × supply coefficient, the labour
quantity multiplied by the difficulty coefficient, the whole multiplied by the
overhead coefficient; a sale price has 2 places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from chantier.core.exceptions import DomainError
from chantier.core.money import round2, round4

LABOUR = "labour"
ZERO = Decimal(0)
ONE = Decimal(1)


class CycleError(DomainError):
    """An assembly would contain itself, directly or through a sub-assembly."""


@dataclass(frozen=True)
class Component:
    item_id: int
    quantity: Decimal


@dataclass(frozen=True)
class CostItem:
    """One catalogue item as the engine sees it; an item with components is composite."""

    id: int
    kind: str
    purchase_cost: Decimal
    components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class Cost:
    """Direct cost of one unit of an item, split into labour and supply."""

    labour_hours: Decimal = ZERO
    labour_cost: Decimal = ZERO
    supply_cost: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.labour_cost + self.supply_cost

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.labour_hours + other.labour_hours,
            self.labour_cost + other.labour_cost,
            self.supply_cost + other.supply_cost,
        )

    def scaled(self, factor: Decimal) -> Cost:
        return Cost(
            self.labour_hours * factor, self.labour_cost * factor, self.supply_cost * factor
        )

    def rounded(self) -> Cost:
        return Cost(round4(self.labour_hours), round4(self.labour_cost), round4(self.supply_cost))


@dataclass(frozen=True)
class Coefficients:
    """The company's pricing coefficients (seed 001), 4 places each."""

    labour: Decimal = ONE
    supply: Decimal = ONE
    difficulty: Decimal = ONE
    overhead: Decimal = ONE


@dataclass(frozen=True)
class PriceSuggestion:
    labour_hours: Decimal  # hours × difficulty coefficient, 4 places
    sale_price: Decimal  # 2 places


def leaf_cost(item: CostItem) -> Cost:
    """Cost of one unit of an item without components: its purchase cost."""
    if item.kind == LABOUR:
        return Cost(labour_hours=ONE, labour_cost=item.purchase_cost)
    return Cost(supply_cost=item.purchase_cost)


def exact_cost(item_id: int, catalogue: Mapping[int, CostItem]) -> Cost:
    """Unrounded direct cost of one unit of `item_id`; raises CycleError on a cycle."""
    return _Walker(catalogue).cost(item_id)


def direct_cost(item_id: int, catalogue: Mapping[int, CostItem]) -> Cost:
    """Direct cost of one unit, each part rounded half-up to 4 places."""
    return exact_cost(item_id, catalogue).rounded()


def direct_costs(item_ids: Iterable[int], catalogue: Mapping[int, CostItem]) -> dict[int, Cost]:
    """Direct costs of several items, sharing the work done on common sub-assemblies."""
    walker = _Walker(catalogue)
    return {item_id: walker.cost(item_id).rounded() for item_id in item_ids}


def suggest_sale_price(cost: Cost, coefficients: Coefficients) -> PriceSuggestion:
    """Suggested unit sale price from a direct cost and the company's coefficients."""
    labour = cost.labour_cost * coefficients.difficulty * coefficients.labour
    supply = cost.supply_cost * coefficients.supply
    return PriceSuggestion(
        labour_hours=round4(cost.labour_hours * coefficients.difficulty),
        sale_price=round2((labour + supply) * coefficients.overhead),
    )


def would_create_cycle(
    catalogue: Mapping[int, CostItem], parent_id: int, component_id: int
) -> bool:
    """True if adding `component_id` under `parent_id` makes an item contain itself."""
    if parent_id == component_id:
        return True
    seen: set[int] = set()
    todo = [component_id]
    while todo:
        current = todo.pop()
        if current == parent_id:
            return True
        if current in seen:
            continue
        seen.add(current)
        item = catalogue.get(current)
        if item is not None:
            todo.extend(c.item_id for c in item.components)
    return False


class _Walker:
    """Depth-first walk with memo (shared sub-assemblies are costed once) and cycle check."""

    def __init__(self, catalogue: Mapping[int, CostItem]) -> None:
        self.catalogue = catalogue
        self.done: dict[int, Cost] = {}
        self.path: list[int] = []

    def cost(self, item_id: int) -> Cost:
        if item_id in self.done:
            return self.done[item_id]
        if item_id in self.path:
            raise CycleError(
                "An assembly cannot contain itself, directly or through a sub-assembly.",
                field="component",
            )
        item = self.catalogue.get(item_id)
        if item is None:
            raise DomainError(f"Unknown item {item_id} in the component tree.", field="component")
        if not item.components:
            result = leaf_cost(item)
        else:
            self.path.append(item_id)
            result = Cost()
            for component in item.components:
                result += self.cost(component.item_id).scaled(component.quantity)
            self.path.pop()
        self.done[item_id] = result
        return result
