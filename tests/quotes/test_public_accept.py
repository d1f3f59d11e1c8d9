"""The client's online acceptance through the signed link (no login)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from chantier.contracts.models import Contract
from chantier.core.exceptions import DomainError
from chantier.core.models import AuditEntry
from chantier.quotes import sending, services
from chantier.quotes.models import Quote
from tests.quotes.test_pdf import (
    client_a,
    company,
    fr,
    quote,
    site_a,
    twenty_only,
)

# Fixtures shared with test_pdf.py: pytest finds them by name in this module.
SHARED_FIXTURES = (client_a, company, quote, site_a)

D = Decimal
YEAR = timezone.localdate().year


def sent(world: Any, quote: Quote) -> Quote:
    draft = sending.prepare_email(world.alice, quote, base_url="https://chantier.example/")
    sending.quote_send(user=world.alice, quote=quote, draft=draft)
    return Quote.objects.get(pk=quote.pk)


def url(token: str, name: str = "quotes:public_accept") -> str:
    return reverse(name, kwargs={"token": token})


def state(quote: Quote) -> tuple[Any, ...]:
    row = Quote.objects.get(pk=quote.pk)
    return (
        row.status,
        row.accepted_by_name,
        row.accepted_ip,
        row.decided_at,
        row.lock_version,
        Contract.objects.filter(quote_id=quote.pk).count(),
    )


@pytest.fixture
def anonymous() -> HttpClient:
    return HttpClient()


@pytest.fixture
def sent_quote(world, client_a) -> Quote:
    """A sent quote at 20 % only (no reduced-rate certification needed)."""
    return sent(world, twenty_only(world, client_a))


ACCEPT = {"name": "  Jeanne   Dupont ", "agree": "on"}


def test_page_shows_the_summary_and_the_pdf_link(anonymous, sent_quote):
    token = sending.acceptance_token(sent_quote)

    page = anonymous.get(url(token))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"DEV{YEAR}-1" in text
    assert "Local commercial" in text
    assert "500,00\u00a0€" in text  # 40 × 12.50
    assert "600,00\u00a0€" in text  # incl. VAT
    assert url(token, "quotes:public_pdf") in text
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Referrer-Policy"] == "no-referrer"


def test_accept_records_name_date_ip_and_creates_the_contract(anonymous, sent_quote):
    token = sending.acceptance_token(sent_quote)

    response = anonymous.post(url(token), ACCEPT, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == url(token, "quotes:public_thanks")
    row = Quote.objects.get(pk=sent_quote.pk)
    assert row.status == Quote.Status.ACCEPTED
    assert row.accepted_by_name == "Jeanne Dupont"
    assert row.accepted_ip == "203.0.113.7"
    assert row.accepted_online is True
    assert abs(row.decided_at - timezone.now()) < dt.timedelta(minutes=1)
    contract = Contract.objects.get(quote_id=sent_quote.pk)
    assert contract.reference == f"DEV{YEAR}-1"
    assert contract.base_net == D("500.00")
    entry = AuditEntry.objects.get(action="quote_accept_online")
    assert entry.user is None
    assert entry.data == {
        "name": "Jeanne Dupont",
        "ip": "203.0.113.7",
        "reduced_vat_certified": False,
    }
    thanks = anonymous.get(response["Location"])
    assert thanks.status_code == 200
    assert "Jeanne Dupont" in thanks.content.decode()


def test_a_second_acceptance_gets_a_clear_message(anonymous, sent_quote):
    token = sending.acceptance_token(sent_quote)
    anonymous.post(url(token), ACCEPT)
    before = state(sent_quote)

    again = anonymous.post(url(token), {"name": "Paul Martin", "agree": "on"})

    assert again.status_code == 409
    when = timezone.localtime(before[3]).strftime("%d/%m/%Y")
    expected = fr("This quote was already accepted on %(date)s by %(name)s.") % {
        "date": when,
        "name": "Jeanne Dupont",
    }
    assert again.context["refusal"] == expected
    assert state(sent_quote) == before
    with pytest.raises(DomainError) as error:
        sending.quote_accept_online(token=token, name="Paul Martin", ip=None)
    assert error.value.message == expected
    assert state(sent_quote) == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "garbage",
        lambda token: signing.TimestampSigner(salt="other").sign_object({"c": 1, "q": 1, "v": 1}),
    ],
)
def test_tampered_token_is_404_and_changes_nothing(anonymous, sent_quote, tamper):
    token = tamper(sending.acceptance_token(sent_quote))
    before = state(sent_quote)

    assert anonymous.get(url(token)).status_code == 404
    assert anonymous.post(url(token), ACCEPT).status_code == 404
    assert anonymous.get(url(token, "quotes:public_pdf")).status_code == 404
    assert state(sent_quote) == before


def test_token_of_another_version_or_company_is_404(anonymous, sent_quote, world):
    signer = signing.TimestampSigner(salt=sending.TOKEN_SALT)
    wrong_company = signer.sign_object({"c": world.company_b.pk, "q": sent_quote.pk, "v": 1})
    wrong_version = signer.sign_object({"c": sent_quote.company_id, "q": sent_quote.pk, "v": 3})
    for token in (wrong_company, wrong_version):
        assert anonymous.get(url(token)).status_code == 404


def test_a_draft_is_unknown_to_the_public(anonymous, world, client_a):
    draft = twenty_only(world, client_a)
    assert anonymous.get(url(sending.acceptance_token(draft))).status_code == 404


def test_superseded_version_cannot_be_accepted(anonymous, world, sent_quote):
    token = sending.acceptance_token(sent_quote)
    services.quote_revise(user=world.alice, quote=sent_quote)
    before = state(sent_quote)

    page = anonymous.get(url(token))
    response = anonymous.post(url(token), ACCEPT)

    assert page.status_code == 200
    assert page.context["refusal"].startswith("Cette version du devis a été remplacée")
    assert response.status_code == 409
    assert state(sent_quote) == before


def test_past_validity_refuses_then_the_link_expires(anonymous, sent_quote, settings):
    settings.QUOTES_ACCEPT_LINK_GRACE_DAYS = 10
    token = sending.acceptance_token(sent_quote)
    today = timezone.localdate()
    Quote.objects.filter(pk=sent_quote.pk).update(validity_date=today - dt.timedelta(days=1))
    before = state(sent_quote)

    within_grace = anonymous.post(url(token), ACCEPT)
    assert within_grace.status_code == 409
    assert within_grace.context["refusal"] == fr(
        "This quote expired on %(date)s: ask the company for a new one."
    ) % {"date": (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")}

    Quote.objects.filter(pk=sent_quote.pk).update(validity_date=today - dt.timedelta(days=11))
    assert anonymous.get(url(token)).status_code == 404
    assert anonymous.post(url(token), ACCEPT).status_code == 404
    assert state(sent_quote)[:4] == before[:4]


def test_name_and_agreement_are_required(anonymous, sent_quote):
    token = sending.acceptance_token(sent_quote)
    before = state(sent_quote)

    no_name = anonymous.post(url(token), {"name": "   ", "agree": "on"})
    no_agree = anonymous.post(url(token), {"name": "Jeanne Dupont"})

    assert no_name.status_code == no_agree.status_code == 400
    assert no_name.context["form"].errors["name"]
    assert no_agree.context["form"].errors["agree"]
    assert state(sent_quote) == before


def test_reduced_rate_needs_the_certification(anonymous, world, quote):
    sent_reduced = sent(world, quote)  # has 10 % lines
    token = sending.acceptance_token(sent_reduced)
    before = state(sent_reduced)

    page = anonymous.get(url(token))
    assert "certify" in page.context["form"].fields
    refused = anonymous.post(url(token), ACCEPT)
    assert refused.status_code == 400
    assert refused.context["form"].errors["certify"]
    with pytest.raises(DomainError) as error:
        sending.quote_accept_online(token=token, name="Jeanne Dupont", ip=None)
    assert error.value.field == "certify"
    assert state(sent_reduced) == before

    accepted = anonymous.post(url(token), {**ACCEPT, "certify": "on"})
    assert accepted.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.ACCEPTED
    entry = AuditEntry.objects.get(action="quote_accept_online")
    assert entry.data["reduced_vat_certified"] is True


def test_forwarded_for_is_trusted_only_when_configured(anonymous, sent_quote, settings):
    token = sending.acceptance_token(sent_quote)
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 192.0.2.9"}
    assert sending.client_ip(headers) == "10.0.0.2"
    settings.QUOTES_TRUST_X_FORWARDED_FOR = True
    assert sending.client_ip(headers) == "192.0.2.9"  # the entry our proxy added

    anonymous.post(url(token), ACCEPT, **headers)
    assert Quote.objects.get(pk=sent_quote.pk).accepted_ip == "192.0.2.9"


def test_public_pdf_is_the_pdf_that_was_emailed(anonymous, sent_quote):
    from chantier.mail.models import OutboxAttachment

    token = sending.acceptance_token(sent_quote)
    response = anonymous.get(url(token, "quotes:public_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="devis-DEV{YEAR}-1.pdf"' in response["Content-Disposition"]
    with OutboxAttachment.objects.get().file.open("rb") as handle:
        assert response.content == handle.read()
