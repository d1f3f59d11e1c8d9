"""Documents fixtures: company A with its full legal identity, a small catalogue in A and B."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest

from chantier.catalogue.models import Category, Item
from chantier.core.models import Company

LEGAL = {
    "legal_form": "SAS",
    "share_capital": Decimal("50000.00"),
    "siren": "732829320",
    "siret": "73282932000074",
    "rcs": "RCS Lyon 732 829 320",
    "vat_number": "FR44732829320",
    "address_line1": "12 rue des Artisans",
    "postcode": "69007",
    "city": "Lyon",
    "email": "contact@alpha.example",
    "phone": "04 78 00 00 00",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "insurance_text": "Assurance décennale : MAAF Pro, police n° 123456789, France métropolitaine.",
}


@pytest.fixture
def company(world: Any) -> Company:
    """Company A (alice, bob) with every mandatory mention filled in."""
    Company.objects.filter(pk=world.company_a.pk).update(**LEGAL)
    world.company_a.refresh_from_db()
    return world.company_a


def item(company: Company, reference: str, price: str, **fields: Any) -> Item:
    return Item.objects.create(
        company=company,
        reference=reference,
        name=fields.pop("name", f"Article {reference}"),
        sale_price=Decimal(price),
        **fields,
    )


@pytest.fixture
def catalogue(world: Any, company: Company) -> dict[str, Any]:
    """A's items in two categories (one a subcategory), one uncategorised, one inactive;
    and one item of company B that must never show in A's documents."""
    plaster = Category.objects.create(company=company, name="Plâtrerie")
    plates = Category.objects.create(company=company, name="Plaques", parent=plaster)
    electricity = Category.objects.create(company=company, name="Électricité")
    items = {
        "ba13": item(company, "PLA-BA13", "5.90", name="Plaque BA13", unit="m²", category=plates),
        "socket": item(company, "ELE-PC16", "1234.50", name="Prise 16 A", category=electricity),
        "labour": item(
            company,
            "MO-ELEC",
            "58.00",
            name="Main d'œuvre électricien",
            unit="h",
            kind=Item.Kind.LABOUR,
            category=electricity,
        ),
        "travel": item(
            company,
            "SRV-DEPL",
            "45.00",
            name="Forfait déplacement",
            unit="forfait",
            kind=Item.Kind.SERVICE,
            vat_rate=Decimal("5.50"),
        ),
        "old": item(company, "OLD-1", "9.99", name="Article retiré", category=plates, active=False),
        "foreign": item(world.company_b, "BRAVO-1", "77.77", name="Article de Bravo"),
    }
    return items


def pdf_text(content: bytes) -> str:
    """All pages' text, see plain()."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return plain("\n".join(page.extract_text() for page in reader.pages))


def plain(text: str) -> str:
    """Text with every run of spaces (non-breaking, thin, line ends) made one space: the
    footer wraps wherever the page width says."""
    return " ".join(text.split())


def pdf_reader(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))
