"""Recording payments (billing.md "Payments"): the split between the amount payable and
the retention, partial payments, overpayment, and every bad input refused with nothing
recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from chantier.billing.models import Invoice, Payment
from chantier.core.models import AuditEntry
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.billing.test_final_account_api import pay
from tests.conftest import ApiClient


def first_statement(api: ApiClient, example: Example) -> dict[str, Any]:
    """Example 1.A/2.A statement 1: gross 15 600.00, retention 780.00, payable 14 820.00."""
    return issued(
        api,
        statement(
            api, example, [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")]
        ),
    )


def fingerprint() -> tuple[Any, ...]:
    return (
        list(Payment.objects.values_list("pk", "amount", "applies_to")),
        list(Invoice.objects.values_list("pk", "paid_payable", "paid_retention")),
    )


def test_partial_payments_then_the_rest_and_the_retention(
    alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    assert pay(alice_api, invoice["id"], "10000.00").status_code == 201
    assert pay(alice_api, invoice["id"], "4820.00").status_code == 201
    retention = pay(alice_api, invoice["id"], "780.00", applies_to="retention")
    assert retention.status_code == 201, retention.content
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.paid_payable, stored.paid_retention) == (D("14820.00"), D("780.00"))
    listed = alice_api.get(f"/invoices/{invoice['id']}/payments").json()
    assert [(p["amount"], p["applies_to"]) for p in listed["items"]] == [
        ("10000.00", "payable"),
        ("4820.00", "payable"),
        ("780.00", "retention"),
    ]
    summary = alice_api.get(f"/contracts/{example.contract_id}/final-account").json()["summary"]
    assert (summary["paid"], summary["left_to_pay"], summary["retention_held"]) == (
        "15600.00",
        "0.00",
        "0.00",
    )


def test_an_overpayment_is_refused_unless_the_excess_is_a_credit_on_the_client(
    alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    before = fingerprint()
    refused = pay(alice_api, invoice["id"], "14820.01")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "amount"
    assert fingerprint() == before

    accepted = pay(alice_api, invoice["id"], "15000.00", excess_as_credit=True)
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert (body["amount"], body["applies_to"]) == ("14820.00", "payable")
    assert body["excess_credit"]["amount"] == "180.00"
    assert body["excess_credit"]["applies_to"] == "credit"
    assert body["excess_credit"]["invoice_id"] is None
    assert body["excess_credit"]["contract_id"] == example.contract_id
    summary = alice_api.get(f"/contracts/{example.contract_id}/final-account").json()["summary"]
    assert summary["paid"] == "15000.00"
    assert summary["left_to_pay"] == "600.00"  # the retention 780.00 less the 180.00 credit


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-10.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"days_ahead": 8}, "date"),
        ({"applies_to": "everything"}, "applies_to"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_recorded(
    alice_api: ApiClient, example: Example, change: dict[str, Any], field: str
) -> None:
    invoice = first_statement(alice_api, example)
    before = fingerprint()
    day = timezone.localdate() + dt.timedelta(days=change.pop("days_ahead", 0))
    body = {"date": day.isoformat(), "amount": "100.00", **change}
    response = alice_api.post(f"/invoices/{invoice['id']}/payments", body)
    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert fingerprint() == before


def test_a_payment_within_the_future_limit_is_accepted(
    alice_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    day = timezone.localdate() + dt.timedelta(days=7)  # the company's default limit
    body = {"date": day.isoformat(), "amount": "100.00"}
    assert alice_api.post(f"/invoices/{invoice['id']}/payments", body).status_code == 201


def test_a_draft_or_a_credit_note_cannot_be_paid(alice_api: ApiClient, example: Example) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "10")])
    assert draft.status_code == 201
    before = fingerprint()
    refused = pay(alice_api, draft.json()["id"], "100.00")
    assert refused.status_code == 409
    assert fingerprint() == before
    alice_api.delete(f"/invoices/{draft.json()['id']}")

    invoice = first_statement(alice_api, example)
    credit = issued(alice_api, alice_api.post(f"/invoices/{invoice['id']}/credit-note"))
    refused = pay(alice_api, credit["id"], "100.00")
    assert refused.status_code == 409
    # The invoice is fully credited: nothing is left to pay on it.
    assert pay(alice_api, invoice["id"], "0.01").status_code == 422
    assert not Payment.objects.exists()


def test_a_foreign_invoice_is_not_found_and_a_reader_cannot_pay(
    alice_api: ApiClient, bob_api: ApiClient, charlie_api: ApiClient, example: Example
) -> None:
    invoice = first_statement(alice_api, example)
    before = fingerprint()
    assert pay(charlie_api, invoice["id"], "100.00").status_code == 404
    assert charlie_api.get(f"/contracts/{example.contract_id}/final-account").status_code == 404
    assert pay(bob_api, invoice["id"], "100.00").status_code == 403
    assert fingerprint() == before


def test_deleting_a_payment_needs_an_admin_and_a_reason_and_is_audited(
    alice_api: ApiClient, world: Any, example: Example
) -> None:
    from chantier.billing.payment_services import payment_delete
    from chantier.core.exceptions import DomainError, PermissionDenied
    from chantier.core.models import Membership, Role

    invoice = first_statement(alice_api, example)
    payment_id = pay(alice_api, invoice["id"], "1000.00").json()["id"]
    payment = Payment.objects.get(pk=payment_id)
    manager = world.bob
    Membership.objects.filter(user=manager).update(role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        payment_delete(user=manager, payment=payment, reason="erreur")
    with pytest.raises(DomainError):
        payment_delete(user=world.alice, payment=payment, reason="  ")
    assert Payment.objects.filter(pk=payment_id).exists()

    response = alice_api._call("delete", f"/payments/{payment_id}", {"reason": "Saisie en double"})
    assert response.status_code == 204, response.content
    assert not Payment.objects.filter(pk=payment_id).exists()
    assert Invoice.objects.get(pk=invoice["id"]).paid_payable == D("0.00")
    entry = AuditEntry.objects.get(action="payment_delete")
    assert entry.data["reason"] == "Saisie en double"
    assert entry.data["amount"] == "1000.00"
    assert entry.user == world.alice


def test_concurrent_payments_cannot_both_take_the_last_euro(
    alice_api: ApiClient, world: Any, example: Example
) -> None:
    """The invoice row is locked and its counters moved with F(): a second payment of
    the whole amount, after the first, finds nothing left."""
    from chantier.billing.payment_services import payment_record
    from chantier.core.exceptions import DomainError

    invoice = Invoice.objects.get(pk=first_statement(alice_api, example)["id"])
    today = timezone.localdate()
    payment_record(user=world.alice, invoice=invoice, date=today, amount=D("14820.00"))
    with pytest.raises(DomainError):
        # the same stale object, as a second request loaded before the first saved
        payment_record(user=world.alice, invoice=invoice, date=today, amount=D("14820.00"))
    assert Payment.objects.count() == 1
