"""The "Participants & interactions" tab: participants (by hand or from a contact, with call
and email links), the contract's interactions (also on its client), search, type filter,
pagination, edit and delete with confirmation, roles and tenancy, fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from chantier.contracts import scope_services
from chantier.contracts.models import Contract, Participant
from chantier.parties import services as parties_services
from chantier.parties.models import Client, Interaction

pytestmark = pytest.mark.django_db


def _html(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def _url(name: str, *args: object) -> str:
    return reverse(f"contracts:{name}", args=args)


@pytest.fixture
def contacts(world, acme):
    """Claire at the client, Paul at a supplier, and Zoé at another client (not offered)."""
    supplier = parties_services.supplier_create(user=world.alice, name="Archi & Co")
    other = parties_services.client_create(user=world.alice, name="Autre client")
    return {
        "claire": parties_services.contact_create(
            user=world.alice, client=acme, first_name="Claire", last_name="Roux",
            function="Conductrice de travaux", email="claire@acme.example", phone="06 11 22 33 44",
        ),
        "paul": parties_services.contact_create(
            user=world.alice, supplier=supplier, first_name="Paul", last_name="Vidal",
            function="Architecte", email="paul@archi.example",
        ),
        "zoe": parties_services.contact_create(
            user=world.alice, client=other, first_name="Zoé", last_name="Petit"
        ),
    }  # fmt: skip


def test_adding_a_participant_by_hand_shows_call_and_email_links(alice_client, contract):
    url = _url("people_participant_create", contract.pk)
    html = _html(alice_client.get(url))
    assert 'list="participant-functions"' in html
    assert f'<option value="{escape(_("Architect"))}">' in html  # the datalist
    response = alice_client.post(
        url, {"name": "M. Blanc", "function": "Géomètre", "email": "blanc@geo.example",
              "phone": "04 72 00 00 00"}
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == _url("people", contract.pk) + "#participants"
    participant = Participant.objects.get(contract=contract)
    assert (participant.function, participant.contact_id) == ("Géomètre", None)
    html = _html(alice_client.get(_url("people", contract.pk)))
    assert 'href="tel:0472000000"' in html and 'href="mailto:blanc@geo.example"' in html


def test_a_participant_from_a_contact_is_pre_filled(alice_client, contract, contacts):
    url = _url("people_participant_create", contract.pk)
    html = _html(alice_client.get(url))
    assert "Claire Roux" in html and "Paul Vidal" in html and "Zoé Petit" not in html
    claire = contacts["claire"]
    html = _html(alice_client.get(f"{url}?contact={claire.pk}"))
    assert 'value="Claire Roux"' in html and 'value="claire@acme.example"' in html
    assert f'name="contact" value="{claire.pk}"' in html
    response = alice_client.post(
        f"{url}?contact={claire.pk}",
        {"contact": claire.pk, "name": "Claire Roux", "function": _("Site manager"),
         "email": "claire@acme.example", "phone": "06 11 22 33 44"},
    )  # fmt: skip
    assert response.status_code == 302
    participant = Participant.objects.get(contract=contract)
    assert participant.contact_id == claire.pk and participant.function == _("Site manager")


def test_a_contact_of_another_client_is_refused(alice_client, contract, contacts):
    response = alice_client.post(
        _url("people_participant_create", contract.pk),
        {"contact": contacts["zoe"].pk, "name": "Zoé Petit", "function": "Owner"},
    )
    assert _html(response, 400) and escape(_("Unknown contact.")) in response.content.decode()
    assert not Participant.objects.exists()


def test_bad_participant_input_names_the_field(alice_client, contract):
    response = alice_client.post(
        _url("people_participant_create", contract.pk), {"name": "X", "function": "", "email": "no"}
    )
    errors = response.context["form"].errors
    assert response.status_code == 400 and "function" in errors and "email" in errors
    assert not Participant.objects.exists()


def test_editing_and_deleting_a_participant(alice_client, world, contract):
    participant = scope_services.participant_create(
        user=world.alice, contract=contract, name="M. Blanc", function="Géomètre"
    )
    url = _url("people_participant_update", participant.pk)
    assert 'value="M. Blanc"' in _html(alice_client.get(url))
    response = alice_client.post(url, {"name": "M. Blanc", "function": _("Architect")})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.function == _("Architect")
    delete = _url("people_participant_delete", participant.pk)
    assert escape(_("Yes, delete")) in _html(alice_client.get(delete))
    assert Participant.objects.filter(pk=participant.pk).exists()
    assert alice_client.post(delete).status_code == 302
    assert not Participant.objects.filter(pk=participant.pk).exists()


def test_recording_an_interaction_puts_it_on_the_contract_and_its_client(alice_client, contract):
    html = _html(alice_client.get(_url("people", contract.pk)))
    assert 'value="note" selected' in html  # type Note by default, date pre-filled
    assert 'name="date" value="' in html
    response = alice_client.post(
        _url("people_interaction_create", contract.pk),
        {"date": "2026-03-04T10:30", "kind": "visit", "subject": "Visite de chantier",
         "detail": "Réservations à reprendre", "private": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    interaction = Interaction.objects.get(contract=contract)
    assert interaction.client_id == contract.client_id
    assert (interaction.kind, interaction.private, interaction.author_id) == (
        "visit", True, contract.created_by_id,
    )  # fmt: skip
    html = _html(alice_client.get(_url("people", contract.pk)))
    assert "Visite de chantier" in html and "Réservations à reprendre" in html
    assert escape(_("Private")) in html and "alice" in html
    client_page = _html(
        alice_client.get(reverse("parties:client_detail", args=[contract.client_id]))
    )
    assert "Visite de chantier" in client_page


def test_an_interaction_without_subject_is_refused(alice_client, contract):
    response = alice_client.post(
        _url("people_interaction_create", contract.pk),
        {"date": "2026-03-04T10:30", "kind": "note", "subject": ""},
    )
    assert response.status_code == 400 and response.context["form"].errors["subject"]
    assert not Interaction.objects.exists()


def _interactions(world, contract: Contract, count: int) -> None:
    start = timezone.make_aware(dt.datetime(2026, 1, 1, 9, 0))
    Interaction.objects.bulk_create(
        Interaction(company=world.company_a, client_id=contract.client_id, contract=contract,
                    kind="call" if n % 2 else "note", subject=f"Sujet {n:02d}",
                    detail="urgent" if n == 7 else "", date=start + dt.timedelta(days=n),
                    author=world.alice)
        for n in range(count)
    )  # fmt: skip


def test_interactions_are_newest_first_searched_filtered_and_paginated(
    alice_client, world, contract
):
    _interactions(world, contract, 30)
    other = Client.objects.create(company=world.company_a, name="Sans contrat")
    parties_services.interaction_create(
        user=world.alice, client=other, kind="note", subject="Sujet hors contrat"
    )
    url = _url("people", contract.pk)
    html = _html(alice_client.get(url))
    assert html.index("Sujet 29") < html.index("Sujet 28")
    assert "Sujet 04" not in html and "Sujet hors contrat" not in html  # page 1 of 2
    assert "Sujet 04" in _html(alice_client.get(url + "?page=2"))
    html = _html(alice_client.get(url + "?q=URGENT"))
    assert "Sujet 07" in html and "Sujet 08" not in html
    html = _html(alice_client.get(url + "?kind=call&page=1"))
    assert "Sujet 29" in html and "Sujet 28" not in html
    assert 'value="call" selected' in html
    page1 = _html(alice_client.get(url + "?q=sujet&kind="))
    assert "?q=sujet&amp;kind=&amp;page=2" in page1  # the next page keeps the filters


def test_editing_and_deleting_an_interaction(alice_client, world, contract):
    interaction = scope_services.interaction_create(
        user=world.alice, contract=contract, kind="call", subject="Appel"
    )
    url = _url("people_interaction_update", interaction.pk)
    assert 'value="Appel"' in _html(alice_client.get(url))
    response = alice_client.post(
        url, {"date": "2026-03-05T08:00", "kind": "call", "subject": "Appel du client"}
    )
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert interaction.subject == "Appel du client"
    delete = _url("people_interaction_delete", interaction.pk)
    _html(alice_client.get(delete))
    assert alice_client.post(delete).status_code == 302
    assert not Interaction.objects.filter(pk=interaction.pk).exists()


def test_a_client_only_interaction_is_not_reachable_here(alice_client, world, contract):
    interaction = parties_services.interaction_create(
        user=world.alice, client=contract.client, kind="note", subject="Client seulement"
    )
    assert alice_client.get(_url("people_interaction_update", interaction.pk)).status_code == 404


def test_a_read_only_member_reads_but_cannot_change(bob_client, world, contract):
    participant = scope_services.participant_create(
        user=world.alice, contract=contract, name="M. Blanc", function="Géomètre"
    )
    interaction = scope_services.interaction_create(
        user=world.alice, contract=contract, kind="note", subject="Note"
    )
    html = _html(bob_client.get(_url("people", contract.pk)))
    assert "M. Blanc" in html and "Note" in html
    assert _url("people_participant_create", contract.pk) not in html
    for url in (
        _url("people_participant_create", contract.pk),
        _url("people_participant_delete", participant.pk),
        _url("people_interaction_create", contract.pk),
        _url("people_interaction_delete", interaction.pk),
    ):
        assert bob_client.post(url, {"name": "X", "function": "Y"}).status_code == 403, url
    assert Participant.objects.count() == 1 and Interaction.objects.count() == 1


def test_another_company_gets_404(charlie_client, world, contract):
    participant = scope_services.participant_create(
        user=world.alice, contract=contract, name="M. Blanc", function="Géomètre"
    )
    interaction = scope_services.interaction_create(
        user=world.alice, contract=contract, kind="note", subject="Note"
    )
    for url in (
        _url("people", contract.pk),
        _url("people_participant_create", contract.pk),
        _url("people_participant_update", participant.pk),
        _url("people_participant_delete", participant.pk),
        _url("people_interaction_update", interaction.pk),
        _url("people_interaction_delete", interaction.pk),
    ):
        assert charlie_client.get(url).status_code == 404, url
    assert charlie_client.post(_url("people_participant_delete", participant.pk)).status_code == 404
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_people_page_runs_a_fixed_number_of_queries(
    alice_client, world, contract, django_assert_max_num_queries
):
    url = _url("people", contract.pk)
    for n in range(2):
        scope_services.participant_create(
            user=world.alice, contract=contract, name=f"P{n}", function="Architecte"
        )
    _interactions(world, contract, 2)
    alice_client.get(url)
    with django_assert_max_num_queries(8) as small:
        _html(alice_client.get(url))
    for n in range(20):
        scope_services.participant_create(
            user=world.alice, contract=contract, name=f"Q{n}", function="Architecte"
        )
    _interactions(world, contract, 40)
    with django_assert_max_num_queries(8) as big:
        _html(alice_client.get(url + "?q=sujet&kind=note"))
    assert len(big.captured_queries) == len(small.captured_queries)
