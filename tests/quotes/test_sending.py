"""Sending a quote: numbering at first send with no gap, the PDF attached, the send page,
the worker path for long quotes, and the daily expiry."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chantier.core.exceptions import DomainError, PermissionDenied, StaleEdit
from chantier.core.models import AuditEntry, Company, Sequence
from chantier.mail.models import OutboxMessage
from chantier.quotes import sending, services, tasks
from chantier.quotes.models import Quote
from tests.mail.conftest import smtp_peer
from tests.quotes.test_pdf import (
    client_a,
    company,
    fr,
    pdf_text,
    quote,
    site_a,
    twenty_only,
)

# Fixtures shared with test_pdf.py: pytest finds them by name in this module.
SHARED_FIXTURES = (client_a, company, quote, site_a, smtp_peer)

D = Decimal
YEAR = timezone.localdate().year


def draft_for(world: Any, quote: Quote, **change: Any) -> Any:
    draft = sending.prepare_email(world.alice, quote, base_url="https://chantier.example/")
    for name, value in change.items():
        setattr(draft, name, value)
    return draft


def send(world: Any, quote: Quote, **change: Any) -> OutboxMessage:
    return sending.quote_send(
        user=world.alice, quote=quote, draft=draft_for(world, quote, **change)
    )


def link_payload(text: str, base: str) -> dict[str, int]:
    """The signed content of the acceptance link found in `text`."""
    match = re.search(re.escape(base) + r"quotes/accept/([^/\s]+)/", text)
    assert match, text
    return signing.TimestampSigner(salt=sending.TOKEN_SALT).unsign_object(match.group(1))


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def sequence_last(company: Company) -> int:
    row = Sequence.objects.filter(company=company, series="quote", year=YEAR).first()
    return row.last if row else 0


# The prepared email --------------------------------------------------------------------------


def test_prepared_email_is_french_with_totals_link_and_number_mark(world, quote):
    draft = draft_for(world, quote)

    assert draft.to == ["dupont@client.example"]
    assert draft.subject == "Devis n° [numéro] — Rénovation salle de bains"
    assert "notre devis n° [numéro] « Rénovation salle de bains »" in draft.body
    assert "d'un montant de 2\u00a0461,00\u00a0€ HT, soit 2\u00a0778,20\u00a0€ TTC" in draft.body
    payload = link_payload(draft.body, "https://chantier.example/")
    assert payload == {"c": quote.company_id, "q": quote.pk, "v": 1}
    assert (draft.related_type, draft.related_id) == ("quotes.quote", quote.pk)


# Numbering -----------------------------------------------------------------------------------


def test_first_sends_number_in_sequence_and_attach_the_pdf(world, quote, client_a):
    other = twenty_only(world, client_a)

    first = send(world, quote)
    second = send(world, other)

    quote.refresh_from_db()
    other.refresh_from_db()
    assert (quote.number, other.number) == (f"DEV{YEAR}-1", f"DEV{YEAR}-2")
    assert quote.status == other.status == Quote.Status.SENT
    assert quote.sent_at is not None
    assert first.subject == f"Devis n° DEV{YEAR}-1 — Rénovation salle de bains"
    assert f"notre devis n° DEV{YEAR}-1 «" in first.body
    assert "[numéro]" not in first.body
    assert (first.related_type, first.related_id) == ("quotes.quote", quote.pk)
    [attachment] = first.attachments.all()
    assert attachment.filename == f"devis-DEV{YEAR}-1.pdf"
    assert attachment.content_type == "application/pdf"
    with attachment.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert f"DEV{YEAR}-1" in text
    assert "2 778,20 €" in text
    assert second.attachments.get().filename == f"devis-DEV{YEAR}-2.pdf"
    entry = AuditEntry.objects.get(action="quote_send", object_id=str(quote.pk))
    assert entry.user == world.alice
    assert entry.data == {"number": f"DEV{YEAR}-1", "version": 1, "message": first.pk}


def test_number_format_of_the_company(world, quote, client_a, company):
    Company.objects.filter(pk=company.pk).update(quote_number_format="DEV{YYYY}-{seq:04d}")
    quote.company.refresh_from_db()
    other = twenty_only(world, client_a)

    send(world, Quote.objects.get(pk=quote.pk))
    send(world, Quote.objects.get(pk=other.pk))

    assert list(Quote.objects.order_by("number").values_list("number", flat=True)) == [
        f"DEV{YEAR}-0001",
        f"DEV{YEAR}-0002",
    ]


def test_a_failing_send_gives_the_number_back(world, quote, client_a, monkeypatch):
    with pytest.raises(DomainError) as error, transaction.atomic():
        send(world, quote, to=["pas-une-adresse"])
    assert error.value.field == "to"

    def broken_pdf(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(sending, "render_pdf", broken_pdf)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(world, quote)
    monkeypatch.undo()

    quote.refresh_from_db()
    assert (quote.status, quote.number, quote.sent_at) == (Quote.Status.DRAFT, "", None)
    assert sequence_last(quote.company) == 0
    assert OutboxMessage.objects.count() == 0

    send(world, quote)  # the next send gets the first number: no gap
    quote.refresh_from_db()
    assert quote.number == f"DEV{YEAR}-1"


def test_a_new_version_keeps_the_family_number(world, quote, client_a):
    send(world, quote)
    v2 = services.quote_revise(user=world.alice, quote=quote)
    other = twenty_only(world, client_a)

    message = send(world, v2)
    send(world, other)

    v2.refresh_from_db()
    assert (v2.number, v2.version, v2.status) == (f"DEV{YEAR}-1", 2, Quote.Status.SENT)
    assert message.attachments.get().filename == f"devis-DEV{YEAR}-1-v2.pdf"
    assert Quote.objects.get(pk=other.pk).number == f"DEV{YEAR}-2"
    assert sequence_last(quote.company) == 2


@pytest.mark.parametrize("state", ["sent", "superseded", "empty", "past"])
def test_only_a_current_draft_with_lines_is_sent(world, quote, client_a, state):
    if state == "sent":
        send(world, quote)
    elif state == "superseded":
        Quote.objects.filter(pk=quote.pk).update(superseded=True)
    elif state == "empty":
        quote = services.quote_create(user=world.alice, client=client_a, data={"title": "Vide"})
    else:
        Quote.objects.filter(pk=quote.pk).update(
            date=timezone.localdate() - dt.timedelta(days=40),
            validity_date=timezone.localdate() - dt.timedelta(days=1),
        )
    before = list(Quote.objects.order_by("pk").values_list("status", "number", "lock_version"))
    messages = OutboxMessage.objects.count()

    with pytest.raises(DomainError):
        send(world, Quote.objects.get(pk=quote.pk))

    assert list(Quote.objects.order_by("pk").values_list("status", "number", "lock_version")) == (
        before
    )
    assert OutboxMessage.objects.count() == messages


def test_stale_version_and_reader_are_refused(world, quote):
    with pytest.raises(StaleEdit):
        sending.quote_send(
            user=world.alice,
            quote=quote,
            draft=draft_for(world, quote),
            lock_version=quote.lock_version - 1,
        )
    with pytest.raises(PermissionDenied):
        sending.quote_send(user=world.bob, quote=quote, draft=draft_for(world, quote))
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")


# The send page -------------------------------------------------------------------------------


def form_data(response: Any, **change: Any) -> dict[str, Any]:
    form = response.context["form"]
    data = {name: form.initial.get(name, "") for name in ("to", "cc", "subject", "body")}
    data["submit_token"] = str(form.initial["submit_token"])
    data["lock_version"] = response.context["quote"].lock_version
    data.update(change)
    return data


def test_send_page_prefills_then_sends(world, quote, alice_client):
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["to"] == "dupont@client.example"
    assert "http://testserver/quotes/accept/" in page.context["form"].initial["body"]

    response = alice_client.post(url, form_data(page))

    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.SENT, f"DEV{YEAR}-1")
    message = OutboxMessage.objects.get()
    assert message.to == ["dupont@client.example"]
    assert message.attachments.count() == 1
    # The same page posted again (double click) sends nothing more.
    again = alice_client.post(url, form_data(page))
    assert again.status_code == 302
    assert again["Location"] == reverse("mail:message_detail", args=[message.pk])
    assert OutboxMessage.objects.count() == 1
    # Now sent: the page offers to send it again, as it is.
    sent_page = alice_client.get(url)
    assert (sent_page.context["resend"], sent_page.context["refusal"]) == (True, "")
    assert sent_page.context["form"].initial["subject"] == (
        f"Devis n° DEV{YEAR}-1 — Rénovation salle de bains"
    )


def test_a_sent_quote_is_sent_again_as_it_is(world, quote, alice_client):
    first = send(world, quote)
    quote.refresh_from_db()
    before = (quote.status, quote.number, quote.version, quote.lock_version, quote.sent_at)
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)

    response = alice_client.post(url, form_data(page))

    assert response.status_code == 302
    second = OutboxMessage.objects.exclude(pk=first.pk).get()
    with (
        first.attachments.get().file.open("rb") as a,
        second.attachments.get().file.open("rb") as b,
    ):
        assert a.read() == b.read()  # the very PDF first sent
    assert second.attachments.get().filename == f"devis-DEV{YEAR}-1.pdf"
    quote.refresh_from_db()
    assert (quote.status, quote.number, quote.version, quote.lock_version, quote.sent_at) == (
        before
    )
    assert sequence_last(quote.company) == 1
    assert AuditEntry.objects.filter(action="quote_resend", object_id=str(quote.pk)).count() == 1

    services.quote_revise(user=world.alice, quote=quote)  # superseded: not sent again
    refused = alice_client.get(url)
    assert refused.context["refusal"]
    with pytest.raises(DomainError):
        sending.quote_resend(
            user=world.alice, quote=Quote.objects.get(pk=quote.pk), draft=draft_for(world, quote)
        )
    assert OutboxMessage.objects.count() == 2


def test_send_page_shows_refusals_and_changes_nothing(world, quote, alice_client):
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)

    bad = alice_client.post(url, form_data(page, to="pas-une-adresse"))
    stale = alice_client.post(url, form_data(page, lock_version=quote.lock_version - 1))

    junk = alice_client.post(url, form_data(page, lock_version="abc"))

    assert bad.status_code == stale.status_code == junk.status_code == 400
    assert bad.context["form"].errors["to"]
    assert stale.context["form"].non_field_errors()
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")
    assert OutboxMessage.objects.count() == 0


def test_send_page_tenancy_and_roles(world, quote, bob_client, charlie_client):
    url = reverse("quotes:send", args=[quote.pk])
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, {"to": "x@y.fr"}).status_code == 404
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"to": "x@y.fr"}).status_code == 403
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")


# Through the worker to a real SMTP peer ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sent_quote_reaches_the_smtp_peer_with_its_pdf(world, quote, alice_client, smtp_peer):
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)
    assert alice_client.post(url, form_data(page)).status_code == 302
    assert smtp_peer.envelopes == []

    run_worker()

    [received] = smtp_peer.messages
    assert received["To"] == "dupont@client.example"
    assert received["Subject"] == f"Devis n° DEV{YEAR}-1 — Rénovation salle de bains"
    body = received.get_body(("plain",)).get_content()
    assert link_payload(body, "http://testserver/") == {
        "c": quote.company_id,
        "q": quote.pk,
        "v": 1,
    }
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == f"devis-DEV{YEAR}-1.pdf"
    text = pdf_text(attachment.get_content())
    assert f"DEV{YEAR}-1" in text
    assert "Total" in text and "2 461,00 €" in text and "2 778,20 €" in text
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_long_quote_is_sent_by_the_worker(world, quote, alice_client, smtp_peer, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 5
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)
    assert page.context["in_worker"] is True

    response = alice_client.post(url, form_data(page))

    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")  # not yet
    assert sending.send_pending(quote)
    assert "en cours d'envoi" in alice_client.get(url).context["refusal"]
    again = alice_client.post(url, form_data(page, submit_token=str(uuid.uuid4())))
    assert again.status_code == 400  # already on its way: not queued twice

    run_worker()  # renders, numbers and queues; then delivers

    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.SENT, f"DEV{YEAR}-1")
    assert not sending.send_pending(quote)
    [received] = smtp_peer.messages
    [attachment] = list(received.iter_attachments())
    assert "2 778,20 €" in pdf_text(attachment.get_content())


@pytest.mark.django_db(transaction=True)
def test_worker_send_refused_is_shown_on_the_page(world, quote, alice_client, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 5
    url = reverse("quotes:send", args=[quote.pk])
    page = alice_client.get(url)
    alice_client.post(url, form_data(page))
    services.quote_update(user=world.alice, quote=quote, data={"title": "Changé entre-temps"})

    run_worker()

    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")
    assert sequence_last(quote.company) == 0
    assert OutboxMessage.objects.count() == 0
    again = alice_client.get(url)
    assert again.context["failure"] == fr(
        "Someone else changed this quote since you opened it. Reload the page: "
        "your change was not saved."
    )
    assert again.context["refusal"] == ""  # it can be sent again


@pytest.mark.django_db(transaction=True)
def test_worker_crash_is_recorded_and_does_not_block_the_quote(world, quote, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 5
    sending.quote_send_enqueue(user=world.alice, quote=quote, draft=draft_for(world, quote))
    assert sending.send_pending(quote)
    data = sending.draft_data(draft_for(world, quote))

    def broken_pdf(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("renderer crashed")

    original = sending.render_pdf
    sending.render_pdf = broken_pdf
    try:
        with pytest.raises(RuntimeError):
            sending.send_in_worker(
                quote_id=quote.pk,
                user_id=world.alice.pk,
                data=data,
                lock_version=quote.lock_version,
            )
    finally:
        sending.render_pdf = original

    quote.refresh_from_db()
    assert (quote.status, quote.number) == (Quote.Status.DRAFT, "")
    assert sequence_last(quote.company) == 0
    assert not sending.send_pending(quote)
    assert sending.last_send_failure(quote) == fr(
        "The PDF or the email could not be prepared; nothing was sent."
    )


def test_a_queued_send_no_longer_blocks_after_a_while(world, quote, settings):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 5
    sending.quote_send_enqueue(user=world.alice, quote=quote, draft=draft_for(world, quote))
    assert sending.send_pending(quote)
    AuditEntry.objects.filter(action="quote_send_queued").update(
        at=timezone.now() - sending.SEND_PENDING_FOR - dt.timedelta(seconds=1)
    )
    assert not sending.send_pending(quote)


# Daily expiry --------------------------------------------------------------------------------


def test_expire_task_expires_due_quotes_and_plans_the_next_midnight(world, quote, client_a):
    send(world, quote)
    fresh = twenty_only(world, client_a)
    send(world, fresh)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Quote.objects.filter(pk=quote.pk).update(validity_date=yesterday)

    count = tasks.expire_quotes.call()

    assert count == 1
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.EXPIRED
    assert Quote.objects.get(pk=fresh.pk).status == Quote.Status.SENT
    [planned] = DBTaskResult.objects.filter(task_path=tasks.expire_quotes.module_path)
    assert planned.status == "READY"
    run_after = timezone.localtime(planned.run_after)
    assert run_after.date() == timezone.localdate() + dt.timedelta(days=1)
    assert (run_after.hour, run_after.minute) == (0, 0)

    tasks.expire_quotes.call()  # one waiting run is enough: no second chain
    assert DBTaskResult.objects.filter(task_path=tasks.expire_quotes.module_path).count() == 1


def test_next_midnight_is_local_time():
    paris = timezone.get_current_timezone()
    evening = dt.datetime(2026, 3, 28, 23, 30, tzinfo=paris)  # the night clocks change
    assert tasks.next_midnight(evening) == dt.datetime(2026, 3, 29, 0, 0, 5, tzinfo=paris)


def test_ensure_daily_expiry_starts_one_chain(db):
    assert tasks.ensure_daily_expiry() is True
    assert tasks.ensure_daily_expiry() is False
    assert tasks.pending_expiry_runs() == 1


def test_expire_command(world, quote, capsys):
    send(world, quote)
    Quote.objects.filter(pk=quote.pk).update(validity_date=timezone.localdate())

    call_command("expire_quotes")
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    call_command("expire_quotes", "--date", tomorrow)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.EXPIRED
    assert "1 quote(s) expired." in capsys.readouterr().out

    call_command("expire_quotes", "--schedule")
    assert tasks.pending_expiry_runs() == 1
