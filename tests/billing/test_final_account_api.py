"""The décompte général through the API (billing.md "Payments and the décompte général",
seed 002): french-rules examples 2.A and 3.A after two statements and one partial
payment, asserted line by line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient


def two_statements_after_a_down_payment(api: ApiClient, example: Example) -> list[dict[str, Any]]:
    down = issued(
        api,
        api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "30"}
        ),
    )
    first = issued(
        api,
        statement(
            api, example, [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")]
        ),
    )
    second = issued(
        api,
        statement(
            api,
            example,
            [
                ("L1", "cumulative_percent", "100"),
                ("L2", "cumulative_quantity", "187.5"),
                ("L3", "relative_quantity", "30"),
            ],
        ),
    )
    return [down, first, second]


def pay(api: ApiClient, invoice_id: int, amount: str, **extra: Any) -> Any:
    body = {"date": timezone.localdate().isoformat(), "amount": amount, **extra}
    return api.post(f"/invoices/{invoice_id}/payments", body)


def test_examples_2a_3a_final_account_after_two_statements_and_a_partial_payment(
    alice_api: ApiClient, example: Example
) -> None:
    down, first, second = two_statements_after_a_down_payment(alice_api, example)
    assert (second["net"], second["gross"], second["retention"], second["payable"]) == (
        "8935.50",
        "10722.60",
        "765.90",
        "9956.70",
    )
    paid = pay(alice_api, first["id"], "5000.00", method="cheque", reference="CHQ 1234")
    assert paid.status_code == 201, paid.content
    assert (paid.json()["amount"], paid.json()["contract_id"]) == ("5000.00", example.contract_id)

    account = alice_api.get(f"/contracts/{example.contract_id}/final-account")
    assert account.status_code == 200, account.content
    body = account.json()
    assert body["summary"] == {
        "base_net": "33060.00",
        "works_billed_net": "25765.00",
        "left_to_bill_net": "7295.00",
        "billed_net": "27953.50",
        "billed_gross": "33544.20",
        "retention_held": "1545.90",
        "deductions": "0.00",
        "paid": "5000.00",
        "left_to_pay": "28544.20",
    }
    assert [
        (row["number"], row["progress_percent"], row["gross"], row["retention"], row["payable"])
        for row in body["invoices"]
    ] == [
        (down["number"], "0.00", "11901.60", "0.00", "11901.60"),
        (first["number"], "39.32", "10920.00", "780.00", "10140.00"),
        (second["number"], "77.93", "10722.60", "765.90", "9956.70"),
    ]
    assert [row["left_to_pay"] for row in body["invoices"]] == ["11901.60", "5140.00", "9956.70"]
    assert [(e["kind"], e["debit"], e["credit"], e["balance"]) for e in body["past"]] == [
        ("invoice", "11901.60", "0.00", "-11901.60"),
        ("invoice", "10920.00", "0.00", "-22821.60"),
        ("invoice", "10722.60", "0.00", "-33544.20"),
        ("payment", "0.00", "5000.00", "-28544.20"),
    ]
    # Upcoming: each unpaid part at its due date (60 days), then the retention at its
    # release; the projected balance ends at 0.
    due = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert [(e["kind"], e["date"], e["credit"], e["balance"]) for e in body["upcoming"]] == [
        ("due", due, "11901.60", "-16642.60"),
        ("due", due, "5140.00", "-11502.60"),
        ("due", due, "9956.70", "-1545.90"),
        ("release", None, "1545.90", "0.00"),
    ]
    assert body["release_date"] is None  # no handover date yet


def test_the_release_date_comes_from_the_handover_and_the_warranty(
    alice_api: ApiClient, example: Example
) -> None:
    """Example 2.B: handover 2026-03-16 → private 2027-03-16; public 2027-04-15."""
    two_statements_after_a_down_payment(alice_api, example)
    path = f"/contracts/{example.contract_id}"
    assert alice_api.patch(path, {"handover_date": "2026-03-16"}).status_code == 200
    body = alice_api.get(f"{path}/final-account").json()
    assert body["release_date"] == "2027-03-16"
    assert body["upcoming"][-1]["date"] == "2027-03-16"
    assert alice_api.patch(path, {"procurement": "public"}).status_code == 200
    assert alice_api.get(f"{path}/final-account").json()["release_date"] == "2027-04-15"


def test_releasing_the_retention_pays_it_on_each_invoice(
    alice_api: ApiClient, example: Example
) -> None:
    _down, first, second = two_statements_after_a_down_payment(alice_api, example)
    released = alice_api.post(
        f"/contracts/{example.contract_id}/retention-release",
        {"amount": "1000.00", "reference": "VIR RG"},
    )
    assert released.status_code == 201, released.content
    body = released.json()
    assert body["amount"] == "1000.00"
    assert [(p["invoice_id"], p["amount"], p["applies_to"]) for p in body["payments"]] == [
        (first["id"], "780.00", "retention"),
        (second["id"], "220.00", "retention"),
    ]
    account = alice_api.get(f"/contracts/{example.contract_id}/final-account").json()
    assert account["summary"]["retention_held"] == "545.90"
    assert account["summary"]["paid"] == "1000.00"
    assert account["upcoming"][-1]["credit"] == "545.90"

    too_much = alice_api.post(
        f"/contracts/{example.contract_id}/retention-release", {"amount": "545.91"}
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "amount"


def test_a_private_individual_owes_no_l441_10_penalty(
    alice_api: ApiClient, example: Example
) -> None:
    """L441-10 (interest and the 40 € indemnity) applies between professionals only."""
    from chantier.billing.models import Invoice
    from chantier.parties.models import Client

    _down, first, _second = two_statements_after_a_down_payment(alice_api, example)
    Invoice.objects.filter(pk=first["id"]).update(
        due_date=timezone.localdate() - dt.timedelta(days=30)
    )
    [row] = alice_api.get("/invoices/overdue").json()["items"]
    assert (row["late_interest"], row["recovery_indemnity"]) == (
        "101.26",
        "40.00",
    )  # 10 140,00 × 12,15 % × 30 / 365
    Client.objects.update(kind=Client.Kind.INDIVIDUAL)
    [row] = alice_api.get("/invoices/overdue").json()["items"]
    assert (row["left_to_pay"], row["late_interest"], row["recovery_indemnity"]) == (
        "10140.00",
        "0.00",
        "0.00",
    )


def test_an_early_release_asks_for_a_confirmation(alice_api: ApiClient, example: Example) -> None:
    from chantier.billing.models import RetentionRelease

    two_statements_after_a_down_payment(alice_api, example)
    path = f"/contracts/{example.contract_id}"
    assert alice_api.patch(path, {"handover_date": "2026-03-16"}).status_code == 200
    early = alice_api.post(f"{path}/retention-release", {})
    assert early.status_code == 409  # due on 2027-03-16
    assert "16/03/2027" in early.json()["detail"] or "16/03/2027" in early.content.decode()
    assert not RetentionRelease.objects.exists()
    confirmed = alice_api.post(f"{path}/retention-release", {"confirm": True})
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["amount"] == "1545.90"
