"""Pages: outbox, message, attachment download, retry, compose (alice writes, bob reads)."""

from __future__ import annotations

import html

import pytest
from django.db import transaction

from chantier.mail.models import OutboxAttachment, OutboxMessage
from chantier.mail.services import message_prepare, message_queue

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def queued(world, **change) -> OutboxMessage:
    draft = message_prepare(
        user=world.alice,
        template_key="client",
        client=world.client_a,
        attachments=[("devis.pdf", "application/pdf", b"%PDF-1.7 devis")],
    )
    for name, value in change.items():
        setattr(draft, name, value)
    return message_queue(user=world.alice, draft=draft)


def compose_url(client_id, template="client") -> str:
    return f"/mail/compose/?client={client_id}&template={template}"


def test_compose_prefills_the_draft_in_french(mail_world, alice_client):
    response = alice_client.get(compose_url(mail_world.client_a.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["to"] == "dupont@client.example"
    assert form.initial["cc"] == "alice@alpha.example, contact@alpha.example"
    assert form.initial["subject"] == "Alpha Bâtiment — votre dossier Mme Dupont"
    text = response.content.decode()
    assert "Nouvel e-mail" in text
    assert "Envoyer" in text
    assert "Courrier au client" in text  # the template chooser
    assert f'name="client" value="{mail_world.client_a.pk}"' in text  # kept by the chooser


def test_compose_send_queues_and_redirects_to_the_outbox(
    mail_world, alice_client, django_capture_on_commit_callbacks
):
    data = {
        "to": "dupont@client.example; autre@client.example",
        "cc": "alice@alpha.example",
        "subject": "Votre chantier",
        "body": "Bonjour,\r\nà bientôt.",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = alice_client.post(compose_url(mail_world.client_a.pk), data, follow=True)
    assert response.redirect_chain == [("/mail/", 302)]
    message = OutboxMessage.objects.get()
    assert message.to == ["dupont@client.example", "autre@client.example"]
    assert message.cc == ["alice@alpha.example"]
    assert (message.subject, message.body) == ("Votre chantier", "Bonjour,\nà bientôt.")
    assert message.client == mail_world.client_a
    assert message.status == Status.QUEUED
    assert len(callbacks) == 1
    assert "L'e-mail à dupont@client.example, autre@client.example est en attente d'envoi." in (
        html.unescape(response.content.decode())
    )


def test_compose_attachments_come_from_the_server_not_the_form(mail_world, alice_client):
    from chantier.mail import registry

    def extras(user, client, params):
        return registry.MessageExtras(attachments=[("devis.pdf", "application/pdf", b"%PDF")])

    original = registry.get("client")
    registry.register(registry.MessageTemplate("client", "Devis", prepare=extras))
    try:
        page = alice_client.get(compose_url(mail_world.client_a.pk))
        assert "devis.pdf" in page.content.decode()
        alice_client.post(
            compose_url(mail_world.client_a.pk),
            {"to": "a@b.example", "subject": "S", "body": "", "attachments": "x.exe"},
        )
    finally:
        registry.register(original)
    attachment = OutboxAttachment.objects.get()
    assert (attachment.filename, attachment.size) == ("devis.pdf", 4)


def test_compose_bad_address_shows_the_field_error_and_stores_nothing(mail_world, alice_client):
    response = alice_client.post(
        compose_url(mail_world.client_a.pk),
        {"to": "dupont@client.example, pas-une-adresse", "subject": "S", "body": "B"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["to"] == [
        "« pas-une-adresse » n'est pas une adresse e-mail valide."
    ]
    assert OutboxMessage.objects.count() == 0


def test_compose_unknown_template_or_bad_client_id_is_404(mail_world, alice_client):
    assert alice_client.get(compose_url(mail_world.client_a.pk, "nope")).status_code == 404
    assert alice_client.get("/mail/compose/?client=abc").status_code == 404


def test_compose_without_client_starts_empty(mail_world, alice_client):
    response = alice_client.get("/mail/compose/?template=blank")
    assert response.status_code == 200
    assert response.context["form"].initial["to"] == ""


def test_bob_reads_the_outbox_but_cannot_compose_or_retry(mail_world, bob_client):
    message = queued(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    assert bob_client.get("/mail/").status_code == 200
    detail = bob_client.get(f"/mail/{message.pk}/")
    assert detail.status_code == 200
    assert "Renvoyer" not in detail.content.decode()
    assert bob_client.get(compose_url(mail_world.client_a.pk)).status_code == 403
    post = bob_client.post(
        compose_url(mail_world.client_a.pk), {"to": "a@b.example", "subject": "S", "body": ""}
    )
    assert post.status_code == 403
    assert bob_client.post(f"/mail/{message.pk}/retry/").status_code == 403
    assert OutboxMessage.objects.count() == 1
    assert OutboxMessage.objects.get().status == Status.FAILED


def test_charlie_gets_404_on_everything_of_company_a(mail_world, charlie_client):
    message = queued(mail_world)
    attachment = message.attachments.get()
    assert charlie_client.get(f"/mail/{message.pk}/").status_code == 404
    assert charlie_client.get(f"/mail/attachments/{attachment.pk}/").status_code == 404
    assert charlie_client.post(f"/mail/{message.pk}/retry/").status_code == 404
    assert charlie_client.get(compose_url(mail_world.client_a.pk)).status_code == 404
    post = charlie_client.post(
        compose_url(mail_world.client_a.pk), {"to": "a@b.example", "subject": "S", "body": ""}
    )
    assert post.status_code == 404
    outbox = charlie_client.get("/mail/")
    assert list(outbox.context["object_list"]) == []
    assert OutboxMessage.objects.count() == 1


def test_message_detail_and_attachment_download(mail_world, alice_client):
    message = queued(mail_world)
    attachment = message.attachments.get()
    page = alice_client.get(f"/mail/{message.pk}/")
    text = page.content.decode()
    assert "dupont@client.example" in text
    assert "devis.pdf" in text
    assert "En attente" in text
    download = alice_client.get(f"/mail/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'attachment; filename="devis.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"%PDF-1.7 devis"


def test_retry_button_requeues_a_failed_message(
    mail_world, alice_client, django_capture_on_commit_callbacks
):
    message = queued(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPServerDisconnected: gone"
    )
    page = alice_client.get(f"/mail/{message.pk}/")
    assert "Renvoyer" in page.content.decode()
    assert "SMTPServerDisconnected: gone" in page.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = alice_client.post(f"/mail/{message.pk}/retry/")
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert OutboxMessage.objects.get().status == Status.QUEUED
    again = alice_client.post(f"/mail/{message.pk}/retry/", follow=True)
    assert "Seul un e-mail en échec peut être renvoyé." in html.unescape(again.content.decode())
    assert alice_client.get(f"/mail/{message.pk}/retry/").status_code == 405


def test_outbox_lists_searches_filters_with_few_queries(
    mail_world, alice_client, django_assert_max_num_queries
):
    with transaction.atomic():
        for n in range(30):
            queued(mail_world, subject=f"Relance {n}", to=[f"client{n}@example.com"])
        queued(mail_world, subject="Devis cuisine", to=["martin@example.com"])
    OutboxMessage.objects.filter(subject="Relance 3").update(
        status=Status.FAILED, last_error="boom"
    )

    with django_assert_max_num_queries(8):
        response = alice_client.get("/mail/")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 31
    text = response.content.decode()
    assert "Boîte d'envoi" in text
    assert "Mme Dupont" in text  # the client, without a query per row

    found = alice_client.get("/mail/?q=martin@example")
    assert [m.subject for m in found.context["object_list"]] == ["Devis cuisine"]
    found = alice_client.get("/mail/?q=cuisine")
    assert [m.subject for m in found.context["object_list"]] == ["Devis cuisine"]
    failed = alice_client.get("/mail/?status=failed")
    assert [m.subject for m in failed.context["object_list"]] == ["Relance 3"]
    assert "En échec" in failed.content.decode()
    page2 = alice_client.get("/mail/?page=2&status=")
    assert len(page2.context["object_list"]) == 6


def test_the_same_draft_posted_twice_is_queued_once(
    mail_world, alice_client, django_capture_on_commit_callbacks
):
    page = alice_client.get(compose_url(mail_world.client_a.pk))
    token = page.context["form"].initial["submit_token"]
    assert f'type="hidden" name="submit_token" value="{token}"' in page.content.decode()
    data = {"to": "dupont@client.example", "subject": "Devis", "body": "", "submit_token": token}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = alice_client.post(compose_url(mail_world.client_a.pk), data)
        second = alice_client.post(compose_url(mail_world.client_a.pk), data, follow=True)

    message = OutboxMessage.objects.get()
    assert first.url == "/mail/"
    assert message.submit_token == token
    assert second.redirect_chain == [(f"/mail/{message.pk}/", 302)]
    assert "Cet e-mail est déjà en file d'envoi ; il ne sera pas envoyé une seconde fois." in (
        html.unescape(second.content.decode())
    )
    assert len(callbacks) == 1  # one delivery task


def test_each_compose_page_has_its_own_token(mail_world, alice_client):
    tokens = {
        alice_client.get(compose_url(mail_world.client_a.pk))
        .context["form"]
        .initial["submit_token"]
        for _ in range(2)
    }
    assert len(tokens) == 2
    for token in tokens:  # two letters written from two pages are both sent
        data = {"to": "dupont@client.example", "subject": "S", "body": "", "submit_token": token}
        assert alice_client.post(compose_url(mail_world.client_a.pk), data).status_code == 302
    assert OutboxMessage.objects.count() == 2


def test_a_refused_draft_keeps_its_token_and_may_be_sent_once_corrected(mail_world, alice_client):
    token = "0b5b1c43-0c6e-4a57-9a31-5d2d3b3a6f10"
    data = {"to": "pas-une-adresse", "subject": "S", "body": "", "submit_token": token}
    refused = alice_client.post(compose_url(mail_world.client_a.pk), data)
    assert refused.status_code == 400
    assert f'name="submit_token" value="{token}"' in refused.content.decode()
    data["to"] = "dupont@client.example"
    assert alice_client.post(compose_url(mail_world.client_a.pk), data).url == "/mail/"
    assert str(OutboxMessage.objects.get().submit_token) == token


def test_the_raw_delivery_error_is_for_administrators_only(mail_world, alice_client, bob_client):
    message = queued(mail_world)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=5, last_error="OSError: smtp.internal.lan:25 /srv/x"
    )
    generic = (
        "Le serveur de messagerie n'a pas accepté l'e-mail. Un administrateur peut en voir le "
        "détail."
    )
    for url in ("/mail/", f"/mail/{message.pk}/"):
        as_admin = html.unescape(alice_client.get(url).content.decode())
        assert "smtp.internal.lan" in as_admin
        assert generic not in as_admin
        as_reader = html.unescape(bob_client.get(url).content.decode())
        assert "smtp.internal.lan" not in as_reader
        assert "/srv/x" not in as_reader
        assert generic in as_reader


def test_a_nul_byte_in_the_outbox_search_answers_200(mail_world, alice_client):
    queued(mail_world, subject="Devis cuisine")
    response = alice_client.get("/mail/?q=%00")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    found = alice_client.get("/mail/?q=cui%00sine")
    assert [m.subject for m in found.context["object_list"]] == ["Devis cuisine"]
