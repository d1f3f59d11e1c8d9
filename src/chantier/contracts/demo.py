"""Demo contracts: a façade renovation with sections, sub-sections, a text line, a discount and
components, and a finished bathroom job whose lines sit outside any section (at least one row
of each model).

Written directly, not through `contract_create_from_quote`, so that the contracts demo does
not depend on the quotes demo. References look like the numbers of last year's quotes, so
they never meet the numbers the quotes demo gives this year.
"""

# ruff: noqa: E501  (data tables read best one row per line)

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from chantier.contracts import demo_orders
from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
)
from chantier.contracts.services import (
    default_address_source,
    intervention_address,
    line_sort_key,
    section_sort_key,
)
from chantier.core.models import Company, User
from chantier.core.money import round2
from chantier.parties import services as parties_services
from chantier.parties.models import Client, Site

D = Decimal
ITEM, DISCOUNT, TEXT = (k.value for k in ContractLine.Kind)

# A section: (title, lines, sub-sections). A line: (kind, reference, description, unit,
# quantity, unit price, VAT rate, components); a component: (reference, description, unit,
# kind, quantity per unit, unit cost).
# fmt: off
FACADE = [
    ("Installation de chantier", [
        (ITEM, "INST-01", "Installation et repli de chantier", "ft", "1", "1850.00", "10", []),
        (ITEM, "ECH-01", "Échafaudage de pied, montage, location 6 semaines et démontage", "m²", "420", "14.50", "10", []),
    ], []),
    ("Ravalement", [], [
        ("Façade nord", [
            (TEXT, "", "Traitement des fissures relevées lors de la visite technique du bâtiment B.", "", "0", "0", "10", []),
            (ITEM, "FIS-01", "Traitement des fissures par pontage (ouverture, mortier, bande armée)", "ml", "35", "28.00", "10", [
                ("MOR-R3", "Mortier de réparation R3", "kg", "supply", "1.5", "1.8500"),
                ("BAN-ARM", "Bande armée fibre de verre", "ml", "supply", "1.05", "0.9000"),
                ("MO-FACADIER", "Main d'œuvre façadier", "h", "labour", "0.35", "41.0000"),
            ]),
            (ITEM, "NET-HP", "Nettoyage haute pression des façades", "m²", "210", "6.50", "10", []),
        ], []),
        ("Façade sud", [
            (ITEM, "PEI-PLIO", "Peinture pliolite, 2 couches, teinte au choix du syndic", "m²", "210", "24.00", "10", [
                ("PEI-PLIO-15", "Peinture pliolite (seau 15 l)", "l", "supply", "0.45", "9.6000"),
                ("MO-PEINTRE", "Main d'œuvre peintre", "h", "labour", "0.30", "39.0000"),
            ]),
            (DISCOUNT, "REM", "Remise accordée au conseil syndical", "ft", "1", "-500.00", "10", []),
        ], []),
    ]),
]
BATHROOM_LINES = [
    (ITEM, "PLB-DEP", "Dépose de la baignoire et évacuation des gravats", "ft", "1", "380.00", "10", []),
    (ITEM, "PLB-DOUCHE", "Fourniture et pose d'une douche à l'italienne 90 × 120", "u", "1", "2450.00", "10", [
        ("PLB-RECEV", "Receveur extra-plat 90 × 120", "u", "supply", "1", "210.0000"),
        ("PLB-PER16", "Tube PER Ø16 gainé", "ml", "supply", "6", "0.9500"),
        ("PLB-RACC16", "Raccord à sertir Ø16", "u", "supply", "4", "2.3000"),
        ("MO-PLOMBIER", "Main d'œuvre plombier", "h", "labour", "9", "42.0000"),
    ]),
    (TEXT, "", "Faïence murale fournie par le client.", "", "0", "0", "10", []),
]
# fmt: on

# The contract with final-account dates (its components are catalogue supplies too).
FINAL_ACCOUNT_DEMO = "DEV2025-031"
HANDOVER_DAYS_AGO = 40
# (reference, title, status, client name, site name or "", sections, lines outside sections)
CONTRACTS = [
    (
        "DEV2025-042",
        "Ravalement de façade, bâtiment B",
        Contract.Status.ACTIVE,
        "Agence Rhône Habitat",
        "Résidence Les Tilleuls, bâtiment B",
        FACADE,
        [],
    ),
    (
        "DEV2025-031",
        "Rénovation de la salle de bains",
        Contract.Status.FINISHED,
        "Jean Dupont",
        "Maison Dupont : salle de bains",
        [],
        BATHROOM_LINES,
    ),
]


def load(company: Company, user: User) -> None:
    """Create the demo contracts of `company` (its parties demo rows are used when present)."""
    orders_loaded = False
    for reference, title, status, client_name, site_name, sections, lines in CONTRACTS:
        client = _client(company, user, client_name)
        site = Site.objects.filter(company=company, client=client, name=site_name).first()
        contract = Contract.objects.create(
            company=company,
            client=client,
            site=site,
            reference=reference,
            title=title,
            status=status,
            created_by=user,
            **intervention_address(default_address_source(client, site)),
        )
        rows: list[ContractLine] = []
        _lines(contract, None, lines, rows)
        _sections(contract, None, sections, rows)
        contract.base_net = sum((row.net for row in rows), D("0.00"))
        contract.save(update_fields=["base_net"])
        if reference == FINAL_ACCOUNT_DEMO:
            _final_account(contract)
        if status == Contract.Status.ACTIVE and not orders_loaded:
            demo_orders.load(contract, user)
            orders_loaded = True


def _final_account(contract: Contract) -> None:
    """The finished bathroom job cites NF P03-001: handed over 40 days ago (the day the
    works demo notes its réserves), its mémoire définitif is due in 20 days (french-rules
    §8.2); reminded on the home page from 15 days before."""
    contract.handover_date = timezone.localdate() - dt.timedelta(days=HANDOVER_DAYS_AGO)
    contract.nf_p03_001 = True
    contract.save(update_fields=["handover_date", "nf_p03_001"])


def _client(company: Company, user: User, name: str) -> Client:
    client = Client.objects.filter(company=company, name=name).first()
    if client is None:
        client = parties_services.client_create(user=user, name=name)
    return client


def _sections(
    contract: Contract, parent: ContractSection | None, sections: list, rows: list[ContractLine]
) -> None:
    for position, (title, lines, children) in enumerate(sections, start=1):
        section = ContractSection.objects.create(
            company_id=contract.company_id,
            contract=contract,
            parent=parent,
            position=position,
            number=f"{parent.number}.{position}" if parent else str(position),
            title=title,
            sort_key=section_sort_key(parent.sort_key if parent else "", position),
        )
        _lines(contract, section, lines, rows)
        _sections(contract, section, children, rows)


def _lines(
    contract: Contract, section: ContractSection | None, lines: list, rows: list[ContractLine]
) -> None:
    for position, (kind, ref, description, unit, quantity, price, vat, parts) in enumerate(
        lines, start=1
    ):
        quantity, price = D(quantity), D(price)
        labour = [(D(per), D(cost)) for *_, kind_, per, cost in parts if kind_ == "labour"]
        supply = [(D(per), D(cost)) for *_, kind_, per, cost in parts if kind_ != "labour"]
        line = ContractLine.objects.create(
            company_id=contract.company_id,
            contract=contract,
            section=section,
            position=position,
            sort_key=line_sort_key(section.sort_key if section else "", position),
            kind=kind,
            reference=ref,
            description=description,
            unit=unit,
            quantity=quantity,
            unit_price=price,
            net=round2(quantity * price),
            vat_rate=D(vat),
            labour_hours=sum((quantity * per for per, _cost in labour), D(0)),
            labour_cost=round2(sum((quantity * per * cost for per, cost in labour), D(0))),
            supply_cost=round2(sum((quantity * per * cost for per, cost in supply), D(0))),
        )
        rows.append(line)
        for number, (cref, cdescription, cunit, ckind, per_unit, cost) in enumerate(parts, 1):
            ContractLineComponent.objects.create(
                company_id=contract.company_id,
                line=line,
                position=number,
                reference=cref,
                description=cdescription,
                unit=cunit,
                kind=ckind,
                quantity_per_unit=D(per_unit),
                unit_cost=D(cost),
            )
