"""Searching with characters a database may refuse: the lists answer, never a 500."""

from __future__ import annotations

import pytest

from chantier.parties import services
from tests.parties.conftest import address

pytestmark = pytest.mark.django_db

# PostgreSQL refuses NUL in a string literal: before core's search stripped it, these were 500s.
NUL = "%00"


@pytest.mark.parametrize(
    "path", ["/clients/", "/clients/suppliers/", "/clients/sites/", "/clients/{acme}/interactions/"]
)
def test_a_nul_byte_in_the_search_answers_200(world, alice_client, acme, point_p, path):
    services.interaction_record(user=world.alice, client=acme, kind="note", subject="Appel")
    services.site_create(user=world.alice, client=acme, name="Résidence", **address())
    response = alice_client.get(path.format(acme=acme.pk) + f"?q={NUL}")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1  # NUL alone filters nothing


def test_a_nul_byte_inside_a_word_is_dropped(world, alice_client, acme):
    response = alice_client.get(f"/clients/?q=ac{NUL}me")
    assert [c.name for c in response.context["object_list"]] == ["Acme Construction"]


def test_a_nul_byte_in_the_api_search_answers_200(world, alice_api, acme):
    response = alice_api.get(f"/clients?q={NUL}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
