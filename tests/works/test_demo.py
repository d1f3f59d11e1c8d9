"""The demo data holds réserves on the finished bathroom contract: two open, one lifted."""

from __future__ import annotations

import pytest

from chantier.contracts.models import Contract
from chantier.core.demo import load_demo
from chantier.works import selectors
from chantier.works.models import Reserve

pytestmark = pytest.mark.django_db


def test_the_demo_has_open_and_lifted_reserves():
    assert load_demo()
    contract = Contract.objects.get(reference="DEV2025-031")
    reserves = Reserve.objects.filter(contract=contract)
    assert reserves.count() == 3
    assert selectors.open_reserve_count(contract) == 2
    lifted = reserves.get(lifted_on__isnull=False)
    assert lifted.status == Reserve.Status.LIFTED
    assert lifted.lifted_on >= lifted.noted_on
    assert not load_demo()  # idempotent
    assert Reserve.objects.count() == 3
