"""Property: over random histories (statements, credit notes, payments on either part,
credits on the client), the décompte's totals equal the sums of the stored invoice
amounts and payments (billing.md "Payments and the décompte général")."""

from __future__ import annotations

import random
from decimal import Decimal as D
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chantier.billing.models import Invoice, Payment
from tests.billing.conftest import make_contract, quote_line, seller_identity
from tests.billing.test_api_examples import issued
from tests.conftest import ApiClient


def _total(queryset: Any, column: str) -> D:
    # quantized: SQLite sums decimals as floats (STACK-NOTES)
    return (queryset.aggregate(total=Sum(column))["total"] or D("0.00")).quantize(D("0.01"))


def _random_history(api: ApiClient, company: Any, rng: random.Random) -> int:
    example = make_contract(
        api,
        company,
        [
            quote_line("L1 Terrassement", "forfait", "1", str(rng.randint(1000, 20000))),
            quote_line("L2 Maçonnerie", "m²", str(rng.randint(10, 300)), "80.00"),
            quote_line("L3 Enduit", "m²", "120", "25.50", vat=rng.choice(["20.00", "10.00"])),
        ],
    )
    contract = example.contract_id
    if rng.random() < 0.5:
        body = {"kind": "down_payment", "percent": str(rng.randint(5, 30))}
        issued(api, api.post(f"/contracts/{contract}/invoices", body))
    progress = 0
    for _ in range(rng.randint(1, 4)):
        progress = min(100, progress + rng.randint(5, 40))
        body = {"kind": "progress", "date": "2026-03-31", "global_percent": str(progress)}
        invoice = issued(api, api.post(f"/contracts/{contract}/invoices", body))
        if rng.random() < 0.25:
            issued(api, api.post(f"/invoices/{invoice['id']}/credit-note"))
            continue
        for part, share in (("payable", rng.random()), ("retention", rng.random())):
            amount = (D(invoice[part]) * D(str(round(share, 2)))).quantize(D("0.01"))
            if amount > 0 and rng.random() < 0.7:
                body = {"date": timezone.localdate().isoformat(), "amount": str(amount)}
                answer = api.post(
                    f"/invoices/{invoice['id']}/payments", {**body, "applies_to": part}
                )
                assert answer.status_code == 201, answer.content
    if rng.random() < 0.3:
        body = {"date": timezone.localdate().isoformat(), "amount": "999.99"}
        last = Invoice.objects.filter(contract_id=contract, type_code="380").last()
        if last is not None:
            api.post(f"/invoices/{last.pk}/payments", {**body, "excess_as_credit": True})
    return contract


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10**6))
def test_the_final_account_equals_the_stored_amounts(
    alice_api: ApiClient, world: Any, seed: int
) -> None:
    seller_identity(world.company_a)
    contract = _random_history(alice_api, world.company_a, random.Random(seed))
    body = alice_api.get(f"/contracts/{contract}/final-account").json()
    summary = {name: D(value) for name, value in body["summary"].items()}
    invoices = Invoice.objects.filter(contract_id=contract, status="issued")
    payments = Payment.objects.filter(contract_id=contract)
    assert summary["billed_net"] == _total(invoices, "net")
    assert summary["billed_gross"] == _total(invoices, "gross")
    assert summary["works_billed_net"] == _total(invoices, "works_net")
    assert summary["deductions"] == _total(invoices, "deductions_total")
    assert summary["paid"] == _total(payments, "amount")
    assert summary["retention_held"] == _total(invoices, "retention") - _total(
        payments.filter(applies_to="retention"), "amount"
    )
    assert summary["left_to_pay"] == (
        summary["billed_gross"] - summary["deductions"] - summary["paid"]
    )
    assert [row["id"] for row in body["invoices"]] == list(
        invoices.order_by("issue_date", "pk").values_list("pk", flat=True)
    )
    assert D(body["past"][-1]["balance"]) == -summary["left_to_pay"]
    credit = _total(payments.filter(applies_to="credit"), "amount")
    projected = D(body["upcoming"][-1]["balance"]) if body["upcoming"] else -summary["left_to_pay"]
    assert projected == credit
