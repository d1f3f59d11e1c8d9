from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from chantier.core import services
from chantier.core.demo import DEMO_USERNAME, load_demo
from chantier.core.models import Company, Role, User


@dataclass
class DemoWorld:
    owner: User  # admin of the demo company, which has a row of every model
    reader: User  # read-only member of the demo company
    outsider: User  # admin of another company
    demo_company: Company


@pytest.fixture
def demo_world(db) -> DemoWorld:
    load_demo()
    owner = User.objects.get(username=DEMO_USERNAME)
    demo_company = owner.membership.company
    reader, _ = services.user_create(
        username="reader", company=demo_company, role=Role.ACCOUNTANT, password="x" * 12
    )
    other = Company.objects.create(name="Entreprise Tierce")
    outsider, _ = services.user_create(
        username="outsider", company=other, role=Role.ADMIN, password="x" * 12
    )
    services.api_token_create(user=owner)  # so the token pages have a row to reach
    return DemoWorld(owner, reader, outsider, demo_company)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
