"""The pure décompte engine: release dates (french-rules 2.B), late interest (6.B), and
properties of the running balance over random histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from chantier.billing import engine_account as account
from chantier.billing.engine_rules import due_date


def test_example_2b_release_dates() -> None:
    handover = date(2026, 3, 16)
    assert account.release_date([handover], warranty_months=12, public=False) == date(2027, 3, 16)
    assert account.release_date([handover], warranty_months=12, public=True) == date(2027, 4, 15)
    # several invoices: from the latest handover date (seed 002)
    assert account.release_date(
        [date(2026, 1, 10), None, handover], warranty_months=12, public=False
    ) == date(2027, 3, 16)
    assert account.release_date([None], warranty_months=12, public=False) is None


def test_example_6a_due_dates() -> None:
    invoiced = date(2026, 1, 15)
    assert due_date(invoice_date=invoiced, terms="60d") == date(2026, 3, 16)
    assert due_date(invoice_date=invoiced, terms="45d_eom") == date(2026, 3, 17)
    assert due_date(invoice_date=invoiced, terms="45d_then_eom") == date(2026, 3, 31)


def test_example_6b_late_interest() -> None:
    assert account.late_interest(unpaid=D("14820.00"), annual_rate=D("12.15"), days_late=30) == D(
        "148.00"
    )
    assert account.late_interest(unpaid=D("14820.00"), annual_rate=D("12.15"), days_late=0) == 0
    assert account.late_interest(unpaid=D("-5.00"), annual_rate=D("12.15"), days_late=10) == 0


AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
DAY0 = date(2026, 1, 1)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[account.AccountInvoice], list[account.AccountPayment]]:
    invoices: list[account.AccountInvoice] = []
    for index in range(draw(st.integers(0, 8))):
        gross = draw(AMOUNTS)
        retention = (gross * D("0.05")).quantize(D("0.01"))
        deductions = draw(st.sampled_from([D("0.00"), D("100.00")]))
        credit = bool(invoices) and draw(st.booleans())
        sign = -1 if credit else 1
        day = DAY0 + timedelta(days=draw(st.integers(0, 300)))
        invoices.append(
            account.AccountInvoice(
                id=index + 1,
                number=f"FA-{index + 1}",
                kind="progress",
                is_credit=credit,
                issue_date=day,
                due_date=day + timedelta(days=60),
                credited_invoice_id=invoices[0].id if credit else None,
                net=sign * (gross / D("1.2")).quantize(D("0.01")),
                vat=D("0"),
                gross=sign * gross,
                works_net=sign * (gross / D("1.2")).quantize(D("0.01")),
                retention=sign * retention,
                deductions=sign * deductions,
                payable=sign * (gross - retention - deductions),
            )
        )
    payable_ids = [i.id for i in invoices if not i.is_credit]
    payments = []
    for index in range(draw(st.integers(0, 6))):
        part = draw(st.sampled_from(["payable", "retention", "credit"]))
        if part != "credit" and not payable_ids:
            continue
        payments.append(
            account.AccountPayment(
                id=index + 1,
                invoice_id=None if part == "credit" else draw(st.sampled_from(payable_ids)),
                date=DAY0 + timedelta(days=draw(st.integers(0, 400))),
                amount=draw(AMOUNTS),
                applies_to=part,
            )
        )
    return invoices, payments


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_balance_adds_up_and_the_projection_ends_at_the_clients_credit(
    history: tuple[list[account.AccountInvoice], list[account.AccountPayment]],
) -> None:
    invoices, payments = history
    result = account.final_account(
        base_net=D("100000.00"),
        invoices=invoices,
        payments=payments,
        release_on=date(2027, 6, 1),
        today=date(2026, 6, 1),
    )
    summary = result.summary
    assert summary.billed_gross == sum((i.gross for i in invoices), D(0))
    assert summary.paid == sum((p.amount for p in payments), D(0))
    assert summary.left_to_pay == summary.billed_gross - summary.deductions - summary.paid
    assert summary.left_to_bill_net == summary.base_net - summary.works_billed_net
    last_past = result.past[-1].balance if result.past else D(0)
    assert last_past == -summary.left_to_pay
    for previous, entry in zip(result.past, result.past[1:], strict=False):
        assert entry.balance == previous.balance + entry.credit - entry.debit
    projected = result.upcoming[-1].balance if result.upcoming else last_past
    # Everything expected received, what remains is the money paid for no invoice: the
    # client's credit.
    assert projected == sum((p.amount for p in payments if p.applies_to == "credit"), D(0))


def _invoice(id: int, payable: str, **extra: object) -> account.AccountInvoice:
    values: dict[str, object] = {
        "id": id,
        "number": f"FA-{id}",
        "kind": "progress",
        "is_credit": False,
        "issue_date": DAY0,
        "due_date": DAY0 + timedelta(days=60),
        "credited_invoice_id": None,
        "net": D(payable),
        "vat": D("0"),
        "gross": D(payable),
        "works_net": D(payable),
        "retention": D("0"),
        "deductions": D("0"),
        "payable": D(payable),
    }
    values.update(extra)
    return account.AccountInvoice(**values)  # type: ignore[arg-type]


def test_a_credit_note_beyond_what_was_left_is_owed_back_never_overdue() -> None:
    invoice = _invoice(1, "1000.00")
    credit = _invoice(2, "-400.00", is_credit=True, credited_invoice_id=1, due_date=None)
    paid = account.AccountPayment(1, 1, DAY0, D("800.00"), "payable")
    result = account.final_account(
        base_net=D("1000.00"),
        invoices=[invoice, credit],
        payments=[paid],
        release_on=None,
        today=DAY0 + timedelta(days=90),
    )
    [refund] = result.upcoming
    assert (refund.kind, refund.debit, refund.overdue) == ("refund", D("200.00"), False)
    assert refund.balance == D("0.00")
    assert result.summary.left_to_pay == D("-200.00")


def test_money_paid_on_no_invoice_is_shown_apart() -> None:
    invoice = _invoice(1, "1000.00")
    payments = [
        account.AccountPayment(1, 1, DAY0, D("1000.00"), "payable"),
        account.AccountPayment(2, None, DAY0, D("50.00"), "credit"),
    ]
    result = account.final_account(
        base_net=D("1000.00"), invoices=[invoice], payments=payments, release_on=None, today=DAY0
    )
    assert (result.paid_on_invoices, result.unallocated) == (D("1000.00"), D("50.00"))
    assert result.summary.paid == D("1050.00")
