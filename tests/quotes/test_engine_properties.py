"""Properties of the quote engine on generated quotes (hypothesis, no database).

Chapter subtotals add up to the net, VAT per rate stays within half a cent per line of
the line-by-line VAT (french-rules §5.2 B), the net does not depend on the order or
grouping of lines, gross = net + VAT, a quantity × k gives a net × k within rounding, and
bad input is always refused with its field.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chantier.catalogue.costing import Coefficients, Cost
from chantier.core.money import VAT_RATES, round2
from chantier.quotes.engine import (
    Chapter,
    ChapterTotals,
    EnteredPrice,
    KChained,
    KRates,
    Line,
    LineFilter,
    LineKind,
    Pricing,
    PricingError,
    Quote,
    QuotePricing,
    filtered_totals,
    price_line,
    price_quote,
    validate_pricing,
)

D = Decimal
HALF_CENT = D("0.005")

quantities = st.decimals(min_value=D("0.001"), max_value=D("10000"), places=3)
prices = st.decimals(min_value=0, max_value=D("100000"), places=2)
coefficients_ = st.decimals(min_value=D("0.0001"), max_value=D("10"), places=4)
percents = st.decimals(min_value=0, max_value=D("49.99"), places=2)
costs = st.builds(
    Cost,
    labour_hours=st.decimals(min_value=0, max_value=100, places=4),
    labour_cost=st.decimals(min_value=0, max_value=10000, places=4),
    supply_cost=st.decimals(min_value=0, max_value=10000, places=4),
)
pricings: st.SearchStrategy[Pricing] = st.one_of(
    st.builds(EnteredPrice, prices),
    st.builds(Coefficients, coefficients_, coefficients_, coefficients_, coefficients_),
    st.builds(KRates, percents, percents, percents),
    st.builds(KChained, st.lists(coefficients_, min_size=1, max_size=4).map(tuple)),
)
kinds = st.sampled_from(["item", "item", "item", "optional", "discount", "text"])
line_specs = st.tuples(quantities, pricings, st.sampled_from(VAT_RATES), costs, kinds)


def chapter_specs(depth: int) -> st.SearchStrategy[tuple[list, list]]:
    lines = st.lists(line_specs, max_size=4)
    if depth == 0:
        return st.tuples(lines, st.just([]))
    return st.tuples(lines, st.lists(chapter_specs(depth - 1), max_size=2))


quote_specs = st.tuples(st.lists(line_specs, max_size=3), st.lists(chapter_specs(3), max_size=3))


def make_line(key: int, spec: tuple) -> Line:
    quantity, pricing, rate, cost, kind = spec
    if kind == "discount":
        price = pricing.unit_price if isinstance(pricing, EnteredPrice) else D("10")
        return Line(key, quantity, EnteredPrice(-price), rate, kind=LineKind.DISCOUNT)
    if kind == "text":
        return Line(key, quantity, pricing, rate, cost, kind=LineKind.TEXT)
    return Line(key, quantity, pricing, rate, cost, optional=kind == "optional")


def make_quote(spec: tuple) -> Quote:
    keys = itertools.count()

    def lines(specs: list) -> tuple[Line, ...]:
        return tuple(make_line(next(keys), s) for s in specs)

    def chapter(specs: tuple) -> Chapter:
        own, subs = specs
        key = next(keys)
        return Chapter(key, f"Chapitre {key}", lines(own), tuple(chapter(s) for s in subs))

    root_lines, chapters = spec
    return Quote(tuple(chapter(c) for c in chapters), lines(root_lines))


def all_lines(chapters: tuple[Chapter, ...]) -> Iterator[Line]:
    for chapter in chapters:
        yield from chapter.lines
        yield from all_lines(chapter.chapters)


def counted_net(result: QuotePricing, lines: tuple[Line, ...]) -> Decimal:
    return sum(
        (result.lines[line.key].net for line in lines if result.lines[line.key].counted), D(0)
    )


def check_subtotals(result: QuotePricing, chapter: Chapter) -> ChapterTotals:
    totals = result.chapters[chapter.key]
    children = sum((check_subtotals(result, c).subtotal for c in chapter.chapters), D(0))
    assert totals.subtotal == counted_net(result, chapter.lines) + children
    return totals


@given(quote_specs)
def test_chapter_subtotals_add_up_to_the_net(spec):
    quote = make_quote(spec)
    result = price_quote(quote)
    top = sum((check_subtotals(result, c).subtotal for c in quote.chapters), D(0))
    assert top + counted_net(result, quote.lines) == result.net
    counted = [line for line in result.lines.values() if line.counted]
    assert result.net == sum((line.net for line in counted), D(0))


@given(quote_specs)
def test_vat_per_rate_is_within_half_a_cent_per_line_of_line_by_line_vat(spec):
    result = price_quote(make_quote(spec))
    for vat in result.vat:
        at_rate = [x for x in result.lines.values() if x.counted and x.vat_rate == vat.rate]
        line_by_line = sum((round2(x.net * vat.rate / 100) for x in at_rate), D(0))
        assert abs(vat.amount - line_by_line) <= HALF_CENT * len(at_rate)
        assert vat.amount == round2(vat.base * vat.rate / 100)
    assert sum((vat.base for vat in result.vat), D(0)) == result.net


@given(quote_specs)
def test_gross_is_net_plus_vat(spec):
    result = price_quote(make_quote(spec))
    assert result.gross == result.net + sum((vat.amount for vat in result.vat), D(0))
    assert result.gross == result.gross.quantize(D("0.01"))


@given(quote_specs, st.data())
def test_net_and_vat_do_not_depend_on_the_order_or_grouping_of_lines(spec, data):
    quote = make_quote(spec)
    lines = [*quote.lines, *all_lines(quote.chapters)]
    shuffled = data.draw(st.permutations(lines))
    cut = data.draw(st.integers(min_value=0, max_value=len(lines)))
    regrouped = Quote((Chapter("a", "A", tuple(shuffled[:cut])),), tuple(shuffled[cut:]))
    before, after = price_quote(quote), price_quote(regrouped)
    assert (after.net, after.vat, after.gross) == (before.net, before.vat, before.gross)
    assert after.totals == before.totals


@given(line_specs, st.integers(min_value=2, max_value=50))
def test_a_quantity_times_k_gives_a_net_times_k_within_rounding(spec, k):
    line = make_line(1, spec)
    one = price_line(line)
    scaled = price_line(
        Line(1, line.quantity * k, line.pricing, line.vat_rate, line.cost, line.kind)
    )
    assert scaled.unit_price == one.unit_price
    # k × net carries k half-cents at most, the scaled net one more
    assert abs(scaled.net - k * one.net) <= HALF_CENT * (k + 1)


@given(line_specs)
def test_a_line_is_consistent(spec):
    line = price_line(make_line(1, spec))
    totals = line.totals
    assert line.unit_price == line.unit_price.quantize(D("0.01"))
    if line.kind is not LineKind.TEXT:
        assert totals.net == round2(line.quantity * line.unit_price)
    assert totals.labour_net + totals.supply_net == totals.net
    assert totals.margin == totals.net - totals.labour_cost - totals.supply_cost


@given(quote_specs, st.data())
def test_filtering_a_chapter_keeps_its_subtotal(spec, data):
    quote = make_quote(spec)
    if not quote.chapters:
        return
    chapter = data.draw(st.sampled_from(quote.chapters))
    whole = price_quote(quote)
    result = filtered_totals(quote, LineFilter(chapter=chapter.key))
    if chapter.key in result.chapters:
        assert result.chapters[chapter.key] == whole.chapters[chapter.key]
    assert result.net == whole.chapters[chapter.key].subtotal


@given(quote_specs)
def test_filters_by_kind_partition_the_net(spec):
    quote = make_quote(spec)
    parts = [filtered_totals(quote, LineFilter(kinds=frozenset({kind}))) for kind in LineKind]
    assert sum((part.net for part in parts), D(0)) == price_quote(quote).net


# --- refusals ------------------------------------------------------------------------

not_positive = st.decimals(max_value=0, min_value=-10000, places=3)
negative_prices = st.decimals(max_value=D("-0.01"), min_value=-100000, places=2)
unknown_rates = st.decimals(min_value=0, max_value=100, places=2).filter(
    lambda rate: rate not in VAT_RATES
)


@given(not_positive, prices)
def test_a_quantity_not_above_zero_is_refused(quantity, price):
    with pytest.raises(PricingError) as refused:
        price_line(Line(7, quantity, EnteredPrice(price)))
    assert (refused.value.field, refused.value.line) == ("quantity", 7)


@given(quantities, negative_prices)
def test_a_negative_price_is_refused_except_on_a_discount(quantity, price):
    with pytest.raises(PricingError) as refused:
        price_line(Line(7, quantity, EnteredPrice(price)))
    assert refused.value.field == "unit_price"
    discount = price_line(Line(7, quantity, EnteredPrice(price), kind=LineKind.DISCOUNT))
    assert discount.net <= 0


@given(quantities, prices, unknown_rates)
def test_an_unknown_vat_rate_is_refused(quantity, price, rate):
    with pytest.raises(PricingError) as refused:
        price_line(Line(7, quantity, EnteredPrice(price), rate))
    assert refused.value.field == "vat_rate"


@given(
    st.sampled_from(["labour", "supply", "difficulty", "overhead"]),
    st.decimals(max_value=0, min_value=-10, places=4),
)
def test_a_coefficient_not_above_zero_is_refused(name, value):
    with pytest.raises(PricingError) as refused:
        validate_pricing(Coefficients(**{name: value}))
    assert refused.value.field == f"{name}_coefficient"
    with pytest.raises(PricingError):
        validate_pricing(KChained((D("1.1"), value)))


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_overheads_and_profit_reaching_100_percent_are_refused(overheads, profit):
    rates = KRates(D("8"), overheads, profit)
    if overheads + profit < 100:
        validate_pricing(rates)
        return
    with pytest.raises(PricingError) as refused:
        validate_pricing(rates)
    assert refused.value.field == "overheads_rate"
