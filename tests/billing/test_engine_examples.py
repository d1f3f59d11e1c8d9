"""The worked examples of french-rules §1–§5 and §7.6, to the cent, through the billing
engine (no database)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from chantier.billing.engine import (
    BaseLine,
    Deduction,
    History,
    InvoiceDraft,
    ProgressEntry,
    RevisionIndex,
    Settings,
    VatLine,
    advance_repayment_cumulative,
    down_payment,
    history_after,
    progress,
)

D = Decimal
DEFAULT = Settings()
NO_RETENTION = Settings(retention_rate=D("0.00"))

# french-rules §1.4: the contract (HT), every line at 20 %.
L1 = BaseLine(1, "Terrassement", "ft", D("1.000"), D("10000.00"), D("10000.00"), D("20.00"), True)
L2 = BaseLine(2, "Maçonnerie", "m²", D("250.000"), D("80.00"), D("20000.00"), D("20.00"), True)
L3 = BaseLine(3, "Enduit", "m²", D("120.000"), D("25.50"), D("3060.00"), D("20.00"), True)
L4 = BaseLine(
    4, "Mur supplémentaire", "ft", D("1.000"), D("2500.00"), D("2500.00"), D("20.00"), True
)
CONTRACT = (L1, L2, L3)
WITH_AVENANT = (L1, L2, L3, L4)


def entry(line_id: int, mode: str, value: str) -> ProgressEntry:
    return ProgressEntry(line_id, mode, D(value))


SIT1 = (
    entry(1, "cumulative_percent", "50"),
    entry(2, "cumulative_quantity", "100"),
    entry(3, "relative_quantity", "0"),
)
SIT2 = (
    entry(1, "cumulative_percent", "100"),
    entry(2, "cumulative_quantity", "187.5"),
    entry(3, "relative_quantity", "30"),
)


def work_nets(draft: InvoiceDraft) -> list[Decimal]:
    return [line.net for line in draft.lines if line.kind == "work"]


def work_cumulatives(draft: InvoiceDraft) -> list[Decimal]:
    return [line.cumulative_amount for line in draft.lines if line.kind == "work"]


def two_situations(
    settings: Settings = DEFAULT, history: History | None = None
) -> tuple[InvoiceDraft, InvoiceDraft, History]:
    first = progress(base=CONTRACT, history=history or History(), entries=SIT1, settings=settings)
    after_first = history_after(history or History(), first)
    second = progress(base=CONTRACT, history=after_first, entries=SIT2, settings=settings)
    return first, second, history_after(after_first, second)


# --- §1 progress statements -----------------------------------------------------------------


def test_1a_mixed_modes() -> None:
    first, second, _ = two_situations()
    assert work_cumulatives(first) == [D("5000.00"), D("8000.00"), D("0.00")]
    assert first.works_net == first.net == D("13000.00")
    assert work_cumulatives(second) == [D("10000.00"), D("15000.00"), D("765.00")]
    assert work_nets(second) == [D("5000.00"), D("7000.00"), D("765.00")]
    assert second.works_net == second.net == D("12765.00")
    assert second.works_net_cumulative == D("25765.00")
    assert [line.cumulative_percent for line in second.lines] == [
        D("100.0000"),
        D("75.0000"),
        D("25.0000"),
    ]
    assert [line.quantity for line in second.lines] == [D("0.500"), D("87.500"), D("30.000")]
    assert first.type_code == second.type_code == "380"


def test_1a_relative_percent_variant_gives_the_same_result() -> None:
    first = progress(base=CONTRACT, history=History(), entries=SIT1, settings=DEFAULT)
    history = history_after(History(), first)
    second = progress(
        base=CONTRACT,
        history=history,
        entries=(
            entry(1, "relative_percent", "50"),
            entry(2, "relative_percent", "35"),
            entry(3, "relative_percent", "25"),
        ),
        settings=DEFAULT,
    )
    assert work_nets(second) == [D("5000.00"), D("7000.00"), D("765.00")]
    assert second.net == D("12765.00")


def test_1b_avenant_and_negative_correction() -> None:
    _, _, history = two_situations()
    third = progress(
        base=WITH_AVENANT,
        history=history,
        entries=(
            entry(1, "cumulative_percent", "100"),
            entry(2, "cumulative_quantity", "175"),
            entry(3, "cumulative_quantity", "60"),
            entry(4, "cumulative_percent", "40"),
        ),
        settings=DEFAULT,
    )
    assert work_cumulatives(third) == [D("10000.00"), D("14000.00"), D("1530.00"), D("1000.00")]
    assert work_nets(third) == [D("0.00"), D("-1000.00"), D("765.00"), D("1000.00")]
    assert third.net == D("765.00")
    assert third.works_net_cumulative == D("26530.00")
    assert third.global_percent == D("74.61")
    assert third.type_code == "380"


def test_1b_variant_only_the_correction_is_a_credit_note() -> None:
    _, _, history = two_situations()
    third = progress(
        base=WITH_AVENANT,
        history=history,
        entries=(entry(2, "cumulative_quantity", "175"),),
        settings=DEFAULT,
    )
    assert third.net == D("-1000.00")
    assert third.vat == (VatLine(D("20.00"), D("-1000.00"), D("-200.00"), "S"),)
    assert third.gross == D("-1200.00")
    assert third.type_code == "381"
    assert third.kind == "progress"
    assert "credit_note" in [w.code for w in third.warnings]
    # The retention follows the lower cumulative down (french-rules §2.5).
    assert third.retention == D("-60.00")


def test_1c_no_rounding_drift() -> None:
    base = (BaseLine(1, "Poste", "ft", D("1.000"), D("100.00"), D("100.00"), D("20.00"), True),)
    history = History()
    deltas = []
    for value in ("33.3333", "33.3333", "33.3334"):
        draft = progress(
            base=base,
            history=history,
            entries=(entry(1, "relative_percent", value),),
            settings=DEFAULT,
        )
        deltas.append(draft.works_net)
        history = history_after(history, draft)
    assert deltas == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(deltas) == D("100.00")


def test_global_percent_puts_the_residue_on_the_last_line() -> None:
    base = tuple(
        BaseLine(i, f"Poste {i}", "ft", D("1.000"), D("33.33"), D("33.33"), D("20.00"), True)
        for i in (1, 2, 3)
    )
    draft = progress(base=base, history=History(), global_percent=D("50"), settings=DEFAULT)
    # round2(16.665) = 16.67 per line; Σ = round2(99.99 × 50 %) = 50.00 (not 50.01).
    assert work_cumulatives(draft) == [D("16.67"), D("16.67"), D("16.66")]
    assert draft.works_net == D("50.00")
    assert [line.cumulative_percent for line in draft.lines] == [D("50.0000")] * 3


# --- §2 retention ---------------------------------------------------------------------------


def test_2a_retention_on_gross() -> None:
    first, second, history = two_situations()
    assert (first.vat_total, first.gross) == (D("2600.00"), D("15600.00"))
    assert (second.vat_total, second.gross) == (D("2553.00"), D("15318.00"))
    assert first.works_gross_cumulative == D("15600.00")
    assert second.works_gross_cumulative == D("30918.00")
    assert (first.retention_cumulative, first.retention) == (D("780.00"), D("780.00"))
    assert (second.retention_cumulative, second.retention) == (D("1545.90"), D("765.90"))
    assert (first.payable, second.payable) == (D("14820.00"), D("14552.10"))
    assert (first.net, first.gross) == (D("13000.00"), D("15600.00"))  # not a discount
    assert history.retention_cumulative == D("1545.90")


def test_2a_retention_on_net_variant() -> None:
    first, _, _ = two_situations(Settings(retention_base="net"))
    assert first.works_gross == D("13000.00")
    assert first.retention == D("650.00")
    assert first.payable == D("14950.00")


# --- §3 down payments and advances ------------------------------------------------------------


def test_3a_down_payment_and_prorata_deduction() -> None:
    deposit = down_payment(base=CONTRACT, percent=D("30"), settings=DEFAULT)
    assert (deposit.type_code, deposit.kind) == ("386", "down_payment")
    assert deposit.net == D("9918.00")
    assert deposit.vat == (VatLine(D("20.00"), D("9918.00"), D("1983.60"), "S"),)
    assert deposit.gross == deposit.payable == D("11901.60")
    assert deposit.retention == D("0.00")
    history = history_after(History(), deposit, invoice_id=7, number="FA2026-00001")

    first, second, _ = two_situations(history=history)
    deductions = [line for line in first.lines if line.kind == "deduction_of_down_payment"]
    assert [(d.net, d.vat_rate, d.down_payment_invoice_id) for d in deductions] == [
        (D("-3900.00"), D("20.00"), 7)
    ]
    assert (first.down_payment_deduction, second.down_payment_deduction) == (
        D("3900.00"),
        D("3829.50"),
    )
    assert second.down_payment_deduction_cumulative == D("7729.50")
    # Situation 1 invoice: option 1 (negative line) + retention 5 % on the works TTC.
    assert first.works_net == D("13000.00")
    assert first.net == D("9100.00")
    assert first.vat_total == D("1820.00")
    assert first.gross == D("10920.00")
    assert first.works_gross == D("15600.00")
    assert first.retention == D("780.00")
    assert first.payable == D("10140.00")


def test_7_6_en16931_amounts_of_3a_situation_1() -> None:
    deposit = down_payment(base=CONTRACT, percent=D("30"), settings=DEFAULT)
    history = history_after(History(), deposit, invoice_id=7, number="FA2026-00001")
    first = progress(base=CONTRACT, history=history, entries=SIT1, settings=DEFAULT)
    assert (first.type_code, first.framework) == ("380", "S1")
    assert sum(line.net for line in first.lines) == D("9100.00")  # BT-106
    assert first.net == D("9100.00")  # BT-109
    assert first.vat == (VatLine(D("20.00"), D("9100.00"), D("1820.00"), "S"),)  # BG-23
    assert first.vat_total == D("1820.00")  # BT-110
    assert first.gross == D("10920.00")  # BT-112 = BT-115: the retention is not a payment
    assert (first.retention, first.payable) == (D("780.00"), D("10140.00"))
    for line in first.lines:  # BR-27: no negative price
        assert line.unit_price >= 0


def test_3b_advance_10_percent_between_65_and_80() -> None:
    executed = ["400000.00", "500000.00", "560000.00", "600000.00", "700000.00"]
    cumulative = [
        advance_repayment_cumulative(
            advance=D("72000.00"), contract_gross=D("720000.00"), executed_gross=D(p)
        )
        for p in executed
    ]
    assert cumulative == [D("0.00"), D("21333.33"), D("61333.33"), D("72000.00"), D("72000.00")]
    repayments = [b - a for a, b in zip([D("0.00"), *cumulative], cumulative, strict=False)]
    assert repayments == [D("0.00"), D("21333.33"), D("40000.00"), D("10666.67"), D("0.00")]
    assert sum(repayments) == D("72000.00")


def test_3c_advance_above_30_percent_starts_at_the_first_payment() -> None:
    cumulative = [
        advance_repayment_cumulative(
            advance=D("40000.00"), contract_gross=D("100000.00"), executed_gross=D(p)
        )
        for p in ("20000", "40000", "80000", "100000")
    ]
    assert cumulative == [D("10000.00"), D("20000.00"), D("40000.00"), D("40000.00")]
    explicit = advance_repayment_cumulative(
        advance=D("40000.00"),
        contract_gross=D("100000.00"),
        executed_gross=D("20000"),
        start=D("0"),
    )
    assert explicit == D("10000.00")


def test_3d_public_etat_d_acompte() -> None:
    base = (BaseLine(1, "Marché", "ft", D("1.000"), D("600000.00"), D("600000.00"), D("20"), True),)
    settings = Settings(
        revision_fixed_part=D("0.125"),
        indices=(RevisionIndex("BT01", D("0.875"), D("130.0")),),
    )
    # Previous décompte: 390 000.00 HT at initial prices (65 %); a retention base so far
    # of 480 000.00 TTC with its retention 24 000.00.
    previous = progress(
        base=base,
        history=History(),
        entries=(entry(1, "cumulative_percent", "65"),),
        settings=Settings(),
    )
    history = replace(
        history_after(History(), previous),
        works_gross_cumulative=D("480000.00"),
        retention_cumulative=D("24000.00"),
    )
    precompte = advance_repayment_cumulative(
        advance=D("72000.00"), contract_gross=D("720000.00"), executed_gross=D("540000.00")
    ) - advance_repayment_cumulative(
        advance=D("72000.00"), contract_gross=D("720000.00"), executed_gross=D("468000.00")
    )
    assert precompte == D("48000.00")
    draft = progress(
        base=base,
        history=history,
        entries=(entry(1, "cumulative_percent", "75"),),
        settings=settings,
        index_values={"BT01": D("134.5")},
        deductions=(Deduction("Remboursement de l'avance", precompte, "advance", "gross"),),
    )
    assert draft.works_net == D("60000.00")
    assert draft.revision_coefficient == D("1.031")
    assert draft.revision_net == D("1860.00")
    assert draft.net == D("61860.00")
    assert draft.vat_total == D("12372.00")
    assert draft.gross == D("74232.00")
    assert draft.retention == D("3711.60")
    assert draft.deductions_total == D("48000.00")
    assert draft.payable == D("22520.40")


# --- §4 revision on a statement ------------------------------------------------------------


def test_4a_revision_lines_on_situation_2() -> None:
    cases = [
        (D("0.125"), (RevisionIndex("BT01", D("0.875"), D("130.0")),), "3up", "1.031", "395.72"),
        (D("0.125"), (RevisionIndex("BT01", D("0.875"), D("130.0")),), "4half", "1.0303", "386.78"),
        (D("0"), (RevisionIndex("BT01", D("1"), D("130.0")),), "3up", "1.035", "446.78"),
    ]
    for fixed, indices, rounding, coefficient, revision in cases:
        settings = Settings(revision_fixed_part=fixed, indices=indices, revision_rounding=rounding)
        first = progress(
            base=CONTRACT,
            history=History(),
            entries=SIT1,
            settings=settings,
            index_values={"BT01": D("130.0")},
        )
        assert first.revision_coefficient == D("1.000")
        assert first.revision_net == D("0.00")
        second = progress(
            base=CONTRACT,
            history=history_after(History(), first),
            entries=SIT2,
            settings=settings,
            index_values={"BT01": D("134.5")},
        )
        revisions = [line for line in second.lines if line.kind == "revision"]
        assert second.revision_coefficient == D(coefficient)
        assert [(r.net, r.vat_rate) for r in revisions] == [(D(revision), D("20.00"))]
        assert second.net == D("12765.00") + D(revision)
        # The retention base includes the revision (billing.md "Retention").
        assert second.works_gross == second.gross


# --- §5 VAT ---------------------------------------------------------------------------------


def test_5a_three_rates() -> None:
    base = (
        BaseLine(
            1, "Remplacement fenêtres", "ft", D("1"), D("10000.00"), D("10000.00"), D("10"), True
        ),
        BaseLine(2, "Isolation combles", "ft", D("1"), D("4000.00"), D("4000.00"), D("5.5"), True),
        BaseLine(3, "Local commercial", "ft", D("1"), D("1500.00"), D("1500.00"), D("20"), True),
    )
    draft = progress(base=base, history=History(), global_percent=D("100"), settings=DEFAULT)
    assert draft.vat == (
        VatLine(D("20.00"), D("1500.00"), D("300.00"), "S"),
        VatLine(D("10.00"), D("10000.00"), D("1000.00"), "S"),
        VatLine(D("5.50"), D("4000.00"), D("220.00"), "S"),
    )
    assert (draft.net, draft.vat_total, draft.gross) == (
        D("15500.00"),
        D("1520.00"),
        D("17020.00"),
    )


def test_5b_vat_per_rate_not_per_line() -> None:
    base = tuple(
        BaseLine(i, f"Ligne {i}", "u", D("1.000"), D("33.33"), D("33.33"), D("10.00"), True)
        for i in (1, 2, 3)
    )
    draft = progress(base=base, history=History(), global_percent=D("100"), settings=DEFAULT)
    assert draft.vat == (VatLine(D("10.00"), D("99.99"), D("10.00"), "S"),)
    assert draft.gross == D("109.99")


def test_5c_reverse_charge() -> None:
    base = (BaseLine(1, "Sous-traitance", "ft", D("1"), D("8000.00"), D("8000.00"), D("20"), True),)
    draft = progress(
        base=base,
        history=History(),
        global_percent=D("100"),
        settings=Settings(reverse_charge=True, retention_rate=D("0")),
    )
    assert draft.vat == (VatLine(D("0.00"), D("8000.00"), D("0.00"), "AE"),)
    assert (draft.net, draft.vat_total, draft.gross, draft.payable) == (
        D("8000.00"),
        D("0.00"),
        D("8000.00"),
        D("8000.00"),
    )
    assert [line.vat_rate for line in draft.lines] == [D("0.00")]
