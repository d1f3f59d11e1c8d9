from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chantier.core import services
from chantier.core.exceptions import DomainError
from chantier.core.models import Role


class Command(BaseCommand):
    help = "Create a user in a company (created if missing) and print its password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--company", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():  # no company left behind when the user is refused
                company, created = services.company_get_or_create(name=options["company"])
                user, password = services.user_create(
                    username=options["username"],
                    company=company,
                    role=options["role"],
                    email=options["email"],
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if created:
            self.stdout.write(f"Company created: {company.name}")
        self.stdout.write(f"User {user.username} ({options['role']}) in {company.name}")
        self.stdout.write(f"Password: {password}")
