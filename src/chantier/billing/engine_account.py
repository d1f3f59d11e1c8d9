"""The décompte général of a contract, retention release dates and late interest.

Pure: no Django, Decimal in and out (billing.md "Payments and the décompte général",
seed 002 "Décompte général", french-rules §2.6 B and §6.4 B).

Signs: credit notes carry negative amounts (they are stored so). The running balance
starts at 0; an invoice debits it by what it asks for (gross − deductions below the gross:
the retention is owed too, only later), a payment or a credit note credits it. So the last
past entry's balance is −left_to_pay, and the upcoming entries (the unpaid part of each
invoice at its due date, the retention at its release date) bring it back to 0, or to the
client's credit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from chantier.billing.engine_rules import add_months
from chantier.billing.engine_types import HUNDRED, ZERO
from chantier.core.money import round2

DAYS_IN_YEAR = Decimal(365)
PUBLIC_REFUND_DAYS = 30  # CCP R2191-35: refund within 30 days of the warranty's end

# Entry kinds
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PAYMENT = "payment"
RETENTION_PAYMENT = "retention_payment"
CLIENT_CREDIT = "client_credit"
GUARANTEE_END = "guarantee_end"
DUE = "due"  # upcoming: what is left of an invoice at its due date
REFUND = "refund"  # upcoming: credited beyond what was left, owed back to the client
RELEASE = "release"  # upcoming: the retention held, at its release date

PAYABLE = "payable"
RETENTION = "retention"
CREDIT = "credit"


@dataclass(frozen=True)
class AccountInvoice:
    id: int
    number: str
    kind: str
    is_credit: bool
    issue_date: date
    due_date: date | None
    credited_invoice_id: int | None
    net: Decimal
    vat: Decimal
    gross: Decimal
    works_net: Decimal
    retention: Decimal
    deductions: Decimal
    payable: Decimal


@dataclass(frozen=True)
class AccountPayment:
    id: int
    invoice_id: int | None
    date: date
    amount: Decimal
    applies_to: str  # "payable", "retention" or "credit"
    method: str = ""
    reference: str = ""


@dataclass(frozen=True)
class AccountEvent:
    """A recorded event without money of its own (a bank guarantee released)."""

    id: int
    date: date
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Summary:
    base_net: Decimal
    works_billed_net: Decimal
    left_to_bill_net: Decimal
    billed_net: Decimal
    billed_gross: Decimal
    retention_held: Decimal
    deductions: Decimal
    paid: Decimal
    left_to_pay: Decimal


@dataclass(frozen=True)
class InvoiceRow:
    invoice: AccountInvoice
    progress_percent: Decimal  # works billed to date / billing base, after this invoice
    paid_payable: Decimal
    paid_retention: Decimal
    left_payable: Decimal  # of the payable part, credit notes against it deducted

    @property
    def paid(self) -> Decimal:
        return self.paid_payable + self.paid_retention


@dataclass(frozen=True)
class Entry:
    date: date | None
    kind: str
    reference: str
    invoice_id: int | None
    debit: Decimal
    credit: Decimal
    balance: Decimal
    overdue: bool = False
    source_id: int | None = None


@dataclass(frozen=True)
class FinalAccount:
    summary: Summary
    invoices: tuple[InvoiceRow, ...]
    past: tuple[Entry, ...]
    upcoming: tuple[Entry, ...]
    release_date: date | None
    guarantee: bool
    unallocated: Decimal = ZERO  # paid on no invoice: a credit on the client

    @property
    def paid_on_invoices(self) -> Decimal:
        return sum((row.paid for row in self.invoices), ZERO)

    @property
    def retention_total(self) -> Decimal:
        return sum((row.invoice.retention for row in self.invoices), ZERO)

    @property
    def payable_total(self) -> Decimal:
        return sum((row.invoice.payable for row in self.invoices), ZERO)


def release_date(
    handover_dates: Sequence[date | None], *, warranty_months: int, public: bool
) -> date | None:
    """When the retention is released: the latest handover date + the warranty delay
    (loi 71-584 art. 2; seed 002: several invoices → the latest delivery date); a public
    buyer refunds it within 30 more days (CCP R2191-35, french-rules example 2.B)."""
    known = [day for day in handover_dates if day is not None]
    if not known:
        return None
    end = add_months(max(known), warranty_months)
    return end + timedelta(days=PUBLIC_REFUND_DAYS) if public else end


def late_interest(*, unpaid: Decimal, annual_rate: Decimal, days_late: int) -> Decimal:
    """Late-payment interest = round2(unpaid × rate × days / 365) (Code de commerce
    L441-10 II, french-rules example 6.B: 14 820.00 at 12.15 % for 30 days → 148.00).
    Nothing before the due date has passed or on a non-positive amount."""
    if days_late <= 0 or unpaid <= 0:
        return ZERO
    return round2(unpaid * annual_rate / HUNDRED * Decimal(days_late) / DAYS_IN_YEAR)


def summary(
    base_net: Decimal, invoices: Sequence[AccountInvoice], payments: Sequence[AccountPayment]
) -> Summary:
    """The décompte's summary (billing.md: every figure from issued documents, credit
    notes counted negative)."""
    works = sum((invoice.works_net for invoice in invoices), ZERO)
    gross = sum((invoice.gross for invoice in invoices), ZERO)
    deductions = sum((invoice.deductions for invoice in invoices), ZERO)
    paid = sum((payment.amount for payment in payments), ZERO)
    retention_paid = sum(
        (payment.amount for payment in payments if payment.applies_to == RETENTION), ZERO
    )
    return Summary(
        base_net=base_net,
        works_billed_net=works,
        left_to_bill_net=base_net - works,
        billed_net=sum((invoice.net for invoice in invoices), ZERO),
        billed_gross=gross,
        retention_held=sum((invoice.retention for invoice in invoices), ZERO) - retention_paid,
        deductions=deductions,
        paid=paid,
        left_to_pay=gross - deductions - paid,
    )


def final_account(
    *,
    base_net: Decimal,
    invoices: Sequence[AccountInvoice],
    payments: Sequence[AccountPayment],
    events: Sequence[AccountEvent] = (),
    release_on: date | None,
    guarantee: bool = False,
    today: date,
) -> FinalAccount:
    """The four parts of the décompte général (seed 002): summary, invoices with their
    financial progress, past entries with the running balance, upcoming entries (each
    invoice's unpaid part at its due date, the retention at its release) with the
    projected balance."""
    ordered = sorted(invoices, key=lambda invoice: (invoice.issue_date, invoice.id))
    rows = _invoice_rows(base_net, ordered, payments)
    past = _past(ordered, payments, events)
    balance = past[-1].balance if past else ZERO
    account_summary = summary(base_net, ordered, payments)
    upcoming = _upcoming(
        rows, account_summary.retention_held, release_on, guarantee, today, balance
    )
    return FinalAccount(
        summary=account_summary,
        invoices=tuple(rows),
        past=tuple(past),
        upcoming=tuple(upcoming),
        release_date=release_on,
        guarantee=guarantee,
        unallocated=sum((p.amount for p in payments if p.applies_to == CREDIT), ZERO),
    )


def _root(invoice: AccountInvoice) -> int:
    return invoice.credited_invoice_id or invoice.id


def _invoice_rows(
    base_net: Decimal, invoices: Sequence[AccountInvoice], payments: Sequence[AccountPayment]
) -> list[InvoiceRow]:
    paid: dict[tuple[int | None, str], Decimal] = defaultdict(lambda: ZERO)
    for payment in payments:
        paid[payment.invoice_id, payment.applies_to] += payment.amount
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice in invoices:
        if invoice.credited_invoice_id is not None:
            credited[invoice.credited_invoice_id] += invoice.payable
    rows = []
    works = ZERO
    for invoice in invoices:
        works += invoice.works_net
        percent = round2(works * HUNDRED / base_net) if base_net else ZERO
        paid_payable = paid[invoice.id, PAYABLE]
        left = (
            ZERO
            if invoice.credited_invoice_id is not None
            else invoice.payable + credited[invoice.id] - paid_payable
        )
        rows.append(InvoiceRow(invoice, percent, paid_payable, paid[invoice.id, RETENTION], left))
    return rows


def _past(
    invoices: Sequence[AccountInvoice],
    payments: Sequence[AccountPayment],
    events: Sequence[AccountEvent],
) -> list[Entry]:
    numbers = {invoice.id: invoice.number for invoice in invoices}
    # (date, order within the day, id, kind, reference, invoice, signed debit)
    moves: list[tuple[date, int, int, str, str, int | None, Decimal]] = []
    for invoice in invoices:
        kind = CREDIT_NOTE if invoice.is_credit else INVOICE
        amount = invoice.gross - invoice.deductions
        moves.append((invoice.issue_date, 0, invoice.id, kind, invoice.number, invoice.id, amount))
    for payment in payments:
        kind = {RETENTION: RETENTION_PAYMENT, CREDIT: CLIENT_CREDIT}.get(
            payment.applies_to, PAYMENT
        )
        reference = payment.reference or numbers.get(payment.invoice_id or 0, "")
        moves.append(
            (payment.date, 1, payment.id, kind, reference, payment.invoice_id, -payment.amount)
        )
    for event in events:
        moves.append((event.date, 2, event.id, event.kind, event.label, None, ZERO))
    moves.sort(key=lambda move: (move[0], move[1], move[2]))
    entries = []
    balance = ZERO
    for day, _order, source_id, kind, reference, invoice_id, amount in moves:
        balance -= amount
        entries.append(
            Entry(
                date=day,
                kind=kind,
                reference=reference,
                invoice_id=invoice_id,
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
                balance=balance,
                source_id=source_id,
            )
        )
    return entries


def _upcoming(
    rows: Sequence[InvoiceRow],
    retention_held: Decimal,
    release_on: date | None,
    guarantee: bool,
    today: date,
    balance: Decimal,
) -> list[Entry]:
    # (date or None → last, kind, reference, invoice, expected amount)
    dues: list[tuple[date | None, str, str, int | None, Decimal]] = []
    for row in rows:
        if row.left_payable != 0:
            invoice = row.invoice
            due_on = invoice.due_date or invoice.issue_date
            dues.append((due_on, DUE, invoice.number, invoice.id, row.left_payable))
    if retention_held != 0 or guarantee:
        dues.append((release_on, RELEASE, "", None, retention_held))
    dues.sort(key=lambda due: (due[0] is None, due[0] or date.max, due[1] == RELEASE))
    entries = []
    for day, kind, reference, invoice_id, amount in dues:
        balance += amount
        refund = kind == DUE and amount < 0
        entries.append(
            Entry(
                date=day,
                kind=REFUND if refund else kind,
                reference=reference,
                invoice_id=invoice_id,
                debit=-amount if amount < 0 else ZERO,
                credit=amount if amount > 0 else ZERO,
                balance=balance,
                overdue=not refund and day is not None and day < today,
            )
        )
    return entries
