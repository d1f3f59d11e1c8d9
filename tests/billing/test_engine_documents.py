"""Down payments, deduction modes, final and supplementary invoices, retention options,
credit notes and the history fold of the billing engine (billing.md, french-rules §2, §3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chantier.billing.engine import (
    BaseLine,
    BillingError,
    History,
    InvoiceDraft,
    ProgressEntry,
    RateAmount,
    Settings,
    VatLine,
    credit_note,
    down_payment,
    history_after,
    progress,
    supplementary,
)

D = Decimal
L1 = BaseLine(1, "Terrassement", "ft", D("1.000"), D("10000.00"), D("10000.00"), D("20"), True)
L2 = BaseLine(2, "Maçonnerie", "m²", D("250.000"), D("80.00"), D("20000.00"), D("20"), True)
L3 = BaseLine(3, "Enduit", "m²", D("120.000"), D("25.50"), D("3060.00"), D("20"), True)
CONTRACT = (L1, L2, L3)
SIT1 = (
    ProgressEntry(1, "cumulative_percent", D("50")),
    ProgressEntry(2, "cumulative_quantity", D("100")),
)
SIT2 = (
    ProgressEntry(1, "cumulative_percent", D("100")),
    ProgressEntry(2, "cumulative_quantity", D("187.5")),
    ProgressEntry(3, "relative_quantity", D("30")),
)


def with_deposit(settings: Settings, percent: str = "30") -> History:
    deposit = down_payment(base=CONTRACT, percent=D(percent), settings=settings)
    return history_after(History(), deposit, invoice_id=7, number="FA2026-00001")


def run(
    settings: Settings, history: History, *steps: tuple[ProgressEntry, ...] | str
) -> tuple[list[InvoiceDraft], History]:
    """Issue one statement per step ("final" for the final invoice)."""
    drafts = []
    for step in steps:
        if step == "final":
            draft = progress(base=CONTRACT, history=history, settings=settings, final=True)
        else:
            assert not isinstance(step, str)
            draft = progress(base=CONTRACT, history=history, entries=step, settings=settings)
        drafts.append(draft)
        history = history_after(history, draft)
    return drafts, history


def deducted(drafts: list[InvoiceDraft]) -> list[Decimal]:
    return [draft.down_payment_deduction for draft in drafts]


# --- down payments --------------------------------------------------------------------------


def test_down_payment_split_by_rate_with_the_residue_on_the_largest_base() -> None:
    base = (
        BaseLine(1, "A", "ft", D("1"), D("10000.00"), D("10000.00"), D("10"), True),
        BaseLine(2, "B", "ft", D("1"), D("3333.33"), D("3333.33"), D("5.5"), True),
        BaseLine(3, "C", "ft", D("1"), D("3333.33"), D("3333.33"), D("20"), True),
    )
    deposit = down_payment(base=base, amount=D("1000.00"), settings=Settings())
    # 1000 × 10000 / 16666.66 = 600.0002 → 600.00; 199.9999 → 200.00 twice; Σ = 1000.00.
    assert [(line.vat_rate, line.net) for line in deposit.lines] == [
        (D("20.00"), D("200.00")),
        (D("10.00"), D("600.00")),
        (D("5.50"), D("200.00")),
    ]
    assert deposit.net == D("1000.00")
    assert deposit.vat_total == D("40.00") + D("60.00") + D("11.00")
    odd = down_payment(base=base, amount=D("0.05"), settings=Settings())
    assert [line.net for line in odd.lines] == [D("0.01"), D("0.03"), D("0.01")]


def test_down_payment_over_the_contract_warns() -> None:
    deposit = down_payment(
        base=CONTRACT,
        percent=D("40"),
        already=D("10000.00"),
        works_billed=D("10000.00"),
        settings=Settings(),
    )
    assert [w.code for w in deposit.warnings] == ["over_contract"]
    assert down_payment(base=CONTRACT, percent=D("40"), settings=Settings()).warnings == ()


def test_down_payment_under_reverse_charge() -> None:
    deposit = down_payment(base=CONTRACT, percent=D("10"), settings=Settings(reverse_charge=True))
    assert deposit.vat == (VatLine(D("0.00"), D("3306.00"), D("0.00"), "AE"),)
    assert deposit.gross == D("3306.00")


# --- deduction modes ------------------------------------------------------------------------


def test_prorata_follows_a_correction_down_and_the_final_deducts_the_remainder() -> None:
    settings = Settings()
    down = (ProgressEntry(2, "cumulative_quantity", D("50")),)
    drafts, history = run(settings, with_deposit(settings), SIT1, down, "final")
    # Cumulative works 13 000 → 9 000 → 33 060.
    assert deducted(drafts) == [D("3900.00"), D("-1200.00"), D("7218.00")]
    assert drafts[1].lines[-1].net == D("1200.00")  # a negative deduction gives back
    assert drafts[2].framework == "S4"
    assert sum(deducted(drafts)) == D("9918.00")
    assert history.deducted[0].amount == D("9918.00")


def test_first_mode_deducts_as_far_as_the_works_allow() -> None:
    settings = Settings(down_payment_deduction="first")
    small = (ProgressEntry(1, "cumulative_percent", D("50")),)
    back = (*small, ProgressEntry(2, "cumulative_quantity", D("0")))
    drafts, _ = run(settings, with_deposit(settings), small, SIT1, back, "final")
    assert deducted(drafts) == [D("5000.00"), D("4918.00"), D("-4918.00"), D("4918.00")]
    assert drafts[1].net == D("8000.00") - D("4918.00")


def test_at_final_mode() -> None:
    settings = Settings(down_payment_deduction="at_final")
    drafts, _ = run(settings, with_deposit(settings), SIT1, SIT2, "final")
    assert deducted(drafts) == [D("0.00"), D("0.00"), D("9918.00")]


def test_manual_mode_warns_when_nothing_is_deducted_past_the_threshold() -> None:
    settings = Settings(down_payment_deduction="manual")
    history = with_deposit(settings)
    quiet = progress(base=CONTRACT, history=history, entries=SIT1, settings=settings)
    assert quiet.warnings == ()  # 39.32 % ≤ 50 %
    late = progress(base=CONTRACT, history=history, entries=SIT2, settings=settings)
    assert [w.code for w in late.warnings] == ["no_deduction"]
    assert late.warnings[0].params == {"balance": D("9918.00"), "progress": D("77.93")}
    paid = progress(
        base=CONTRACT,
        history=history,
        entries=SIT2,
        settings=settings,
        manual_deduction=D("5000.00"),
    )
    assert paid.warnings == ()
    assert paid.down_payment_deduction == D("5000.00")
    final = progress(
        base=CONTRACT,
        history=history_after(history, paid),
        settings=settings,
        final=True,
    )
    assert final.down_payment_deduction == D("4918.00")


def test_deduction_is_split_per_down_payment_and_rate_without_drift() -> None:
    base = (
        BaseLine(1, "A", "ft", D("1"), D("10000.00"), D("10000.00"), D("20"), True),
        BaseLine(2, "B", "ft", D("1"), D("5000.00"), D("5000.00"), D("10"), True),
    )
    settings = Settings()
    history = History()
    for invoice_id, amount in ((1, "1000.00"), (2, "333.33")):
        deposit = down_payment(base=base, amount=D(amount), settings=settings)
        history = history_after(history, deposit, invoice_id=invoice_id, number=f"FA-{invoice_id}")
    assert history.down_payments[1].nets == (
        RateAmount(D("20.00"), D("222.22")),
        RateAmount(D("10.00"), D("111.11")),
    )
    total = D("0.00")
    for percent in ("13.3333", "47.7777", "47.1", "100"):
        draft = progress(
            base=base,
            history=history,
            global_percent=D(percent),
            settings=settings,
            final=percent == "100",
        )
        lines = [line for line in draft.lines if line.kind == "deduction_of_down_payment"]
        assert sum(line.net for line in lines) == -draft.down_payment_deduction
        for line in lines:
            assert line.net == line.cumulative_amount - line.previous_amount
        total += draft.down_payment_deduction
        history = history_after(history, draft)
    assert total == D("1333.33")
    assert sorted((d.invoice_id, d.rate, d.amount) for d in history.deducted) == [
        (1, D("10.00"), D("333.33")),
        (1, D("20.00"), D("666.67")),
        (2, D("10.00"), D("111.11")),
        (2, D("20.00"), D("222.22")),
    ]


# --- final, supplementary, retention options ---------------------------------------------------


def test_final_brings_lump_sums_to_100_and_unit_price_lines_to_their_quantities() -> None:
    unit = BaseLine(4, "Béton", "m³", D("10.000"), D("100.00"), D("1000.00"), D("20"), False)
    extra = BaseLine(5, "Acier", "kg", D("100.000"), D("2.00"), D("200.00"), D("20"), False)
    base = (*CONTRACT, unit, extra)
    final = progress(
        base=base,
        history=History(),
        entries=(ProgressEntry(4, "cumulative_quantity", D("12")),),
        settings=Settings(),
        final=True,
    )
    assert [line.cumulative_amount for line in final.lines] == [
        D("10000.00"),
        D("20000.00"),
        D("3060.00"),
        D("1200.00"),
        D("200.00"),
    ]
    assert final.kind == "final"
    assert final.framework == "S1"  # no down payment
    assert final.global_percent == D("100.58")


def test_retention_on_the_final_invoice_only() -> None:
    settings = Settings(retention_on="final_only")
    drafts, history = run(settings, History(), SIT1, SIT2, "final")
    assert [d.retention for d in drafts] == [D("0.00"), D("0.00"), D("1983.60")]
    assert history.retention_cumulative == D("1983.60")  # 5 % × 39 672.00
    assert drafts[2].works_gross_cumulative == D("39672.00")


def test_bank_guarantee_withholds_nothing() -> None:
    settings = Settings(retention_guarantee=True)
    drafts, _ = run(settings, History(), SIT1, "final")
    assert [d.retention for d in drafts] == [D("0.00"), D("0.00")]
    assert [d.payable for d in drafts] == [d.gross for d in drafts]


def test_supplementary_bills_only_the_lines_added_after_the_final() -> None:
    unit = BaseLine(4, "Béton", "m³", D("10.000"), D("100.00"), D("1000.00"), D("20"), False)
    base = (*CONTRACT, unit)
    settings = Settings()
    final = progress(
        base=base,
        history=History(),
        entries=(ProgressEntry(4, "cumulative_quantity", D("8")),),
        settings=settings,
        final=True,
    )
    history = history_after(History(), final)
    added = BaseLine(6, "Clôture", "ft", D("1"), D("1500.00"), D("1500.00"), D("10"), True)
    extra = supplementary(base=(*base, added), history=history, settings=settings)
    assert extra.kind == "supplementary"
    assert [line.net for line in extra.lines] == [D("0.00")] * 4 + [D("1500.00")]
    # no VAT row for 20 %: nothing moved at that rate (EN 16931 BR-S-08)
    assert extra.vat == (VatLine(D("10.00"), D("1500.00"), D("150.00"), "S"),)
    assert extra.retention == D("82.50")


# --- credit notes ----------------------------------------------------------------------------


def situation_1_with_deposit() -> tuple[InvoiceDraft, History]:
    settings = Settings()
    history = with_deposit(settings)
    first = progress(base=CONTRACT, history=history, entries=SIT1, settings=settings)
    return first, history_after(history, first)


def test_full_credit_note_negates_everything() -> None:
    first, history = situation_1_with_deposit()
    credit = credit_note(invoice=first, line_indexes=None)
    assert (credit.type_code, credit.kind) == ("381", "credit_note")
    assert [line.kind for line in credit.lines] == [line.kind for line in first.lines]
    assert [line.net for line in credit.lines] == [-line.net for line in first.lines]
    assert (credit.net, credit.vat_total, credit.gross) == (
        D("-9100.00"),
        D("-1820.00"),
        D("-10920.00"),
    )
    assert credit.retention == D("-780.00")
    assert credit.payable == D("-10140.00")
    assert credit.works_net == D("-13000.00")
    assert credit.down_payment_deduction == D("-3900.00")
    assert history_after(history, credit) == history  # never touches progress


def test_partial_credit_note_recomputes_vat_and_credits_retention_in_proportion() -> None:
    first, _ = situation_1_with_deposit()
    credit = credit_note(invoice=first, line_indexes=(1,))  # the 8 000.00 of line 2
    assert credit.vat == (VatLine(D("20.00"), D("-8000.00"), D("-1600.00"), "S"),)
    assert credit.works_gross == D("-9600.00")
    # 780.00 × 9 600.00 / 15 600.00 = 480.00
    assert credit.retention == D("-480.00")
    assert credit.payable == D("-9120.00")
    assert credit.lines[0].quantity == D("-100.000")


def test_credit_note_of_a_down_payment_is_a_503_and_lowers_it() -> None:
    settings = Settings()
    deposit = down_payment(base=CONTRACT, percent=D("30"), settings=settings)
    history = history_after(History(), deposit, invoice_id=7, number="FA-1")
    credit = credit_note(invoice=deposit, line_indexes=None)
    assert (credit.type_code, credit.net, credit.gross) == ("503", D("-9918.00"), D("-11901.60"))
    after = history_after(history, credit, invoice_id=7)
    assert after.down_payments[0].nets == (RateAmount(D("20.00"), D("0.00")),)
    draft = progress(base=CONTRACT, history=after, entries=SIT1, settings=settings)
    assert draft.down_payment_deduction == D("0.00")


def test_a_credit_note_cannot_be_credited_and_lines_must_exist() -> None:
    first, _ = situation_1_with_deposit()
    credit = credit_note(invoice=first)
    with pytest.raises(BillingError) as caught:
        credit_note(invoice=credit)
    assert caught.value.code == "credit_of_credit"
    for indexes in ((), (0, 0), (9,)):
        with pytest.raises(BillingError):
            credit_note(invoice=first, line_indexes=indexes)
