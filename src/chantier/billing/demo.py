"""Demo billing: on the first active contract, a 20 % down payment and statement n°1
issued and paid (in full, in half), statement n°2 in draft; a few months of BT01."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chantier.billing import fetch, issuing, payment_services, services
from chantier.billing.models import IndexValue, Invoice
from chantier.contracts.models import Contract
from chantier.core.models import Company, User

# The demo's story started earlier: its invoices were issued this long ago, so with 60-day
# terms statement n°1 is overdue (the overdue list and a reminder have something to show).
HISTORY_DAYS = 75
BT01 = [("2026-06", "131.2"), ("2026-07", "131.9"), ("2026-08", "132.4"), ("2026-09", "133.0")]


@transaction.atomic
def load(company: Company, user: User) -> None:
    for month, value in BT01:
        IndexValue.objects.get_or_create(
            company=company,
            name="BT01",
            month=dt.date.fromisoformat(f"{month}-01"),
            defaults={"value": Decimal(value)},
        )
    contract = (
        Contract.objects.filter(company=company, status=Contract.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if contract is None or Invoice.objects.filter(contract=contract).exists():
        return
    today = timezone.localdate()
    down = services.down_payment_create(
        user=user, contract=contract, percent=Decimal("20"), period_date=today
    )
    base = fetch.base_lines(contract)
    # A company without its legal identity cannot issue (no valid e-invoice): drafts only.
    if not (company.siren and company.vat_number and company.address_line1):
        services.statement_save(
            user=user,
            contract=contract,
            period_date=today,
            entries=[{"line_id": base[0].line_id, "mode": "cumulative_percent", "value": 50}],
        )
        # Money received before any invoice could be issued: a credit on the client.
        payment_services.client_credit_record(
            user=user,
            client=contract.client,
            contract=contract,
            date=today,
            amount=Decimal("500.00"),
            reference="ACOMPTE A LA COMMANDE",
        )
        return
    down = issuing.invoice_issue(user=user, invoice=down)
    first = services.statement_save(
        user=user,
        contract=contract,
        period_date=today,
        entries=[
            {"line_id": line.line_id, "mode": "cumulative_percent", "value": Decimal(value)}
            for line, value in zip(base, ("100", "60", "40", "25"), strict=False)
        ],
    )
    first = issuing.invoice_issue(user=user, invoice=first)
    # The down payment paid in full, statement n°1 half paid (issue 6: the décompte).
    payment_services.payment_record(
        user=user, invoice=down, date=today, amount=down.payable, reference="VIR ACOMPTE"
    )
    payment_services.payment_record(
        user=user,
        invoice=first,
        date=today,
        amount=(first.payable / 2).quantize(Decimal("0.01")),
        method="cheque",
        reference="CHQ 0042",
    )
    _backdate(company, days=HISTORY_DAYS)
    services.statement_save(
        user=user,
        contract=contract,
        period_date=today,
        entries=[
            {"line_id": line.line_id, "mode": "relative_percent", "value": Decimal("20")}
            for line in base[1:4]
        ],
    )


def _backdate(company: Company, *, days: int) -> None:
    """Date the demo's issued invoices `days` earlier (due dates alike) and rebuild the
    company's hash chain over them, so `chantier verify-chain` still holds."""
    shift = dt.timedelta(days=days)
    previous = issuing.GENESIS
    for invoice in Invoice.objects.filter(company=company, chain_position__isnull=False).order_by(
        "chain_position"
    ):
        invoice.issue_date = invoice.issue_date - shift if invoice.issue_date else None
        invoice.due_date = invoice.due_date - shift if invoice.due_date else None
        invoice.period_date -= shift
        invoice.previous_hash = previous
        invoice.content_hash = issuing.content_hash(invoice)
        invoice.save(
            update_fields=[
                "issue_date",
                "due_date",
                "period_date",
                "previous_hash",
                "content_hash",
            ]
        )
        previous = invoice.content_hash
