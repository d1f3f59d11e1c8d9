"""The contract pages: list (search, status filter, pagination) and detail, read by every
member of the company, a 404 for another company, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
)
from chantier.parties.models import Client

pytestmark = pytest.mark.django_db

D = Decimal
ROWS = 35
# Every page: session, user, membership (middleware). Pages fetching one object through
# get_for_company read the membership once more (tenancy check).
BASE = 3


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_nav_links_to_the_contract_list(alice_client):
    html = _html(alice_client.get("/"))
    assert f'href="{reverse("contracts:contract_list")}"' in html


def test_the_list_shows_the_company_contracts(alice_client, contract):
    html = _html(alice_client.get(reverse("contracts:contract_list")))
    assert reverse("contracts:contract_detail", args=[contract.pk]) in html
    assert "DEV2026-7" in html
    assert "Acme Construction" in html
    assert "971,36\u00a0€" in html


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("?q=dev2026-7", True),
        ("?q=ACME", True),
        ("?q=renovation hall", True),  # the title, without accents
        ("?q=bravo", False),
        ("?status=active", True),
        ("?status=finished", False),
        ("?status=nonsense", True),  # a bad filter value is ignored
        ("?q=acme&status=pending", False),
    ],
)
def test_the_list_searches_and_filters(alice_client, contract, query, found):
    html = _html(alice_client.get(reverse("contracts:contract_list") + query))
    assert ("DEV2026-7" in html) is found
    if not found:
        assert "Aucun contrat ne correspond à cette recherche." in html


def test_an_empty_list_says_so(alice_client):
    html = _html(alice_client.get(reverse("contracts:contract_list")))
    assert "Aucun contrat pour l'instant." in html


def test_the_detail_shows_header_sections_lines_and_components(alice_client, contract):
    html = _html(alice_client.get(reverse("contracts:contract_detail", args=[contract.pk])))
    assert "DEV2026-7" in html and "Rénovation du hall" in html
    assert "Acme Construction" in html and "Hall d&#x27;entrée" in html
    # Section headings with their number and subtotal (1 includes 1.1: 123.46 + 735 - 20).
    for expected in ("Gros œuvre", "838,46\u00a0€", "Fondations", "715,00\u00a0€", "102,90\u00a0€"):
        assert expected in html, expected
    # Lines in reading order, amounts in French format.
    order = ["Déplacement", "Ragréage", "Les travaux ont lieu le samedi.", "Semelles filantes"]
    positions = [html.index(text) for text in [*order, "Composant BET-C25", "Remise", "Peinture"]]
    assert positions == sorted(positions)
    assert "123,46\u00a0€" in html and "12,35\u00a0€" in html and "12,25" in html
    assert "Option : chape" not in html
    # Components greyed under their line, with their quantity for the whole line.
    assert '<tr class="help">' in html and "3,675" in html
    assert "971,36\u00a0€" in html  # total


def test_a_read_only_member_reads_both_pages(bob_client, contract):
    assert "DEV2026-7" in _html(bob_client.get(reverse("contracts:contract_list")))
    detail = bob_client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert "Semelles filantes" in _html(detail)


def test_another_company_gets_404_and_an_empty_list(charlie_client, contract):
    response = charlie_client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert response.status_code == 404
    html = _html(charlie_client.get(reverse("contracts:contract_list")))
    assert "DEV2026-7" not in html and "Aucun contrat pour l'instant." in html


def test_a_missing_contract_is_404(alice_client, world):
    assert alice_client.get(reverse("contracts:contract_detail", args=[999999])).status_code == 404


def test_the_pages_refuse_post(alice_client, contract):
    assert alice_client.post(reverse("contracts:contract_list")).status_code == 405
    url = reverse("contracts:contract_detail", args=[contract.pk])
    assert alice_client.post(url).status_code == 405


@pytest.fixture
def many(world):
    """35 contracts of company A, each with its own client; the first has 35 sections, each
    with a line of 2 components, plus 35 lines outside any section."""
    company = world.company_a
    clients = Client.objects.bulk_create(
        Client(company=company, name=f"Client {n:02d}") for n in range(ROWS)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            company=company,
            client=client,
            reference=f"M-{n:02d}",
            title=f"Contract {n:02d}",
            base_net=D("100.00"),
            created_by=world.alice,
        )
        for n, client in enumerate(clients)
    )
    first = contracts[0]
    sections = ContractSection.objects.bulk_create(
        ContractSection(
            company=company,
            contract=first,
            position=n,
            number=str(n),
            title=f"Section {n:02d}",
            sort_key=f"{n:04d}",
        )
        for n in range(1, ROWS + 1)
    )
    lines = ContractLine.objects.bulk_create(
        [
            ContractLine(
                company=company,
                contract=first,
                section=section,
                position=1,
                sort_key=f"{section.sort_key}-000001",
                description=f"Line in {section.title}",
                quantity=D("1"),
                unit_price=D("10.00"),
                net=D("10.00"),
            )
            for section in sections
        ]
        + [
            ContractLine(
                company=company,
                contract=first,
                position=n,
                sort_key=f"-{n:06d}",
                description=f"Loose line {n:02d}",
            )
            for n in range(1, ROWS + 1)
        ]
    )
    ContractLineComponent.objects.bulk_create(
        ContractLineComponent(
            company=company,
            line=line,
            position=n,
            description=f"Component {n} of {line.description}",
            quantity_per_unit=D("1"),
        )
        for line in lines[:ROWS]
        for n in (1, 2)
    )
    return first


@pytest.mark.parametrize(
    ("path", "page_queries", "text"),
    [
        ("/contracts/", 2, "Contract 20"),  # count + page with clients and sites
        ("/contracts/?q=client+2&status=active", 2, "Contract 20"),
        # tenancy, contract with client, site, quote and author, sections, lines, components
        ("/contracts/{pk}/", 5, "Component 2 of Line in Section 34"),
    ],
)
def test_pages_run_a_fixed_number_of_queries(
    alice_client, many, django_assert_max_num_queries, path, page_queries, text
):
    with django_assert_max_num_queries(BASE + page_queries):
        response = alice_client.get(path.format(pk=many.pk))
    assert text in _html(response)
