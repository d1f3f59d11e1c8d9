"""Roles and tenancy on every parties page: bob reads but never writes (403), charlie
gets 404 on anything of company A, GET and POST, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from chantier.core.models import AuditEntry
from chantier.parties import services
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier
from tests.parties.conftest import address

pytestmark = pytest.mark.django_db

# URL name → the model whose id it takes.
OBJECT_OF = {
    "client_detail": Client,
    "client_update": Client,
    "client_delete": Client,
    "client_contact_create": Client,
    "site_create": Client,
    "interaction_list": Client,
    "interaction_create": Client,
    "interaction_update": Interaction,
    "interaction_delete": Interaction,
    "contact_update": Contact,
    "contact_delete": Contact,
    "site_update": Site,
    "site_delete": Site,
    "supplier_detail": Supplier,
    "supplier_update": Supplier,
    "supplier_delete": Supplier,
    "supplier_contact_create": Supplier,
}
READ_ONLY = {
    "client_list",
    "client_detail",
    "interaction_list",
    "site_list",
    "supplier_list",
    "supplier_detail",
}


def parties_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    (namespace_resolver,) = [
        p for p in resolver.url_patterns if getattr(p, "namespace", None) == "parties"
    ]
    return list(namespace_resolver.url_patterns)


@pytest.fixture
def alice_objects(world, acme, point_p) -> dict[type, Any]:
    """One object of each model in company A, and a snapshot to compare with."""
    return {
        Client: acme,
        Supplier: point_p,
        Contact: services.contact_create(user=world.alice, client=acme, last_name="Garnier"),
        Site: services.site_create(user=world.alice, client=acme, name="Résidence", **address()),
        Interaction: services.interaction_record(
            user=world.alice, client=acme, kind="note", subject="Note"
        ),
    }


def snapshot() -> list[Any]:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Client, Supplier, Contact, Site, Interaction)
    ] + [AuditEntry.objects.count()]


def url_of(pattern: URLPattern, objects: dict[type, Any]) -> str:
    if "pk" in pattern.pattern.converters:
        return reverse(f"parties:{pattern.name}", args=[objects[OBJECT_OF[pattern.name]].pk])
    return reverse(f"parties:{pattern.name}")


POST_DATA = {
    "name": "Hacked",
    "last_name": "Hacked",
    "subject": "Hacked",
    "kind": "note",
    "date": "2026-01-01T10:00",
    "country": "FR",
    **address(),
}


def test_every_url_with_an_id_is_walked():
    with_ids = {p.name for p in parties_patterns() if "pk" in p.pattern.converters}
    assert with_ids == set(OBJECT_OF)
    for pattern in parties_patterns():
        if "pk" in pattern.pattern.converters:
            assert "<int:pk>" in str(pattern.pattern), pattern.name


def test_charlie_gets_404_on_every_object_of_company_a(charlie_client, alice_objects):
    before = snapshot()
    walked = 0
    for pattern in parties_patterns():
        if "pk" not in pattern.pattern.converters:
            continue
        url = url_of(pattern, alice_objects)
        for method in ("get", "post"):
            response = getattr(charlie_client, method)(url, POST_DATA)
            if method == "get" and pattern.name == "interaction_create":
                assert response.status_code == 405, url  # POST only
                continue
            assert response.status_code == 404, (method, url, response.status_code)
            walked += 1
    assert walked == 2 * len(OBJECT_OF) - 1
    assert snapshot() == before


def test_charlie_lists_show_nothing_of_company_a(charlie_client, alice_objects):
    for name in ("client_list", "supplier_list", "site_list"):
        page = charlie_client.get(reverse(f"parties:{name}")).content.decode()
        assert "Acme" not in page and "Point P" not in page and "Résidence" not in page


def test_bob_gets_403_on_every_write_and_nothing_changes(bob_client, alice_objects):
    before = snapshot()
    writes = [p for p in parties_patterns() if p.name not in READ_ONLY]
    assert len(writes) == 16
    for pattern in writes:
        url = url_of(pattern, alice_objects)
        response = bob_client.post(url, POST_DATA)
        assert response.status_code == 403, url
        if pattern.name != "interaction_create":
            assert bob_client.get(url).status_code == 403, url
    assert snapshot() == before


def test_bob_reads_every_page_without_write_buttons(bob_client, alice_objects):
    for pattern in parties_patterns():
        if pattern.name not in READ_ONLY:
            continue
        response = bob_client.get(url_of(pattern, alice_objects))
        assert response.status_code == 200, pattern.name
        page = response.content.decode()
        for marker in ("/new/", "/edit/", "/delete/", "/mail/compose/", "/interactions/new/"):
            assert marker not in page, (pattern.name, marker)


def test_alice_sees_the_write_buttons(alice_client, alice_objects):
    page = alice_client.get(f"/clients/{alice_objects[Client].pk}/").content.decode()
    for marker in ("/edit/", "/delete/", "/contacts/new/", "/sites/new/", "/mail/compose/"):
        assert marker in page, marker
    assert 'href="/clients/new/"' in alice_client.get("/clients/").content.decode()


def test_a_foreign_id_in_any_form_is_404_not_500(alice_client, bravo_client):
    for path in ("", "edit/", "delete/", "contacts/new/", "sites/new/", "interactions/"):
        assert alice_client.get(f"/clients/{bravo_client.pk}/{path}").status_code == 404
    assert alice_client.get("/clients/999999999999/").status_code == 404
