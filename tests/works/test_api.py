"""Réserves in the API: create (201, 400 naming fields), list (paginated, filtered), read,
PATCH (change, lift, correct, reopen, stale 409), roles (403) and tenancy (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import gettext as _

from chantier.works import services
from chantier.works.models import Reserve

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = dt.date


def snapshot() -> list[tuple]:
    return list(Reserve.objects.order_by("pk").values_list())


def note(world, contract, **data) -> Reserve:
    values = {"description": "Joint décollé", "noted_on": D(2026, 11, 2), **data}
    return services.reserve_create(user=world.alice, contract=contract, **values)


def test_create_answers_201_with_the_reserve(world, alice_api, contract):
    response = alice_api.post(
        f"/contracts/{contract.pk}/reserves",
        {"title": "Joint", "description": "Joint décollé", "location": "SdB",
         "noted_on": "2026-11-02", "due_on": "2026-12-01", "assigned_to": "Plomberie Martin"},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    reserve = Reserve.objects.get()
    assert body["id"] == reserve.pk
    assert {k: v for k, v in body.items() if k not in ("id", "created_at")} == {
        "contract_id": contract.pk,
        "title": "Joint",
        "description": "Joint décollé",
        "location": "SdB",
        "noted_on": "2026-11-02",
        "due_on": "2026-12-01",
        "assigned_to": "Plomberie Martin",
        "status": "identified",
        "is_open": True,
        "lifted_on": None,
        "lock_version": 1,
    }


def test_create_defaults_noted_on_to_today(alice_api, contract):
    response = alice_api.post(f"/contracts/{contract.pk}/reserves", {"description": "Fissure"})
    assert response.status_code == 201
    assert response.json()["noted_on"] == TODAY.isoformat()


def test_bad_input_is_a_400_naming_each_field(alice_api, contract):
    response = alice_api.post(
        f"/contracts/{contract.pk}/reserves",
        {"description": "", "noted_on": "2026-11-10", "due_on": "2026-11-09", "status": "x"},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    fields = {error["field"]: error["message"] for error in body["errors"]}
    assert set(fields) == {"description", "due_on", "status"}
    assert fields["description"] == _("Describe the réserve: what is wrong, and where.")
    assert snapshot() == []


def test_a_malformed_date_is_a_422_naming_the_field(alice_api, contract):
    response = alice_api.post(
        f"/contracts/{contract.pk}/reserves", {"description": "x", "noted_on": "02/11/2026"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["noted_on"]
    assert snapshot() == []


def test_lists_are_paginated_and_filtered(world, alice_api, contract):
    reserves = [note(world, contract, title=f"R{n}") for n in range(3)]
    services.reserve_lift(user=world.alice, reserve=reserves[0], lifted_on=TODAY)

    page = alice_api.get(f"/contracts/{contract.pk}/reserves?page=1&page_size=2").json()
    assert page["count"] == 3
    assert [item["title"] for item in page["items"]] == ["R1", "R2"]
    second = alice_api.get(f"/contracts/{contract.pk}/reserves?page=2&page_size=2").json()
    assert [item["title"] for item in second["items"]] == ["R0"]
    lifted = alice_api.get("/reserves?status=lifted").json()
    assert (lifted["count"], lifted["items"][0]["id"]) == (1, reserves[0].pk)
    assert alice_api.get("/reserves?status=open").json()["count"] == 2
    assert alice_api.get("/reserves?q=r2").json()["count"] == 1
    bad = alice_api.get("/reserves?status=bogus")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_get_one(world, alice_api, contract):
    reserve = note(world, contract)
    body = alice_api.get(f"/reserves/{reserve.pk}").json()
    assert (body["id"], body["description"], body["is_open"]) == (reserve.pk, "Joint décollé", True)


def test_patch_changes_lifts_corrects_and_reopens(world, alice_api, contract):
    reserve = note(world, contract)
    path = f"/reserves/{reserve.pk}"

    changed = alice_api.patch(path, {"status": "in_progress", "due_on": "2026-12-15"})
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["due_on"]) == ("in_progress", "2026-12-15")

    lifted = alice_api.patch(path, {"lifted_on": "2026-11-10", "lock_version": 2})
    assert lifted.status_code == 200, lifted.content
    assert (lifted.json()["status"], lifted.json()["lifted_on"]) == ("lifted", "2026-11-10")
    assert lifted.json()["is_open"] is False

    corrected = alice_api.patch(path, {"lifted_on": "2026-11-12"})
    assert corrected.json()["lifted_on"] == "2026-11-12"

    reopened = alice_api.patch(path, {"lifted_on": None})
    assert (reopened.json()["status"], reopened.json()["lifted_on"]) == ("identified", None)


def test_patch_refusals_change_nothing(world, alice_api, contract):
    reserve = note(world, contract)
    path = f"/reserves/{reserve.pk}"
    before = snapshot()

    early = alice_api.patch(path, {"lifted_on": "2026-11-01", "description": "changed"})
    assert early.status_code == 400
    assert [e["field"] for e in early.json()["errors"]] == ["lifted_on"]
    future = alice_api.patch(path, {"lifted_on": "2026-11-21"})
    assert future.status_code == 400
    stale = alice_api.patch(path, {"description": "changed", "lock_version": 7})
    assert stale.status_code == 409
    assert stale.json()["detail"] == _(
        "Someone else changed this réserve since you opened it: your change was not "
        "saved. Compare with the saved version, then save again."
    )
    blank = alice_api.patch(path, {"description": "  "})
    assert blank.status_code == 400
    assert snapshot() == before


def test_read_only_token_gets_403_and_writes_nothing(world, bob_api, contract):
    reserve = note(world, contract)
    before = snapshot()
    assert bob_api.get(f"/reserves/{reserve.pk}").status_code == 200
    created = bob_api.post(f"/contracts/{contract.pk}/reserves", {"description": "x"})
    assert created.status_code == 403
    assert bob_api.patch(f"/reserves/{reserve.pk}", {"lifted_on": "2026-11-10"}).status_code == 403
    assert bob_api.patch(f"/reserves/{reserve.pk}", {}).status_code == 403
    assert snapshot() == before


def test_another_company_gets_404(world, charlie_api, contract):
    reserve = note(world, contract)
    before = snapshot()
    for response in (
        charlie_api.get(f"/reserves/{reserve.pk}"),
        charlie_api.get(f"/contracts/{contract.pk}/reserves"),
        charlie_api.post(f"/contracts/{contract.pk}/reserves", {"description": "x"}),
        charlie_api.patch(f"/reserves/{reserve.pk}", {"lifted_on": "2026-11-10"}),
    ):
        assert response.status_code == 404
        assert response.json()["detail"]
    assert charlie_api.get("/reserves").json() == {"items": [], "count": 0}
    assert snapshot() == before
