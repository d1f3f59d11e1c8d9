"""Reads of payments, the décompte général, overdue invoices and retention held.

The décompte is fetched in a fixed number of queries (the contract's billing base, its
issued invoices, its payments, its release events) and computed by the pure
engine_account, so the page, the PDF, the email and the API show the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round

from chantier.billing import engine_account
from chantier.billing.models import Invoice, Payment, RetentionRelease
from chantier.billing.retention import contract_release_date, credited_total
from chantier.contracts.models import Contract, ContractLine
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.money import AMOUNT_FIELD, round2
from chantier.core.search import search
from chantier.parties.models import Client

ZERO = Decimal("0.00")
AMOUNT = DecimalField(**AMOUNT_FIELD)
PAYMENT_SEARCH = ("reference", "note", "invoice__number", "client__name", "contract__title")


def rounded(expression: Any) -> Round:
    """An SQL money expression rounded to the cent: SQLite sums decimals as floats
    (STACK-NOTES), so a balance of 0 could read 3.6e-12 and pass a `> 0` filter."""
    return Round(expression, 2, output_field=AMOUNT)


def billing_base_net(contract: Contract) -> Decimal:
    """Σ of the contract's line nets, approved change orders included (text lines 0)."""
    total = (
        ContractLine.objects.filter(contract=contract)
        .exclude(kind=ContractLine.Kind.TEXT)
        .aggregate(total=rounded(Sum("net")))["total"]
    )
    return round2(total or ZERO)


def _issued_invoices(contract: Contract) -> list[engine_account.AccountInvoice]:
    rows = Invoice.objects.filter(contract=contract, status=Invoice.Status.ISSUED).values_list(
        "pk",
        "number",
        "kind",
        "type_code",
        "issue_date",
        "due_date",
        "credited_invoice_id",
        "net",
        "vat_total",
        "gross",
        "works_net",
        "retention",
        "deductions_total",
        "payable",
    )
    return [
        engine_account.AccountInvoice(
            id=pk,
            number=number,
            kind=kind,
            is_credit=type_code in ("381", "503"),
            issue_date=issue_date,
            due_date=due_date,
            credited_invoice_id=credited,
            net=net,
            vat=vat,
            gross=gross,
            works_net=works_net,
            retention=retention,
            deductions=deductions,
            payable=payable,
        )
        for (
            pk,
            number,
            kind,
            type_code,
            issue_date,
            due_date,
            credited,
            net,
            vat,
            gross,
            works_net,
            retention,
            deductions,
            payable,
        ) in rows
    ]


def _payments(contract: Contract) -> list[engine_account.AccountPayment]:
    rows = Payment.objects.filter(contract=contract).values_list(
        "pk", "invoice_id", "date", "amount", "applies_to", "method", "reference"
    )
    return [engine_account.AccountPayment(*row) for row in rows]


def _events(contract: Contract) -> list[engine_account.AccountEvent]:
    rows = RetentionRelease.objects.filter(
        contract=contract, kind=RetentionRelease.Kind.GUARANTEE_END
    ).values_list("pk", "date")
    return [
        engine_account.AccountEvent(id=pk, date=day, kind=engine_account.GUARANTEE_END)
        for pk, day in rows
    ]


@dataclass(frozen=True)
class ContractAccount:
    contract: Contract
    account: engine_account.FinalAccount
    today: dt.date

    @property
    def summary(self) -> engine_account.Summary:
        return self.account.summary


def final_account(contract: Contract, today: dt.date) -> ContractAccount:
    """The décompte général of a contract (4 queries)."""
    account = engine_account.final_account(
        base_net=billing_base_net(contract),
        invoices=_issued_invoices(contract),
        payments=_payments(contract),
        events=_events(contract),
        release_on=contract_release_date(contract),
        guarantee=contract.retention_guarantee,
        today=today,
    )
    return ContractAccount(contract, account, today)


# --- payments -------------------------------------------------------------------------------


def payment_list(
    company: Company,
    *,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    client: Client | None = None,
    contract: Contract | None = None,
) -> QuerySet[Payment]:
    queryset = Payment.objects.filter(company=company).select_related(
        "invoice", "client", "contract"
    )
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    if client is not None:
        queryset = queryset.filter(client=client)
    if contract is not None:
        queryset = queryset.filter(contract=contract)
    return search(queryset, q, PAYMENT_SEARCH).order_by("-date", "-pk")


def invoice_payments(invoice: Invoice) -> list[Payment]:
    return list(Payment.objects.filter(invoice=invoice).order_by("date", "pk"))


def get_payment_for_user(user: User, pk: object) -> Payment:
    queryset = Payment.objects.select_related("invoice", "client", "contract")
    return get_for_company(queryset, user, pk)


# --- what is owed ---------------------------------------------------------------------------


def with_left_to_pay(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate `left_payable`: payable + credit notes against it (negative) − paid."""
    return queryset.annotate(
        left_payable=rounded(
            ExpressionWrapper(
                F("payable")
                + Coalesce(credited_total("payable"), Value(ZERO), output_field=AMOUNT)
                - F("paid_payable"),
                output_field=AMOUNT,
            )
        )
    )


def unpaid_invoices(company: Company) -> QuerySet[Invoice]:
    """Issued invoices (not credit notes) with something left to pay on their payable
    part, oldest due date first."""
    queryset = Invoice.objects.filter(
        company=company, status=Invoice.Status.ISSUED, credited_invoice__isnull=True
    ).exclude(type_code__in=("381", "503"))
    return (
        with_left_to_pay(queryset)
        .filter(left_payable__gt=0)
        .select_related("contract", "client")
        .order_by("due_date", "pk")
    )


def overdue_invoices(company: Company, today: dt.date, q: str = "") -> QuerySet[Invoice]:
    queryset = unpaid_invoices(company).filter(due_date__lt=today)
    return search(queryset, q, ("number", "client__name", "contract__title"))


@dataclass(frozen=True)
class OverdueRow:
    invoice: Invoice
    left: Decimal
    days_late: int
    interest: Decimal
    indemnity: Decimal
    # L441-10 penalties and the recovery indemnity are due between professionals only:
    # a private individual owes neither (0 here).
    professional: bool = True

    @property
    def total(self) -> Decimal:
        return self.left + self.interest + self.indemnity


def overdue_rows(invoices: list[Invoice], company: Company, today: dt.date) -> list[OverdueRow]:
    """Late interest accrued at the company's rate (L441-10, french-rules 6.B) and the
    recovery indemnity, per overdue invoice (already annotated with left_payable); none
    for a private individual."""
    rows = []
    for invoice in invoices:
        days = (today - invoice.due_date).days if invoice.due_date else 0
        left = round2(invoice.left_payable)  # type: ignore[attr-defined]
        professional = invoice.client.kind != Client.Kind.INDIVIDUAL
        interest = engine_account.late_interest(
            unpaid=left, annual_rate=company.late_penalty_rate, days_late=days
        )
        rows.append(
            OverdueRow(
                invoice=invoice,
                left=left,
                days_late=days,
                interest=interest if professional else ZERO,
                indemnity=company.recovery_indemnity if professional else ZERO,
                professional=professional,
            )
        )
    return rows


def overdue_row(invoice: Invoice, today: dt.date) -> OverdueRow | None:
    annotated = with_left_to_pay(Invoice.objects.filter(pk=invoice.pk)).get()
    if (
        annotated.left_payable <= 0  # type: ignore[attr-defined]
        or not invoice.due_date
        or invoice.due_date >= today
    ):
        return None
    return overdue_rows([annotated], invoice.company, today)[0]


# --- retention held --------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRow:
    contract: Contract
    held: Decimal
    release_on: dt.date | None


def retention_held(company: Company, q: str = "") -> list[RetentionRow]:
    """Contracts holding retention, with the release date, soonest first (one query)."""
    held = (
        Invoice.objects.filter(contract=OuterRef("pk"), status=Invoice.Status.ISSUED)
        .values("contract")
        .annotate(total=rounded(Sum(F("retention") - F("paid_retention"), output_field=AMOUNT)))
        .values("total")
    )
    contracts = search(
        Contract.objects.filter(company=company)
        .annotate(held=Coalesce(Subquery(held), Value(ZERO), output_field=AMOUNT))
        .filter(Q(held__gt=0) | Q(retention_guarantee=True, invoices__status="issued"))
        .distinct()
        .select_related("client"),
        q,
        ("title", "reference", "client__name"),
    )
    rows = [
        RetentionRow(contract, round2(contract.held), contract_release_date(contract))  # type: ignore[attr-defined]
        for contract in contracts
    ]
    return sorted(rows, key=lambda row: (row.release_on is None, row.release_on or dt.date.max))
