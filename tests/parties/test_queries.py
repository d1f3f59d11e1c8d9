"""Query counts on every list and detail page with 35 rows: an N+1 would show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chantier.parties.models import Client, Contact, Interaction, Site, Supplier

pytestmark = pytest.mark.django_db

ROWS = 35
# Every page: session, user, membership (middleware). Pages fetching one object through
# get_for_company read the membership once more (tenancy check).
BASE = 3


@pytest.fixture
def many(world, acme, point_p):
    """35 of everything in company A, attached to acme and point_p."""
    company = world.company_a
    Client.objects.bulk_create(
        Client(company=company, name=f"Client {n:02d}", city="Lyon", postcode="69003")
        for n in range(ROWS)
    )
    Supplier.objects.bulk_create(
        Supplier(company=company, name=f"Supplier {n:02d}", kind=kind, city="Lyon")
        for n in range(ROWS)
        for kind in ("supplier", "subcontractor")
    )
    Contact.objects.bulk_create(
        [
            Contact(company=company, client=acme, last_name=f"Client contact {n}")
            for n in range(ROWS)
        ]
        + [
            Contact(company=company, supplier=point_p, last_name=f"Supplier contact {n}")
            for n in range(ROWS)
        ]
    )
    Site.objects.bulk_create(
        Site(company=company, client=acme, name=f"Site {n:02d}", city="Lyon") for n in range(ROWS)
    )
    Interaction.objects.bulk_create(
        Interaction(
            company=company,
            client=acme,
            subject=f"Interaction {n}",
            date=timezone.now(),
            author=world.alice if n % 2 else world.bob,
        )
        for n in range(ROWS)
    )
    return acme, point_p


@pytest.mark.parametrize(
    ("path", "page_queries", "text"),
    [
        ("/clients/", 2, "Client 20"),  # count + page
        ("/clients/?q=lyon+69003", 2, "Client 20"),
        ("/clients/suppliers/", 2, "Supplier 10"),
        ("/clients/suppliers/?kind=subcontractor&q=supplier", 2, "Supplier 10"),
        ("/clients/sites/", 2, "Site 20"),  # sites with their client in one query
        ("/clients/{acme}/interactions/", 4, "Interaction 30"),  # tenancy, client, count, page
        # tenancy, client, its contacts, sites and recent interactions with their authors,
        # its last payments and their count
        ("/clients/{acme}/", 7, "Site 34"),
        ("/clients/suppliers/{point_p}/", 3, "Supplier contact 34"),  # tenancy, supplier, contacts
    ],
)
def test_pages_run_a_fixed_number_of_queries(
    alice_client, many, django_assert_max_num_queries, path, page_queries, text
):
    acme, point_p = many
    url = path.format(acme=acme.pk, point_p=point_p.pk)
    with django_assert_max_num_queries(BASE + page_queries):
        response = alice_client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()
