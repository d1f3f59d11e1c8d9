from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from chantier.core import services
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros, percent, quantity
from chantier.core.models import Company, Membership, Sequence
from chantier.core.money import round2, to_decimal


def test_to_decimal_goes_through_the_shortest_text_form():
    assert to_decimal(4.85) == Decimal("4.85")
    assert to_decimal("1 234,56") == Decimal("1234.56")
    assert to_decimal("12,5 %") == Decimal("12.5")
    with pytest.raises(ValueError):
        to_decimal("abc")
    with pytest.raises(ValueError):
        to_decimal("NaN")


def test_round2_is_half_up():
    assert round2(Decimal("0.125")) == Decimal("0.13")
    assert round2(Decimal("-0.125")) == Decimal("-0.13")
    assert round2(Decimal("2.675")) == Decimal("2.68")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_round2_never_moves_more_than_half_a_cent(value):
    assert abs(round2(value) - value) <= Decimal("0.005")


def test_french_formatting():
    assert euros(Decimal("1234567.891")) == "1\u00a0234\u00a0567,89\u00a0€"
    assert quantity(Decimal("12.500")) == "12,5"
    assert quantity(Decimal("3")) == "3"
    assert percent(Decimal("33.3333")) == "33,3333\u00a0%"
    assert euros(None) == ""


@pytest.mark.django_db
def test_user_create_makes_a_member_with_a_password():
    company, created = services.company_get_or_create(name="Acme")
    assert created
    services.user_create(username="boss", company=company, role="admin")
    user, password = services.user_create(username="u1", company=company, role="manager")
    assert user.check_password(password)
    assert Membership.objects.get(user=user).role == "manager"
    again, created_again = services.company_get_or_create(name="Acme")
    assert again == company and not created_again


@pytest.mark.django_db
def test_user_create_refuses_unknown_role_and_duplicates():
    company = Company.objects.create(name="Acme")
    with pytest.raises(DomainError) as err:
        services.user_create(username="u1", company=company, role="boss")
    assert err.value.field == "role"
    services.user_create(username="u1", company=company, role="admin")
    with pytest.raises(DomainError):
        services.user_create(username="u1", company=company, role="admin")
    assert Membership.objects.count() == 1
    other = Company.objects.create(name="Other")
    with pytest.raises(DomainError) as err:
        services.user_create(username="u2", company=other, role="site")
    assert err.value.field == "role"


@pytest.mark.django_db
def test_api_token_is_stored_as_a_digest(world):
    token = services.api_token_create(user=world.alice)
    assert services.api_token_user(token) == world.alice
    assert services.api_token_user(token + "x") is None
    assert token not in str(list(world.alice.api_tokens.values()))


def test_format_number():
    assert services.format_number("FA{YYYY}-{seq:05d}", year=2026, seq=7) == "FA2026-00007"
    assert services.format_number("DEV{YYYY}-{seq}", year=2026, seq=12) == "DEV2026-12"
    assert services.format_number("AV{YY}{seq:03d}", year=2026, seq=7) == "AV26007"
    for bad in ("FA{nope}", "FA{seq[0]}", "FA{seq.real}", "FA{seq:>999999999}", "FA", "{{seq}}"):
        with pytest.raises(DomainError):
            services.format_number(bad, year=2026, seq=1)


@pytest.mark.django_db
def test_sequence_has_no_gap_and_gives_back_rolled_back_numbers(world):
    with transaction.atomic():
        assert services.sequence_next(company=world.company_a, series="invoice", year=2026) == 1
        assert services.sequence_next(company=world.company_a, series="invoice", year=2026) == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        services.sequence_next(company=world.company_a, series="invoice", year=2026)
        raise RuntimeError("issue failed")
    with transaction.atomic():
        assert services.sequence_next(company=world.company_a, series="invoice", year=2026) == 3
        # Separate per company and per year.
        assert services.sequence_next(company=world.company_b, series="invoice", year=2026) == 1
        assert services.sequence_next(company=world.company_a, series="invoice", year=2027) == 1
    assert Sequence.objects.get(company=world.company_a, series="invoice", year=2026).last == 3
