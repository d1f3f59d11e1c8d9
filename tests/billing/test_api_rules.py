"""Invoice API refusals and lifecycle: each bad input gets a clear 4xx naming the line or
field and leaves the data as it was (billing.md, issue "Bad input")."""

from __future__ import annotations

from typing import Any

from chantier.billing.models import Invoice, InvoiceLine
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient


def fingerprint() -> tuple[Any, ...]:
    return (
        tuple(
            Invoice.objects.order_by("pk").values_list(
                "pk", "status", "number", "net", "lock_version"
            )
        ),
        InvoiceLine.objects.count(),
    )


def test_progress_above_100_on_a_lump_sum_line_names_the_line(
    alice_api: ApiClient, example: Example
) -> None:
    before = fingerprint()
    answer = statement(alice_api, example, [("L1", "cumulative_percent", "100.01")])
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["errors"][0]["field"] == f"progress.{example.lines['L1']}"
    assert "L1 Terrassement" in body["detail"]
    assert fingerprint() == before


def test_unit_price_contract_accepts_an_overrun_with_a_warning(
    alice_api: ApiClient, example: Example
) -> None:
    assert (
        alice_api.patch(f"/contracts/{example.contract_id}", {"pricing": "unit_price"}).status_code
        == 200
    )
    answer = statement(alice_api, example, [("L2", "cumulative_quantity", "260")])
    assert answer.status_code == 201, answer.content
    invoice = answer.json()
    assert invoice["net"] == "20800.00"
    assert [w["line_id"] for w in invoice["warnings"] if w["code"] == "over_contract_quantity"] == [
        example.lines["L2"]
    ]


def test_unknown_line_and_unknown_mode_are_refused(alice_api: ApiClient, example: Example) -> None:
    before = fingerprint()
    unknown = alice_api.post(
        f"/contracts/{example.contract_id}/invoices",
        {
            "kind": "progress",
            "date": "2026-03-31",
            "progress": [{"line_id": 999999, "mode": "cumulative_percent", "value": "10"}],
        },
    )
    assert unknown.status_code == 422, unknown.content
    assert "999999" in unknown.json()["detail"]
    mode = alice_api.post(
        f"/contracts/{example.contract_id}/invoices",
        {
            "kind": "progress",
            "date": "2026-03-31",
            "progress": [{"line_id": example.lines["L1"], "mode": "sideways", "value": "10"}],
        },
    )
    assert mode.status_code in (400, 422), mode.content
    assert fingerprint() == before


def test_one_draft_statement_per_contract(alice_api: ApiClient, example: Example) -> None:
    first = statement(alice_api, example, [("L1", "cumulative_percent", "10")])
    assert first.status_code == 201
    before = fingerprint()
    second = statement(alice_api, example, [("L1", "cumulative_percent", "20")])
    assert second.status_code == 422, second.content
    assert second.json()["errors"][0]["field"] == "kind"
    assert fingerprint() == before


def test_issuing_twice_is_a_409_and_an_issued_invoice_cannot_change(
    alice_api: ApiClient, example: Example
) -> None:
    invoice = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "10")]))
    before = fingerprint()
    again = alice_api.post(f"/invoices/{invoice['id']}/issue")
    assert again.status_code == 409
    assert invoice["number"] in again.json()["detail"]
    edit = alice_api.put(f"/invoices/{invoice['id']}", {"date": "2026-04-30", "progress": []})
    assert edit.status_code == 409
    delete = alice_api.delete(f"/invoices/{invoice['id']}")
    assert delete.status_code == 409
    assert fingerprint() == before


def test_a_draft_can_be_changed_with_its_version_and_deleted(
    alice_api: ApiClient, example: Example
) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "10")]).json()
    changed = alice_api.put(
        f"/invoices/{draft['id']}",
        {
            "date": "2026-04-30",
            "progress": [
                {"line_id": example.lines["L1"], "mode": "cumulative_percent", "value": "30"}
            ],
            "lock_version": draft["lock_version"],
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["net"] == "3000.00"
    stale = alice_api.put(
        f"/invoices/{draft['id']}",
        {"date": "2026-04-30", "progress": [], "lock_version": draft["lock_version"]},
    )
    assert stale.status_code == 409
    assert Invoice.objects.get(pk=draft["id"]).net == 3000
    assert alice_api.delete(f"/invoices/{draft['id']}").status_code == 204
    assert not Invoice.objects.filter(pk=draft["id"]).exists()


def test_manual_deduction_above_the_balance_is_refused(
    alice_api: ApiClient, example: Example
) -> None:
    assert (
        alice_api.patch(
            f"/contracts/{example.contract_id}", {"down_payment_deduction": "manual"}
        ).status_code
        == 200
    )
    issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices",
            {"kind": "down_payment", "amount": "1000.00"},
        ),
    )
    before = fingerprint()
    answer = statement(
        alice_api, example, [("L1", "cumulative_percent", "50")], down_payment_deduction="1000.01"
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["field"] == "down_payment_deduction"
    assert fingerprint() == before


def test_manual_mode_without_deduction_above_the_threshold_asks_to_confirm(
    alice_api: ApiClient, example: Example
) -> None:
    assert (
        alice_api.patch(
            f"/contracts/{example.contract_id}", {"down_payment_deduction": "manual"}
        ).status_code
        == 200
    )
    issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices",
            {"kind": "down_payment", "amount": "1000.00"},
        ),
    )
    draft = statement(
        alice_api,
        example,
        [("L1", "cumulative_percent", "100"), ("L2", "cumulative_percent", "100")],
    )
    assert draft.status_code == 201
    refused = alice_api.post(f"/invoices/{draft.json()['id']}/issue")
    assert refused.status_code == 409
    assert Invoice.objects.get(pk=draft.json()["id"]).status == "draft"
    confirmed = alice_api.post(f"/invoices/{draft.json()['id']}/issue", {"confirm": True})
    assert confirmed.status_code == 200, confirmed.content


def test_missing_revision_index_is_named(alice_api: ApiClient, example: Example) -> None:
    patched = alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0.125",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "0.875", "base_value": "130.0"}],
            }
        },
    )
    assert patched.status_code == 200, patched.content
    before = fingerprint()
    answer = statement(alice_api, example, [("L1", "cumulative_percent", "50")])
    assert answer.status_code == 422, answer.content
    assert "BT01" in answer.json()["detail"]
    assert fingerprint() == before


def test_example_4a_revision_on_the_second_statement(
    alice_api: ApiClient, example: Example
) -> None:
    alice_api.patch(
        f"/contracts/{example.contract_id}",
        {
            "revision": {
                "fixed_part": "0.125",
                "rounding": "3up",
                "indices": [{"name": "BT01", "weight": "0.875", "base_value": "130.0"}],
            }
        },
    )
    issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
            index_values={"BT01": "130.0"},
        ),
    )
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
            index_values={"BT01": "134.5"},
        ),
    )
    assert second["revision_coefficient"] == "1.0310"
    assert [line["net"] for line in second["lines"] if line["kind"] == "revision"] == ["395.72"]
    assert second["net"] == "13160.72"


def test_credit_note_reverses_an_invoice_and_keeps_progress(
    alice_api: ApiClient, example: Example
) -> None:
    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    note = alice_api.post(f"/invoices/{first['id']}/credit-note")
    assert note.status_code == 201, note.content
    credit = alice_api.post(f"/invoices/{note.json()['id']}/issue").json()
    assert (credit["type_code"], credit["net"], credit["gross"], credit["retention"]) == (
        "381",
        "-13000.00",
        "-15600.00",
        "-780.00",
    )
    assert credit["credited_invoice_id"] == first["id"]
    assert alice_api.post(f"/invoices/{first['id']}/credit-note").status_code in (409, 422)
    # progress is unchanged: the next statement starts from 50 % / 100 m²
    second = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "100")]))
    assert second["net"] == "5000.00"


def test_partial_credit_note_of_one_line(alice_api: ApiClient, example: Example) -> None:
    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    l2 = [line["id"] for line in first["lines"] if line["line_id"] == example.lines["L2"]]
    note = alice_api.post(f"/invoices/{first['id']}/credit-note", {"lines": l2})
    assert note.status_code == 201, note.content
    assert (note.json()["net"], note.json()["vat"][0]["amount"]) == ("-8000.00", "-1600.00")
    again = alice_api.post(f"/invoices/{first['id']}/credit-note", {"lines": l2})
    assert again.status_code in (409, 422)


def test_down_payment_credit_note_is_503(alice_api: ApiClient, example: Example) -> None:
    down = issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "10"}
        ),
    )
    note = alice_api.post(f"/invoices/{down['id']}/credit-note")
    assert note.status_code == 201
    assert note.json()["type_code"] == "503"


def test_final_invoice_brings_every_line_to_100_and_deducts_the_rest(
    alice_api: ApiClient, example: Example
) -> None:
    issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "30"}
        ),
    )
    issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    final = issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "final", "date": "2026-06-30"}
        ),
    )
    assert final["kind"] == "final"
    assert final["works_net"] == "20060.00"  # 33 060.00 − 13 000.00
    deductions = [
        line["net"] for line in final["lines"] if line["kind"] == "deduction_of_down_payment"
    ]
    assert deductions == ["-6018.00"]  # 9 918.00 − 3 900.00
    assert final["global_percent"] == "100.00"


def test_another_company_gets_404_and_a_reader_403(
    alice_api: ApiClient, bob_api: ApiClient, charlie_api: ApiClient, example: Example
) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "10")]).json()
    before = fingerprint()
    assert charlie_api.get(f"/invoices/{draft['id']}").status_code == 404
    assert charlie_api.post(f"/invoices/{draft['id']}/issue").status_code == 404
    assert (
        charlie_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "10"}
        ).status_code
        == 404
    )
    assert bob_api.get(f"/invoices/{draft['id']}").status_code == 200
    assert bob_api.post(f"/invoices/{draft['id']}/issue").status_code == 403
    assert fingerprint() == before


def test_late_penalty_helper_example_9a_rules(alice_api: ApiClient, example: Example) -> None:
    # 33 060.00 / 3000 = 11.02 a day; 100 days = 1 102.00 (> 1 000: applied, below 10 %)
    late = statement(alice_api, example, [("L1", "cumulative_percent", "50")], penalty_days=100)
    assert late.status_code == 201, late.content
    body = late.json()
    assert [(d["kind"], d["amount"]) for d in body["deductions"]] == [("penalty", "1102.00")]
    assert body["payable"] == "4598.00"  # 6 000.00 TTC − 300.00 retention − 1 102.00
    alice_api.delete(f"/invoices/{body['id']}")
    waived = statement(alice_api, example, [("L1", "cumulative_percent", "50")], penalty_days=30)
    assert waived.json()["deductions"] == []  # 330.60 ≤ 1 000.00: waived


def test_a_billed_contract_line_cannot_be_deleted(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    from chantier.contracts import scope_selectors, selectors
    from chantier.contracts.models import Contract, ContractLine

    line = ContractLine.objects.get(pk=example.lines["L1"])
    assert not scope_selectors.line_is_billed(line)
    statement(alice_api, example, [("L1", "cumulative_percent", "10")])
    assert scope_selectors.line_is_billed(line)
    assert selectors.contract_has_invoices(Contract.objects.get(pk=example.contract_id))


def test_deductions_above_the_gross_and_a_date_before_the_last_statement_are_refused(
    alice_api: ApiClient, example: Example
) -> None:
    issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "10")]))
    before = fingerprint()
    too_much = statement(
        alice_api,
        example,
        [("L1", "cumulative_percent", "20")],
        deductions=[{"label": "Compte prorata", "amount": "999999.00"}],
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "deductions"
    earlier = alice_api.post(
        f"/contracts/{example.contract_id}/invoices",
        {"kind": "progress", "date": "2026-01-31", "progress": []},
    )
    assert earlier.status_code == 422
    assert earlier.json()["errors"][0]["field"] == "date"
    assert fingerprint() == before


def test_after_the_final_invoice_only_a_supplementary_one(
    alice_api: ApiClient, example: Example
) -> None:
    issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "final", "date": "2026-06-30"}
        ),
    )
    before = fingerprint()
    progress = statement(alice_api, example, [("L1", "cumulative_percent", "100")])
    assert progress.status_code == 422
    down = alice_api.post(
        f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "10"}
    )
    assert down.status_code == 422
    assert fingerprint() == before


def test_warnings_name_the_line_in_french(alice_api: ApiClient, example: Example) -> None:
    from django.utils import translation

    alice_api.patch(f"/contracts/{example.contract_id}", {"pricing": "unit_price"})
    with translation.override("fr"):
        answer = statement(
            alice_api, example, [("L2", "cumulative_quantity", "260")], HTTP_ACCEPT_LANGUAGE="fr"
        )
    [warning] = answer.json()["warnings"]
    assert "L2 Maçonnerie" in warning["message"]
