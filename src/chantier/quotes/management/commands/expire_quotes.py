"""`chantier expire_quotes`: sent quotes past their validity date become expired.

For cron (e.g. `5 0 * * * chantier expire_quotes`) when no worker runs; with a worker,
the daily task does the same (quotes/tasks.py). `--schedule` starts that daily task
chain instead, unless a run is already waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chantier.quotes import tasks


class Command(BaseCommand):
    help = "Expire sent quotes past their validity date (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Expire as on this day (YYYY-MM-DD) instead of today.")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Start the worker's daily expiry task instead (if none is waiting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            added = tasks.ensure_daily_expiry()
            self.stdout.write(
                "Daily expiry task enqueued." if added else "Daily expiry task already waiting."
            )
            return
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date takes a date as YYYY-MM-DD.") from None
        count = tasks.run_expiry(today)
        self.stdout.write(f"{count} quote(s) expired.")
