"""Demo change orders, service orders, participants and interactions on the façade contract.

Made through the services, so that numbers, amounts and the billing base are what a user
would get: avenant n°1 approved (it joins the base), n°2 submitted, n°3 a draft; OS n°1
(start of works) validated with an attachment, OS n°2 awaiting validation, one draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from chantier.contracts import change_order_services as change_orders
from chantier.contracts import scope_services as scope
from chantier.contracts import service_order_services as service_orders
from chantier.contracts.models import Contract, ContractLine
from chantier.core.models import User
from chantier.parties.models import Interaction

D = Decimal


def load(contract: Contract, user: User) -> None:
    _people(contract, user)
    extra = _change_orders(contract, user)
    _service_orders(contract, user, extra)


def _people(contract: Contract, user: User) -> None:
    scope.participant_create(
        user=user,
        contract=contract,
        name="Claire Martin",
        function="Architecte",
        email="claire.martin@archi-demo.fr",
        phone="04 78 00 00 01",
    )
    scope.participant_create(
        user=user, contract=contract, name="Karim Benali", function="Conducteur de travaux"
    )
    scope.interaction_create(
        user=user,
        contract=contract,
        kind=Interaction.Kind.VISIT,
        subject="Visite de chantier avec l'architecte",
        detail="Échafaudage monté ; reprise des fissures à prévoir côté cour.",
    )
    scope.interaction_create(
        user=user,
        contract=contract,
        kind=Interaction.Kind.NOTE,
        subject="Marge à surveiller sur l'enduit",
        private=True,
    )


def _new_line(description: str, unit: str, quantity: str, price: str) -> dict[str, str]:
    return {
        "description": description,
        "unit": unit,
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": "20.00",
    }


def _change_orders(contract: Contract, user: User):
    first_line = (
        ContractLine.objects.filter(contract=contract, kind=ContractLine.Kind.ITEM)
        .order_by("sort_key", "pk")
        .first()
    )
    cracks = _new_line("Reprise de fissures à la résine", "ml", "18", "42.50")
    north = contract.sections.filter(title="Façade nord").first()
    if north is not None:
        cracks["section_id"] = north.pk
    approved = change_orders.change_order_create(
        user=user, contract=contract, title="Reprise des fissures côté cour", lines=[cracks]
    )
    change_orders.change_order_submit(user=user, change_order=approved)
    change_orders.change_order_approve(
        user=user, change_order=approved, decision_note="Accord du maître d'ouvrage."
    )
    submitted_lines = [_new_line("Habillage zinc des appuis", "u", "6", "85.00")]
    if first_line is not None:
        submitted_lines.append(
            {
                "description": f"{first_line.description}: quantité supplémentaire",
                "unit": first_line.unit,
                "quantity": "5",
                "unit_price": str(first_line.unit_price),
                "vat_rate": str(first_line.vat_rate),
                "amends_line_id": first_line.pk,
            }
        )
    submitted = change_orders.change_order_create(
        user=user, contract=contract, title="Appuis de fenêtres", lines=submitted_lines
    )
    change_orders.change_order_submit(user=user, change_order=submitted)
    change_orders.change_order_create(
        user=user,
        contract=contract,
        title="Option : peinture des volets",
        lines=[_new_line("Peinture des volets bois", "u", "12", "65.00")],
    )
    return submitted


def _service_orders(contract: Contract, user: User, change_order) -> None:
    start = service_orders.service_order_create(
        user=user,
        contract=contract,
        data={
            "kind": "start",
            "issuer": "project_manager",
            "lot": "Lot 01 Façades",
            "title": "Démarrage des travaux",
            "issue_date": dt.date(2026, 3, 2),
            "notification_date": dt.date(2026, 3, 3),
            "acknowledgement_date": dt.date(2026, 3, 4),
        },
        issue=True,
    )
    service_orders.service_order_validate(user=user, order=start)
    service_orders.service_order_attachment_add(
        user=user,
        order=start,
        file=SimpleUploadedFile(
            "os-1-demarrage.txt",
            "Ordre de service n°1 : démarrage le 9 mars 2026.\n".encode(),
            content_type="text/plain",
        ),
    )
    awaiting = service_orders.service_order_create(
        user=user,
        contract=contract,
        change_order=change_order,
        data={
            "kind": "change",
            "issuer": "project_manager",
            "lot": "Lot 01 Façades",
            "title": "Travaux modificatifs : appuis de fenêtres",
            "issue_date": dt.date(2026, 4, 6),
            "notification_date": dt.date(2026, 4, 7),
            "financial_impact": change_order.net,
            "delay_days": 5,
        },
        issue=True,
    )
    service_orders.service_order_line_save(
        user=user,
        order=awaiting,
        data=_new_line("Dépose des anciens appuis", "u", "6", "25.00"),
    )
    service_orders.service_order_create(
        user=user,
        contract=contract,
        data={"kind": "no_financial", "title": "Planning : réunions de chantier le mardi"},
    )
