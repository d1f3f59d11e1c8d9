"""The clients API (shared/API.md): create, list with search, get, patch, delete."""

from __future__ import annotations

import pytest

from chantier.parties import services
from chantier.parties.models import Client
from tests.parties.conftest import SIREN, VAT, address

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Boulangerie Martin",
    "siren": "732 829 320",
    "vat_number": VAT,
    "email": "contact@martin.example",
    "phone": "04 72 10 20 30",
    "address": {"line1": "27 rue Paul Bert", "postcode": "69003", "city": "Lyon", "country": "FR"},
}


def test_create_answers_201_with_the_client(world, alice_api):
    response = alice_api.post("/clients", BODY)
    assert response.status_code == 201
    client = Client.objects.get()
    assert response.json() == {
        "id": client.pk,
        "name": "Boulangerie Martin",
        "kind": "company",
        "siren": SIREN,
        "vat_number": VAT,
        "email": "contact@martin.example",
        "phone": "04 72 10 20 30",
        "notes": "",
        "address": {
            "line1": "27 rue Paul Bert",
            "line2": "",
            "postcode": "69003",
            "city": "Lyon",
            "country": "FR",
        },
    }
    assert client.company == world.company_a


def test_create_an_individual_with_the_smallest_body(world, alice_api):
    body = {
        "name": "Jean Dupont",
        "kind": "individual",
        "address": {"line1": "14 rue des Lilas", "postcode": "69100", "city": "Villeurbanne"},
    }
    response = alice_api.post("/clients", body)
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["address"]["country"]) == ("individual", "FR")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"siren": "123456789"}, "siren"),
        ({"vat_number": "FR00732829320"}, "vat_number"),
        ({"email": "not-an-email"}, "email"),
        ({"name": "x" * 200, "phone": "0" * 31}, "phone"),
        ({"address": {"line1": "1 rue", "postcode": "6900", "city": "Lyon"}}, "address.postcode"),
    ],
)
def test_invalid_data_is_400_with_the_field(world, alice_api, change, field):
    response = alice_api.post("/clients", {**BODY, **change})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in [error["field"] for error in body["errors"]]
    assert all(error["message"] for error in body["errors"])
    assert Client.objects.count() == 0


def test_several_invalid_fields_are_all_reported(world, alice_api):
    body = {**BODY, "siren": "123456789", "address": {**BODY["address"], "postcode": "6900"}}
    response = alice_api.post("/clients", body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "2 champs sont invalides.",
        "errors": [
            {
                "field": "siren",
                "message": "SIREN invalide : 9 chiffres avec une clé de contrôle valide attendus.",
            },
            {"field": "address.postcode", "message": "Un code postal français a 5 chiffres."},
        ],
    }
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in BODY.items() if k != "name"}, "name"),
        ({k: v for k, v in BODY.items() if k != "address"}, "address"),
        ({**BODY, "kind": "alien"}, "kind"),
        ({**BODY, "name": ""}, "name"),
        ({**BODY, "name": "   "}, "name"),
        ({**BODY, "address": {"line1": "1 rue", "city": "Lyon"}}, "address.postcode"),
    ],
)
def test_malformed_body_is_422_with_the_field(world, alice_api, body, field):
    response = alice_api.post("/clients", body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Client.objects.count() == 0


def test_list_is_paginated_and_searches_name_city_postcode(world, alice_api, acme):
    services.client_create(user=world.alice, name="Dupont", **address("1 rue", "75011", "Paris"))
    services.client_create(
        user=world.charlie, name="Acme Paris", **address("2 rue", "75011", "Paris")
    )
    everything = alice_api.get("/clients").json()
    assert everything["count"] == 2
    assert [c["name"] for c in everything["items"]] == ["Acme Construction", "Dupont"]
    for q, names in [
        ("acme", ["Acme Construction"]),
        ("paris", ["Dupont"]),
        ("69003", ["Acme Construction"]),
    ]:
        assert [c["name"] for c in alice_api.get(f"/clients?q={q}").json()["items"]] == names
    page2 = alice_api.get("/clients?page=2&page_size=1").json()
    assert (page2["count"], [c["name"] for c in page2["items"]]) == (2, ["Dupont"])
    assert alice_api.get("/clients?page_size=0").status_code == 422


def test_get_one_client(world, alice_api, acme):
    response = alice_api.get(f"/clients/{acme.pk}")
    assert response.status_code == 200
    assert response.json()["address"]["city"] == "Lyon"


def test_patch_changes_only_what_is_sent(world, alice_api, acme):
    response = alice_api.patch(
        f"/clients/{acme.pk}",
        {"phone": "04 00 00 00 00", "address": {"city": "Bron", "postcode": "69500"}},
    )
    assert response.status_code == 200
    assert response.json()["address"] == {
        "line1": "8 rue des Tilleuls",
        "line2": "",
        "postcode": "69500",
        "city": "Bron",
        "country": "FR",
    }
    acme.refresh_from_db()
    assert (acme.phone, acme.city, acme.name, acme.siren) == (
        "04 00 00 00 00",
        "Bron",
        "Acme Construction",
        SIREN,
    )


def test_patch_with_a_bad_siren_is_400_and_changes_nothing(world, alice_api, acme):
    response = alice_api.patch(f"/clients/{acme.pk}", {"siren": "111111111", "name": "Other"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["siren"]
    acme.refresh_from_db()
    assert (acme.name, acme.siren) == ("Acme Construction", SIREN)


def test_delete_answers_204(world, alice_api, acme):
    response = alice_api.delete(f"/clients/{acme.pk}")
    assert response.status_code == 204
    assert Client.objects.count() == 0


def test_delete_of_a_referenced_client_is_409_with_the_reason(world, alice_api, acme):
    services.site_create(user=world.alice, client=acme, name="Résidence", **address())
    response = alice_api.delete(f"/clients/{acme.pk}")
    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            "« Acme Construction » ne peut pas être supprimé : il est utilisé par 1 chantier."
        ),
        "errors": [],
    }
    assert Client.objects.filter(pk=acme.pk).exists()


def test_another_companys_client_is_404_everywhere(world, charlie_api, acme):
    for call in (
        lambda: charlie_api.get(f"/clients/{acme.pk}"),
        lambda: charlie_api.patch(f"/clients/{acme.pk}", {"name": "Hacked"}),
        lambda: charlie_api.delete(f"/clients/{acme.pk}"),
    ):
        response = call()
        assert response.status_code == 404
        assert response.json()["detail"]
    assert charlie_api.get("/clients").json() == {"items": [], "count": 0}
    acme.refresh_from_db()
    assert acme.name == "Acme Construction"


def test_read_only_role_reads_but_gets_403_on_writes(world, bob_api, acme):
    assert bob_api.get(f"/clients/{acme.pk}").status_code == 200
    assert bob_api.get("/clients").json()["count"] == 1
    for response in (
        bob_api.post("/clients", BODY),
        bob_api.patch(f"/clients/{acme.pk}", {"name": "Hacked"}),
        bob_api.delete(f"/clients/{acme.pk}"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"]
    assert list(Client.objects.values_list("name", flat=True)) == ["Acme Construction"]


def test_no_token_is_401(world, client):
    assert client.get("/api/v1/clients").status_code == 401


def test_the_schema_declares_the_error_answers(world, alice_api):
    schema = alice_api.http.get("/api/v1/openapi.json").json()
    operations = schema["paths"]["/api/v1/clients/{client_id}"]
    assert {"400", "403", "404", "409", "422"} <= set(operations["delete"]["responses"])
    for operation in (*operations.values(), *schema["paths"]["/api/v1/clients"].values()):
        assert {"400", "401", "403", "404", "422"} <= set(operation["responses"])


@pytest.mark.parametrize("body", [[None], "name", {"address": [1]}])
def test_patch_body_must_be_an_object(world, alice_api, acme, body):
    response = alice_api.patch(f"/clients/{acme.pk}", body)
    assert response.status_code == 422
    acme.refresh_from_db()
    assert acme.name == "Acme Construction"
