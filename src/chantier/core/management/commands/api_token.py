from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chantier.core import services
from chantier.core.models import Membership, User


class Command(BaseCommand):
    help = "Create an API token for a user; the token is printed on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not Membership.objects.filter(user=user).exists():
            raise CommandError(f"{user.username} belongs to no company.")
        token = services.api_token_create(user=user, name=options["name"])
        self.stdout.write(f"API token for {user.username} (shown once):")
        self.stdout.write(token)
