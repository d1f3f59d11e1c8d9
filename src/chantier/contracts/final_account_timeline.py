"""The final-account timeline: the deadlines of the DGD procedure (pure, no Django).

Public contracts follow CCAG-Travaux (french-rules §8.1, example 8.A):

1. the contractor sends the projet de décompte final (final statement) to the project
   manager (MOE) and the owner (MOA) within 30 days of the handover (réception);
2. the owner notifies the décompte général (general statement, DG) within 30 days of the
   LATER of the final statement's receipt by the MOE and by the MOA (CE 25 June 2018
   n°417738): while either receipt is unknown, this delay does not run;
3. the contractor returns the DG signed (or with reasons) within 30 days of its notification;
4. tacit DGD: when the owner has not notified the DG in time, the contractor sends it a
   signed projet de DG; the owner then has 10 days from its receipt, failing which the
   contractor's projet becomes the DGD.

Private contracts citing NF P03-001 (french-rules §8.2, example 8.B): the mémoire définitif
within 60 days of the handover; the décompte définitif within 45 days of the mémoire's
receipt (of its due date while it is not sent: a projected deadline); the contractor's
observations within 30 days of the décompte's notification. The same recorded dates serve:
"final statement" = mémoire définitif, "general statement" = décompte définitif.

Day counting (CCAG art. 3.2): the day of the triggering event is not counted, and a period
ending on a Saturday, a Sunday or a French public holiday runs to the next working day.
Holidays are metropolitan France's (the `holidays` package).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import holidays

PUBLIC = "public"
PRIVATE = "private"

FINAL_STATEMENT_DAYS = 30  # CCAG-Travaux 2014/2021: projet de décompte final
GENERAL_STATEMENT_DAYS = 30  # the owner's DG, from the later receipt
SIGNED_RETURN_DAYS = 30  # the contractor's signed DG
TACIT_DAYS = 10  # the owner's delay after the contractor's signed projet de DG
PRIVATE_FINAL_STATEMENT_DAYS = 60  # NF P03-001: mémoire définitif
PRIVATE_GENERAL_STATEMENT_DAYS = 45  # NF P03-001 (2000 edition): décompte définitif
PRIVATE_OBSERVATIONS_DAYS = 30  # NF P03-001 art. 19.6.3
REMINDER_DAYS = 15  # deadlines reminded from 15 days before


class Step(StrEnum):
    FINAL_STATEMENT = "final_statement"
    GENERAL_STATEMENT = "general_statement"
    SIGNED_RETURN = "signed_return"
    TACIT_GENERAL_STATEMENT = "tacit_general_statement"


class Actor(StrEnum):
    CONTRACTOR = "contractor"
    OWNER = "owner"


class Status(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    TO_DO = "to_do"
    NOT_STARTED = "not_started"  # its delay does not run yet: no deadline


@dataclass(frozen=True)
class Events:
    """What happened, as recorded on the contract (None: not yet)."""

    handover: dt.date | None
    final_statement_sent: dt.date | None = None
    final_statement_moe_received: dt.date | None = None
    final_statement_moa_received: dt.date | None = None
    general_statement_notified: dt.date | None = None
    general_statement_returned: dt.date | None = None
    draft_general_statement_received: dt.date | None = None


@dataclass(frozen=True)
class TimelineStep:
    step: Step
    actor: Actor
    days: int  # the delay, in calendar days
    starts_from: dt.date | None  # the event the delay runs from
    deadline: dt.date | None  # None: the delay does not run yet
    done_on: dt.date | None
    status: Status
    projected: bool = False  # counted from a due date, not from a recorded event

    @property
    def late(self) -> bool:
        """Done after its deadline."""
        return bool(self.done_on and self.deadline and self.done_on > self.deadline)


@dataclass(frozen=True)
class Timeline:
    kind: str  # PUBLIC or PRIVATE
    steps: tuple[TimelineStep, ...]
    # The owner let the 10 days pass after the contractor's signed projet de DG (public) or
    # did not notify the décompte définitif in time (private): the contractor's figures stand.
    tacit: bool = False

    def step(self, step: Step) -> TimelineStep | None:
        return next((s for s in self.steps if s.step == step), None)

    def reminders(self, today: dt.date, days: int = REMINDER_DAYS) -> tuple[TimelineStep, ...]:
        """Steps not done whose deadline is past or within `days` days of `today`."""
        horizon = (
            today + dt.timedelta(days=days)
            if today < dt.date.max - dt.timedelta(days)
            else dt.date.max
        )
        return tuple(
            s
            for s in self.steps
            if s.status in (Status.OVERDUE, Status.TO_DO)
            and s.deadline is not None
            and s.deadline <= horizon
        )


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    """Not a Saturday, a Sunday or a French public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def deadline(start: dt.date, days: int) -> dt.date:
    """The end of a period of `days` days running from `start` (CCAG art. 3.2): the day of
    the event is not counted (day 1 is the day after), and a period ending on a Saturday,
    a Sunday or a public holiday runs to the next working day."""
    end = start + dt.timedelta(days=days)
    while not is_working_day(end):
        end += dt.timedelta(days=1)
    return end


def _deadline_or_none(start: dt.date | None, days: int) -> dt.date | None:
    """None when the delay does not run yet, or would end past the last date there is."""
    if start is None:
        return None
    try:
        return deadline(start, days)
    except OverflowError:
        return None


def _status(deadline_: dt.date | None, done_on: dt.date | None, today: dt.date) -> Status:
    if done_on is not None:
        return Status.DONE
    if deadline_ is None:
        return Status.NOT_STARTED
    return Status.OVERDUE if today > deadline_ else Status.TO_DO


def _step(
    step: Step,
    actor: Actor,
    days: int,
    start: dt.date | None,
    done_on: dt.date | None,
    today: dt.date,
    *,
    projected: bool = False,
) -> TimelineStep:
    end = _deadline_or_none(start, days)
    return TimelineStep(
        step=step,
        actor=actor,
        days=days,
        starts_from=start,
        deadline=end,
        done_on=done_on,
        status=_status(end, done_on, today),
        projected=projected,
    )


def _later(*dates: dt.date | None) -> dt.date | None:
    """The later of the dates, or None while one of them is unknown."""
    if any(day is None for day in dates):
        return None
    return max(day for day in dates if day is not None)


def public_timeline(events: Events, today: dt.date) -> Timeline:
    """CCAG-Travaux (french-rules §8.1): see the module docstring. The tacit-DGD step is
    listed once the contractor's signed projet de DG is recorded as received."""
    e = events
    steps = [
        _step(
            Step.FINAL_STATEMENT,
            Actor.CONTRACTOR,
            FINAL_STATEMENT_DAYS,
            e.handover,
            e.final_statement_sent,
            today,
        ),
        _step(
            Step.GENERAL_STATEMENT,
            Actor.OWNER,
            GENERAL_STATEMENT_DAYS,
            _later(e.final_statement_moe_received, e.final_statement_moa_received),
            e.general_statement_notified,
            today,
        ),
        _step(
            Step.SIGNED_RETURN,
            Actor.CONTRACTOR,
            SIGNED_RETURN_DAYS,
            e.general_statement_notified,
            e.general_statement_returned,
            today,
        ),
    ]
    tacit = False
    if e.draft_general_statement_received is not None:
        tacit_step = _step(
            Step.TACIT_GENERAL_STATEMENT,
            Actor.OWNER,
            TACIT_DAYS,
            e.draft_general_statement_received,
            e.general_statement_notified,
            today,
        )
        steps.append(tacit_step)
        end, notified = tacit_step.deadline, e.general_statement_notified
        tacit = (notified is None and end is not None and today > end) or tacit_step.late
    return Timeline(PUBLIC, tuple(steps), tacit=tacit)


def private_timeline(events: Events, today: dt.date) -> Timeline:
    """NF P03-001 (french-rules §8.2, 2000-edition delays): see the module docstring."""
    e = events
    memoire = _step(
        Step.FINAL_STATEMENT,
        Actor.CONTRACTOR,
        PRIVATE_FINAL_STATEMENT_DAYS,
        e.handover,
        e.final_statement_sent,
        today,
    )
    received = e.final_statement_moe_received or e.final_statement_sent
    decompte = _step(
        Step.GENERAL_STATEMENT,
        Actor.OWNER,
        PRIVATE_GENERAL_STATEMENT_DAYS,
        received or memoire.deadline,
        e.general_statement_notified,
        today,
        projected=received is None and memoire.deadline is not None,
    )
    observations = _step(
        Step.SIGNED_RETURN,
        Actor.CONTRACTOR,
        PRIVATE_OBSERVATIONS_DAYS,
        e.general_statement_notified,
        e.general_statement_returned,
        today,
    )
    # Art. 19.6.2: a décompte not notified within the delay leaves the mémoire accepted.
    tacit = (
        received is not None
        and decompte.deadline is not None
        and (decompte.status == Status.OVERDUE or decompte.late)
    )
    return Timeline(PRIVATE, (memoire, decompte, observations), tacit=tacit)


def timeline(
    *, procurement: str, nf_p03_001: bool, events: Events, today: dt.date
) -> Timeline | None:
    """The contract's timeline: public contracts first; a private one only when NF P03-001
    applies; None otherwise (no statutory procedure to follow)."""
    if procurement == PUBLIC:
        return public_timeline(events, today)
    if nf_p03_001:
        return private_timeline(events, today)
    return None
