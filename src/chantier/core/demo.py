"""Demo data: one company, a demo admin, and each app's sample rows. Idempotent."""

from __future__ import annotations

import importlib
from decimal import Decimal

from django.db import transaction

from chantier.core import services
from chantier.core.models import Company, Role, User

DEMO_COMPANY = "Bâtiments Durand SAS"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "chantier-demo"
# Apps that contribute demo rows through a `demo.load(company, user)` function.
DEMO_APPS = ("parties", "catalogue", "quotes", "contracts", "works", "billing", "mail", "documents")


@transaction.atomic
def load_demo() -> bool:
    """Create the demo company and data; return False when they already exist."""
    if User.objects.filter(username=DEMO_USERNAME).exists():
        return False
    company = Company.objects.create(
        name=DEMO_COMPANY,
        legal_form="SAS",
        share_capital=Decimal("50000.00"),
        siren="732829320",
        siret="73282932000074",
        rcs="RCS Lyon 732 829 320",
        vat_number="FR44732829320",
        address_line1="12 rue des Artisans",
        postcode="69007",
        city="Lyon",
        email="contact@durand-batiment.example",
        phone="04 78 00 00 00",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        insurance_text=(
            "Assurance décennale : MAAF Pro, police n° 123456789, France métropolitaine."
        ),
        labour_coefficient=Decimal("1.3500"),
        supply_coefficient=Decimal("1.2000"),
        difficulty_coefficient=Decimal("1.0000"),
        overhead_coefficient=Decimal("1.1000"),
        terms_text="Conditions générales de vente : travaux réalisés selon les règles de l'art.",
    )
    user, _ = services.user_create(
        username=DEMO_USERNAME,
        company=company,
        role=Role.ADMIN,
        email="demo@durand-batiment.example",
        password=DEMO_PASSWORD,
    )
    for app in DEMO_APPS:
        module = importlib.import_module(f"chantier.{app}.demo")
        module.load(company, user)
    return True
