"""The final-account deadlines (pure module): examples 8.A and 8.B of french-rules §8 to
the day, and the day-counting rule (CCAG art. 3.2)."""

from __future__ import annotations

import datetime as dt

from chantier.contracts.final_account_timeline import (
    Events,
    Status,
    Step,
    deadline,
    is_working_day,
    private_timeline,
    public_timeline,
    timeline,
)

D = dt.date


def test_example_8a_public_dgd_timeline():
    events = Events(
        handover=D(2026, 3, 2),
        final_statement_sent=D(2026, 3, 19),
        final_statement_moe_received=D(2026, 3, 20),
        final_statement_moa_received=D(2026, 3, 23),
        general_statement_notified=D(2026, 4, 20),
    )
    result = public_timeline(events, today=D(2026, 4, 21))

    final = result.step(Step.FINAL_STATEMENT)
    general = result.step(Step.GENERAL_STATEMENT)
    signed = result.step(Step.SIGNED_RETURN)
    assert final and final.deadline == D(2026, 4, 1) and final.status == Status.DONE
    # 30 days from the LATER receipt (by the MOA, 03-23), not from the MOE's (03-20).
    assert general and general.starts_from == D(2026, 3, 23)
    assert general.deadline == D(2026, 4, 22) and general.status == Status.DONE
    assert signed and signed.deadline == D(2026, 5, 20) and signed.status == Status.TO_DO
    assert result.step(Step.TACIT_GENERAL_STATEMENT) is None
    assert not result.tacit


def test_example_8a_variant_tacit_dgd():
    events = Events(
        handover=D(2026, 3, 2),
        final_statement_sent=D(2026, 3, 19),
        final_statement_moe_received=D(2026, 3, 20),
        final_statement_moa_received=D(2026, 3, 23),
        draft_general_statement_received=D(2026, 4, 27),
    )
    on_time = public_timeline(events, today=D(2026, 4, 27))
    tacit = on_time.step(Step.TACIT_GENERAL_STATEMENT)
    assert tacit and tacit.deadline == D(2026, 5, 7) and tacit.status == Status.TO_DO
    general = on_time.step(Step.GENERAL_STATEMENT)
    assert general and general.status == Status.OVERDUE  # no DG by 04-22
    assert not on_time.tacit

    assert not public_timeline(events, today=D(2026, 5, 7)).tacit  # the last day counts
    later = public_timeline(events, today=D(2026, 5, 8))
    assert later.tacit
    step = later.step(Step.TACIT_GENERAL_STATEMENT)
    assert step and step.status == Status.OVERDUE


def test_the_dg_delay_does_not_run_until_both_receipts_are_known():
    events = Events(handover=D(2026, 3, 2), final_statement_moe_received=D(2026, 3, 20))
    general = public_timeline(events, today=D(2026, 6, 1)).step(Step.GENERAL_STATEMENT)
    assert general and general.deadline is None and general.status == Status.NOT_STARTED


def test_no_handover_nothing_runs():
    result = public_timeline(Events(handover=None), today=D(2026, 6, 1))
    assert [s.status for s in result.steps] == [Status.NOT_STARTED] * 3
    assert result.reminders(D(2026, 6, 1)) == ()


def test_example_8b_private_nf_p03_001():
    result = private_timeline(Events(handover=D(2026, 3, 16)), today=D(2026, 3, 17))
    memoire = result.step(Step.FINAL_STATEMENT)
    decompte = result.step(Step.GENERAL_STATEMENT)
    observations = result.step(Step.SIGNED_RETURN)
    assert memoire and memoire.deadline == D(2026, 5, 15) and memoire.days == 60
    assert decompte and decompte.deadline == D(2026, 6, 29) and decompte.days == 45
    assert decompte.projected  # from the mémoire's due date while it is not sent
    assert observations and observations.deadline is None
    # Once sent, the 45 days run from the mémoire's receipt.
    sent = private_timeline(
        Events(handover=D(2026, 3, 16), final_statement_sent=D(2026, 5, 4)), today=D(2026, 5, 5)
    )
    step = sent.step(Step.GENERAL_STATEMENT)
    assert step and step.deadline == D(2026, 6, 18) and not step.projected
    notified = private_timeline(
        Events(
            handover=D(2026, 3, 16),
            final_statement_sent=D(2026, 5, 4),
            general_statement_notified=D(2026, 6, 10),
        ),
        today=D(2026, 6, 11),
    ).step(Step.SIGNED_RETURN)
    assert notified and notified.deadline == D(2026, 7, 10)


def test_a_deadline_on_a_saturday_runs_to_monday():
    assert D(2026, 4, 11).weekday() == 5  # Saturday
    assert deadline(D(2026, 3, 12), 30) == D(2026, 4, 13)  # Sat 11, Sun 12 → Mon 13
    assert deadline(D(2026, 6, 10), 4) == D(2026, 6, 15)  # Sunday → Monday


def test_a_deadline_on_14_july_runs_to_the_next_working_day():
    assert not is_working_day(D(2026, 7, 14))
    assert deadline(D(2026, 6, 14), 30) == D(2026, 7, 15)
    # Friday 1 May 2026 (Labour Day), then the weekend: Monday 4 May.
    assert deadline(D(2026, 4, 1), 30) == D(2026, 5, 4)


def test_the_day_of_the_event_is_not_counted():
    assert deadline(D(2026, 3, 2), 1) == D(2026, 3, 3)


def test_which_timeline_applies():
    events = Events(handover=D(2026, 3, 2))
    public = timeline(procurement="public", nf_p03_001=True, events=events, today=D(2026, 3, 3))
    assert public and public.kind == "public"  # the public procedure has priority
    private = timeline(procurement="private", nf_p03_001=True, events=events, today=D(2026, 3, 3))
    assert private and private.kind == "private"
    assert (
        timeline(procurement="private", nf_p03_001=False, events=events, today=D(2026, 3, 3))
        is None
    )


def test_reminders_overdue_or_within_15_days():
    events = Events(handover=D(2026, 3, 2))
    result = public_timeline(events, today=D(2026, 3, 16))
    assert result.reminders(D(2026, 3, 16)) == ()  # due 04-01: 16 days ahead
    assert [s.step for s in result.reminders(D(2026, 3, 17))] == [Step.FINAL_STATEMENT]
    late = public_timeline(events, today=D(2026, 4, 2))
    [step] = late.reminders(D(2026, 4, 2))
    assert step.status == Status.OVERDUE


def test_dates_at_the_end_of_the_calendar_give_no_deadline_rather_than_an_error():
    last = dt.date.max
    result = public_timeline(
        Events(handover=last, draft_general_statement_received=last), today=last
    )
    assert [s.deadline for s in result.steps] == [None, None, None, None]
    assert result.reminders(last) == ()
