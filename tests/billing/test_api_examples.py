"""french-rules worked examples through the integration API, as an integrator would run
them: drafts created, issued, read back; every figure to the cent (billing.md)."""

from __future__ import annotations

from typing import Any

from tests.billing.conftest import Example
from tests.conftest import ApiClient


def statement(
    api: ApiClient, example: Example, progress: list[tuple[str, str, str]], **extra: Any
) -> Any:
    body = {
        "kind": "progress",
        "date": "2026-03-31",
        "progress": [
            {"line_id": example.lines[name], "mode": mode, "value": value}
            for name, mode, value in progress
        ],
        **extra,
    }
    return api.post(f"/contracts/{example.contract_id}/invoices", body)


def issued(api: ApiClient, response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    answer = api.post(f"/invoices/{response.json()['id']}/issue")
    assert answer.status_code == 200, answer.content
    return answer.json()


def work_nets(invoice: dict[str, Any]) -> list[str]:
    return [line["net"] for line in invoice["lines"] if line["kind"] == "work"]


def test_examples_1a_and_2a_two_statements_with_retention(
    alice_api: ApiClient, example: Example
) -> None:
    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L1", "cumulative_percent", "50"),
                ("L2", "cumulative_quantity", "100"),
                ("L3", "cumulative_quantity", "0"),
            ],
        ),
    )
    assert work_nets(first) == ["5000.00", "8000.00", "0.00"]
    assert (first["net"], first["vat"][0]["amount"], first["gross"]) == (
        "13000.00",
        "2600.00",
        "15600.00",
    )
    assert (first["retention"], first["payable"]) == ("780.00", "14820.00")
    assert first["number"].endswith("-00001") and first["type_code"] == "380"

    second = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L1", "cumulative_percent", "100"),
                ("L2", "cumulative_quantity", "187.5"),
                ("L3", "relative_quantity", "30"),
            ],
        ),
    )
    assert work_nets(second) == ["5000.00", "7000.00", "765.00"]
    assert [line["cumulative_amount"] for line in second["lines"] if line["kind"] == "work"] == [
        "10000.00",
        "15000.00",
        "765.00",
    ]
    assert (second["net"], second["gross"], second["retention"], second["payable"]) == (
        "12765.00",
        "15318.00",
        "765.90",
        "14552.10",
    )
    assert second["retention_cumulative"] == "1545.90"
    assert second["number"].endswith("-00002")


def test_example_1a_relative_percent_gives_the_same_statement(
    alice_api: ApiClient, example: Example
) -> None:
    issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_percent", "40")],
        ),
    )
    second = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L1", "relative_percent", "50"),
                ("L2", "relative_percent", "35"),
                ("L3", "relative_percent", "25"),
            ],
        ),
    )
    assert work_nets(second) == ["5000.00", "7000.00", "765.00"]
    assert second["net"] == "12765.00"


def test_example_3a_down_payment_then_statement_with_deduction(
    alice_api: ApiClient, example: Example
) -> None:
    down = issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "30"}
        ),
    )
    assert (down["type_code"], down["net"], down["vat"][0]["amount"], down["gross"]) == (
        "386",
        "9918.00",
        "1983.60",
        "11901.60",
    )
    assert down["retention"] == "0.00"

    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    deduction = [line for line in first["lines"] if line["kind"] == "deduction_of_down_payment"]
    assert [line["net"] for line in deduction] == ["-3900.00"]
    assert deduction[0]["down_payment_invoice_id"] == down["id"]
    assert (first["net"], first["vat"][0]["amount"], first["gross"]) == (
        "9100.00",
        "1820.00",
        "10920.00",
    )
    assert (first["retention"], first["payable"]) == ("780.00", "10140.00")

    second = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L1", "cumulative_percent", "100"),
                ("L2", "cumulative_quantity", "187.5"),
                ("L3", "relative_quantity", "30"),
            ],
        ),
    )
    assert [
        line["net"] for line in second["lines"] if line["kind"] == "deduction_of_down_payment"
    ] == ["-3829.50"]


def test_example_1b_avenant_and_a_correction_downwards(
    alice_api: ApiClient, example: Example
) -> None:
    issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L1", "cumulative_percent", "100"),
                ("L2", "cumulative_quantity", "187.5"),
                ("L3", "relative_quantity", "30"),
            ],
        ),
    )
    change = alice_api.post(
        f"/contracts/{example.contract_id}/change-orders",
        {
            "title": "Mur",
            "lines": [
                {
                    "description": "L4 Mur supplémentaire",
                    "unit": "u",
                    "quantity": "1",
                    "unit_price": "2500.00",
                    "vat_rate": "20.00",
                }
            ],
        },
    )
    assert change.status_code == 201, change.content
    assert alice_api.post(f"/change-orders/{change.json()['id']}/submit").status_code == 200
    assert alice_api.post(f"/change-orders/{change.json()['id']}/approve").status_code == 200
    l4 = next(
        row
        for row in alice_api.get(f"/contracts/{example.contract_id}").json()["lines"]
        if row["description"].startswith("L4")
    )
    example.lines["L4"] = l4["id"]

    third = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [
                ("L2", "cumulative_quantity", "175"),
                ("L3", "cumulative_quantity", "60"),
                ("L4", "cumulative_percent", "40"),
            ],
        ),
    )
    by_line = {line["line_id"]: line["net"] for line in third["lines"] if line["kind"] == "work"}
    assert [by_line[example.lines[name]] for name in ("L1", "L2", "L3", "L4")] == [
        "0.00",
        "-1000.00",
        "765.00",
        "1000.00",
    ]
    assert third["net"] == "765.00"
    assert third["global_percent"] == "74.61"


def test_example_1b_variant_a_negative_statement_is_a_credit_note(
    alice_api: ApiClient, example: Example
) -> None:
    issued(alice_api, statement(alice_api, example, [("L2", "cumulative_quantity", "187.5")]))
    corrected = issued(
        alice_api, statement(alice_api, example, [("L2", "cumulative_quantity", "175")])
    )
    assert corrected["type_code"] == "381"
    assert corrected["net"] == "-1000.00"
    assert corrected["gross"] == "-1200.00"
