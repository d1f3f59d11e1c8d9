import pytest

from chantier.core.models import Company
from chantier.core.search import fold, search
from chantier.parties.models import Client


def test_fold():
    assert fold("Électricité DUPRÉ") == "electricite dupre"
    assert fold("Œuvre") == "œuvre"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("électricité", {"Électricité Dupré"}),
        ("ELECTRICITE", {"Électricité Dupré"}),
        ("DUPRÉ", {"Électricité Dupré"}),
        ("dupre", {"Électricité Dupré"}),
        ("saint-étienne", {"Bérard"}),
        ("BÉRARD", {"Bérard"}),
        ("plâtre lyon", {"Plâtrerie Lyonnaise"}),
        ("platre marseille", set()),
        ("100%", set()),
        ("a_b", set()),
        ("\x00", {"Électricité Dupré", "Bérard", "Plâtrerie Lyonnaise"}),
    ],
)
def test_search_ignores_case_and_accents(query, expected):
    company = Company.objects.create(name="A")
    Client.objects.create(company=company, name="Électricité Dupré", city="Lyon")
    Client.objects.create(company=company, name="Bérard", city="Saint-Étienne")
    Client.objects.create(company=company, name="Plâtrerie Lyonnaise", city="Lyon")
    found = search(Client.objects.filter(company=company), query, ("name", "city"))
    assert set(found.values_list("name", flat=True)) == expected
