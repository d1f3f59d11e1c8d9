from __future__ import annotations

from chantier.core.models import Company
from chantier.parties.models import Client


def client_count(company: Company) -> int:
    return Client.objects.filter(company=company).count()
