"""Background tasks of quotes (run by `chantier worker` / `chantier serve`).

* `send_quote`: the send of a long quote, PDF rendered in the worker (sending.py).
* `expire_quotes`: daily, sent quotes past their validity date become expired. Each
  run enqueues the next one for the coming midnight (Europe/Paris), so one pending
  run keeps the chain going; `ensure_daily_expiry()` starts the chain when there is
  none (worker start, `chantier expire_quotes --schedule`). Without a worker, cron
  can run `chantier expire_quotes` instead: it changes the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.tasks import task
from django.utils import timezone

from chantier.quotes import sending, services


@task()
def send_quote(quote_id: int, user_id: int, draft: dict[str, Any], lock_version: int) -> int | None:
    """Send a long quote: number, PDF and queued email in one transaction."""
    return sending.send_in_worker(
        quote_id=quote_id, user_id=user_id, data=draft, lock_version=lock_version
    )


def next_midnight(now: dt.datetime | None = None) -> dt.datetime:
    """The next local midnight (a few seconds after, so that the date has changed)."""
    local = timezone.localtime(now or timezone.now())
    tomorrow = local.date() + dt.timedelta(days=1)
    naive = dt.datetime.combine(tomorrow, dt.time(0, 0, 5))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def run_expiry(today: dt.date | None = None) -> int:
    """Expire what is due today; the number of quotes that became expired."""
    return services.quotes_expire(today=today)


@task()
def expire_quotes() -> int:
    """Daily: expire sent quotes past their validity date, then plan tomorrow's run."""
    count = run_expiry()
    if not pending_expiry_runs():  # two chains (two workers started at once) become one
        schedule_next()
    return count


def schedule_next(now: dt.datetime | None = None) -> None:
    expire_quotes.using(run_after=next_midnight(now)).enqueue()


def pending_expiry_runs() -> int:
    """Expiry runs waiting in the database queue (django-tasks-db backend)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=expire_quotes.module_path, status="READY").count()


def ensure_daily_expiry() -> bool:
    """Start the daily chain unless a run is already waiting; True when one was added.

    The first run is now (quotes that expired while no worker ran are caught up), and
    it plans the next midnight's.
    """
    if pending_expiry_runs():
        return False
    expire_quotes.enqueue()
    return True
