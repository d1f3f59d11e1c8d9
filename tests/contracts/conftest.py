"""Contracts fixtures: a priced quote of company A built directly through the quotes models.

The quote stores amounts the way quotes.pricing would; one line's net is deliberately not
quantity × unit price, so a test can tell a copied amount from a recomputed one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from chantier.contracts import services as contract_services
from chantier.contracts.models import Contract
from chantier.parties import services as parties_services
from chantier.parties.models import Client, Site
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine

D = Decimal
ONE = D("1")


@dataclass
class BuiltQuote:
    quote: Quote
    chapters: dict[str, Chapter] = field(default_factory=dict)  # by number
    lines: dict[str, QuoteLine] = field(default_factory=dict)  # by reference


def make_quote(company: Any, client: Client, site: Site | None = None, **fields: Any) -> Quote:
    values = {
        "company": company,
        "client": client,
        "site": site,
        "title": "Rénovation du hall",
        "date": dt.date(2026, 11, 2),
        "validity_date": dt.date(2026, 12, 2),
        "labour_coefficient": ONE,
        "supply_coefficient": ONE,
        "difficulty_coefficient": ONE,
        "overhead_coefficient": ONE,
        "status": Quote.Status.ACCEPTED,
        **fields,
    }
    return Quote.objects.create(**values)


def chapter(quote: Quote, number: str, title: str, parent: Chapter | None = None) -> Chapter:
    position = int(number.rsplit(".", 1)[-1])
    key = ".".join(f"{int(part):04d}" for part in number.split("."))
    return Chapter.objects.create(
        company=quote.company,
        quote=quote,
        parent=parent,
        position=position,
        title=title,
        number=number,
        depth=number.count(".") + 1,
        sort_key=key,
    )


def line(
    quote: Quote, chapter: Chapter | None, position: int, reference: str, **fields: Any
) -> QuoteLine:
    key = chapter.sort_key if chapter else ""
    return QuoteLine.objects.create(
        company=quote.company,
        quote=quote,
        chapter=chapter,
        position=position,
        reference=reference,
        sort_key=f"{key}-{position:06d}",
        **fields,
    )


@pytest.fixture
def acme(world: Any) -> Client:
    return parties_services.client_create(
        user=world.alice,
        name="Acme Construction",
        address_line1="8 rue des Tilleuls",
        postcode="69003",
        city="Lyon",
    )


@pytest.fixture
def acme_site(world: Any, acme: Client) -> Site:
    return parties_services.site_create(
        user=world.alice, client=acme, name="Hall d'entrée", city="Lyon", postcode="69003"
    )


@pytest.fixture
def built(world: Any, acme: Client, acme_site: Site) -> BuiltQuote:
    """Quote DEV2026-7 of company A:

    (root)  R-1    item   2 u × 15.00 = 30.00 (20 %)
    1 Gros œuvre
            GO-1   item   10 m² × 12.35, net stored 123.46 (not recomputed)
            GO-OPT item   optional, 99.00: left out of the contract
            (text) "Les travaux ont lieu le samedi."
      1.1 Fondations
            FD-1   item   3.5 m³ × 210.00 = 735.00, two components
            FD-REM discount 1 × -20.00
    2 Finitions
            FI-1   item   12.250 m² × 8.40 = 102.90 (10 %)
    Total excl. VAT: 30.00 + 123.46 + 735.00 - 20.00 + 102.90 = 971.36
    """
    quote = make_quote(world.company_a, acme, acme_site, number="DEV2026-7", net=D("971.36"))
    built = BuiltQuote(quote)
    c1 = built.chapters["1"] = chapter(quote, "1", "Gros œuvre")
    c11 = built.chapters["1.1"] = chapter(quote, "1.1", "Fondations", parent=c1)
    c2 = built.chapters["2"] = chapter(quote, "2", "Finitions")
    rows = [
        (None, 1, "R-1", {"description": "Déplacement", "unit": "u", "quantity": D("2"),
                          "unit_price": D("15.00"), "net": D("30.00")}),
        (c1, 1, "GO-1", {"description": "Ragréage\nsur 5 mm", "unit": "m²",
                         "quantity": D("10"), "unit_price": D("12.35"), "net": D("123.46"),
                         "labour_cost": D("40.10"), "supply_cost": D("30.20"),
                         "labour_hours": D("1.2500"), "labour_net": D("70.46"),
                         "supply_net": D("53.00"), "unit_labour_hours": D("0.1250"),
                         "unit_labour_cost": D("4.0100"), "unit_supply_cost": D("3.0200")}),
        (c1, 2, "GO-OPT", {"description": "Option : chape", "unit": "m²", "optional": True,
                           "quantity": D("10"), "unit_price": D("9.90"), "net": D("99.00")}),
        (c1, 3, "", {"description": "Les travaux ont lieu le samedi.", "kind": "text",
                     "quantity": D("1"), "unit_price": D("0"), "net": D("0")}),
        (c11, 1, "FD-1", {"description": "Semelles filantes", "unit": "m³",
                          "quantity": D("3.500"), "unit_price": D("210.00"), "net": D("735.00"),
                          "labour_cost": D("300.00"), "supply_cost": D("250.25")}),
        (c11, 2, "FD-REM", {"description": "Remise", "kind": "discount", "unit": "ft",
                            "quantity": D("1"), "unit_price": D("-20.00"), "net": D("-20.00")}),
        (c2, 1, "FI-1", {"description": "Peinture", "unit": "m²", "quantity": D("12.250"),
                         "unit_price": D("8.40"), "net": D("102.90"), "vat_rate": D("10.00")}),
    ]  # fmt: skip
    for parent, position, reference, fields in rows:
        built.lines[reference or "text"] = line(quote, parent, position, reference, **fields)
    fd1 = built.lines["FD-1"]
    for position, (reference, kind, per_unit, cost) in enumerate(
        [("BET-C25", "supply", "1.050", "95.5000"), ("MO-MACON", "labour", "4.000", "38.0000")],
        start=1,
    ):
        LineComponent.objects.create(
            company=quote.company,
            line=fd1,
            position=position,
            reference=reference,
            description=f"Composant {reference}",
            unit="m³" if kind == "supply" else "h",
            kind=kind,
            quantity_per_unit=D(per_unit),
            unit_cost=D(cost),
        )
    LineComponent.objects.create(  # under the optional line: not copied
        company=quote.company,
        line=built.lines["GO-OPT"],
        reference="CHAPE",
        description="Chape",
        quantity_per_unit=D("1"),
    )
    return built


@pytest.fixture
def contract(world: Any, built: BuiltQuote) -> Contract:
    return contract_services.contract_create_from_quote(user=world.alice, quote=built.quote)
