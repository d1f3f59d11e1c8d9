"""Bad input is refused by the billing engine with a stable code, the field and the line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.billing.engine import (
    BaseLine,
    BillingError,
    Deduction,
    History,
    LinePrevious,
    ProgressEntry,
    RevisionIndex,
    Settings,
    down_payment,
    history_after,
    progress,
)
from chantier.core.exceptions import DomainError

D = Decimal
LUMP = BaseLine(1, "Terrassement", "ft", D("1.000"), D("10000.00"), D("10000.00"), D("20"), True)
UNIT = BaseLine(2, "Maçonnerie", "m²", D("250.000"), D("80.00"), D("20000.00"), D("20"), False)
NO_QTY = BaseLine(3, "Forfait", "", D("0"), D("0.00"), D("500.00"), D("20"), True)
BASE = (LUMP, UNIT, NO_QTY)
DEFAULT = Settings()


def refused(**kwargs: object) -> BillingError:
    arguments: dict[str, object] = {"base": BASE, "history": History(), "settings": DEFAULT}
    arguments.update(kwargs)
    with pytest.raises(BillingError) as caught:
        progress(**arguments)  # type: ignore[arg-type]  # test helper: typed by the callers
    return caught.value


def test_billing_error_is_a_domain_error_and_a_value_error() -> None:
    error = refused(entries=(ProgressEntry(9, "cumulative_percent", D("10")),))
    assert isinstance(error, DomainError)
    assert isinstance(error, ValueError)


def test_lump_sum_over_100_is_refused_naming_the_line() -> None:
    error = refused(entries=(ProgressEntry(1, "cumulative_percent", D("100.0001")),))
    assert (error.code, error.field, error.line_id) == ("over_100", "value", 1)
    assert "1" in error.message
    error = refused(entries=(ProgressEntry(1, "cumulative_quantity", D("1.001")),))
    assert (error.code, error.line_id) == ("over_100", 1)


def test_lump_sum_over_100_by_relative_percent() -> None:
    first = progress(
        base=BASE,
        history=History(),
        entries=(ProgressEntry(1, "cumulative_percent", D("80")),),
        settings=DEFAULT,
    )
    error = refused(
        history=history_after(History(), first),
        entries=(ProgressEntry(1, "relative_percent", D("25")),),
    )
    assert (error.code, error.line_id) == ("over_100", 1)


def test_global_percent_over_100_on_a_lump_sum_contract() -> None:
    error = refused(global_percent=D("101"))
    assert (error.code, error.field, error.line_id) == ("over_100", "global_percent", 1)


def test_unit_price_line_over_its_quantity_is_a_warning() -> None:
    draft = progress(
        base=BASE,
        history=History(),
        entries=(ProgressEntry(2, "cumulative_quantity", D("260")),),
        settings=DEFAULT,
    )
    assert draft.works_net == D("20800.00")
    assert [(w.code, w.line_id) for w in draft.warnings] == [("over_contract_quantity", 2)]


def test_unknown_line() -> None:
    error = refused(entries=(ProgressEntry(42, "cumulative_percent", D("10")),))
    assert (error.code, error.field, error.line_id) == ("unknown_line", "progress", 42)


def test_history_line_missing_from_the_base() -> None:
    history = History(
        lines=(LinePrevious(42, D("0"), D("10"), D("100.00")),),
        works_net_cumulative=D("100.00"),
    )
    error = refused(history=history)
    assert (error.code, error.field, error.line_id) == ("unknown_line", "history", 42)


def test_inconsistent_history() -> None:
    history = History(
        lines=(LinePrevious(1, D("0.5"), D("50"), D("5000.00")),),
        works_net_cumulative=D("4000.00"),
    )
    assert refused(history=history).code == "inconsistent_history"


def test_negative_cumulative() -> None:
    error = refused(entries=(ProgressEntry(1, "cumulative_percent", D("-1")),))
    assert (error.code, error.field, error.line_id) == ("negative_cumulative", "value", 1)
    error = refused(entries=(ProgressEntry(2, "relative_quantity", D("-0.001")),))
    assert (error.code, error.line_id) == ("negative_cumulative", 2)
    assert refused(global_percent=D("-5")).code == "negative_cumulative"


def test_quantity_mode_without_contract_quantity() -> None:
    error = refused(entries=(ProgressEntry(3, "cumulative_quantity", D("1")),))
    assert (error.code, error.line_id) == ("no_quantity", 3)


def test_unknown_mode_and_duplicate_entries() -> None:
    assert refused(entries=(ProgressEntry(1, "percent", D("1")),)).code == "unknown_mode"
    twice = (
        ProgressEntry(1, "cumulative_percent", D("1")),
        ProgressEntry(1, "cumulative_percent", D("2")),
    )
    assert refused(entries=twice).code == "duplicate_line"
    both = refused(entries=twice[:1], global_percent=D("10"))
    assert both.code == "global_with_entries"


def test_final_lump_sum_must_reach_100() -> None:
    error = refused(entries=(ProgressEntry(1, "cumulative_percent", D("90")),), final=True)
    assert (error.code, error.line_id) == ("final_not_100", 1)


def test_missing_index_names_it() -> None:
    settings = Settings(indices=(RevisionIndex("BT01", D("0.875"), D("130")),))
    entries = (ProgressEntry(1, "cumulative_percent", D("10")),)
    error = refused(entries=entries, settings=settings)
    assert (error.code, error.field, error.params) == (
        "missing_index",
        "index_values",
        {"name": "BT01"},
    )
    error = refused(entries=entries, settings=settings, index_values={"TP01": D("1")})
    assert error.params == {"name": "BT01"}


def test_manual_deduction_above_the_remaining_balance() -> None:
    settings = Settings(down_payment_deduction="manual")
    deposit = down_payment(base=BASE, amount=D("1000.00"), settings=settings)
    history = history_after(History(), deposit, invoice_id=5, number="FA-1")
    entries = (ProgressEntry(1, "cumulative_percent", D("50")),)
    first = progress(
        base=BASE,
        history=history,
        entries=entries,
        settings=settings,
        manual_deduction=D("600.00"),
    )
    assert first.down_payment_deduction == D("600.00")
    error = refused(
        history=history_after(history, first),
        entries=entries,
        settings=settings,
        manual_deduction=D("400.01"),
    )
    assert (error.code, error.field) == ("deduction_above_balance", "down_payment_deduction")
    assert error.params == {"amount": D("400.01"), "balance": D("400.00")}
    error = refused(
        history=history_after(history, first),
        settings=settings,
        manual_deduction=D("-600.01"),
    )
    assert error.code == "deduction_below_zero"


def test_manual_deduction_outside_the_manual_mode() -> None:
    error = refused(manual_deduction=D("1.00"))
    assert (error.code, error.field) == ("manual_deduction_not_allowed", "down_payment_deduction")


@pytest.mark.parametrize("percent", ["0", "-1", "100.01"])
def test_down_payment_percent_out_of_range(percent: str) -> None:
    with pytest.raises(BillingError) as caught:
        down_payment(base=BASE, percent=D(percent), settings=DEFAULT)
    assert (caught.value.code, caught.value.field) == ("invalid_percent", "percent")


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_down_payment_amount_not_positive(amount: str) -> None:
    with pytest.raises(BillingError) as caught:
        down_payment(base=BASE, amount=D(amount), settings=DEFAULT)
    assert (caught.value.code, caught.value.field) == ("invalid_amount", "amount")


def test_down_payment_needs_one_of_percent_and_amount() -> None:
    with pytest.raises(BillingError) as caught:
        down_payment(base=BASE, settings=DEFAULT)
    assert caught.value.code == "percent_or_amount"
    with pytest.raises(BillingError) as caught:
        down_payment(base=BASE, percent=D("10"), amount=D("10"), settings=DEFAULT)
    assert caught.value.code == "percent_or_amount"


def test_settings_refused() -> None:
    assert refused(settings=Settings(retention_rate=D("5.01"))).code == "retention_rate"
    assert refused(settings=Settings(retention_rate=D("-1"))).code == "retention_rate"
    error = refused(settings=Settings(down_payment_deduction="sometimes"))
    assert (error.code, error.field) == ("unknown_setting", "down_payment_deduction")
    assert refused(settings=Settings(revision_rounding="2up")).code == "unknown_setting"


def test_negative_other_deduction() -> None:
    error = refused(deductions=(Deduction("Pénalités", D("-1.00"), "penalty"),))
    assert (error.code, error.field) == ("negative_deduction", "deductions")


def test_down_payment_history_needs_its_invoice_id() -> None:
    deposit = down_payment(base=BASE, percent=D("10"), settings=DEFAULT)
    with pytest.raises(BillingError) as caught:
        history_after(History(), deposit)
    assert caught.value.code == "missing_invoice_id"
