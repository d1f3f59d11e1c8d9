"""`chantier verify-chain`: check the hash chain of every issued invoice and credit note."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chantier.billing.issuing import verify_chain
from chantier.core.models import Company


class Command(BaseCommand):
    help = "Verify the hash chain of issued invoices; exit 1 at the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, help="only this company id")

    def handle(self, *args: Any, **options: Any) -> None:
        company = None
        if options["company"] is not None:
            company = Company.objects.filter(pk=options["company"]).first()
            if company is None:
                raise CommandError(f"no company {options['company']}")
        checked, broken = verify_chain(company)
        if broken is not None:
            self.stderr.write(
                f"BROKEN at company {broken.company_id}, document #{broken.position} "
                f"{broken.number}: {broken.reason} ({checked} checked)"
            )
            raise SystemExit(1)
        self.stdout.write(f"OK: {checked} issued documents, chain intact")
