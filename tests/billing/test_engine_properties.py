"""Properties of the billing engine on generated contracts and statement sequences
(hypothesis, no database).

Random contracts (1–30 lines, VAT 20 / 10 / 5.5, lump-sum and unit-price lines, now and
then a negative change-order line) get random sequences of down payments and
statements with mixed entry modes, global percentages and corrections downwards, each
draft folded into the next History with `history_after`, then a final invoice. Checked:
Σ deltas = cumulative per line; after the final, Σ works billed = Σ base exactly and
Σ down-payment deductions = Σ down payments (every deduction mode); cumulative retention
= round2(rate × cumulative base); VAT per rate = round2(base × rate); net = Σ line nets;
gross = net + Σ VAT; payable = gross − retention − deductions; a full credit note negates
a document exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chantier.billing.engine import (
    BaseLine,
    Deduction,
    History,
    InvoiceDraft,
    ProgressEntry,
    RevisionIndex,
    Settings,
    credit_note,
    down_payment,
    history_after,
    progress,
)
from chantier.core.money import round2, round3, round4

D = Decimal
ZERO = D("0.00")
HUNDRED = D(100)
RATES = (D("20.00"), D("10.00"), D("5.50"))
MODES = ("cumulative_percent", "relative_percent", "cumulative_quantity", "relative_quantity")
PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def base_lines(draw: st.DrawFn) -> tuple[BaseLine, ...]:
    count = draw(st.integers(min_value=1, max_value=30))
    lines = []
    for line_id in range(1, count + 1):
        lump_sum = draw(st.booleans())
        rate = draw(st.sampled_from(RATES))
        if draw(st.integers(min_value=0, max_value=15)) == 0:  # a moins-value line
            amount = -draw(st.decimals(min_value=D("1.00"), max_value=D("500.00"), places=2))
            lines.append(BaseLine(line_id, "Moins-value", "ft", ZERO, ZERO, amount, rate, True))
            continue
        if lump_sum and draw(st.booleans()):
            amount = draw(st.decimals(min_value=D("1.00"), max_value=D("100000.00"), places=2))
            lines.append(BaseLine(line_id, "Forfait", "ft", ZERO, ZERO, amount, rate, True))
            continue
        quantity = draw(st.decimals(min_value=D("1.000"), max_value=D("1000.000"), places=3))
        price = draw(st.decimals(min_value=D("1.00"), max_value=D("5000.00"), places=2))
        lines.append(
            BaseLine(
                line_id, "Poste", "u", quantity, price, round2(quantity * price), rate, lump_sum
            )
        )
    return tuple(lines)


contract_settings = st.builds(
    Settings,
    retention_rate=st.decimals(min_value=ZERO, max_value=D("5.00"), places=2),
    retention_base=st.sampled_from(["gross", "net"]),
    retention_on=st.sampled_from(["every_invoice", "every_invoice", "final_only"]),
    down_payment_deduction=st.sampled_from(["prorata", "first", "manual", "at_final"]),
    revision_fixed_part=st.just(D("0.125")),
    revision_rounding=st.sampled_from(["3up", "4half", "none"]),
    indices=st.sampled_from([(), (RevisionIndex("BT01", D("0.875"), D("130.0")),)]),
    reverse_charge=st.integers(min_value=0, max_value=5).map(lambda n: n == 0),
)


@dataclass
class Ledger:
    """What the test itself adds up over the issued documents."""

    history: History = field(default_factory=History)
    drafts: list[InvoiceDraft] = field(default_factory=list)
    deltas: dict[int, Decimal] = field(default_factory=dict)
    down_payments: Decimal = ZERO
    deducted: Decimal = ZERO
    works: Decimal = ZERO


def check_document(draft: InvoiceDraft, contract: Settings) -> None:
    assert draft.net == sum((line.net for line in draft.lines), ZERO)
    assert draft.vat_total == sum((v.amount for v in draft.vat), ZERO)
    assert draft.gross == draft.net + draft.vat_total
    assert draft.payable == draft.gross - draft.retention - draft.deductions_total
    assert [v.rate for v in draft.vat] == sorted({v.rate for v in draft.vat}, reverse=True)
    for vat in draft.vat:
        assert vat.base == sum(
            (line.net for line in draft.lines if line.vat_rate == vat.rate), ZERO
        )
        if contract.reverse_charge:
            assert (vat.rate, vat.amount, vat.category) == (ZERO, ZERO, "AE")
        else:
            assert vat.amount == round2(vat.base * vat.rate / HUNDRED)
            assert vat.category == "S"
    for line in draft.lines:
        if line.kind in ("work", "deduction_of_down_payment"):
            assert line.net == line.cumulative_amount - line.previous_amount
        assert line.unit_price >= 0 or line.kind == "work"
    is_credit = draft.gross < 0 or (draft.gross == 0 and draft.net < 0)
    assert draft.type_code == ("381" if is_credit else "380") or draft.kind == "down_payment"
    if draft.type_code == "381":
        return  # already a credit note: it cannot be credited
    # A full credit note negates the document exactly.
    credit = credit_note(invoice=draft)
    assert (credit.net, credit.vat_total, credit.gross, credit.retention, credit.payable) == (
        -draft.net,
        -draft.vat_total,
        -draft.gross,
        -draft.retention,
        -(draft.gross - draft.retention),
    )


def check_statement(draft: InvoiceDraft, ledger: Ledger, contract: Settings, final: bool) -> None:
    check_document(draft, contract)
    works = [line for line in draft.lines if line.kind == "work"]
    assert draft.works_net == sum((line.net for line in works), ZERO)
    for line in works:
        assert line.line_id is not None
        ledger.deltas[line.line_id] = ledger.deltas.get(line.line_id, ZERO) + line.net
    if contract.retention_on == "every_invoice" or final:
        assert draft.retention_cumulative == round2(
            contract.retention_rate * draft.works_gross_cumulative / HUNDRED
        )
    else:
        assert draft.retention_cumulative == ZERO
    assert ZERO <= draft.down_payment_deduction_cumulative <= ledger.down_payments
    ledger.deducted += draft.down_payment_deduction
    ledger.works += draft.works_net
    ledger.history = history_after(ledger.history, draft)
    ledger.drafts.append(draft)
    # Σ deltas = cumulative per line, and the History agrees.
    for previous in ledger.history.lines:
        assert ledger.deltas[previous.line_id] == previous.cumulative_amount
    assert ledger.history.works_net_cumulative == ledger.works
    assert sum((d.amount for d in ledger.history.deducted), ZERO) == ledger.deducted


def draw_entries(
    data: st.DataObject, base: tuple[BaseLine, ...], history: History
) -> tuple[ProgressEntry, ...]:
    previous = {line.line_id: line for line in history.lines}
    chosen = data.draw(st.lists(st.sampled_from(base), unique_by=lambda line: line.line_id))
    entries = []
    for line in chosen:
        prev = previous.get(line.line_id)
        prev_percent = prev.cumulative_percent if prev else ZERO
        prev_quantity = prev.cumulative_quantity if prev else ZERO
        modes = MODES if line.quantity > 0 else MODES[:2]
        mode = data.draw(st.sampled_from(modes))
        top = HUNDRED if line.lump_sum else D(120)
        if mode in ("cumulative_percent", "relative_percent"):
            percent = round4(data.draw(st.decimals(min_value=0, max_value=top, places=4)))
            value = percent if mode == "cumulative_percent" else percent - prev_percent
        else:
            limit = round3(line.quantity * top / HUNDRED)
            quantity = data.draw(st.decimals(min_value=0, max_value=limit, places=3))
            value = quantity if mode == "cumulative_quantity" else quantity - prev_quantity
        entries.append(ProgressEntry(line.line_id, mode, value))
    return tuple(entries)


@PROPERTIES
@given(base=base_lines(), contract=contract_settings, data=st.data())
def test_statement_sequences(
    base: tuple[BaseLine, ...], contract: Settings, data: st.DataObject
) -> None:
    base_net = sum((line.net for line in base), ZERO)
    assume(base_net > 0)
    ledger = Ledger()
    index_values = {"BT01": D("134.5")}
    steps = data.draw(st.lists(st.sampled_from(["dp", "stmt", "stmt", "global"]), max_size=6))
    for step in steps:
        if step == "dp":
            if len(ledger.history.down_payments) >= 2:
                continue
            percent = data.draw(st.decimals(min_value=D("1"), max_value=D("30"), places=2))
            deposit = down_payment(base=base, percent=percent, settings=contract)
            check_document(deposit, contract)
            assert deposit.net == round2(base_net * percent / HUNDRED)
            assert deposit.retention == ZERO
            invoice_id = len(ledger.history.down_payments) + 100
            ledger.history = history_after(
                ledger.history, deposit, invoice_id=invoice_id, number=f"FA-{invoice_id}"
            )
            ledger.down_payments += deposit.net
            continue
        manual = None
        if contract.down_payment_deduction == "manual" and data.draw(st.booleans()):
            already = sum((d.amount for d in ledger.history.deducted), ZERO)
            manual = data.draw(
                st.decimals(min_value=-already, max_value=ledger.down_payments - already, places=2)
            )
        global_percent = None
        entries: tuple[ProgressEntry, ...] = ()
        if step == "global":
            top = HUNDRED if any(line.lump_sum for line in base) else D(120)
            global_percent = data.draw(st.decimals(min_value=0, max_value=top, places=4))
        else:
            entries = draw_entries(data, base, ledger.history)
        draft = progress(
            base=base,
            history=ledger.history,
            entries=entries,
            global_percent=global_percent,
            settings=contract,
            index_values=index_values,
            manual_deduction=manual,
            deductions=(Deduction("Compte prorata", D("10.00"), "prorata_account"),),
        )
        if global_percent is not None:
            assert draft.works_net_cumulative == round2(base_net * global_percent / HUNDRED)
        assert draft.global_percent == round2(draft.works_net_cumulative * HUNDRED / base_net)
        check_statement(draft, ledger, contract, final=False)

    final = progress(
        base=base, history=ledger.history, settings=contract, index_values=index_values, final=True
    )
    check_statement(final, ledger, contract, final=True)
    assert ledger.works == base_net  # Σ works billed = Σ base, exactly
    assert final.global_percent == D("100.00")
    assert ledger.deducted == ledger.down_payments  # every mode
    per_pair = {(d.invoice_id, d.rate): d.amount for d in ledger.history.deducted}
    for dp in ledger.history.down_payments:
        for net in dp.nets:
            rate = ZERO if contract.reverse_charge else net.rate
            assert per_pair[(dp.invoice_id, rate)] == net.amount
    assert final.retention_cumulative == round2(
        contract.retention_rate * final.works_gross_cumulative / HUNDRED
    )
