"""Recording the final-account dates (service and API): example 8.A through the API,
dates before the handover refused with nothing changed, version check, roles, tenancy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chantier.contracts.final_account_services import FIELDS, contract_final_account_record
from chantier.contracts.models import Contract
from chantier.core.exceptions import DomainError, FieldErrors, PermissionDenied, StaleEdit
from chantier.core.models import AuditEntry

pytestmark = pytest.mark.django_db

D = dt.date
EXAMPLE_8A = {
    "final_statement_sent_date": D(2026, 3, 19),
    "final_statement_moe_received_date": D(2026, 3, 20),
    "final_statement_moa_received_date": D(2026, 3, 23),
    "general_statement_notified_date": D(2026, 4, 20),
}


def snapshot(contract: Contract) -> dict[str, object]:
    fresh = Contract.objects.get(pk=contract.pk)
    return {name: getattr(fresh, name) for name in (*FIELDS, "lock_version")}


HANDOVER = D(2026, 3, 2)


def public(contract: Contract, handover: dt.date | None = HANDOVER) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(procurement="public", handover_date=handover)
    contract.refresh_from_db()
    return contract


def test_record_the_dates_with_an_audit_entry_and_a_new_version(world, contract):
    public(contract)
    version = contract.lock_version

    contract_final_account_record(
        user=world.alice, contract=contract, data=EXAMPLE_8A, lock_version=version
    )

    fresh = Contract.objects.get(pk=contract.pk)
    assert fresh.final_statement_moa_received_date == D(2026, 3, 23)
    assert fresh.general_statement_notified_date == D(2026, 4, 20)
    assert fresh.lock_version == version + 1 == contract.lock_version
    entry = AuditEntry.objects.filter(action="contract_final_account_record").get()
    assert entry.data["final_statement_moa_received_date"] == "2026-03-23"
    # Saving the same values again changes nothing (no version, no audit entry).
    contract_final_account_record(user=world.alice, contract=contract, data=EXAMPLE_8A)
    assert Contract.objects.get(pk=contract.pk).lock_version == version + 1
    assert AuditEntry.objects.filter(action="contract_final_account_record").count() == 1


def test_a_date_before_the_handover_is_refused_and_nothing_changes(world, contract):
    public(contract)
    contract_final_account_record(
        user=world.alice, contract=contract, data={"final_statement_sent_date": D(2026, 3, 19)}
    )
    before = snapshot(contract)

    with pytest.raises(FieldErrors) as refused:
        contract_final_account_record(
            user=world.alice,
            contract=contract,
            data={
                "final_statement_moe_received_date": D(2026, 3, 1),  # the day before
                "general_statement_notified_date": D(2026, 4, 20),
            },
        )

    assert set(refused.value.errors) == {"final_statement_moe_received_date"}
    with translation.override("fr"):
        assert gettext("This date is before the handover (%(date)s).") != (
            "This date is before the handover (%(date)s)."
        )
    assert snapshot(contract) == before


def test_french_message_names_the_handover_date(world, contract):
    public(contract)
    with translation.override("fr"), pytest.raises(FieldErrors) as refused:
        contract_final_account_record(
            user=world.alice,
            contract=contract,
            data={"final_statement_sent_date": D(2026, 2, 27)},
        )
    [message] = refused.value.errors["final_statement_sent_date"]
    with translation.override("fr"):
        expected = gettext("This date is before the handover (%(date)s).") % {"date": "02/03/2026"}
    assert message == expected


def test_no_date_without_a_handover(world, contract):
    public(contract, handover=None)
    before = snapshot(contract)
    with pytest.raises(FieldErrors) as refused:
        contract_final_account_record(
            user=world.alice, contract=contract, data={"final_statement_sent_date": D(2026, 3, 1)}
        )
    assert "final_statement_sent_date" in refused.value.errors
    assert snapshot(contract) == before


def test_order_of_the_events_is_checked(world, contract):
    public(contract)
    before = snapshot(contract)
    with pytest.raises(FieldErrors) as refused:
        contract_final_account_record(
            user=world.alice,
            contract=contract,
            data={
                "final_statement_sent_date": D(2026, 3, 19),
                "final_statement_moa_received_date": D(2026, 3, 18),
                "general_statement_returned_date": D(2026, 5, 1),  # never notified
            },
        )
    assert set(refused.value.errors) == {
        "final_statement_moa_received_date",
        "general_statement_returned_date",
    }
    assert snapshot(contract) == before


def test_a_stale_version_is_refused(world, contract):
    public(contract)
    stale = contract.lock_version
    contract_final_account_record(
        user=world.alice, contract=contract, data={"nf_p03_001": True}, lock_version=stale
    )
    before = snapshot(contract)
    with pytest.raises(StaleEdit):
        contract_final_account_record(
            user=world.alice,
            contract=contract,
            data={"final_statement_sent_date": D(2026, 3, 19)},
            lock_version=stale,
        )
    assert snapshot(contract) == before


def test_a_reader_or_another_company_changes_nothing(world, contract):
    public(contract)
    before = snapshot(contract)
    with pytest.raises(PermissionDenied):
        contract_final_account_record(user=world.bob, contract=contract, data=EXAMPLE_8A)
    with pytest.raises(DomainError):  # another company's contract: unknown
        contract_final_account_record(user=world.charlie, contract=contract, data=EXAMPLE_8A)
    assert snapshot(contract) == before


# --- API ------------------------------------------------------------------------------------


def test_api_patch_then_get_the_timeline_of_example_8a(alice_api, contract):
    Contract.objects.filter(pk=contract.pk).update(procurement="public")
    patched = alice_api.patch(
        f"/contracts/{contract.pk}",
        {
            "handover_date": "2026-03-02",
            "final_account": {key: value.isoformat() for key, value in EXAMPLE_8A.items()},
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["final_account"]["final_statement_moa_received_date"] == "2026-03-23"
    assert patched.json()["settings"]["handover_date"] == "2026-03-02"

    body = alice_api.get(f"/contracts/{contract.pk}/final-account-timeline").json()

    assert body["kind"] == "public"
    assert body["handover_date"] == "2026-03-02"
    steps = {step["step"]: step for step in body["steps"]}
    assert steps["final_statement"]["deadline"] == "2026-04-01"
    assert steps["final_statement"]["status"] == "done"
    assert steps["general_statement"]["starts_from"] == "2026-03-23"
    assert steps["general_statement"]["deadline"] == "2026-04-22"
    assert steps["signed_return"]["deadline"] == "2026-05-20"
    assert "tacit_general_statement" not in steps
    assert body["dates"]["general_statement_notified_date"] == "2026-04-20"


def test_api_tacit_variant_and_partial_patch(alice_api, contract):
    Contract.objects.filter(pk=contract.pk).update(
        procurement="public", handover_date=D(2026, 3, 2)
    )
    dates = {
        "final_statement_moe_received_date": "2026-03-20",
        "final_statement_moa_received_date": "2026-03-23",
    }
    assert alice_api.patch(f"/contracts/{contract.pk}", {"final_account": dates}).status_code == 200
    response = alice_api.patch(
        f"/contracts/{contract.pk}",
        {"final_account": {"draft_general_statement_received_date": "2026-04-27"}},
    )
    assert response.status_code == 200, response.content
    # The first dates are kept: only the fields sent change.
    assert response.json()["final_account"]["final_statement_moe_received_date"] == "2026-03-20"

    steps = {
        s["step"]: s
        for s in alice_api.get(f"/contracts/{contract.pk}/final-account-timeline").json()["steps"]
    }
    assert steps["tacit_general_statement"]["deadline"] == "2026-05-07"


def test_api_refuses_a_date_before_the_handover_with_the_field_named(alice_api, contract):
    Contract.objects.filter(pk=contract.pk).update(
        procurement="public", handover_date=D(2026, 3, 2)
    )
    before = snapshot(contract)
    response = alice_api.patch(
        f"/contracts/{contract.pk}",
        {"title": "Autre titre", "final_account": {"final_statement_sent_date": "2026-03-01"}},
    )
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["final_account.final_statement_sent_date"]
    assert snapshot(contract) == before
    assert Contract.objects.get(pk=contract.pk).title == "Rénovation du hall"  # rolled back


def test_api_existing_patch_behaviour_is_kept(alice_api, contract):
    response = alice_api.patch(f"/contracts/{contract.pk}", {"title": "Hall rénové"})
    assert response.status_code == 200
    assert response.json()["title"] == "Hall rénové"
    assert response.json()["final_account"]["nf_p03_001"] is False


def test_api_private_without_the_standard_has_no_steps(alice_api, contract):
    body = alice_api.get(f"/contracts/{contract.pk}/final-account-timeline").json()
    assert body["kind"] is None and body["steps"] == []
    alice_api.patch(f"/contracts/{contract.pk}", {"final_account": {"nf_p03_001": True}})
    body = alice_api.get(f"/contracts/{contract.pk}/final-account-timeline").json()
    assert body["kind"] == "private" and len(body["steps"]) == 3


def test_api_foreign_contract_is_404_and_reader_cannot_patch(
    charlie_api, bob_api, alice_api, contract
):
    Contract.objects.filter(pk=contract.pk).update(handover_date=D(2026, 3, 2))
    before = snapshot(contract)
    assert charlie_api.get(f"/contracts/{contract.pk}/final-account-timeline").status_code == 404
    patch = {"final_account": {"final_statement_sent_date": "2026-03-19"}}
    assert charlie_api.patch(f"/contracts/{contract.pk}", patch).status_code == 404
    assert bob_api.get(f"/contracts/{contract.pk}/final-account-timeline").status_code == 200
    assert bob_api.patch(f"/contracts/{contract.pk}", patch).status_code == 403
    assert snapshot(contract) == before


def test_the_handover_cannot_move_after_the_recorded_dates(world, alice_api, contract):
    public(contract)
    contract_final_account_record(
        user=world.alice, contract=contract, data={"final_statement_sent_date": D(2026, 3, 19)}
    )
    before = snapshot(contract)
    for handover in ("2026-03-20", None):
        response = alice_api.patch(f"/contracts/{contract.pk}", {"handover_date": handover})
        assert response.status_code == 422, handover
        assert [e["field"] for e in response.json()["errors"]] == ["handover_date"]
    assert snapshot(contract) == before
    assert Contract.objects.get(pk=contract.pk).handover_date == HANDOVER
    # Moving it earlier, or to the day of the first event, is fine.
    ok = alice_api.patch(f"/contracts/{contract.pk}", {"handover_date": "2026-03-19"})
    assert ok.status_code == 200


def test_no_tacit_general_statement_without_a_final_statement_nor_a_future_date(
    alice_api, contract
):
    """French-rules §8.1: the tacit DGD needs a final statement; recorded dates are events
    that happened (none after today)."""
    import datetime as dt

    from django.utils import timezone

    Contract.objects.filter(pk=contract.pk).update(
        procurement="public", handover_date=D(2026, 3, 2)
    )
    before = snapshot(contract)
    response = alice_api.patch(
        f"/contracts/{contract.pk}",
        {"final_account": {"draft_general_statement_received_date": "2026-04-27"}},
    )
    assert response.status_code == 422, response.content
    assert "draft_general_statement_received_date" in response.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = alice_api.patch(
        f"/contracts/{contract.pk}", {"final_account": {"final_statement_sent_date": future}}
    )
    assert response.status_code == 422, response.content
    assert snapshot(contract) == before
