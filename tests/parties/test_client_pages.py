"""Client pages: create through the form, search, pagination, detail, interactions, delete."""

from __future__ import annotations

import re

import pytest

from chantier.parties import services
from chantier.parties.models import Client, Interaction
from tests.parties.conftest import SIREN, VAT, address

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Boulangerie Martin",
    "kind": "company",
    "siren": "732 829 320",
    "vat_number": VAT,
    "email": "contact@martin.example",
    "phone": "04 72 10 20 30",
    "address_line1": "27 rue Paul Bert",
    "address_line2": "",
    "postcode": "69003",
    "city": "Lyon",
    "country": "FR",
    "notes": "",
}


def names_in(response) -> list[str]:
    return re.findall(r'href="/clients/\d+/">([^<]+)</a>', response.content.decode())


def test_alice_creates_a_client_and_finds_it_by_name_city_and_postcode(world, alice_client):
    services.client_create(
        user=world.alice, name="Autre client", **address("1 rue", "75001", "Paris")
    )
    response = alice_client.post("/clients/new/", FORM)
    client = Client.objects.get(name="Boulangerie Martin")
    assert response.status_code == 302
    assert response.url == f"/clients/{client.pk}/"
    assert (client.siren, client.company) == (SIREN, world.company_a)
    for q in ("martin", "Lyon", "69003", "boulangerie lyon"):
        assert names_in(alice_client.get("/clients/", {"q": q})) == ["Boulangerie Martin"], q
    assert names_in(alice_client.get("/clients/", {"q": "Paris"})) == ["Autre client"]
    assert names_in(alice_client.get("/clients/")) == ["Autre client", "Boulangerie Martin"]


def test_the_pages_read_french_by_default(world, alice_client):
    page = alice_client.get("/clients/").content.decode()
    assert "Nouveau client" in page
    assert "Nom, ville ou code postal" in page
    form = alice_client.get("/clients/new/").content.decode()
    assert "Code postal" in form
    assert "Les champs marqués * sont obligatoires." in form


def test_the_form_marks_required_fields_and_focuses_the_first(world, alice_client):
    page = alice_client.get("/clients/new/").content.decode()
    assert re.search(r'<input type="text" name="name"[^>]*autofocus', page)
    for name in ("name", "address_line1", "postcode", "city"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*required', page), name
    assert not re.search(r'<input[^>]*name="siren"[^>]*required', page)


def test_bad_siren_and_vat_show_clear_errors_and_create_nothing(world, alice_client):
    data = {**FORM, "siren": "123456789", "vat_number": "FR00123"}
    response = alice_client.post("/clients/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "SIREN invalide : 9 chiffres avec une clé de contrôle valide attendus." in page
    assert "Numéro de TVA invalide (ex. FR40303265045)." in page
    assert Client.objects.count() == 0


def test_service_refusal_lands_on_the_field(world, alice_client):
    # The form accepts each number alone; the service sees they do not match.
    data = {**FORM, "vat_number": "FR40303265045"}
    response = alice_client.post("/clients/new/", data)
    assert response.status_code == 400
    assert "Le numéro de TVA ne correspond pas au SIREN." in response.content.decode()
    assert Client.objects.count() == 0


def test_several_service_refusals_each_land_on_their_field(world, alice_client):
    # Both pass the form; the service refuses both at once (FieldErrors).
    data = {**FORM, "vat_number": "FR40303265045", "postcode": "6900"}
    response = alice_client.post("/clients/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "vat_number": ["Le numéro de TVA ne correspond pas au SIREN."],
        "postcode": ["Un code postal français a 5 chiffres."],
    }
    assert Client.objects.count() == 0


def test_missing_address_is_refused(world, alice_client):
    response = alice_client.post("/clients/new/", {**FORM, "city": "", "postcode": ""})
    assert response.status_code == 400
    assert Client.objects.count() == 0


def test_pagination_of_35_clients(world, alice_client):
    for n in range(35):
        Client.objects.create(company=world.company_a, name=f"Client {n:02d}", city="Lyon")
    first = alice_client.get("/clients/")
    assert len(names_in(first)) == 25
    assert names_in(first)[0] == "Client 00"
    assert "Page 1 sur 2" in first.content.decode()
    second = alice_client.get("/clients/", {"q": "lyon", "page": 2})
    assert names_in(second) == [f"Client {n}" for n in range(25, 35)]
    assert 'href="?q=lyon&amp;page=1"' in second.content.decode()


def test_edit_a_client(world, alice_client, acme):
    page = alice_client.get(f"/clients/{acme.pk}/edit/").content.decode()
    assert 'value="Acme Construction"' in page
    data = {**FORM, "name": "Acme BTP", "city": "Bron", "postcode": "69500"}
    response = alice_client.post(f"/clients/{acme.pk}/edit/", data)
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.city) == ("Acme BTP", "Bron")


def test_edit_with_errors_keeps_the_client_unchanged(world, alice_client, acme):
    response = alice_client.post(f"/clients/{acme.pk}/edit/", {**FORM, "email": "nope"})
    assert response.status_code == 400
    acme.refresh_from_db()
    assert acme.email == "contact@acme.example"


def test_detail_shows_identity_contacts_sites_interactions_and_email_link(
    world, alice_client, acme
):
    services.contact_create(user=world.alice, client=acme, last_name="Garnier", function="Gérante")
    services.site_create(user=world.alice, client=acme, name="Résidence B", **address())
    services.interaction_record(
        user=world.alice, client=acme, kind="call", subject="Demande de devis", private=True
    )
    page = alice_client.get(f"/clients/{acme.pk}/").content.decode()
    for text in (SIREN, VAT, "Garnier", "Gérante", "Résidence B", "Demande de devis", "Privé"):
        assert text in page, text
    assert f'href="/mail/compose/?client={acme.pk}"' in page
    assert f'action="/clients/{acme.pk}/interactions/new/"' in page
    assert '<option value="note" selected>' in page


def test_record_an_interaction_from_the_detail_page(world, alice_client, acme):
    response = alice_client.post(
        f"/clients/{acme.pk}/interactions/new/",
        {"date": "2026-03-02T09:30", "kind": "visit", "subject": "Visite", "detail": "RAS"},
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.kind, interaction.subject, interaction.author) == (
        "visit",
        "Visite",
        world.alice,
    )
    assert interaction.private is False


def test_interaction_without_subject_comes_back_with_errors(world, alice_client, acme):
    response = alice_client.post(
        f"/clients/{acme.pk}/interactions/new/", {"date": "2026-03-02T09:30", "kind": "note"}
    )
    assert response.status_code == 400
    assert "Acme Construction" in response.content.decode()
    assert Interaction.objects.count() == 0


def test_interaction_list_edit_and_delete(world, alice_client, acme):
    interaction = services.interaction_record(
        user=world.alice, client=acme, kind="note", subject="Note un"
    )
    assert "Note un" in alice_client.get(f"/clients/{acme.pk}/interactions/").content.decode()
    response = alice_client.post(
        f"/clients/interactions/{interaction.pk}/edit/",
        {"date": "2026-03-02T09:30", "kind": "call", "subject": "Appel un"},
    )
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.kind, interaction.subject) == ("call", "Appel un")
    assert alice_client.post(f"/clients/interactions/{interaction.pk}/delete/").status_code == 302
    assert Interaction.objects.count() == 0


def test_delete_asks_then_deletes(world, alice_client, acme):
    page = alice_client.get(f"/clients/{acme.pk}/delete/").content.decode()
    assert "Oui, supprimer" in page
    response = alice_client.post(f"/clients/{acme.pk}/delete/")
    assert response.status_code == 302
    assert response.url == "/clients/"
    assert Client.objects.count() == 0


def test_delete_of_a_referenced_client_is_refused_with_a_clear_message(world, alice_client, acme):
    services.site_create(user=world.alice, client=acme, name="A", **address())
    services.site_create(user=world.alice, client=acme, name="B", **address())
    services.contact_create(user=world.alice, client=acme, last_name="Garnier")
    message = (
        "« Acme Construction » ne peut pas être supprimé : "
        "il est utilisé par 2 chantiers et 1 contact."
    )
    page = alice_client.get(f"/clients/{acme.pk}/delete/").content.decode()
    assert message in page
    assert "Oui, supprimer" not in page
    response = alice_client.post(f"/clients/{acme.pk}/delete/")
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Client.objects.filter(pk=acme.pk).exists()
