"""Pricing of one quote line (devis travaux). Pure: no Django, Decimal in, Decimal out.

A line is priced either by the unit sale price entered, or from its direct cost
per unit (déboursé sec, `chantier.catalogue.costing.Cost`) by one of three methods:

- "cost × coefficients" (seed 001, Tableau Coefficients): labour cost × labour
  coefficient with the labour quantity × difficulty coefficient, supplies ×
  supply coefficient, the whole × overhead coefficient;
- K from rates (french-rules §11.1 a): K = (1 + fc) / (1 − fg − b);
- K from chained multipliers (french-rules §11.1 b): K = k1 × k2 × …

K is rounded half-up to 4 places (coefficients have 4 places; §11.2 1.384615… → 1.3846).
The unit price is rounded half-up to 2 places first, then the line net =
round2(quantity × unit price) (§11.2 "Rounding rule for devis lines").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from chantier.catalogue.costing import Coefficients, Cost, suggest_sale_price
from chantier.core.exceptions import DomainError
from chantier.core.money import CENT, VAT_RATES, round2, round4

ZERO_AMOUNT = Decimal("0.00")  # totals keep their places even when nothing is counted
ZERO_HOURS = Decimal("0.0000")
ONE = Decimal(1)
HUNDRED = Decimal(100)
NO_COST = Cost()
# 20 and 20.00 are equal and hash alike: the lookup checks a rate and gives its 2-place form.
_VAT_RATES = {rate: rate.quantize(CENT) for rate in VAT_RATES}
Key = int | str  # a line or chapter id; unsaved lines may use any unique text


class LineKind(StrEnum):
    ITEM = "item"  # a catalogue item, an assembly or free text with a price
    DISCOUNT = "discount"  # a negative amount (seed 002 "Cas des remises")
    TEXT = "text"  # text only: no quantity, no price, no amount


class PricingMethod(StrEnum):
    ENTERED = "entered"
    COEFFICIENTS = "coefficients"
    K_RATES = "k_rates"
    K_CHAINED = "k_chained"


class PricingError(DomainError):
    """A line or a pricing setting is refused; `field` names the input, `line` the line."""

    def __init__(self, message: str, *, field: str, line: Key | None = None) -> None:
        super().__init__(message, field=field)
        self.line = line


@dataclass(frozen=True, slots=True)
class EnteredPrice:
    """The unit sale price typed by the user (more than 2 places are rounded half-up)."""

    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class KRates:
    """French-rules §11.1 (a): rates in percent; fc of the direct cost, fg and b of the price."""

    site_costs_rate: Decimal
    overheads_rate: Decimal
    profit_rate: Decimal


@dataclass(frozen=True, slots=True)
class KChained:
    """French-rules §11.1 (b), Batiprix style: K = product of the multipliers."""

    multipliers: tuple[Decimal, ...]


# Coefficients (seed 001) is the catalogue's dataclass: labour, supply, difficulty, overhead.
Pricing = EnteredPrice | Coefficients | KRates | KChained


@dataclass(frozen=True, slots=True)
class Line:
    """One quote line as the engine sees it.

    `cost` is the direct cost of one unit with 4 places, as `costing.direct_cost`
    gives it and a line stores it (DESIGN "Money"); the engine does not round it again.
    """

    key: Key
    quantity: Decimal
    pricing: Pricing
    vat_rate: Decimal = Decimal("20.00")
    cost: Cost = NO_COST
    kind: LineKind = LineKind.ITEM
    optional: bool = False  # shown with its amount, never counted in totals
    reference: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Totals:
    """Amounts that add up along the chapter tree; amounts 2 places, hours 4 places.

    labour_net + supply_net = net: the split of the sale price between labour and supplies.
    """

    net: Decimal = ZERO_AMOUNT
    labour_cost: Decimal = ZERO_AMOUNT
    supply_cost: Decimal = ZERO_AMOUNT
    labour_hours: Decimal = ZERO_HOURS
    labour_net: Decimal = ZERO_AMOUNT
    supply_net: Decimal = ZERO_AMOUNT

    @property
    def direct_cost(self) -> Decimal:
        return self.labour_cost + self.supply_cost

    @property
    def margin(self) -> Decimal:
        """Net minus direct cost (french-rules §11.1: PV − DS = FC + FG + B)."""
        return self.net - self.direct_cost

    @property
    def margin_rate(self) -> Decimal | None:
        """Margin as % of the net sale price (French "taux de marque"); None on a zero net."""
        return round4(self.margin * HUNDRED / self.net) if self.net else None

    @property
    def markup_rate(self) -> Decimal | None:
        """Margin as % of the direct cost (French "taux de marge"); None on a zero cost."""
        cost = self.direct_cost
        return round4(self.margin * HUNDRED / cost) if cost else None

    def __add__(self, other: Totals) -> Totals:
        return Totals.total((self, other))

    @staticmethod
    def total(items: Iterable[Totals]) -> Totals:
        """Exact field-by-field sum: subtotals are sums, never re-rounded."""
        net = labour = supply = labour_net = supply_net = ZERO_AMOUNT
        hours = ZERO_HOURS
        for item in items:
            net += item.net
            labour += item.labour_cost
            supply += item.supply_cost
            hours += item.labour_hours
            labour_net += item.labour_net
            supply_net += item.supply_net
        return Totals(net, labour, supply, hours, labour_net, supply_net)


@dataclass(frozen=True, slots=True)
class LinePrice:
    """A priced line: `unit_cost` per unit (4 places), `totals` for the whole quantity."""

    key: Key
    kind: LineKind
    optional: bool
    method: PricingMethod
    k: Decimal | None  # the K applied, for the two K methods
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    unit_cost: Cost
    totals: Totals

    @property
    def net(self) -> Decimal:
        return self.totals.net

    @property
    def counted(self) -> bool:
        """Whether the line's amounts enter chapter subtotals and document totals."""
        return self.kind is not LineKind.TEXT and not self.optional


class _Unit(NamedTuple):  # internal, per line: a tuple is several times cheaper to build
    method: PricingMethod
    k: Decimal | None
    unit_price: Decimal
    unit_cost: Cost
    labour_weight: Decimal  # shares of the sale price going to labour and to supplies
    supply_weight: Decimal


def k_from_rates(rates: KRates) -> Decimal:
    """K = (1 + fc) / (1 − fg − b), 4 places half-up (french-rules §11.1 a, §11.2: 1.3846)."""
    validate_pricing(rates)
    return _k_from_rates(rates)


def k_chained(chain: KChained) -> Decimal:
    """K = k_FC × k_FG × k_B…, 4 places half-up (french-rules §11.1 b, §11.2: 1.3289)."""
    validate_pricing(chain)
    return _k_chained(chain)


def _k_from_rates(rates: KRates) -> Decimal:
    divisor = ONE - (rates.overheads_rate + rates.profit_rate) / HUNDRED
    return round4((ONE + rates.site_costs_rate / HUNDRED) / divisor)


def _k_chained(chain: KChained) -> Decimal:
    k = ONE
    for multiplier in chain.multipliers:
        k *= multiplier
    return round4(k)


def price_line(line: Line) -> LinePrice:
    """Unit price (round2 first), net = round2(quantity × unit price) (french-rules §11.2).

    Line direct costs are round2(quantity × unit cost) per part, so margin =
    net − direct cost is exact. A text line has no amount; an optional line has its
    amounts but `counted` is False.
    """
    validate_line(line)
    if line.kind is LineKind.TEXT:
        return _text_line(line)
    unit = _unit_price(line)
    quantity = line.quantity
    net = round2(quantity * unit.unit_price)
    labour_net = _share(net, unit.labour_weight, unit.supply_weight)
    totals = Totals(
        net=net,
        labour_cost=round2(quantity * unit.unit_cost.labour_cost),
        supply_cost=round2(quantity * unit.unit_cost.supply_cost),
        labour_hours=round4(quantity * unit.unit_cost.labour_hours),
        labour_net=labour_net,
        supply_net=net - labour_net,
    )
    return LinePrice(
        key=line.key,
        kind=line.kind,
        optional=line.optional,
        method=unit.method,
        k=unit.k,
        quantity=quantity,
        unit_price=unit.unit_price,
        vat_rate=_VAT_RATES[line.vat_rate],
        unit_cost=unit.unit_cost,
        totals=totals,
    )


def _text_line(line: Line) -> LinePrice:
    """A text line carries no amount: zero price, zero totals, never counted."""
    return LinePrice(
        key=line.key,
        kind=line.kind,
        optional=line.optional,
        method=PricingMethod.ENTERED,
        k=None,
        quantity=line.quantity,
        unit_price=ZERO_AMOUNT,
        vat_rate=line.vat_rate.quantize(CENT),
        unit_cost=NO_COST,
        totals=Totals(),
    )


def _unit_price(line: Line) -> _Unit:
    cost, pricing = line.cost, line.pricing
    if isinstance(pricing, EnteredPrice):
        price = round2(pricing.unit_price)
        return _Unit(PricingMethod.ENTERED, None, price, cost, cost.labour_cost, cost.supply_cost)
    if isinstance(pricing, Coefficients):
        return _by_coefficients(cost, pricing)
    if isinstance(pricing, KRates):
        method, k = PricingMethod.K_RATES, _k_from_rates(pricing)
    else:
        method, k = PricingMethod.K_CHAINED, _k_chained(pricing)
    price = round2(cost.total * k)
    return _Unit(method, k, price, cost, cost.labour_cost, cost.supply_cost)


def _by_coefficients(cost: Cost, coefficients: Coefficients) -> _Unit:
    """Seed 001: the difficulty coefficient raises the labour quantity, hence its cost too."""
    difficulty = coefficients.difficulty
    unit_cost = Cost(
        labour_hours=round4(cost.labour_hours * difficulty),
        labour_cost=round4(cost.labour_cost * difficulty),
        supply_cost=cost.supply_cost,
    )
    price = suggest_sale_price(cost, coefficients).sale_price
    labour_weight = cost.labour_cost * difficulty * coefficients.labour
    supply_weight = cost.supply_cost * coefficients.supply
    return _Unit(PricingMethod.COEFFICIENTS, None, price, unit_cost, labour_weight, supply_weight)


def _share(net: Decimal, labour: Decimal, supply: Decimal) -> Decimal:
    """Labour part of a net, in proportion to the weights; without costs all is supply."""
    if not labour:
        return ZERO_AMOUNT
    if not supply:
        return net
    return round2(net * labour / (labour + supply))


def validate_line(line: Line) -> None:
    """Refuse what issue 3 "Bad input" lists, naming the field; text lines are not checked.

    Quantity ≤ 0 on a non-discount line (0 on any line), a negative price on a
    non-discount line, a discount that would raise the total, an unknown VAT rate
    (french-rules §5.1), a negative cost, and the pricing checks of `validate_pricing`.
    """
    if line.kind is LineKind.TEXT:
        return
    try:
        _check_line(line)
        validate_pricing(line.pricing)
    except PricingError as error:
        raise PricingError(error.message, field=error.field or "", line=line.key) from None


def _check_line(line: Line) -> None:
    quantity, discount = line.quantity, line.kind is LineKind.DISCOUNT
    _finite(quantity, "quantity")
    if _finite(line.vat_rate, "vat_rate") not in _VAT_RATES:
        rates = ", ".join(f"{rate} %" for rate in VAT_RATES)
        raise PricingError(f"Unknown VAT rate: choose one of {rates}.", field="vat_rate")
    if quantity == 0 or (quantity < 0 and not discount):
        raise PricingError("The quantity must be greater than zero.", field="quantity")
    cost = line.cost
    if min(cost.labour_hours, cost.labour_cost, cost.supply_cost) < 0:
        raise PricingError("A direct cost cannot be negative.", field="cost")
    if not isinstance(line.pricing, EnteredPrice):
        if discount:
            raise PricingError("A discount line takes an entered price.", field="pricing_method")
        return
    price = line.pricing.unit_price
    _finite(price, "unit_price")
    if discount and quantity * price > 0:
        raise PricingError("A discount line must lower the total.", field="unit_price")
    if price < 0 and not discount:
        raise PricingError("The unit price cannot be negative.", field="unit_price")


def validate_pricing(pricing: Pricing) -> None:
    """Coefficients and multipliers > 0 (seed 001); K rates ≥ 0 with fg + b < 100 % (§11.1)."""
    if isinstance(pricing, Coefficients):
        for name in ("labour", "supply", "difficulty", "overhead"):
            _positive(getattr(pricing, name), f"{name}_coefficient")
    elif isinstance(pricing, KChained):
        if not pricing.multipliers:
            raise PricingError("Give at least one multiplier.", field="multipliers")
        for multiplier in pricing.multipliers:
            _positive(multiplier, "multipliers")
    elif isinstance(pricing, KRates):
        for name in ("site_costs_rate", "overheads_rate", "profit_rate"):
            if _finite(getattr(pricing, name), name) < 0:
                raise PricingError("A rate cannot be negative.", field=name)
        if pricing.overheads_rate + pricing.profit_rate >= HUNDRED:
            raise PricingError(
                "Overheads and profit together must stay under 100 % of the sale price.",
                field="overheads_rate",
            )


def _positive(value: Decimal, field: str) -> None:
    if _finite(value, field) <= 0:
        raise PricingError("A coefficient must be greater than zero.", field=field)


def _finite(value: object, field: str) -> Decimal:
    """Floats, NaN and infinities never reach a price (DESIGN "Money")."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise PricingError("A finite decimal number is required.", field=field)
    return value
