"""Réserve services: create, update with its version, lift, reopen, delete; every refusal
leaves the database as it was; audit entries; roles and tenancy. Selectors' counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from chantier.core.exceptions import DomainError, FieldErrors, PermissionDenied, StaleEdit
from chantier.core.models import AuditEntry
from chantier.works import selectors, services
from chantier.works.models import Reserve

from .conftest import TODAY, make_contract

pytestmark = pytest.mark.django_db
D = dt.date
BEFORE_NOTED = "A réserve cannot be lifted (%(lifted)s) before it was noted (%(noted)s)."


def snapshot() -> list[tuple]:
    return list(Reserve.objects.order_by("pk").values_list())


def note(world, contract, **data) -> Reserve:
    values = {"description": "Joint décollé", "noted_on": D(2026, 11, 2), **data}
    return services.reserve_create(user=world.alice, contract=contract, **values)


def test_create_stores_the_reserve_open_with_an_audit_entry(world, contract):
    reserve = services.reserve_create(
        user=world.alice,
        contract=contract,
        title="  Joint de douche ",
        description="Joint silicone décollé",
        location="Salle de bains",
        noted_on=D(2026, 11, 2),
        due_on=D(2026, 12, 2),
        assigned_to="Plomberie Martin",
    )

    reserve.refresh_from_db()
    assert reserve.company == world.company_a
    assert reserve.contract == contract
    assert reserve.title == "Joint de douche"
    assert reserve.status == Reserve.Status.IDENTIFIED
    assert reserve.lifted_on is None and reserve.is_open
    assert reserve.lock_version == 1
    assert reserve.created_by == world.alice
    entry = AuditEntry.objects.get(action="reserve_create")
    assert entry.object_id == str(reserve.pk)
    assert entry.user == world.alice
    assert entry.data == {"contract": contract.pk, "description": "Joint de douche"}


def test_noted_on_defaults_to_today(world, contract):
    reserve = services.reserve_create(user=world.alice, contract=contract, description="Fissure")
    assert reserve.noted_on == TODAY


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"description": "   "}, "description", "Describe the réserve: what is wrong, and where."),
        ({"noted_on": D(2026, 11, 21)}, "noted_on", "A réserve cannot be noted in the future."),
        ({"noted_on": None}, "noted_on", "Enter the date the réserve was noted."),
        ({"noted_on": "2026-11-02"}, "noted_on", "Enter a valid date."),
        ({"description": "a\x00b"}, "description", "Null characters are not allowed."),
        ({"title": "x" * 201}, "title", "At most %(limit)d characters."),
        ({"status": "lifted"}, "status", "To lift a réserve, give the date it was lifted on."),
        ({"status": "done"}, "status", "Unknown status %(status)s; choose one of %(statuses)s."),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, contract, data, field, message):
    with pytest.raises(FieldErrors) as refused:
        note(world, contract, **data)
    assert list(refused.value.errors) == [field]
    expected = _(message)
    if "%(" in message:
        expected = expected.split("%(")[0]
    assert refused.value.errors[field][0].startswith(expected)
    assert snapshot() == []
    assert not AuditEntry.objects.filter(action="reserve_create").exists()


def test_a_due_date_before_the_noted_date_is_refused(world, contract):
    with pytest.raises(FieldErrors) as refused:
        note(world, contract, noted_on=D(2026, 11, 10), due_on=D(2026, 11, 9))
    assert refused.value.errors == {
        "due_on": [
            _("The date to lift it by is before the date it was noted (%(noted)s).")
            % {"noted": "10/11/2026"}
        ]
    }


def test_every_faulty_field_is_reported_at_once(world, contract):
    with pytest.raises(FieldErrors) as refused:
        note(world, contract, description="", noted_on=D(2027, 1, 1), location="y" * 201)
    assert set(refused.value.errors) == {"description", "noted_on", "location"}


def test_update_changes_the_fields_and_bumps_the_version(world, contract):
    reserve = note(world, contract)

    services.reserve_update(
        user=world.alice,
        reserve=reserve,
        lock_version=1,
        description="Joint décollé sur 40 cm",
        status=Reserve.Status.AWAITING_INSPECTION,
    )

    reserve.refresh_from_db()
    assert reserve.description == "Joint décollé sur 40 cm"
    assert reserve.status == Reserve.Status.AWAITING_INSPECTION
    assert reserve.lock_version == 2
    entry = AuditEntry.objects.get(action="reserve_update")
    assert entry.data == {"contract": contract.pk, "fields": ["description", "status"]}


def test_an_update_without_change_writes_nothing(world, contract):
    reserve = note(world, contract)
    services.reserve_update(user=world.alice, reserve=reserve, lock_version=1, location="")
    reserve.refresh_from_db()
    assert reserve.lock_version == 1
    assert not AuditEntry.objects.filter(action="reserve_update").exists()


def test_a_stale_save_is_refused_and_nothing_changes(world, contract):
    reserve = note(world, contract)
    mine = Reserve.objects.get(pk=reserve.pk)  # both loaded at version 1
    services.reserve_update(user=world.alice, reserve=reserve, lock_version=1, location="Cuisine")
    before = snapshot()

    with pytest.raises(StaleEdit) as refused:
        services.reserve_update(
            user=world.alice, reserve=mine, lock_version=1, description="Autre texte"
        )

    assert refused.value.message == _(
        "Someone else changed this réserve since you opened it: your change was not "
        "saved. Compare with the saved version, then save again."
    )
    assert snapshot() == before
    saved = Reserve.objects.get(pk=reserve.pk)
    assert (saved.location, saved.description) == ("Cuisine", "Joint décollé")
    assert saved.lock_version == 2
    assert AuditEntry.objects.filter(action="reserve_update").count() == 1
    with pytest.raises(StaleEdit):
        services.reserve_lift(
            user=world.alice, reserve=mine, lifted_on=D(2026, 11, 10), lock_version=1
        )
    with pytest.raises(StaleEdit):
        services.reserve_update(user=world.alice, reserve=mine, lock_version=0, title="x")
    assert snapshot() == before


def test_lift_records_the_date_and_the_status(world, contract):
    reserve = note(world, contract)

    services.reserve_lift(
        user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 15), lock_version=1
    )

    reserve.refresh_from_db()
    assert reserve.lifted_on == D(2026, 11, 15)
    assert reserve.status == Reserve.Status.LIFTED
    assert not reserve.is_open
    assert reserve.lock_version == 2
    assert AuditEntry.objects.get(action="reserve_lift").data == {
        "contract": contract.pk,
        "lifted_on": "2026-11-15",
    }


def test_lifting_on_the_day_it_was_noted_and_today_is_allowed(world, contract):
    first, second = note(world, contract), note(world, contract)
    services.reserve_lift(user=world.alice, reserve=first, lifted_on=D(2026, 11, 2))
    services.reserve_lift(user=world.alice, reserve=second, lifted_on=TODAY)
    assert selectors.open_reserve_count(contract) == 0


@pytest.mark.parametrize(
    ("lifted_on", "message"),
    [
        (D(2026, 11, 1), BEFORE_NOTED),
        (D(2026, 11, 21), "A réserve cannot be lifted in the future."),
        (None, "Enter the date the réserve was lifted."),
    ],
)
def test_bad_lift_dates_are_refused_and_nothing_changes(world, contract, lifted_on, message):
    reserve = note(world, contract)
    before = snapshot()
    with pytest.raises(FieldErrors) as refused:
        services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=lifted_on)
    assert list(refused.value.errors) == ["lifted_on"]
    assert refused.value.errors["lifted_on"][0].startswith(_(message).split("%(")[0])
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="reserve_lift").exists()


def test_lifting_twice_is_refused(world, contract):
    reserve = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 5))
    with pytest.raises(DomainError) as refused:
        services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 6))
    assert refused.value.message == _("This réserve was already lifted on %(date)s.") % {
        "date": "05/11/2026"
    }


def test_moving_the_noted_date_after_the_lift_is_refused_on_the_noted_date(world, contract):
    reserve = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 5))
    with pytest.raises(FieldErrors) as refused:
        services.reserve_update(user=world.alice, reserve=reserve, noted_on=D(2026, 11, 6))
    assert list(refused.value.errors) == ["noted_on"]


def test_a_lifted_reserve_keeps_its_status_until_reopened(world, contract):
    reserve = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 5))
    with pytest.raises(FieldErrors) as refused:
        services.reserve_update(user=world.alice, reserve=reserve, status="in_progress")
    assert refused.value.errors == {"status": [_("This réserve is lifted: reopen it first.")]}
    # its lift date may be corrected
    services.reserve_update(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 7))
    reserve.refresh_from_db()
    assert reserve.lifted_on == D(2026, 11, 7)


def test_reopen_clears_the_lift(world, contract):
    reserve = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=reserve, lifted_on=D(2026, 11, 5))

    services.reserve_reopen(user=world.alice, reserve=reserve, lock_version=2)

    reserve.refresh_from_db()
    assert reserve.lifted_on is None
    assert reserve.status == Reserve.Status.IDENTIFIED
    assert reserve.lock_version == 3
    assert AuditEntry.objects.get(action="reserve_reopen").data == {
        "contract": contract.pk,
        "was_lifted_on": "2026-11-05",
    }
    with pytest.raises(DomainError):
        services.reserve_reopen(user=world.alice, reserve=reserve)


def test_delete_removes_the_reserve_with_an_audit_entry(world, contract):
    reserve = note(world, contract)
    pk = reserve.pk
    services.reserve_delete(user=world.alice, reserve=reserve)
    assert not Reserve.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.get(action="reserve_delete").object_id == str(pk)


def test_a_contract_with_reserves_cannot_be_deleted_from_under_them(world, contract):
    note(world, contract)
    with pytest.raises(ProtectedError):
        contract.delete()


def test_a_read_only_member_changes_nothing(world, contract):
    reserve = note(world, contract)
    before = snapshot()
    for call in (
        lambda: services.reserve_create(user=world.bob, contract=contract, description="x"),
        lambda: services.reserve_update(user=world.bob, reserve=reserve, description="y"),
        lambda: services.reserve_lift(user=world.bob, reserve=reserve, lifted_on=TODAY),
        lambda: services.reserve_reopen(user=world.bob, reserve=reserve),
        lambda: services.reserve_delete(user=world.bob, reserve=reserve),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot() == before


def test_another_company_cannot_touch_the_reserves(world, contract):
    reserve = note(world, contract)
    before = snapshot()
    with pytest.raises(DomainError):
        services.reserve_create(user=world.charlie, contract=contract, description="x")
    for call in (
        lambda: services.reserve_update(user=world.charlie, reserve=reserve, description="y"),
        lambda: services.reserve_lift(user=world.charlie, reserve=reserve, lifted_on=TODAY),
        lambda: services.reserve_delete(user=world.charlie, reserve=reserve),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.message == _("Unknown réserve.")
    assert snapshot() == before


# --- selectors ----------------------------------------------------------------------------


def test_open_counts_one_query_each(world, contract, foreign_contract, django_assert_num_queries):
    other = make_contract(world.alice, "Client Deux", "MAR-A2")
    empty = make_contract(world.alice, "Client Trois", "MAR-A3")
    note(world, contract)
    note(world, contract, status=Reserve.Status.IN_PROGRESS)
    lifted = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=lifted, lifted_on=TODAY)
    note(world, other)
    services.reserve_create(user=world.charlie, contract=foreign_contract, description="B")

    with django_assert_num_queries(1):
        assert selectors.open_reserve_count(contract) == 2
    with django_assert_num_queries(1):
        counts = selectors.open_reserve_counts(
            world.company_a, [contract.pk, other.pk, empty.pk, foreign_contract.pk]
        )
    assert counts == {contract.pk: 2, other.pk: 1, empty.pk: 0, foreign_contract.pk: 0}
    with django_assert_num_queries(0):
        assert selectors.open_reserve_counts(world.company_a, []) == {}


def test_contract_reserves_filters_and_searches(world, contract):
    shower = note(world, contract, title="Joint de douche", location="Salle d'eau")
    crack = note(world, contract, description="Fissure en façade", noted_on=D(2026, 11, 1))
    lifted = note(world, contract, description="Trappe manquante", assigned_to="Électricité Roux")
    services.reserve_lift(user=world.alice, reserve=lifted, lifted_on=TODAY)

    def pks(**kwargs):
        return [r.pk for r in selectors.contract_reserves(contract, **kwargs)]

    assert pks() == [crack.pk, shower.pk, lifted.pk]  # open first, oldest first
    assert pks(status="open") == [crack.pk, shower.pk]
    assert pks(status="lifted") == [lifted.pk]
    assert pks(status="identified") == [crack.pk, shower.pk]
    assert pks(q="FACADE") == [crack.pk]
    assert pks(q="electricite") == [lifted.pk]
    assert pks(q="douche eau") == [shower.pk]
    with pytest.raises(DomainError):
        pks(status="nope")
