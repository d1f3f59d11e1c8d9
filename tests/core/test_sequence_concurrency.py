"""Concurrent issues get consecutive numbers (ADR 0002): row locks on PostgreSQL, the
database write lock (BEGIN IMMEDIATE) on SQLite."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from chantier.core import services
from chantier.core.models import Company, Sequence


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_consecutive_numbers_without_gap():
    company = Company.objects.create(name="Concurrent SAS")
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def issue() -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(
                        services.sequence_next(company=company, series="invoice", year=2026)
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 41))
    assert Sequence.objects.get(company=company, series="invoice", year=2026).last == 40
