"""Demo réserves on the finished bathroom contract (handed over): two open, one lifted.

Made through the services, as a user would. Dates are relative to today, so they are never
in the future."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chantier.contracts.models import Contract
from chantier.core.models import Company, User
from chantier.works import services
from chantier.works.models import Reserve


def load(company: Company, user: User) -> None:
    contracts = Contract.objects.filter(company=company).order_by("pk")
    contract = contracts.filter(status=Contract.Status.FINISHED).first() or contracts.first()
    if contract is None or Reserve.objects.filter(company=company).exists():
        return
    today = timezone.localdate()
    handover = today - dt.timedelta(days=40)
    services.reserve_create(
        user=user,
        contract=contract,
        title="Joint silicone du receveur",
        description="Joint silicone décollé sur le côté gauche du receveur de douche.",
        location="Salle de bains, douche",
        noted_on=handover,
        due_on=handover + dt.timedelta(days=60),
        assigned_to="Karim Benali",
    )
    services.reserve_create(
        user=user,
        contract=contract,
        title="Pente d'évacuation de la douche",
        description="L'eau stagne dans l'angle opposé à la bonde : reprendre la pente.",
        location="Salle de bains, douche",
        noted_on=handover,
        due_on=handover + dt.timedelta(days=30),
        assigned_to="Plomberie Rhodanienne",
        status=Reserve.Status.IN_PROGRESS,
    )
    lifted = services.reserve_create(
        user=user,
        contract=contract,
        title="Trappe de visite du lavabo",
        description="Trappe de visite manquante sous le lavabo.",
        location="Salle de bains",
        noted_on=handover,
    )
    services.reserve_lift(user=user, reserve=lifted, lifted_on=handover + dt.timedelta(days=12))
