"""Reads of invoices: lists, one invoice with everything a page or document shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from chantier.billing.models import (
    STATEMENT_KINDS,
    Invoice,
    InvoiceDeduction,
    InvoiceLine,
    InvoiceVat,
)
from chantier.contracts.models import Contract
from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.money import round2
from chantier.core.search import search

ZERO = Decimal("0.00")
INVOICE_SEARCH = ("number", "contract__title", "contract__reference", "client__name")


def invoice_list(
    company: Company,
    q: str = "",
    status: str = "",
    *,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    unpaid: bool = False,
) -> QuerySet[Invoice]:
    """The company's invoices, newest first; `issued_from`/`issued_to` select issued ones
    by issue date (the dashboard's "billed this month"), `unpaid` those with something
    left to pay on their payable part."""
    queryset = Invoice.objects.filter(company=company).select_related("contract", "client")
    if status:
        queryset = queryset.filter(status=status)
    if issued_from or issued_to:
        queryset = queryset.filter(status=Invoice.Status.ISSUED)
        if issued_from:
            queryset = queryset.filter(issue_date__gte=issued_from)
        if issued_to:
            queryset = queryset.filter(issue_date__lte=issued_to)
    if unpaid:
        from chantier.billing.account_selectors import unpaid_invoices

        queryset = queryset.filter(pk__in=unpaid_invoices(company).values("pk"))
    return search(queryset, q, INVOICE_SEARCH).order_by("-created_at", "-pk")


def invoice_totals(invoices: QuerySet[Invoice], *, with_left: bool = False) -> dict[str, Decimal]:
    """Totals of a filtered list of issued invoices (one query): net, gross, payable,
    received; and what is left to pay when asked (the dashboard's figures link here)."""
    from django.db.models import F, Sum

    from chantier.billing.account_selectors import rounded, with_left_to_pay

    issued = invoices.filter(status=Invoice.Status.ISSUED).order_by()
    columns = {
        "net": rounded(Sum("net")),
        "gross": rounded(Sum("gross")),
        "payable": rounded(Sum("payable")),
        "paid": rounded(Sum(F("paid_payable") + F("paid_retention"))),
    }
    if with_left:
        issued = with_left_to_pay(issued)
        columns["left"] = rounded(Sum("left_payable"))
    totals = issued.aggregate(**columns)
    return {name: round2(value or ZERO) for name, value in totals.items()}


def contract_invoices(contract: Contract) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(contract=contract)
        .select_related("contract", "client")
        .order_by("-created_at", "-pk")
    )


def get_invoice_for_user(user: User, pk: object) -> Invoice:
    queryset = Invoice.objects.select_related(
        "contract", "client", "credited_invoice", "contract__site"
    )
    return get_for_company(queryset, user, pk)


def draft_statement(contract: Contract) -> Invoice | None:
    return Invoice.objects.filter(
        contract=contract, status=Invoice.Status.DRAFT, kind__in=STATEMENT_KINDS
    ).first()


def has_final_invoice(contract: Contract) -> bool:
    return Invoice.objects.filter(
        contract=contract, status=Invoice.Status.ISSUED, kind="final"
    ).exists()


@dataclass
class GroupedLine:
    """One line per chapter and VAT rate (grouped presentation, seed 001)."""

    section: str
    vat_rate: Decimal
    net: Decimal
    cumulative_amount: Decimal
    previous_amount: Decimal


@dataclass
class InvoiceDocument:
    invoice: Invoice
    lines: list[InvoiceLine]
    vat: list[InvoiceVat]
    deductions: list[InvoiceDeduction]
    down_payments: dict[int, str] = field(default_factory=dict)  # invoice id → number

    @property
    def work_lines(self) -> list[InvoiceLine]:
        return [line for line in self.lines if line.is_work]

    @property
    def other_lines(self) -> list[InvoiceLine]:
        return [line for line in self.lines if not line.is_work]

    @property
    def grouped(self) -> list[GroupedLine]:
        groups: dict[tuple[str, Decimal], GroupedLine] = {}
        for line in self.work_lines:
            key = (line.section, line.vat_rate)
            group = groups.get(key)
            if group is None:
                group = groups[key] = GroupedLine(line.section, line.vat_rate, ZERO, ZERO, ZERO)
            group.net += line.net
            group.cumulative_amount += line.cumulative_amount
            group.previous_amount += line.previous_amount
        return list(groups.values())

    @property
    def sections(self) -> list[tuple[str, list[InvoiceLine], Decimal]]:
        """Work lines by chapter in reading order, with the chapter's delta subtotal."""
        order: list[str] = []
        by_section: dict[str, list[InvoiceLine]] = defaultdict(list)
        for line in self.work_lines:
            if line.section not in by_section:
                order.append(line.section)
            by_section[line.section].append(line)
        return [
            (name, by_section[name], sum((ln.net for ln in by_section[name]), ZERO))
            for name in order
        ]


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """Everything stored for one invoice (3 queries): what every output reads."""
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position", "pk"))
    vat = list(InvoiceVat.objects.filter(invoice=invoice).order_by("-rate", "pk"))
    deductions = list(InvoiceDeduction.objects.filter(invoice=invoice).order_by("position", "pk"))
    ids = {line.down_payment_invoice_id for line in lines if line.down_payment_invoice_id}
    numbers = dict(Invoice.objects.filter(pk__in=ids).values_list("pk", "number")) if ids else {}
    return InvoiceDocument(invoice, lines, vat, deductions, numbers)


def previous_statements(invoice: Invoice) -> list[Invoice]:
    """Issued statements of the contract before this one, for the recap (seed 001)."""
    queryset = Invoice.objects.filter(
        contract_id=invoice.contract_id,
        status=Invoice.Status.ISSUED,
        kind__in=STATEMENT_KINDS,
    )
    if invoice.chain_position is not None:
        queryset = queryset.filter(chain_position__lt=invoice.chain_position)
    return list(queryset.order_by("chain_position"))


def index_value(company_id: int, name: str, month: object) -> Decimal | None:
    """The value of index `name` for `month` (first day), or None when not entered."""
    from chantier.billing.models import IndexValue

    return (
        IndexValue.objects.filter(company_id=company_id, name=name, month=month)
        .values_list("value", flat=True)
        .first()
    )
