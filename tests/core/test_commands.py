import io

import pytest
from django.core.management import CommandError, call_command

from chantier.core import services
from chantier.core.demo import DEMO_PASSWORD, load_demo
from chantier.core.models import Company, Membership, User


@pytest.mark.django_db
def test_create_user_creates_the_company_and_prints_a_password():
    out = io.StringIO()
    call_command("create_user", "marie", company="Marie Elec", role="admin", stdout=out)
    password = out.getvalue().strip().splitlines()[-1].split(": ", 1)[1]
    user = User.objects.get(username="marie")
    assert user.check_password(password)
    assert Membership.objects.get(user=user).company.name == "Marie Elec"
    call_command("create_user", "paul", company="Marie Elec", role="site", stdout=io.StringIO())
    assert Company.objects.filter(name="Marie Elec").count() == 1


@pytest.mark.django_db
def test_a_new_company_first_gets_an_administrator():
    with pytest.raises(CommandError, match="administrateur"):
        call_command("create_user", "paul", company="Neuve", role="manager", stdout=io.StringIO())
    assert not Company.objects.filter(name="Neuve").exists()
    assert not User.objects.filter(username="paul").exists()


@pytest.mark.django_db
def test_create_user_refuses_a_duplicate():
    call_command("create_user", "marie", company="M", role="admin", stdout=io.StringIO())
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_user", "marie", company="M", role="admin", stdout=io.StringIO())


@pytest.mark.django_db
def test_api_token_printed_on_the_last_line(world):
    out = io.StringIO()
    call_command("api_token", "alice", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert services.api_token_user(token) == world.alice
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_is_idempotent():
    assert load_demo() is True
    counts = {m.__name__: m.objects.count() for m in (Company, User, Membership)}
    assert load_demo() is False
    assert {m.__name__: m.objects.count() for m in (Company, User, Membership)} == counts
    assert User.objects.get(username="demo").check_password(DEMO_PASSWORD)
