"""A small hand-built billing history for the money dashboard, on TODAY = 2026-03-15.

Rows are created directly (issued invoices with the amounts the billing engine would have
stored, payments with the invoice counters the payment service keeps), so that every
dashboard figure can be worked out by hand:

MAR-1  lines 10 000 + 20 000 + 3 560 − 500 = 33 060 (a text line of 999 does not count)
       I1 2026-01-20  net 13 000, gross 15 600, works 13 000, RG 780, paid 14 820
       I2 2026-03-02  net 12 765, gross 15 318, works 12 765, RG 765.90, paid 5 000
       CN 2026-03-10  credit note of I2: −1 000, −1 200, works −1 000, RG −60
MAR-2  lines 50 000, public, handover 2025-12-01
       I3 2025-11-05  down payment: net 10 000, gross 12 000, paid 2 000
       I4 2025-12-20  net 20 000, gross 24 000, works 20 000, RG 1 200, paid 22 800
                      and 200 of its retention
MAR-3  lines 8 000, finished, nothing billed
MAR-4  lines 5 000, no handover
       I5 2025-03-10  net 1 000, gross 1 200, works 1 000, RG 60, nothing paid
       I6 2026-02-01  net 500, gross 600, works 500, paid 700 (overpaid)
(payable = gross − RG; due 60 days after issue)
plus a draft of 99 999 on MAR-1 and, in company B, one invoice of 777 in March 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from chantier.billing.models import Invoice, Payment
from chantier.contracts.models import Contract, ContractLine
from chantier.core.models import Company
from chantier.parties.models import Client

TODAY = dt.date(2026, 3, 15)
D = Decimal
_numbers = count(1)


@pytest.fixture
def today(monkeypatch: Any) -> dt.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def make_contract(
    company: Company,
    client: Client,
    reference: str,
    nets: list[str],
    **fields: Any,
) -> Contract:
    contract = Contract.objects.create(
        company=company,
        client=client,
        reference=reference,
        title=f"Travaux {reference}",
        base_net=D("1.00"),  # not the billing base: the lines are
        **fields,
    )
    ContractLine.objects.bulk_create(
        ContractLine(
            company=company,
            contract=contract,
            position=position,
            kind=ContractLine.Kind.DISCOUNT if D(net) < 0 else ContractLine.Kind.ITEM,
            description=f"Ligne {position}",
            net=D(net),
        )
        for position, net in enumerate(nets)
    )
    return contract


def make_invoice(
    contract: Contract,
    issued: dt.date | None,
    *,
    net: str,
    gross: str,
    works: str = "0.00",
    retention: str = "0.00",
    paid: str = "0.00",
    paid_retention: str = "0.00",
    due: dt.date | None = None,
    kind: str = "progress",
    credited: Invoice | None = None,
) -> Invoice:
    credit = credited is not None or D(gross) < 0
    return Invoice.objects.create(
        company_id=contract.company_id,
        contract=contract,
        client_id=contract.client_id,
        kind="credit_note" if credited is not None else kind,
        type_code="381" if credit else ("386" if kind == "down_payment" else "380"),
        status="issued" if issued else "draft",
        number=f"F{next(_numbers):05d}" if issued else "",
        period_date=issued or TODAY,
        issue_date=issued,
        due_date=due or (issued + dt.timedelta(days=60) if issued else None),
        credited_invoice=credited,
        net=D(net),
        gross=D(gross),
        vat_total=D(gross) - D(net),
        works_net=D(works),
        retention=D(retention),
        payable=D(gross) - D(retention),  # no deduction below the gross here
        paid_payable=D(paid),
        paid_retention=D(paid_retention),
    )


def pay(
    invoice: Invoice | None,
    day: dt.date,
    amount: str,
    applies_to: str = "payable",
    *,
    contract: Contract | None = None,
) -> Payment:
    contract = contract or (invoice.contract if invoice else None)
    assert contract is not None
    return Payment.objects.create(
        company_id=contract.company_id,
        client_id=contract.client_id,
        contract=contract,
        invoice=invoice,
        date=day,
        amount=D(amount),
        applies_to=applies_to,
    )


@dataclass
class History:
    mar1: Contract
    mar2: Contract
    mar3: Contract
    mar4: Contract
    invoices: dict[str, Invoice]


@pytest.fixture
def history(world: Any) -> History:
    company = world.company_a
    client = Client.objects.create(company=company, name="SCI Les Tilleuls", city="Lyon")
    mar1 = make_contract(
        company,
        client,
        "MAR-1",
        ["10000.00", "20000.00", "3560.00", "-500.00"],
        handover_date=dt.date(2026, 2, 10),
        warranty_months=12,
    )
    ContractLine.objects.create(
        company=company,
        contract=mar1,
        position=9,
        kind=ContractLine.Kind.TEXT,
        description="Texte",
        net=D("999.00"),
    )
    mar2 = make_contract(
        company,
        client,
        "MAR-2",
        ["50000.00"],
        procurement="public",
        handover_date=dt.date(2025, 12, 1),
        warranty_months=12,
    )
    mar3 = make_contract(company, client, "MAR-3", ["8000.00"], status="finished")
    mar4 = make_contract(company, client, "MAR-4", ["5000.00"])

    i1 = make_invoice(
        mar1,
        dt.date(2026, 1, 20),
        net="13000.00",
        gross="15600.00",
        works="13000.00",
        retention="780.00",
        paid="14820.00",
    )
    i2 = make_invoice(
        mar1,
        dt.date(2026, 3, 2),
        net="12765.00",
        gross="15318.00",
        works="12765.00",
        retention="765.90",
        paid="5000.00",
    )
    cn = make_invoice(
        mar1,
        dt.date(2026, 3, 10),
        net="-1000.00",
        gross="-1200.00",
        works="-1000.00",
        retention="-60.00",
        credited=i2,
    )
    i3 = make_invoice(
        mar2,
        dt.date(2025, 11, 5),
        net="10000.00",
        gross="12000.00",
        kind="down_payment",
        paid="2000.00",
    )
    i4 = make_invoice(
        mar2,
        dt.date(2025, 12, 20),
        net="20000.00",
        gross="24000.00",
        works="20000.00",
        retention="1200.00",
        paid="22800.00",
        paid_retention="200.00",
    )
    i5 = make_invoice(
        mar4,
        dt.date(2025, 3, 10),
        net="1000.00",
        gross="1200.00",
        works="1000.00",
        retention="60.00",
    )
    i6 = make_invoice(
        mar4, dt.date(2026, 2, 1), net="500.00", gross="600.00", works="500.00", paid="700.00"
    )
    make_invoice(mar1, None, net="99999.00", gross="119998.80", works="99999.00")  # a draft
    assert (i2.payable, cn.payable) == (D("14552.10"), D("-1140.00"))

    pay(i1, dt.date(2026, 2, 15), "14820.00")
    pay(i2, dt.date(2026, 3, 12), "5000.00")
    pay(i3, dt.date(2025, 12, 10), "2000.00")
    pay(i4, dt.date(2026, 2, 18), "22800.00")
    pay(i4, dt.date(2026, 2, 20), "200.00", "retention")
    pay(i6, dt.date(2026, 2, 25), "700.00")
    pay(None, dt.date(2026, 3, 1), "50.00", "credit", contract=mar4)
    pay(None, dt.date(2025, 3, 20), "10.00", "credit", contract=mar4)  # before the 12 months

    # Company B: never in company A's figures.
    other = Client.objects.create(company=world.company_b, name="Autre client")
    theirs = make_contract(world.company_b, other, "B-1", ["9000.00"])
    make_invoice(
        theirs, dt.date(2026, 3, 5), net="777.00", gross="932.40", works="777.00", retention="46.62"
    )
    return History(
        mar1,
        mar2,
        mar3,
        mar4,
        {
            "I1": i1,
            "I2": i2,
            "CN": cn,
            "I3": i3,
            "I4": i4,
            "I5": i5,
            "I6": i6,
        },
    )
