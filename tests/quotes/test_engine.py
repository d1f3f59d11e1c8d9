"""quotes/engine.py: line pricing, chapter subtotals, VAT per rate, filtered totals (pure).

Worked examples: french-rules §5.2 (VAT) and §11.2 (cost build-up, K), plus hand-computed
examples of the seed-001 "cost × coefficients" method. No database.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.catalogue.costing import Coefficients, Cost
from chantier.core.exceptions import DomainError
from chantier.core.money import round2
from chantier.quotes.engine import (
    Chapter,
    EnteredPrice,
    KChained,
    KRates,
    Line,
    LineFilter,
    LineKind,
    PricingError,
    PricingMethod,
    Quote,
    VatAmount,
    chapter_numbers,
    filtered_totals,
    k_chained,
    k_from_rates,
    price_line,
    price_quote,
    validate_line,
    validate_pricing,
)

D = Decimal
NO_COST = Cost()


def entered(
    key: int | str,
    quantity: str,
    price: str,
    rate: str = "20.00",
    *,
    kind: LineKind = LineKind.ITEM,
    optional: bool = False,
    cost: Cost = NO_COST,
    description: str = "",
) -> Line:
    """A line priced by the unit price entered."""
    return Line(
        key,
        D(quantity),
        EnteredPrice(D(price)),
        D(rate),
        cost=cost,
        kind=kind,
        optional=optional,
        description=description,
    )


# french-rules §11.2, "m² de cloison plaque": 6 h × 38.50 = 231.00 labour; 142.30 supplies
# and 25.00 equipment hire (equipment counts as supply, costing.py): DS = 398.30.
PARTITION = Cost(labour_hours=D("6"), labour_cost=D("231.00"), supply_cost=D("167.30"))
RATES_11_2 = KRates(site_costs_rate=D("8"), overheads_rate=D("15"), profit_rate=D("7"))
CHAIN_11_2 = KChained((D("1.08"), D("1.15"), D("1.07")))


# --- french-rules §11.2 ---------------------------------------------------------------


def test_11_2_k_from_rates_is_1_3846():
    # K = 1.08 / (1 − 0.22) = 1.384615… → 4 places half-up
    assert k_from_rates(RATES_11_2) == D("1.3846")


def test_11_2_unit_price_551_49_and_12_5_units_6893_63():
    line = price_line(Line("wall", D("12.5"), RATES_11_2, cost=PARTITION))
    assert line.method is PricingMethod.K_RATES
    assert line.k == D("1.3846")
    assert line.unit_price == D("551.49")  # round2(398.30 × 1.3846) = round2(551.4862)
    assert line.net == D("6893.63")  # round2(12.5 × 551.49) = round2(6893.625)


def test_11_2_one_unit_costs_and_margin():
    line = price_line(Line("wall", D("1"), RATES_11_2, cost=PARTITION))
    totals = line.totals
    assert (totals.labour_cost, totals.supply_cost, totals.direct_cost) == (
        D("231.00"),
        D("167.30"),
        D("398.30"),
    )
    assert totals.labour_hours == D("6.0000")
    assert totals.margin == D("153.19")  # 551.49 − 398.30 = FC + FG + B
    # the table's check: DS + FC = 430.16, FG = 82.72, B = 38.60 → 551.48, 1 cent gap expected
    parts = round2(D("398.30") * D("1.08")) + round2(D("551.49") * D("0.15"))
    parts += round2(D("551.49") * D("0.07"))
    assert parts == D("551.48")
    assert line.unit_price - parts == D("0.01")


def test_11_2_twelve_and_a_half_units_costs_and_margin():
    totals = price_line(Line("wall", D("12.5"), RATES_11_2, cost=PARTITION)).totals
    assert totals.direct_cost == D("4978.75")  # 2 887.50 labour + 2 091.25 supplies
    assert totals.labour_hours == D("75.0000")
    assert totals.margin == D("1914.88")  # 6 893.63 − 4 978.75
    assert totals.margin_rate == D("27.7775")  # of the sale price
    assert totals.markup_rate == D("38.4611")  # of the direct cost
    # labour share of the price follows the cost split: 6893.63 × 231 / 398.30
    assert totals.labour_net == D("3998.06")
    assert totals.labour_net + totals.supply_net == totals.net


def test_11_2_chained_multipliers_k_1_3289_price_529_30():
    # K = 1.08 × 1.15 × 1.07 = 1.32894 → 1.3289; PV = round2(398.30 × 1.3289) = 529.30
    assert k_chained(CHAIN_11_2) == D("1.3289")
    line = price_line(Line("wall", D("1"), CHAIN_11_2, cost=PARTITION))
    assert (line.method, line.k, line.unit_price) == (
        PricingMethod.K_CHAINED,
        D("1.3289"),
        D("529.30"),
    )


def test_11_2_the_two_conventions_give_different_prices():
    by_rates = price_line(Line(1, D("1"), RATES_11_2, cost=PARTITION))
    chained = price_line(Line(1, D("1"), CHAIN_11_2, cost=PARTITION))
    assert by_rates.unit_price - chained.unit_price == D("22.19")


def test_11_2_unit_price_is_rounded_before_the_quantity():
    # 12.5 × 551.4862 would be 6893.58; the rule rounds the unit price first
    line = price_line(entered(1, "12.5", "551.4862"))
    assert (line.unit_price, line.net) == (D("551.49"), D("6893.63"))


# --- french-rules §5.2 --------------------------------------------------------------


def test_5_a_three_rates():
    quote = Quote(
        lines=(
            entered("windows", "1", "10000.00", "10.00"),
            entered("insulation", "1", "4000.00", "5.50"),
            entered("shop", "1", "1500.00", "20.00"),
        )
    )
    result = price_quote(quote)
    assert result.vat == (
        VatAmount(D("20.00"), D("1500.00"), D("300.00")),
        VatAmount(D("10.00"), D("10000.00"), D("1000.00")),
        VatAmount(D("5.50"), D("4000.00"), D("220.00")),
    )
    assert (result.net, result.vat_total, result.gross) == (
        D("15500.00"),
        D("1520.00"),
        D("17020.00"),
    )


def test_5_b_vat_is_rounded_once_per_rate():
    quote = Quote(lines=tuple(entered(n, "1", "33.33", "10") for n in range(3)))
    result = price_quote(quote)
    assert result.vat == (VatAmount(D("10.00"), D("99.99"), D("10.00")),)
    line_by_line = sum(round2(line.net * D("0.10")) for line in result.lines.values())
    assert line_by_line == D("9.99")  # the wrong way, 1 cent short


def test_5_c_reverse_charge_at_zero_rate():
    result = price_quote(Quote(lines=(entered("sub", "1", "8000.00", "0"),)))
    assert result.vat == (VatAmount(D("0.00"), D("8000.00"), D("0.00")),)
    assert (result.net, result.gross) == (D("8000.00"), D("8000.00"))


# --- seed 001: cost × coefficients --------------------------------------------------

SEED_COEFFICIENTS = Coefficients(
    labour=D("1.5000"), supply=D("1.3000"), difficulty=D("1.2000"), overhead=D("1.1000")
)
LABOUR_AND_SUPPLY = Cost(labour_hours=D("2"), labour_cost=D("80.00"), supply_cost=D("50.00"))


def test_coefficients_method_by_hand():
    # labour 80 × difficulty 1.2 × 1.5 = 144.00; supplies 50 × 1.3 = 65.00
    # (144 + 65) × overhead 1.1 = 229.90; 3 units = 689.70
    line = price_line(Line(1, D("3"), SEED_COEFFICIENTS, cost=LABOUR_AND_SUPPLY))
    assert (line.method, line.k) == (PricingMethod.COEFFICIENTS, None)
    assert (line.unit_price, line.net) == (D("229.90"), D("689.70"))
    # the difficulty coefficient raises the labour quantity: 2 h × 1.2 per unit
    assert line.unit_cost == Cost(D("2.4000"), D("96.0000"), D("50.0000"))
    totals = line.totals
    assert totals.labour_hours == D("7.2000")
    assert (totals.labour_cost, totals.supply_cost) == (D("288.00"), D("150.00"))
    assert totals.margin == D("251.70")  # 689.70 − 438.00
    assert totals.margin_rate == D("36.4941")  # 251.70 / 689.70
    assert totals.markup_rate == D("57.4658")  # 251.70 / 438.00
    # split of the price in proportion of the priced parts, 144 : 65
    assert (totals.labour_net, totals.supply_net) == (D("475.20"), D("214.50"))


def test_coefficients_method_rounds_the_unit_price_half_up():
    # (22.33 × 1.10 × 1.35 + 12.1223 × 1.20) × 1.10 = 52.477491 → 52.48 (test_costing)
    coefficients = Coefficients(
        labour=D("1.35"), supply=D("1.20"), difficulty=D("1.10"), overhead=D("1.10")
    )
    cost = Cost(D("0.58"), D("22.33"), D("12.1223"))
    line = price_line(Line(1, D("10"), coefficients, cost=cost))
    assert (line.unit_price, line.net) == (D("52.48"), D("524.80"))
    assert line.totals.labour_hours == D("6.3800")  # 10 × 0.638


def test_coefficients_all_one_price_at_cost():
    line = price_line(Line(1, D("2"), Coefficients(), cost=LABOUR_AND_SUPPLY))
    assert (line.unit_price, line.totals.margin) == (D("130.00"), D("0.00"))


def test_entered_price_keeps_the_cost_for_the_margin():
    line = price_line(entered(1, "4", "50", cost=LABOUR_AND_SUPPLY))
    assert (line.method, line.net, line.totals.margin) == (
        PricingMethod.ENTERED,
        D("200.00"),
        D("-320.00"),
    )
    line = price_line(entered(2, "4", "50"))
    assert (line.totals.margin, line.totals.margin_rate, line.totals.markup_rate) == (
        D("200.00"),
        D("100.0000"),
        None,
    )
    # without any cost the whole price counts as supply
    assert (line.totals.labour_net, line.totals.supply_net) == (D("0.00"), D("200.00"))


# --- optional, discount and text lines ----------------------------------------------


def test_optional_discount_and_text_lines():
    quote = Quote(
        chapters=(
            Chapter(
                1,
                "Peinture",
                lines=(
                    entered("walls", "40", "18.50"),  # 740.00
                    entered("option", "1", "250.00", optional=True),
                    entered("discount", "1", "-40.00", kind=LineKind.DISCOUNT),
                    Line("note", D("0"), EnteredPrice(D("0")), kind=LineKind.TEXT),
                ),
            ),
        )
    )
    result = price_quote(quote)
    lines = result.lines
    assert lines["option"].net == D("250.00") and not lines["option"].counted
    assert lines["discount"].net == D("-40.00") and lines["discount"].counted
    assert lines["note"].net == D("0.00") and not lines["note"].counted
    assert result.chapters[1].subtotal == D("700.00")
    assert result.net == D("700.00")
    assert result.vat == (VatAmount(D("20.00"), D("700.00"), D("140.00")),)
    assert result.gross == D("840.00")
    assert result.optional_net == D("250.00")
    assert result.totals.margin == D("700.00")  # no cost; the discount lowers the margin


def test_a_discount_may_be_entered_as_a_negative_quantity():
    line = price_line(entered(1, "-2", "15", "10", kind=LineKind.DISCOUNT))
    assert line.net == D("-30.00")


def test_a_text_line_is_not_validated():
    note = Line("note", D("-1"), EnteredPrice(D("-5")), D("7"), kind=LineKind.TEXT)
    assert price_line(note).net == D("0.00")


# --- chapters ----------------------------------------------------------------------


def nested_quote() -> Quote:
    return Quote(
        chapters=(
            Chapter(
                "lot1",
                "Gros œuvre",
                lines=(entered("a", "2", "100.005"),),  # 100.01 × 2 = 200.02
                chapters=(
                    Chapter(
                        "lot1.1",
                        "Fondations",
                        lines=(entered("b", "3", "33.33", "10"),),  # 99.99
                        chapters=(
                            Chapter(
                                "lot1.1.1",
                                "Semelles",
                                lines=(entered("c", "0.333", "10.00"),),  # 3.33
                                chapters=(
                                    Chapter("lot1.1.1.1", "Ferraillage", (entered("d", "1", "1"),)),
                                ),
                            ),
                        ),
                    ),
                    Chapter("lot1.2", "Élévation", lines=(entered("e", "1.5", "0.05"),)),  # 0.08
                ),
            ),
            Chapter("lot2", "Plâtrerie", lines=(entered("f", "12.5", "551.49", "5.5"),)),
            Chapter("lot3", "Vide"),
        ),
        lines=(entered("g", "1", "10"),),
    )


def test_nested_chapter_subtotals_are_sums_never_re_rounded():
    result = price_quote(nested_quote())
    subtotals = {key: chapter.subtotal for key, chapter in result.chapters.items()}
    assert subtotals == {
        "lot1": D("304.42"),  # 200.02 + 104.32 + 0.08
        "lot1.1": D("104.32"),  # 99.99 + 4.33
        "lot1.1.1": D("4.33"),  # 3.33 + 1.00
        "lot1.1.1.1": D("1.00"),
        "lot1.2": D("0.08"),  # round2(0.075)
        "lot2": D("6893.63"),
        "lot3": D("0.00"),
    }
    assert result.net == D("7208.05")  # 304.42 + 6893.63 + 10.00 outside chapters
    assert result.vat == (
        VatAmount(D("20.00"), D("214.43"), D("42.89")),  # 200.02 + 3.33 + 1 + 0.08 + 10
        VatAmount(D("10.00"), D("99.99"), D("10.00")),
        VatAmount(D("5.50"), D("6893.63"), D("379.15")),  # round2(379.14965)
    )
    assert result.gross == D("7640.09")  # 7208.05 + 432.04


def test_chapters_are_numbered_from_the_tree_order():
    result = price_quote(nested_quote())
    numbers = {key: (chapter.number, chapter.depth) for key, chapter in result.chapters.items()}
    assert numbers == {
        "lot1": ("1", 1),
        "lot1.1": ("1.1", 2),
        "lot1.1.1": ("1.1.1", 3),
        "lot1.1.1.1": ("1.1.1.1", 4),
        "lot1.2": ("1.2", 2),
        "lot2": ("2", 1),
        "lot3": ("3", 1),
    }
    assert list(result.chapters) == list(numbers)  # tree order
    assert chapter_numbers(nested_quote().chapters) == {k: n for k, (n, _d) in numbers.items()}


def test_chapter_totals_carry_costs_hours_and_margin():
    chapter = Chapter(
        1,
        "Cloisons",
        lines=(
            Line("k", D("12.5"), RATES_11_2, cost=PARTITION),
            Line("c", D("3"), SEED_COEFFICIENTS, cost=LABOUR_AND_SUPPLY),
        ),
    )
    totals = price_quote(Quote(chapters=(chapter,))).chapters[1].totals
    assert totals.net == D("7583.33")  # 6893.63 + 689.70
    assert totals.direct_cost == D("5416.75")  # 4978.75 + 438.00
    assert totals.labour_hours == D("82.2000")  # 75 + 7.2
    assert totals.margin == D("2166.58")
    assert totals.labour_net == D("4473.26")  # 3998.06 + 475.20


def test_two_lines_with_one_key_are_refused():
    with pytest.raises(ValueError, match="share the key"):
        price_quote(Quote(lines=(entered(1, "1", "1"), entered(1, "1", "2"))))


# --- filtered totals (seed 001 "calcul dynamique des totaux") ------------------------


def test_filter_by_text_keeps_subtotals_of_what_is_shown():
    quote = Quote(
        chapters=(
            Chapter(
                1,
                "Cloisons",
                lines=(
                    entered("p1", "10", "55.00", description="Cloison plâtre 72/48"),
                    entered("i1", "10", "12.00", description="Isolant laine de verre"),
                ),
                chapters=(
                    Chapter(
                        2,
                        "Doublages",
                        (entered("p2", "5", "40.00", description="Doublage PLATRE"),),
                    ),
                ),
            ),
            Chapter(3, "Peinture", (entered("x", "1", "999.00", description="Peinture"),)),
        )
    )
    result = filtered_totals(quote, LineFilter(text="platre"))
    assert set(result.lines) == {"p1", "p2"}
    assert {key: (c.number, c.subtotal) for key, c in result.chapters.items()} == {
        1: ("1", D("750.00")),  # 550.00 + 200.00: the insulation line is hidden
        2: ("1.1", D("200.00")),
    }
    assert (result.net, result.gross) == (D("750.00"), D("900.00"))


def test_filter_by_text_matches_chapter_titles_with_every_word():
    result = filtered_totals(nested_quote(), LineFilter(text="FONDATIONS semelles"))
    assert set(result.lines) == {"c", "d"}
    assert [c.number for c in result.chapters.values()] == ["1", "1.1", "1.1.1", "1.1.1.1"]
    assert result.chapters["lot1"].subtotal == D("4.33")


def test_filter_by_chapter_shows_its_subtree():
    result = filtered_totals(nested_quote(), LineFilter(chapter="lot1.1"))
    assert set(result.lines) == {"b", "c", "d"}
    assert result.chapters["lot1"].subtotal == D("104.32")
    assert result.net == D("104.32")


def test_filter_by_kind_and_optional():
    quote = Quote(
        lines=(
            entered("a", "1", "100"),
            entered("o", "1", "30", optional=True),
            entered("r", "1", "-10", kind=LineKind.DISCOUNT),
        )
    )
    discounts = filtered_totals(quote, LineFilter(kinds=frozenset({LineKind.DISCOUNT})))
    assert (set(discounts.lines), discounts.net) == ({"r"}, D("-10.00"))
    options = filtered_totals(quote, LineFilter(optional=True))
    assert (set(options.lines), options.net, options.optional_net) == ({"o"}, D("0.00"), D("30.00"))


def test_an_empty_filter_gives_the_whole_quote():
    assert filtered_totals(nested_quote(), LineFilter()) == price_quote(nested_quote())


# --- validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (entered(1, "0", "10"), "quantity"),
        (entered(1, "-1", "10"), "quantity"),
        (entered(1, "0", "-10", kind=LineKind.DISCOUNT), "quantity"),
        (entered(1, "1", "-0.01"), "unit_price"),
        (entered(1, "1", "10", kind=LineKind.DISCOUNT), "unit_price"),
        (entered(1, "1", "10", "19.6"), "vat_rate"),
        (entered(1, "1", "10", "7"), "vat_rate"),
        (Line(1, D("1"), EnteredPrice(D("NaN"))), "unit_price"),
        (Line(1, D("Infinity"), EnteredPrice(D("1"))), "quantity"),
        # a float slipped through by a caller: refused, not rounded (DESIGN "Money")
        (Line(1, D("1"), EnteredPrice(1.5)), "unit_price"),  # type: ignore[arg-type]
        (Line(1, D("1"), EnteredPrice(D(1)), cost=Cost(supply_cost=D(-1))), "cost"),
        (Line(1, D("1"), Coefficients(labour=D(0))), "labour_coefficient"),
        (Line(1, D("1"), Coefficients(supply=D(-1))), "supply_coefficient"),
        (Line(1, D("1"), Coefficients(difficulty=D(0))), "difficulty_coefficient"),
        (Line(1, D("1"), Coefficients(overhead=D("-1.1"))), "overhead_coefficient"),
        (Line(1, D("1"), KChained((D("1.1"), D(0)))), "multipliers"),
        (Line(1, D("1"), KChained(())), "multipliers"),
        (Line(1, D("1"), KRates(D(8), D(60), D(40))), "overheads_rate"),
        (Line(1, D("1"), KRates(D(-1), D(15), D(7))), "site_costs_rate"),
        (Line(1, D("1"), RATES_11_2, kind=LineKind.DISCOUNT), "pricing_method"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_the_line(line, field):
    with pytest.raises(PricingError) as refused:
        price_line(line)
    assert refused.value.field == field
    assert refused.value.line == 1
    assert isinstance(refused.value, DomainError)
    with pytest.raises(PricingError):
        validate_line(line)


def test_a_refused_line_refuses_the_whole_quote():
    quote = Quote(chapters=(Chapter(1, "A", (entered("ok", "1", "1"), entered("bad", "0", "1"))),))
    with pytest.raises(PricingError) as refused:
        price_quote(quote)
    assert (refused.value.field, refused.value.line) == ("quantity", "bad")


def test_pricing_settings_are_validated_alone():
    validate_pricing(SEED_COEFFICIENTS)
    validate_pricing(RATES_11_2)
    with pytest.raises(PricingError) as refused:
        k_from_rates(KRates(D(0), D("99.99"), D("0.01")))
    assert refused.value.field == "overheads_rate"
    with pytest.raises(PricingError):
        k_chained(KChained((D(-1),)))


def test_equal_vat_rates_in_other_forms_are_accepted():
    line = price_line(entered(1, "1", "10", "5.5"))
    assert str(line.vat_rate) == "5.50"
