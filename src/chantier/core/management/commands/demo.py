from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chantier.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo company and data once (running it again changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo()
        if created:
            self.stdout.write("Demo data loaded.")
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(f"Demo login: demo / {DEMO_PASSWORD}")
