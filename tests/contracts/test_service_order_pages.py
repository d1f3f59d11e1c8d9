"""Service order pages, API, PDF and sending (seed 000, french-rules §10)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from chantier.contracts import service_order_sending as sending
from chantier.contracts import service_order_services as services
from chantier.contracts.models import Contract, ServiceOrder
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Interaction
from tests.mail.conftest import smtp_peer

SHARED_FIXTURES = (smtp_peer,)
D = Decimal


def issued(world, contract, **data):
    values = {"kind": "change", "title": "Prix nouveaux", **data}
    return services.service_order_create(
        user=world.alice, contract=contract, data=values, issue=True
    )


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_create_direct_through_the_page_then_validate(world, contract, alice_client):
    url = reverse("contracts:service_order_create", args=[contract.pk])
    page = alice_client.get(url).content.decode()
    assert 'class="field required' in page  # mandatory fields highlighted

    response = alice_client.post(url, {
        "kind": "change", "issuer": "project_manager", "title": "OS 10.A",
        "issue_date": "2026-02-09", "notification_date": "2026-02-10",
        "financial_impact": "1 200,50", "delay_days": "10", "issue": "1",
    })  # fmt: skip
    order = ServiceOrder.objects.get()
    assert response.status_code == 302
    assert (order.number, order.status, order.financial_impact) == (1, "awaiting", D("1200.50"))
    detail = alice_client.get(reverse("contracts:service_order_detail", args=[order.pk]))
    text = detail.content.decode()
    assert '<time datetime="2026-02-25">25/02/2026</time>' in text  # example 10.A
    assert _("Not binding") in text

    validate = reverse("contracts:service_order_validate", args=[order.pk])
    assert alice_client.get(validate).status_code == 200
    response = alice_client.post(
        validate, {"owner_validation_ref": "MOA-14", "lock_version": order.lock_version}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.is_binding) == ("validated", True)
    assert Contract.objects.get(pk=contract.pk).base_net == D("971.36") + D("1200.50")


def test_bad_input_on_the_page_saves_nothing(world, contract, alice_client):
    url = reverse("contracts:service_order_create", args=[contract.pk])
    response = alice_client.post(url, {"kind": "no_financial", "title": "", "issuer": "owner",
                                       "financial_impact": "10"})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"title"}
    assert not ServiceOrder.objects.exists()


def test_from_a_quote_refused_without_the_option(world, contract, alice_client, acme):
    from tests.contracts.conftest import make_quote

    quote = make_quote(world.company_a, acme, number="DEV2026-9", net=D("300.00"))
    url = reverse("contracts:service_order_create", args=[contract.pk]) + f"?quote={quote.pk}"
    response = alice_client.get(url)
    assert response.status_code == 302
    assert not ServiceOrder.objects.exists()


def test_stale_edit_refused_on_the_page(world, contract, alice_client):
    order = issued(world, contract)
    url = reverse("contracts:service_order_edit", args=[order.pk])
    data = {"kind": "change", "issuer": "owner", "title": "Nouveau titre",
            "lock_version": order.lock_version - 1}  # fmt: skip
    response = alice_client.post(url, data)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.title == "Prix nouveaux"


def test_foreign_and_read_only(world, contract, charlie_client, bob_client):
    order = issued(world, contract)
    for name in ("service_order_detail", "service_order_edit", "service_order_pdf"):
        assert charlie_client.get(reverse(f"contracts:{name}", args=[order.pk])).status_code == 404
    url = reverse("contracts:service_order_list", args=[contract.pk])
    assert charlie_client.get(url).status_code == 404
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(reverse("contracts:service_order_validate", args=[order.pk]), {})
    assert response.status_code == 403
    assert ServiceOrder.objects.get().status == "awaiting"


def test_delete_a_draft_with_confirmation_not_an_issued_one(world, contract, alice_client):
    draft = services.service_order_create(
        user=world.alice, contract=contract, data={"kind": "change", "title": "Brouillon"}
    )
    url = reverse("contracts:service_order_delete", args=[draft.pk])
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url).status_code == 302
    assert not ServiceOrder.objects.exists()
    order = issued(world, contract)
    response = alice_client.post(reverse("contracts:service_order_delete", args=[order.pk]))
    assert response.status_code == 409
    assert ServiceOrder.objects.filter(pk=order.pk).exists()


def test_list_and_detail_queries_do_not_grow(
    world, contract, alice_client, django_assert_max_num_queries
):
    order = issued(world, contract)
    list_url = reverse("contracts:service_order_list", args=[contract.pk])
    detail_url = reverse("contracts:service_order_detail", args=[order.pk])
    for _round in range(2):
        with django_assert_max_num_queries(14):
            assert alice_client.get(list_url).status_code == 200
        with django_assert_max_num_queries(14):
            assert alice_client.get(detail_url).status_code == 200
        for index in range(5):
            issued(world, contract, title=f"OS {index}")
            services.service_order_line_save(
                user=world.alice, order=order,
                data={"description": f"L{index}", "quantity": 1, "unit_price": 2},
            )  # fmt: skip
            services.service_order_attachment_add(
                user=world.alice, order=order, file=SimpleUploadedFile(f"f{index}.txt", b"abc")
            )


def test_attachment_upload_download_delete(world, contract, alice_client, charlie_client):
    order = issued(world, contract)
    url = reverse("contracts:service_order_attachment_add", args=[order.pk])
    response = alice_client.post(url, {"file": SimpleUploadedFile("plan.pdf", b"%PDF plan")})
    assert response.status_code == 302
    attachment = order.attachments.get()
    download = reverse("contracts:service_order_attachment_download", args=[attachment.pk])
    response = alice_client.get(download)
    assert b"".join(response.streaming_content) == b"%PDF plan"
    assert charlie_client.get(download).status_code == 404
    delete = reverse("contracts:service_order_attachment_delete", args=[attachment.pk])
    assert alice_client.get(delete).status_code == 200
    assert alice_client.post(delete).status_code == 302
    assert not order.attachments.exists()


def test_pdf_shows_the_order(world, contract, alice_client):
    order = issued(
        world, contract, notification_date=dt.date(2026, 2, 10), issue_date=dt.date(2026, 2, 9)
    )
    response = alice_client.get(reverse("contracts:service_order_pdf", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Prix nouveaux" in text
    assert "25/02/2026" in text


@pytest.mark.django_db(transaction=True)
def test_sent_by_email_with_its_pdf_and_logged_on_the_contract(
    world, contract, alice_client, smtp_peer
):
    contract.client.email = "acme@client.example"
    contract.client.save()
    order = issued(world, contract)
    url = reverse("contracts:service_order_send", args=[order.pk])
    page = alice_client.get(url)
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert alice_client.post(url, data).status_code == 302
    message = OutboxMessage.objects.get()
    assert (message.related_type, message.related_id) == ("service_order", order.pk)

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    [received] = smtp_peer.messages
    assert received["To"] == "acme@client.example"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "os-1-DEV2026-7.pdf"
    assert "Prix nouveaux" in pdf_text(attachment.get_content())
    assert Interaction.objects.filter(contract_id=contract.pk, kind="email").count() == 1
    assert sending.contract_of(order.pk) == contract.pk


# --- API ------------------------------------------------------------------------------------


def test_api_create_issue_validate_list(world, contract, alice_api):
    response = alice_api.post(f"/contracts/{contract.pk}/service-orders", {
        "kind": "change", "title": "Par l'API", "financial_impact": "80.00",
        "notification_date": "2026-02-10", "owner_validation_ref": "V-9",
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["observation_deadline"]) == (
        None, "draft", "2026-02-25",
    )  # fmt: skip
    order_id = body["id"]
    response = alice_api.post(f"/service-orders/{order_id}/issue", {})
    assert response.json()["number"] == 1
    response = alice_api.post(f"/service-orders/{order_id}/validate", {})
    assert response.status_code == 200
    assert response.json()["status"] == "validated"
    response = alice_api.post(f"/service-orders/{order_id}/refuse", {})
    assert response.status_code == 409
    listing = alice_api.get(f"/contracts/{contract.pk}/service-orders").json()
    assert listing["count"] == 1
    assert listing["items"][0]["financial_impact"] == "80.00"
    assert alice_api.get(f"/service-orders/{order_id}").json()["lines"] == []
    assert Contract.objects.get(pk=contract.pk).base_net == D("1051.36")


def test_api_bad_input_foreign_and_read_only(world, contract, alice_api, charlie_api, bob_api):
    response = alice_api.post(
        f"/contracts/{contract.pk}/service-orders", {"kind": "nope", "title": ""}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "title"}
    response = alice_api.post(
        f"/contracts/{contract.pk}/service-orders",
        {"kind": "change", "title": "T", "delay_days": "x"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "delay_days"
    assert not ServiceOrder.objects.exists()
    order = issued(world, contract)
    assert charlie_api.get(f"/service-orders/{order.pk}").status_code == 404
    assert charlie_api.get(f"/contracts/{contract.pk}/service-orders").status_code == 404
    assert charlie_api.post(f"/service-orders/{order.pk}/validate", {}).status_code == 404
    assert bob_api.post(f"/service-orders/{order.pk}/validate", {}).status_code == 403
    response = alice_api.post(f"/service-orders/{order.pk}/validate", {"lock_version": 0})
    assert response.status_code == 409
    assert ServiceOrder.objects.get().status == "awaiting"
