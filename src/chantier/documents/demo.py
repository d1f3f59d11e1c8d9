"""Demo rows: one finished price list, rendered inline (a row of every model of the app)."""

from __future__ import annotations

from chantier.core.models import Company, User
from chantier.documents import price_list, services


def load(company: Company, user: User) -> None:
    services.render_job_start(user=user, kind=price_list.KEY, params={}, inline=True)
