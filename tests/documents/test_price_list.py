"""The price list: active items of the company, grouped by category, exact prices."""

from __future__ import annotations

import pytest

from chantier.catalogue.models import Item
from chantier.core.exceptions import DomainError
from chantier.documents import price_list, rendering, selectors

from .conftest import item, pdf_text


def rows(groups):
    return [(group.label, [i.reference for i in group.items]) for group in groups]


def test_groups_active_items_by_category_in_french_order(company, catalogue):
    groups = selectors.price_list_groups(company)

    assert rows(groups) == [
        ("Électricité", ["ELE-PC16", "MO-ELEC"]),
        ("Plâtrerie › Plaques", ["PLA-BA13"]),
        ("", ["SRV-DEPL"]),  # uncategorised items come last
    ]


def test_filter_by_kind(company, catalogue):
    groups = selectors.price_list_groups(company, kind=Item.Kind.LABOUR)

    assert rows(groups) == [("Électricité", ["MO-ELEC"])]
    assert price_list.estimate_rows(company, {"kind": "labour"}) == 1
    assert price_list.estimate_rows(company, {}) == 4


def test_one_query_whatever_the_number_of_categories(company, catalogue, django_assert_num_queries):
    for n in range(30):
        category = catalogue["ba13"].category.__class__.objects.create(
            company=company, name=f"Catégorie {n:02d}", parent=catalogue["ba13"].category.parent
        )
        item(company, f"X-{n:02d}", "1.00", category=category)

    with django_assert_num_queries(1):
        groups = selectors.price_list_groups(company)
        labels = [group.label for group in groups]

    assert len(labels) == 33
    assert labels[1] == "Plâtrerie › Catégorie 00"


def test_params_are_checked(company):
    assert price_list.clean_params({"kind": "supply"}) == {"kind": "supply"}
    assert price_list.clean_params({"kind": ""}) == {}
    with pytest.raises(DomainError) as error:
        price_list.clean_params({"kind": "gold"})
    assert error.value.field == "kind"


def test_the_pdf_lists_exact_prices_under_their_category(company, catalogue):
    context = price_list.build_context(company, {})
    content = rendering.render_pdf(
        template_name="documents/pdf/price_list.html",
        context=context,
        company=company,
        title=price_list.title(company, {}),
    )

    text = pdf_text(content)
    assert "4 articles. Prix hors taxes, en euros." in text
    assert "Référence Désignation Unité Prix HT TVA" in text
    electricity = text.index("Électricité")
    plates = text.index("Plâtrerie › Plaques")
    uncategorised = text.index("Sans catégorie")
    assert electricity < text.index("ELE-PC16 Prise 16 A u 1 234,50 € 20 %") < plates
    assert electricity < text.index("MO-ELEC Main d'œuvre électricien h 58,00 € 20 %") < plates
    assert plates < text.index("PLA-BA13 Plaque BA13 m² 5,90 € 20 %") < uncategorised
    assert uncategorised < text.index("SRV-DEPL Forfait déplacement forfait 45,00 € 5,5 %")
    assert "OLD-1" not in text  # inactive
    assert "BRAVO-1" not in text  # another company's


def test_title_names_the_date_and_the_kind(company):
    assert price_list.title(company, {}).startswith("Tarif au ")
    labour = str(Item.Kind.LABOUR.label)  # the catalogue's translation
    assert price_list.title(company, {"kind": "labour"}).endswith(f" – {labour}")


def test_the_items_are_the_catalogue_selection(company, catalogue, monkeypatch):
    """The price list prints what catalogue.selectors.active_items selects: the rule of
    which items are offered lives in the catalogue only."""
    from chantier.catalogue import selectors as catalogue_selectors

    calls = []

    def spy(company, *, kind=""):
        calls.append(kind)
        return catalogue_selectors.active_items(company, kind=kind).exclude(reference="MO-ELEC")

    monkeypatch.setattr(selectors, "active_items", spy)

    assert rows(selectors.price_list_groups(company)) == [
        ("Électricité", ["ELE-PC16"]),
        ("Plâtrerie › Plaques", ["PLA-BA13"]),
        ("", ["SRV-DEPL"]),
    ]
    assert price_list.estimate_rows(company, {"kind": "labour"}) == 0
    assert calls == ["", "labour"]
