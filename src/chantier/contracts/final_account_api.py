"""The final-account timeline in the integration API.

`GET /contracts/{id}/final-account-timeline`: the recorded dates and, for a public
contract (CCAG-Travaux) or a private one citing NF P03-001, each step with its delay,
deadline, date done and status. The dates are set through `PATCH /contracts/{id}`
(`final_account`, contracts/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from chantier.api.errors import responses
from chantier.contracts import final_account_selectors as selectors
from chantier.contracts.final_account_services import FIELDS
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user

router = Router(tags=["contracts"])


class FinalAccountDatesOut(Schema):
    nf_p03_001: bool
    final_statement_sent_date: dt.date | None
    final_statement_moe_received_date: dt.date | None
    final_statement_moa_received_date: dt.date | None
    general_statement_notified_date: dt.date | None
    general_statement_returned_date: dt.date | None
    draft_general_statement_received_date: dt.date | None


class FinalAccountDatesIn(Schema):
    """Every field optional: only those sent are changed; null clears a date."""

    nf_p03_001: bool | None = None
    final_statement_sent_date: dt.date | None = None
    final_statement_moe_received_date: dt.date | None = None
    final_statement_moa_received_date: dt.date | None = None
    general_statement_notified_date: dt.date | None = None
    general_statement_returned_date: dt.date | None = None
    draft_general_statement_received_date: dt.date | None = None


class TimelineStepOut(Schema):
    step: str  # final_statement, general_statement, signed_return, tacit_general_statement
    label: str
    actor: str  # contractor, owner
    days: int
    starts_from: dt.date | None
    deadline: dt.date | None  # null: the delay does not run yet
    done_on: dt.date | None
    status: str  # done, overdue, to_do, not_started
    projected: bool
    late: bool


class FinalAccountTimelineOut(Schema):
    contract_id: int
    procurement: str
    kind: str | None  # "public" (CCAG-Travaux), "private" (NF P03-001), null: none applies
    handover_date: dt.date | None
    today: dt.date
    tacit: bool
    dates: FinalAccountDatesOut
    steps: list[TimelineStepOut]


def dates_of(contract: Any) -> dict[str, Any]:
    return {name: getattr(contract, name) for name in FIELDS}


@router.get(
    "/contracts/{contract_id}/final-account-timeline",
    response=responses({200: FinalAccountTimelineOut}),
    summary="A contract's final-account deadlines",
)
def get_final_account_timeline(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    """The deadlines of the DGD procedure (french-rules §8), computed for today from the
    handover and the recorded dates: the day of the event is not counted, a delay ending
    on a Saturday, a Sunday or a French public holiday runs to the next working day."""
    contract = get_contract_for_user(acting_user(request), contract_id)
    today = timezone.localdate()
    timeline = selectors.contract_timeline(contract, today)
    steps = []
    if timeline is not None:
        for row in selectors.step_rows(timeline):
            step = row.step
            steps.append(
                {
                    "step": step.step.value,
                    "label": row.label,
                    "actor": step.actor.value,
                    "days": step.days,
                    "starts_from": step.starts_from,
                    "deadline": step.deadline,
                    "done_on": step.done_on,
                    "status": step.status.value,
                    "projected": step.projected,
                    "late": step.late,
                }
            )
    return {
        "contract_id": contract.pk,
        "procurement": contract.procurement,
        "kind": timeline.kind if timeline is not None else None,
        "handover_date": contract.handover_date,
        "today": today,
        "tacit": bool(timeline and timeline.tacit),
        "dates": dates_of(contract),
        "steps": steps,
    }
