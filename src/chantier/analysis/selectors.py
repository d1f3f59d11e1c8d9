"""The money dashboard of the home page (issue 6): what was billed, what is owed, what is
left to bill and the retention held, for one company, in five aggregate queries whatever
the number of contracts and invoices.

Every figure comes from issued documents only, credit notes counted with their negative
amounts (billing.md "Payments and the décompte général"):

- billed (month, year, each of the last 12 months): Σ net and Σ gross by issue date;
- received: Σ payments by payment date (payable, retention and client credit alike);
- unpaid: Σ over the issued invoices (credit notes excluded) of what is left of their
  payable part: payable + the (negative) payable of the issued credit notes that credit
  them − paid_payable, counting only invoices with something left (an overpaid invoice
  is a credit on the client, not a negative debt); overdue: the same with a due date
  before today. These are the rows of the unpaid and overdue invoice lists;
- left to bill, per contract not finished: billing base (Σ contract line nets, text lines
  excluded, approved change orders included) − Σ works_net of its issued invoices, for the
  contracts with something left;
- retention held, per contract: Σ retention − Σ paid_retention of its issued invoices
  (credit notes' retention negative), with the release date of engine_account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from chantier.billing.engine_account import release_date
from chantier.billing.engine_rules import add_months
from chantier.billing.models import Invoice, Payment
from chantier.contracts.models import Contract, ContractLine
from chantier.core.models import Company
from chantier.core.money import AMOUNT_FIELD, round2

ZERO = Decimal("0.00")
MONTHS = 12  # the chart's months, the current one last
TOP = 5  # contracts listed under "left to bill" and "retention held"
QUERIES = 5  # what money_dashboard costs, whatever the history (pages assert it)
CREDIT_NOTE_TYPE_CODES = ("381", "503")
ISSUED = Invoice.Status.ISSUED


def _amount() -> DecimalField[Decimal, Decimal]:
    return DecimalField(**AMOUNT_FIELD)


def _cents(value: Decimal | None) -> Decimal:
    """A sum as 2-place Decimal: SQLite adds decimals as floats (50202058.85999999) and
    Django does not round an aggregate back to the field's places."""
    return ZERO if value is None else round2(value)


@dataclass(frozen=True)
class Month:
    start: dt.date  # first day of the month
    billed_net: Decimal
    billed_gross: Decimal
    received: Decimal

    @property
    def end(self) -> dt.date:
        return add_months(self.start, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class ContractLeft:
    pk: int
    reference: str
    title: str
    client: str
    base_net: Decimal
    billed_net: Decimal
    left: Decimal

    @property
    def label(self) -> str:
        return self.reference or self.title


@dataclass(frozen=True)
class RetentionHeld:
    pk: int
    reference: str
    title: str
    client: str
    held: Decimal
    release_on: dt.date | None

    @property
    def label(self) -> str:
        return self.reference or self.title


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    months: tuple[Month, ...]  # oldest first, the current month last
    unpaid: Decimal
    unpaid_count: int
    overdue: Decimal
    overdue_count: int
    left_to_bill: Decimal
    left_to_bill_count: int
    left_to_bill_top: tuple[ContractLeft, ...]  # largest first
    retention: Decimal
    retention_count: int
    retention_rows: tuple[RetentionHeld, ...]  # every contract holding some, soonest first

    @property
    def this_month(self) -> Month:
        return self.months[-1]

    @property
    def year_start(self) -> dt.date:
        return self.today.replace(month=1, day=1)

    @property
    def year_net(self) -> Decimal:
        return sum((m.billed_net for m in self.months if m.start >= self.year_start), ZERO)

    @property
    def year_gross(self) -> Decimal:
        return sum((m.billed_gross for m in self.months if m.start >= self.year_start), ZERO)

    @property
    def retention_top(self) -> tuple[RetentionHeld, ...]:
        return self.retention_rows[:TOP]


def money_dashboard(company: Company, today: dt.date, *, top: int = TOP) -> Dashboard:
    """The home page's money figures for `company` on `today` (five queries)."""
    first = add_months(today.replace(day=1), 1 - MONTHS)
    months = _months(company, first, today)
    unpaid = _unpaid(company, today)
    contracts = _contracts(company, top)
    return Dashboard(
        today=today,
        months=months,
        unpaid=_cents(unpaid["unpaid"]),
        unpaid_count=unpaid["unpaid_count"],
        overdue=_cents(unpaid["overdue"]),
        overdue_count=unpaid["overdue_count"],
        left_to_bill=contracts.left_total,
        left_to_bill_count=contracts.left_count,
        left_to_bill_top=contracts.left_top,
        retention=sum((row.held for row in contracts.retention), ZERO),
        retention_count=len(contracts.retention),
        retention_rows=contracts.retention,
    )


def _months(company: Company, first: dt.date, today: dt.date) -> tuple[Month, ...]:
    """Billed and received per month from `first` to the end of today's month (2 queries,
    each a GROUP BY on the company's rows of the period: indexes (company, status,
    issue_date) on invoices and (company, date) on payments).

    Grouped by day and folded into months here: at most 366 rows each, and no TruncMonth,
    which SQLite runs as a Python function on every row (60 ms of the bench's 20,000
    invoices and payments, against a few ms for the plain column)."""
    last = add_months(today.replace(day=1), 1) - dt.timedelta(days=1)
    billed: dict[dt.date, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for day, net, gross in (
        Invoice.objects.filter(
            company=company, status=ISSUED, issue_date__gte=first, issue_date__lte=last
        )
        .order_by()
        .values("issue_date")
        .annotate(net=Sum("net"), gross=Sum("gross"))
        .values_list("issue_date", "net", "gross")
    ):
        month = day.replace(day=1) if day else first  # never None: filtered on it
        month_net, month_gross = billed[month]
        billed[month] = (month_net + _cents(net), month_gross + _cents(gross))
    received: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for day, total in (
        Payment.objects.filter(company=company, date__gte=first, date__lte=last)
        .order_by()
        .values("date")
        .annotate(total=Sum("amount"))
        .values_list("date", "total")
    ):
        received[day.replace(day=1)] += _cents(total)
    months = []
    start = first
    while start <= today:
        net, gross = billed[start]
        months.append(Month(start, net, gross, received[start]))
        start = add_months(start, 1)
    return tuple(months)


def unpaid_invoices(company: Company) -> QuerySet[Invoice]:
    """Issued invoices (not credit notes) with something left on their payable part,
    annotated with `left` = payable + the issued credit notes against it (negative) −
    paid_payable.

    One GROUP BY over a join with the credit notes rather than a correlated subquery per
    invoice, which PostgreSQL ran up to three times per row (WHERE and each SUM) and
    costed high enough to JIT-compile (about 100 ms of the 160 on the bench)."""
    credit_notes = Q(credit_notes__status=ISSUED)
    return (
        Invoice.objects.filter(company=company, status=ISSUED, credited_invoice__isnull=True)
        .exclude(type_code__in=CREDIT_NOTE_TYPE_CODES)
        # Credit notes only lower what is left, so an invoice paid in full is left out
        # here by a plain column test before any join.
        .filter(payable__gt=F("paid_payable"))
        .order_by()
        .annotate(
            credited=Coalesce(
                Sum("credit_notes__payable", filter=credit_notes),
                Value(ZERO),
                output_field=_amount(),
            )
        )
        .annotate(
            left=ExpressionWrapper(
                F("payable") + F("credited") - F("paid_payable"), output_field=_amount()
            )
        )
        .filter(left__gt=0)
    )


def _unpaid(company: Company, today: dt.date) -> dict[str, Any]:
    overdue = Q(due_date__lt=today)
    return unpaid_invoices(company).aggregate(
        unpaid=Sum("left"),
        unpaid_count=Count("pk"),
        overdue=Sum("left", filter=overdue),
        overdue_count=Count("pk", filter=overdue),
    )


def contract_figures(company: Company) -> QuerySet[Contract]:
    """The company's contracts not finished or holding retention, annotated with
    `billed` (Σ works_net of the issued invoices) and `held` (Σ retention − paid_retention
    of the issued invoices): one join and GROUP BY, one pass over the company's invoices.

    The billing base comes from billing_bases(), a second query: as a subquery here it
    would be grouped on, i.e. run for every joined invoice row (20,000 times on the bench,
    1.5 s with PostgreSQL's JIT)."""
    issued = Q(invoices__status=ISSUED)
    return (
        Contract.objects.filter(company=company)
        .order_by()
        .annotate(
            billed=Coalesce(
                Sum("invoices__works_net", filter=issued), Value(ZERO), output_field=_amount()
            ),
            held=Coalesce(
                Sum(
                    F("invoices__retention") - F("invoices__paid_retention"),
                    filter=issued,
                    output_field=_amount(),
                ),
                Value(ZERO),
                output_field=_amount(),
            ),
        )
        .filter(~Q(status=Contract.Status.FINISHED) | Q(held__gt=0))
    )


def billing_bases(company: Company) -> dict[int, Decimal]:
    """Billing base of each contract not finished: Σ of its line nets, text lines excluded
    (approved change orders and validated service orders add lines)."""
    rows = (
        ContractLine.objects.filter(company=company)
        .exclude(kind=ContractLine.Kind.TEXT)
        .exclude(contract__status=Contract.Status.FINISHED)
        .order_by()
        .values("contract")
        .annotate(total=Sum("net"))
        .values_list("contract", "total")
    )
    return {contract: _cents(total) for contract, total in rows}


@dataclass(frozen=True)
class _ContractRows:
    left_total: Decimal
    left_count: int
    left_top: tuple[ContractLeft, ...]
    retention: tuple[RetentionHeld, ...]


def _contracts(company: Company, top: int) -> _ContractRows:
    bases = billing_bases(company)
    # django-stubs cannot see the annotations of contract_figures() through QuerySet.
    rows = contract_figures(company).values_list(  # type: ignore[misc]
        "pk",
        "reference",
        "title",
        "client__name",
        "status",
        "handover_date",
        "warranty_months",
        "procurement",
        "billed",
        "held",
    )
    lefts: list[ContractLeft] = []
    held: list[RetentionHeld] = []
    for (
        pk,
        reference,
        title,
        client,
        status,
        handover,
        warranty,
        procurement,
        billed,
        retention,
    ) in rows:
        base, billed, retention = bases.get(pk, ZERO), _cents(billed), _cents(retention)
        if base - billed > 0 and status != Contract.Status.FINISHED:
            lefts.append(ContractLeft(pk, reference, title, client, base, billed, base - billed))
        if retention > 0:
            release_on = release_date(
                [handover],
                warranty_months=warranty,
                public=procurement == Contract.Procurement.PUBLIC,
            )
            held.append(RetentionHeld(pk, reference, title, client, retention, release_on))
    lefts.sort(key=lambda row: (-row.left, row.pk))
    held.sort(key=lambda row: (row.release_on is None, row.release_on or dt.date.max, row.pk))
    return _ContractRows(
        left_total=sum((row.left for row in lefts), ZERO),
        left_count=len(lefts),
        left_top=tuple(lefts[:top]),
        retention=tuple(held),
    )
