"""Réserve pages: the list (search, status filter, pages, fixed queries), add, edit (stale
save kept and refused), lift, reopen, delete with confirmation; the contract page's link
with the open count; roles and tenancy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.core.models import AuditEntry
from chantier.works import services
from chantier.works.models import Reserve

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = dt.date


def html(response, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.content.decode()


def url(name: str, *args: object) -> str:
    return reverse(f"works:{name}", args=args)


def note(world, contract, **data) -> Reserve:
    values = {"description": "Joint décollé", "noted_on": D(2026, 11, 2), **data}
    return services.reserve_create(user=world.alice, contract=contract, **values)


def snapshot() -> list[tuple]:
    return list(Reserve.objects.order_by("pk").values_list())


def open_label(count: int) -> str:
    return ngettext("%(counter)s open", "%(counter)s open", count) % {"counter": count}


def test_add_then_edit_then_lift_then_reopen_then_delete(world, alice_client, contract):
    page = html(alice_client.get(url("reserve_list", contract.pk)))
    assert escape(_("No réserve on this contract.")) in page
    assert url("reserve_create", contract.pk) in page

    assert alice_client.get(url("reserve_create", contract.pk)).status_code == 200
    created = alice_client.post(
        url("reserve_create", contract.pk),
        {"title": "Joint de douche", "description": "Joint décollé", "location": "SdB",
         "noted_on": "2026-11-02", "due_on": "2026-12-01", "assigned_to": "Plomberie Martin",
         "status": "identified"},
    )  # fmt: skip
    assert created.status_code == 302
    assert created["Location"] == url("reserve_list", contract.pk)
    reserve = Reserve.objects.get()
    assert (reserve.title, reserve.due_on, reserve.created_by) == (
        "Joint de douche",
        D(2026, 12, 1),
        world.alice,
    )

    page = html(alice_client.get(url("reserve_list", contract.pk)))
    assert "Joint de douche" in page and "Plomberie Martin" in page
    assert open_label(1) in page

    edit = url("reserve_edit", reserve.pk)
    assert 'value="1"' in html(alice_client.get(edit))  # lock_version
    saved = alice_client.post(
        edit,
        {"title": "Joint de douche", "description": "Joint décollé sur 40 cm",
         "noted_on": "2026-11-02", "status": "in_progress", "lock_version": "1"},
    )  # fmt: skip
    assert saved.status_code == 302
    reserve.refresh_from_db()
    assert (reserve.description, reserve.status, reserve.due_on) == (
        "Joint décollé sur 40 cm",
        "in_progress",
        None,
    )

    lift = url("reserve_lift", reserve.pk)
    assert TODAY.isoformat() in html(alice_client.get(lift))  # prefilled with today
    lifted = alice_client.post(lift, {"lifted_on": "2026-11-15", "lock_version": "2"})
    assert lifted.status_code == 302
    reserve.refresh_from_db()
    assert (reserve.lifted_on, reserve.status) == (D(2026, 11, 15), "lifted")
    page = html(alice_client.get(url("reserve_list", contract.pk)))
    assert open_label(0) in page
    assert url("reserve_reopen", reserve.pk) in page

    reopened = alice_client.post(url("reserve_reopen", reserve.pk), {"lock_version": "3"})
    assert reopened.status_code == 302
    reserve.refresh_from_db()
    assert reserve.is_open and reserve.status == "identified"

    delete = url("reserve_delete", reserve.pk)
    assert url("reserve_delete", reserve.pk) in html(alice_client.get(edit))
    assert escape(_("This cannot be undone.")) in html(alice_client.get(delete))
    assert Reserve.objects.exists()  # asking deletes nothing
    assert alice_client.post(delete).status_code == 302
    assert not Reserve.objects.exists()
    entries = AuditEntry.objects.filter(action__startswith="reserve_").order_by("pk")
    assert list(entries.values_list("action", flat=True)) == [
        "reserve_create",
        "reserve_update",
        "reserve_lift",
        "reserve_reopen",
        "reserve_delete",
    ]


def test_form_errors_are_shown_and_nothing_is_written(alice_client, contract):
    response = alice_client.post(
        url("reserve_create", contract.pk),
        {"description": "  ", "noted_on": "2026-12-01", "status": "identified"},
    )
    page = html(response, 400)
    assert escape(_("This field is required.")) in page  # the form: blank description
    response = alice_client.post(
        url("reserve_create", contract.pk),
        {"description": "Fissure", "noted_on": "2026-11-10", "due_on": "2026-11-09"},
    )
    page = html(response, 400)
    expected = _("The date to lift it by is before the date it was noted (%(noted)s).") % {
        "noted": "10/11/2026"
    }
    assert escape(expected) in page
    response = alice_client.post(
        url("reserve_create", contract.pk), {"description": "Fissure", "noted_on": "2026-11-21"}
    )
    assert escape(_("A réserve cannot be noted in the future.")) in html(response, 400)
    assert snapshot() == []


def test_a_lift_before_the_noted_date_is_refused_on_the_page(world, alice_client, contract):
    reserve = note(world, contract)
    before = snapshot()
    response = alice_client.post(url("reserve_lift", reserve.pk), {"lifted_on": "2026-11-01"})
    page = html(response, 400)
    assert "has-error" in page
    assert escape(_("A réserve cannot be lifted (%(lifted)s) before it was noted (%(noted)s).")
                  % {"lifted": "01/11/2026", "noted": "02/11/2026"}) in page  # fmt: skip
    assert snapshot() == before


def test_a_stale_save_keeps_what_was_typed_and_changes_nothing(world, alice_client, contract):
    reserve = note(world, contract, location="Cuisine")
    services.reserve_update(user=world.alice, reserve=reserve, location="Salle de bains")
    before = snapshot()

    response = alice_client.post(
        url("reserve_edit", reserve.pk),
        {"description": "Mon texte à moi", "noted_on": "2026-11-02", "location": "Cuisine",
         "status": "identified", "lock_version": "1"},
    )  # fmt: skip

    page = html(response, 409)
    assert snapshot() == before
    assert (
        escape(
            _(
                "Someone else changed this réserve since you opened it: your change was not "
                "saved. Compare with the saved version, then save again."
            )
        )
        in page
    )
    assert "Mon texte à moi" in page  # what was typed is kept
    saved_panel = page.split('id="saved-version"')[1].split("</section>")[0]
    assert "Salle de bains" in saved_panel and "Joint décollé" in saved_panel
    assert re.search(r'name="lock_version" value="2"', page)  # saving again is deliberate

    again = alice_client.post(
        url("reserve_edit", reserve.pk),
        {"description": "Mon texte à moi", "noted_on": "2026-11-02", "location": "Cuisine",
         "status": "identified", "lock_version": "2"},
    )  # fmt: skip
    assert again.status_code == 302
    reserve.refresh_from_db()
    assert (reserve.description, reserve.location) == ("Mon texte à moi", "Cuisine")


def test_the_list_searches_filters_and_pages(world, alice_client, contract):
    for n in range(30):
        note(world, contract, title=f"Réserve {n:02d}", noted_on=D(2026, 10, 1) + dt.timedelta(n))
    crack = note(world, contract, title="Fissure façade", noted_on=D(2026, 9, 1))
    services.reserve_lift(user=world.alice, reserve=crack, lifted_on=D(2026, 9, 15))
    list_url = url("reserve_list", contract.pk)

    first = html(alice_client.get(list_url))
    assert "Réserve 00" in first and "Réserve 24" in first and "Réserve 25" not in first
    assert "?page=2" in first
    assert "Fissure façade" in html(alice_client.get(list_url + "?page=2"))
    lifted = html(alice_client.get(list_url + "?status=lifted"))
    assert "Fissure façade" in lifted and "Réserve 00" not in lifted
    opened = html(alice_client.get(list_url + "?status=open&page=2"))
    assert "Réserve 29" in opened and "Fissure façade" not in opened
    found = html(alice_client.get(list_url + "?q=FACADE"))
    assert "Fissure façade" in found and "Réserve 00" not in found
    none = html(alice_client.get(list_url + "?q=zzz"))
    assert escape(_("No réserve matches this search.")) in none
    assert html(alice_client.get(list_url + "?status=bogus"))  # a bad filter is ignored


def test_the_list_runs_the_same_queries_for_3_or_60_reserves(
    world, alice_client, contract, django_assert_max_num_queries
):
    for n in range(3):
        note(world, contract, title=f"R{n}")
    list_url = url("reserve_list", contract.pk)
    with CaptureQueriesContext(connection) as small:
        html(alice_client.get(list_url))
    for n in range(57):
        note(world, contract, title=f"S{n}", assigned_to="Entreprise X")
    # session, user, membership, tenancy, contract; count, page; open count
    with django_assert_max_num_queries(len(small.captured_queries)):
        html(alice_client.get(list_url + "?q=entreprise&status=open"))
    assert len(small.captured_queries) <= 9


def test_the_contract_page_links_to_the_reserves_with_the_open_count(world, alice_client, contract):
    note(world, contract)
    note(world, contract)
    lifted = note(world, contract)
    services.reserve_lift(user=world.alice, reserve=lifted, lifted_on=TODAY)

    page = html(alice_client.get(reverse("contracts:contract_detail", args=[contract.pk])))
    assert f'href="{url("reserve_list", contract.pk)}"' in page
    assert f'hx-get="{url("reserve_count", contract.pk)}"' in page

    fragment = html(alice_client.get(url("reserve_count", contract.pk)))
    assert f'href="{url("reserve_list", contract.pk)}"' in fragment
    assert open_label(2) in fragment
    assert "hx-get" not in fragment


def test_a_read_only_member_reads_but_writes_nothing(world, bob_client, contract):
    reserve = note(world, contract)
    page = html(bob_client.get(url("reserve_list", contract.pk)))
    assert "Joint décollé" in page
    assert url("reserve_create", contract.pk) not in page
    assert url("reserve_edit", reserve.pk) not in page
    before = snapshot()
    for name, arg in (
        ("reserve_create", contract.pk),
        ("reserve_edit", reserve.pk),
        ("reserve_lift", reserve.pk),
        ("reserve_reopen", reserve.pk),
        ("reserve_delete", reserve.pk),
    ):
        assert bob_client.post(url(name, arg), {"description": "x"}).status_code == 403
    assert snapshot() == before


def test_another_company_gets_404_everywhere(world, charlie_client, contract):
    reserve = note(world, contract)
    before = snapshot()
    for name, arg in (("reserve_list", contract.pk), ("reserve_count", contract.pk),
                      ("reserve_create", contract.pk), ("reserve_edit", reserve.pk),
                      ("reserve_lift", reserve.pk), ("reserve_delete", reserve.pk)):  # fmt: skip
        assert charlie_client.get(url(name, arg)).status_code == 404, name
    for name in ("reserve_edit", "reserve_lift", "reserve_reopen", "reserve_delete"):
        assert charlie_client.post(url(name, reserve.pk), {}).status_code == 404, name
    assert snapshot() == before
