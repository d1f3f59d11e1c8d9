"""Supplier, subcontractor, contact and site pages."""

from __future__ import annotations

import re

import pytest

from chantier.catalogue.models import Item
from chantier.parties import services
from chantier.parties.models import Contact, Site, Supplier
from tests.parties.conftest import address

pytestmark = pytest.mark.django_db


def supplier_names(response) -> list[str]:
    return re.findall(r'href="/clients/suppliers/\d+/">([^<]+)</a>', response.content.decode())


def test_supplier_list_filters_by_kind_and_searches(world, alice_client, point_p):
    services.supplier_create(user=world.alice, name="Élec Rousset", kind="subcontractor")
    assert supplier_names(alice_client.get("/clients/suppliers/")) == [
        "Point P Gerland",
        "Élec Rousset",
    ]
    subs = alice_client.get("/clients/suppliers/", {"kind": "subcontractor"})
    assert supplier_names(subs) == ["Élec Rousset"]
    assert "<h1>Sous-traitants</h1>" in subs.content.decode()
    assert supplier_names(alice_client.get("/clients/suppliers/", {"q": "matériaux"})) == [
        "Point P Gerland"
    ]
    assert supplier_names(alice_client.get("/clients/suppliers/", {"kind": "nonsense"})) == [
        "Point P Gerland",
        "Élec Rousset",
    ]


def test_create_a_subcontractor_through_the_form(world, alice_client):
    page = alice_client.get("/clients/suppliers/new/", {"kind": "subcontractor"}).content.decode()
    assert '<option value="subcontractor" selected>' in page
    response = alice_client.post(
        "/clients/suppliers/new/",
        {"name": "Plâtrerie Gomez", "kind": "subcontractor", "trade": "Plâtrerie", "country": "FR"},
    )
    supplier = Supplier.objects.get()
    assert response.status_code == 302
    assert response.url == f"/clients/suppliers/{supplier.pk}/"
    assert (supplier.kind, supplier.trade) == ("subcontractor", "Plâtrerie")


def test_supplier_form_refuses_a_bad_siren(world, alice_client):
    response = alice_client.post(
        "/clients/suppliers/new/",
        {"name": "Gomez", "kind": "supplier", "siren": "111", "country": "FR"},
    )
    assert response.status_code == 400
    assert Supplier.objects.count() == 0


def test_supplier_detail_edit_and_delete(world, alice_client, point_p):
    services.contact_create(user=world.alice, supplier=point_p, last_name="Haddad")
    page = alice_client.get(f"/clients/suppliers/{point_p.pk}/").content.decode()
    assert "Haddad" in page and "Matériaux" in page
    response = alice_client.post(
        f"/clients/suppliers/{point_p.pk}/edit/",
        {"name": "Point P", "kind": "supplier", "country": "FR", "postcode": "69007"},
    )
    assert response.status_code == 302
    point_p.refresh_from_db()
    assert point_p.name == "Point P"
    refused = alice_client.post(f"/clients/suppliers/{point_p.pk}/delete/")
    assert refused.status_code == 409
    assert "« Point P » ne peut pas être supprimé" in refused.content.decode()
    Contact.objects.all().delete()
    assert alice_client.post(f"/clients/suppliers/{point_p.pk}/delete/").status_code == 302
    assert Supplier.objects.count() == 0


def test_supplier_used_by_the_catalogue_cannot_be_deleted(world, alice_client, point_p):
    Item.objects.create(company=world.company_a, reference="PL-01", name="Plaque", supplier=point_p)
    page = alice_client.get(f"/clients/suppliers/{point_p.pk}/delete/").content.decode()
    assert "« Point P Gerland » ne peut pas être supprimé : il est utilisé par 1 " in page
    assert alice_client.post(f"/clients/suppliers/{point_p.pk}/delete/").status_code == 409
    assert Supplier.objects.filter(pk=point_p.pk).exists()


def test_contacts_from_a_client_page_and_from_a_supplier_page(world, alice_client, acme, point_p):
    data = {"first_name": "Nathalie", "last_name": "Garnier", "function": "Gérante"}
    response = alice_client.post(f"/clients/{acme.pk}/contacts/new/", data)
    assert response.status_code == 302
    assert response.url == f"/clients/{acme.pk}/#contacts"
    response = alice_client.post(
        f"/clients/suppliers/{point_p.pk}/contacts/new/", {"last_name": "Haddad"}
    )
    assert response.url == f"/clients/suppliers/{point_p.pk}/#contacts"
    garnier, haddad = Contact.objects.order_by("last_name")
    assert (garnier.client, garnier.function, haddad.supplier) == (acme, "Gérante", point_p)


def test_contact_edit_and_delete(world, alice_client, acme):
    contact = services.contact_create(user=world.alice, client=acme, last_name="Garnier")
    response = alice_client.post(
        f"/clients/contacts/{contact.pk}/edit/", {"last_name": "Garnier", "email": "bad"}
    )
    assert response.status_code == 400
    response = alice_client.post(
        f"/clients/contacts/{contact.pk}/edit/",
        {"last_name": "Garnier", "email": "n.garnier@acme.example"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "n.garnier@acme.example"
    assert alice_client.post(f"/clients/contacts/{contact.pk}/delete/").status_code == 302
    assert Contact.objects.count() == 0


def test_new_site_starts_at_the_clients_address(world, alice_client, acme):
    page = alice_client.get(f"/clients/{acme.pk}/sites/new/").content.decode()
    assert 'value="8 rue des Tilleuls"' in page
    assert 'value="69003"' in page
    response = alice_client.post(
        f"/clients/{acme.pk}/sites/new/",
        {"name": "École Jean Moulin", "country": "FR", **address("21 rue Jean Moulin", "69300")},
    )
    assert response.status_code == 302
    site = Site.objects.get()
    assert (site.client, site.postcode, site.city) == (acme, "69300", "Lyon")


def test_site_list_edit_delete(world, alice_client, acme):
    site = services.site_create(user=world.alice, client=acme, name="Résidence B", **address())
    page = alice_client.get("/clients/sites/", {"q": "acme"}).content.decode()
    assert "Résidence B" in page
    assert "Résidence B" not in alice_client.get("/clients/sites/", {"q": "paris"}).content.decode()
    response = alice_client.post(
        f"/clients/sites/{site.pk}/edit/",
        {"name": "Résidence B2", "country": "FR", **address()},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Résidence B2"
    assert alice_client.post(f"/clients/sites/{site.pk}/delete/").status_code == 302
    assert Site.objects.count() == 0
