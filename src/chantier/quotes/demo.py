"""Demo quotes: a bathroom renovation for a private client (chapters, a sub-chapter, an
assembly from the catalogue with its components, a discount, an optional line, a text
line, lines at 10 % and at 20 % VAT), a smaller proposal for a prospect, sent by email
and waiting for an answer, and a saved terms-and-conditions text: at least one row of
every model of the app.

Built through the services, as `user` (an administrator). Loading twice adds nothing.
Without the parties demo (no client) there is nothing to quote; without the catalogue
demo the assembly line is left out.
"""

# ruff: noqa: E501  (data tables read best one row per line)

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chantier.catalogue.models import Item
from chantier.core.models import Company, User
from chantier.parties.models import Client, Site
from chantier.quotes import line_services, sending, services
from chantier.quotes.models import Chapter, Quote

D = Decimal
TITLE = "Rénovation complète de la salle de bains"
PROSPECT_TITLE = "Remplacement des cloisons du local d'accueil"
TERMS_TITLE = "Conditions générales travaux particuliers"
TERMS_BODY = (
    "1. Le devis est valable jusqu'à la date indiquée. Les travaux non prévus au devis "
    "font l'objet d'un avenant signé avant leur exécution.\n"
    "2. Un acompte de 30 % est versé à la signature ; le solde est payable à la réception "
    "des travaux, par virement, sous 30 jours.\n"
    "3. Les matériaux restent la propriété de l'entreprise jusqu'au paiement complet.\n"
    "4. Garanties : parfait achèvement (1 an), biennale (2 ans) et décennale, selon la loi."
)
CLIENT = "Jean Dupont"
SITE = "Maison Dupont : salle de bains"
PROSPECT = "Boulangerie Martin SARL"
ASSEMBLY = "03-WC-SUSPENDU"  # catalogue demo: an assembly with a kit inside


def _line(
    description: str,
    unit: str,
    quantity: str,
    price: str,
    vat: str = "10.00",
    cost: tuple[str, str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A line at an entered price; `cost` = its unit (hours, labour cost, supply cost)."""
    line = {
        "description": description,
        "unit": unit,
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
        **extra,
    }
    if cost is not None:
        hours, labour, supply = cost
        line.update(unit_labour_hours=hours, unit_labour_cost=labour, unit_supply_cost=supply)
    return line


# fmt: off
BATHROOM = [
    {
        "title": "Dépose et préparation",
        "lines": [
            _line("Dépose de la baignoire, du lavabo et du WC existants, évacuation en déchetterie", "forfait", "1", "480.00", cost=("8", "304.00", "60.00"), reference="DEP-01"),
            _line("Dépose de la faïence murale et du carrelage au sol", "m²", "18.5", "22.00", cost=("0.4", "15.20", "0.50"), reference="DEP-02"),
        ],
        "chapters": [
            {
                "title": "Protections",
                "lines": [
                    _line("Protection des sols et des accès (polyane et carton)", "m²", "12", "4.50", cost=("0.05", "1.90", "1.20"), reference="PRO-01"),
                ],
            },
        ],
    },
    {
        "title": "Plomberie et sanitaires",
        "lines": [
            _line("Douche à l'italienne : receveur extra-plat 90 × 140, paroi fixe, mitigeur thermostatique", "u", "1", "1850.00", cost=("12", "528.00", "690.00"), reference="PLB-10"),
            _line("Meuble vasque 80 cm avec miroir (fourniture seule, posé par le client)", "u", "1", "389.00", "20.00", cost=("0", "0", "245.00"), reference="FOU-01"),
            _line("Option : sèche-serviettes électrique 500 W, fourni et posé", "u", "1", "420.00", cost=("2", "88.00", "190.00"), reference="OPT-01", optional=True),
            {"kind": "text", "description": "Les sanitaires et la robinetterie sont à choisir au showroom avant le démarrage des travaux."},
        ],
    },
    {
        "title": "Revêtements et finitions",
        "lines": [
            _line("Faïence murale 30 × 60, pose collée, joints époxy", "m²", "18.5", "68.00", cost=("0.9", "34.65", "18.50"), reference="REV-01"),
            _line("Carrelage antidérapant 60 × 60 au sol", "m²", "5.2", "74.00", cost=("1", "38.50", "22.00"), reference="REV-02"),
            _line("Geste commercial", "forfait", "1", "-150.00", kind="discount", reference="REM-01"),
        ],
    },
]
PROSPECT_LINES = [
    _line("Démolition des cloisons existantes", "m²", "24", "18.00", "20.00"),
    _line("Cloison BA13 72/48 avec isolant", "m²", "24", "52.00", "20.00"),
    _line("Peinture deux couches, finition velours", "m²", "48", "14.50", "20.00"),
]
# fmt: on


def load(company: Company, user: User) -> None:
    """Create the demo quotes and texts, once."""
    if Quote.objects.filter(company=company, title=TITLE).exists():
        return
    client = Client.objects.filter(company=company, name=CLIENT).first()
    if client is None:
        return  # no parties demo: nothing to quote
    site = Site.objects.filter(company=company, client=client, name=SITE).first()
    terms = services.terms_text_save(user=user, title=TERMS_TITLE, body=TERMS_BODY)
    today = timezone.localdate()
    quote = services.quote_create(
        user=user,
        client=client,
        data={
            "title": TITLE,
            "site": site,
            "terms": terms,
            "date": today,
            "validity_date": today + dt.timedelta(days=company.quote_validity_days),
            "header_text": "Suite à notre visite du chantier, nous vous proposons les travaux suivants.",
            "footer_text": "Nous restons à votre disposition pour tout renseignement.",
            "payment_terms": "30 % à la signature, solde à la réception des travaux",
            "down_payment_rate": D("30"),
        },
        chapters=BATHROOM,
    )
    _add_assembly(company, user, quote)
    prospect = Client.objects.filter(company=company, name=PROSPECT).first()
    if prospect is not None:
        proposal = services.quote_create(
            user=user,
            client=prospect,
            data={"title": PROSPECT_TITLE, "kind": Quote.Kind.PROSPECT},
            lines=PROSPECT_LINES,
        )
        _send(user, proposal)


def _send(user: User, quote: Quote) -> None:
    """Sent by email as the send page does: numbered, PDF attached, waiting for the
    client's answer (the page offers accept, refuse and new version)."""
    sending.quote_send(user=user, quote=quote, draft=sending.prepare_email(user, quote))


def _add_assembly(company: Company, user: User, quote: Quote) -> None:
    """The WC assembly from the catalogue, into the plumbing chapter: its components are
    copied under the line and it is priced from its cost with the quote's coefficients."""
    item = Item.objects.filter(company=company, reference=ASSEMBLY).first()
    if item is None:
        return
    chapter = Chapter.objects.get(quote=quote, parent=None, position=2)
    line_services.line_add(
        user=user, quote=quote, chapter=chapter, item=item, data={"quantity": "1"}, position=2
    )
