"""Helpers of the catalogue tests: items made through the services, as alice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from chantier.catalogue import services
from chantier.catalogue.models import Item


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The world's three users are created with a fast hasher (autouse runs first)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Service messages are translated; unit tests read them in English (msgids)."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_item(world: Any):
    """make_item("REF", kind=..., purchase_cost="1.25", ...) -> Item of company A (or `user`'s)."""

    def make(reference: str, user: Any = None, **fields: Any) -> Item:
        data: dict[str, Any] = {"reference": reference, "name": fields.pop("name", reference)}
        for key in ("purchase_cost", "sale_price", "vat_rate"):
            if key in fields:
                fields[key] = Decimal(str(fields[key]))
        data.update(fields)
        return services.item_create(user=user or world.alice, data=data)

    return make


@pytest.fixture
def add(world: Any):
    """add(parent, component, "2.5"): a component row, as alice."""

    def add_component(parent: Item, component: Item, quantity: str, user: Any = None) -> Any:
        return services.component_add(
            user=user or world.alice, parent=parent, component=component, quantity=Decimal(quantity)
        )

    return add_component
