"""The final-account pages: the timeline with its form, the final statement and products used
PDFs (read back with pypdf) and their sending, the home reminders, roles and tenancy."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from chantier.billing import fetch, issuing
from chantier.billing import services as billing_services
from chantier.catalogue.models import Category, Item
from chantier.contracts import change_order_services
from chantier.contracts import final_account_sending as sending
from chantier.contracts.models import Contract
from chantier.documents.models import RenderJob
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client, Supplier
from chantier.quotes.models import QuoteLine
from tests.billing.conftest import seller_identity
from tests.contracts.test_change_order_services import three_lines
from tests.quotes.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

D = dt.date


def fr(message: str) -> str:
    with translation.override("fr"):
        return gettext(message)


def plain(text: str) -> str:
    """French numbers use (narrow) no-break spaces: compare with plain ones."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def public(contract: Contract, **dates: Any) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(
        procurement="public", handover_date=D(2026, 3, 2), **dates
    )
    contract.refresh_from_db()
    return contract


def urls(contract: Contract) -> dict[str, str]:
    return {
        name: reverse(f"contracts:{name}", args=[contract.pk])
        for name in (
            "final_account_timeline",
            "final_statement_pdf",
            "final_statement_send",
            "products_pdf",
            "products_send",
        )
    }


# --- the timeline page ----------------------------------------------------------------------


def test_the_page_shows_example_8a_in_a_fixed_number_of_queries(
    alice_client, contract, django_assert_max_num_queries
):
    public(
        contract,
        final_statement_sent_date=D(2026, 3, 19),
        final_statement_moe_received_date=D(2026, 3, 20),
        final_statement_moa_received_date=D(2026, 3, 23),
        general_statement_notified_date=D(2026, 4, 20),
    )
    url = reverse("contracts:final_account_timeline", args=[contract.pk])
    # session, user, membership, contract (+ savepoint-free GET: nothing else)
    with django_assert_max_num_queries(5):
        response = alice_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for deadline in ("2026-04-01", "2026-04-22", "2026-05-20"):
        assert f'datetime="{deadline}"' in page
    assert 'data-step="general_statement" data-status="done"' in page
    assert 'data-step="signed_return" data-status="overdue"' in page  # today is later
    assert reverse("contracts:final_statement_pdf", args=[contract.pk]) in page


def test_the_contract_page_links_the_timeline_and_the_documents(alice_client, contract):
    page = alice_client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    html = page.content.decode()
    for url in urls(contract).values():
        assert url in html


def test_recording_the_dates_through_the_form(alice_client, contract):
    public(contract)
    url = reverse("contracts:final_account_timeline", args=[contract.pk])
    response = alice_client.post(
        url,
        {
            "final_statement_sent_date": "2026-03-19",
            "final_statement_moe_received_date": "2026-03-20",
            "final_statement_moa_received_date": "2026-03-23",
            "lock_version": contract.lock_version,
        },
    )
    assert response.status_code == 302
    fresh = Contract.objects.get(pk=contract.pk)
    assert fresh.final_statement_moa_received_date == D(2026, 3, 23)
    page = alice_client.get(url).content.decode()
    assert 'datetime="2026-04-22"' in page


def test_a_date_before_the_handover_is_refused_on_the_form(alice_client, contract):
    public(contract)
    before = Contract.objects.filter(pk=contract.pk).values().get()
    url = reverse("contracts:final_account_timeline", args=[contract.pk])
    with translation.override("fr"):
        response = alice_client.post(
            url,
            {"final_statement_sent_date": "2026-03-01", "lock_version": contract.lock_version},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 400
    errors = response.context["form"].errors["final_statement_sent_date"]
    assert errors == [fr("This date is before the handover (%(date)s).") % {"date": "02/03/2026"}]
    assert Contract.objects.filter(pk=contract.pk).values().get() == before


def test_a_private_contract_without_the_standard_has_no_timeline(alice_client, contract):
    page = alice_client.get(reverse("contracts:final_account_timeline", args=[contract.pk]))
    assert page.status_code == 200
    assert page.context["timeline"] is None


def test_reader_reads_but_cannot_post_or_send(bob_client, contract):
    public(contract)
    before = Contract.objects.filter(pk=contract.pk).values().get()
    links = urls(contract)
    assert bob_client.get(links["final_account_timeline"]).status_code == 200
    response = bob_client.post(
        links["final_account_timeline"], {"final_statement_sent_date": "2026-03-19"}
    )
    assert response.status_code == 403
    assert bob_client.get(links["final_statement_send"]).status_code == 403
    assert bob_client.post(links["products_send"], {}).status_code == 403
    assert Contract.objects.filter(pk=contract.pk).values().get() == before


def test_another_company_gets_404_on_every_new_page(charlie_client, contract):
    public(contract)
    before = Contract.objects.filter(pk=contract.pk).values().get()
    for url in urls(contract).values():
        assert charlie_client.get(url).status_code == 404, url
        if not url.endswith("/pdf/"):
            assert charlie_client.post(url, {}).status_code == 404, url
    assert Contract.objects.filter(pk=contract.pk).values().get() == before
    assert not RenderJob.objects.exists()


# --- the final statement PDF ----------------------------------------------------------------


def approved_change_order(world: Any, contract: Contract) -> None:
    order = change_order_services.change_order_create(
        user=world.alice, contract=contract, title="Façade", lines=three_lines(contract)
    )
    change_order_services.change_order_submit(user=world.alice, change_order=order)
    change_order_services.change_order_approve(user=world.alice, change_order=order)


def issue_statement(world: Any, contract: Contract) -> None:
    """Statement n°1: FD-1 (3.5 m³ × 210.00, 735.00) billed at 40 %: 1.400 m³, 294.00."""
    seller_identity(world.company_a)
    Client.objects.filter(pk=contract.client_id).update(siren="732829320")
    base = {line.description: line.line_id for line in fetch.base_lines(contract)}
    statement = billing_services.statement_save(
        user=world.alice,
        contract=contract,
        period_date=timezone.localdate(),
        entries=[
            {
                "line_id": base["Semelles filantes"],
                "mode": "cumulative_percent",
                "value": Decimal("40"),
            }
        ],
    )
    issuing.invoice_issue(user=world.alice, invoice=statement)


def test_final_statement_pdf_lines_billed_change_orders_and_totals(world, contract):
    issue_statement(world, contract)
    approved_change_order(world, contract)
    contract = Contract.objects.get(pk=contract.pk)

    text = plain(pdf_text(sending.render_pdf(sending.FINAL_STATEMENT, contract)))

    assert plain(fr("Final statement")) in text
    assert "DEV2026-7" in text and "Semelles filantes" in text
    assert "735,00" in text  # FD-1's contract amount
    assert "1,4" in text and "294,00" in text  # billed cumulative quantity and amount
    with translation.override("fr"):
        label = gettext("Change order no. %(number)s") % {"number": 1}
    assert label in text and "Enduit de façade" in text
    assert "971,36" in text  # the initial contract
    assert "7,25" in text  # approved change orders
    assert "978,61" in text  # total excl. VAT
    # VAT 20 % on 868.46 + 100.00 − 105.00 = 863.46 → 172.69; 10 % on 102.90 + 12.25 → 11.52
    assert "172,69" in text and "11,52" in text
    assert "1 162,82" in text  # incl. VAT: 978.61 + 184.21


def test_final_statement_pdf_button_renders_a_job_any_member_may_print(bob_client, contract):
    response = bob_client.get(reverse("contracts:final_statement_pdf", args=[contract.pk]))
    assert response.status_code == 302
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.DONE
    with job.file.open("rb") as handle:
        assert "971,36" in plain(pdf_text(handle.read()))


# --- the products used PDF ------------------------------------------------------------------


@pytest.fixture
def catalogue(world: Any, built: Any) -> dict[str, Item]:
    """GO-1 comes from 'Ragréage fibré' (supply, Sols › Ragréages, Point P); FD-1's component
    BET-C25 is the catalogue's 'Béton C25/30' (supply, no subcategory, no data sheet);
    MO-MACON is labour and R-1 a service: not products."""
    company = world.company_a
    floors = Category.objects.create(company=company, name="Sols")
    levelling = Category.objects.create(company=company, name="Ragréages", parent=floors)
    concrete = Category.objects.create(company=company, name="Béton")
    supplier = Supplier.objects.create(company=company, name="Point P")
    items = {
        "RAG-F": Item.objects.create(
            company=company,
            reference="RAG-F",
            name="Ragréage fibré P3",
            kind=Item.Kind.SUPPLY,
            category=levelling,
            supplier=supplier,
            supplier_reference="PP-88412",
            datasheet_url="https://fiches.example.com/rag-f.pdf",
        ),
        "BET-C25": Item.objects.create(
            company=company,
            reference="BET-C25",
            name="Béton C25/30",
            kind=Item.Kind.SUPPLY,
            category=concrete,
        ),
        "MO-MACON": Item.objects.create(
            company=company, reference="MO-MACON", name="Maçon", kind=Item.Kind.LABOUR
        ),
        "R-1": Item.objects.create(
            company=company, reference="R-1", name="Déplacement", kind=Item.Kind.SERVICE
        ),
    }
    QuoteLine.objects.filter(pk=built.lines["GO-1"].pk).update(item=items["RAG-F"])
    return items


def pdf_links(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def test_products_pdf_per_section_with_category_supplier_and_data_sheet(world, contract, catalogue):
    content = sending.render_pdf(sending.PRODUCTS, contract)
    text = plain(pdf_text(content))

    assert plain(fr("Products used")) in text
    assert "1 Gros œuvre" in text and "1.1 Fondations" in text
    assert "Ragréage fibré P3" in text and "Sols" in text and "Ragréages" in text
    assert "Point P" in text and "PP-88412" in text
    assert "Béton C25/30" in text and "3,675" in text  # 3.5 m³ × 1.050
    assert "Maçon" not in text and "Déplacement" not in text
    assert text.index("Ragréage fibré P3") < text.index("Béton C25/30")
    assert pdf_links(content) == ["https://fiches.example.com/rag-f.pdf"]


def test_products_page_in_a_fixed_number_of_queries(
    world, contract, catalogue, django_assert_max_num_queries
):
    from chantier.contracts.final_account_selectors import products_used

    with django_assert_max_num_queries(3):
        sections = products_used(contract)
    assert [[p.item.reference for p in s.products] for s in sections] == [["RAG-F"], ["BET-C25"]]


# --- sending --------------------------------------------------------------------------------


def form_data(response: Any) -> dict[str, Any]:
    form = response.context["form"]
    data = {name: form.initial.get(name, "") for name in ("to", "cc", "subject", "body")}
    data["submit_token"] = str(form.initial["submit_token"])
    return data


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("final_statement_send", "decompte-final-DEV2026-7.pdf"),
        ("products_send", "produits-DEV2026-7.pdf"),
    ],
)
def test_sending_queues_the_email_with_the_pdf(alice_client, contract, catalogue, name, filename):
    Client.objects.filter(pk=contract.client_id).update(email="achats@acme.example")
    url = reverse(f"contracts:{name}", args=[contract.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["to"] == "achats@acme.example"
    assert "DEV2026-7" in page.context["form"].initial["subject"]

    response = alice_client.post(url, form_data(page))

    assert response.status_code == 302, response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.related_type == "contract" and message.related_id == contract.pk
    attachment = message.attachments.get()
    assert attachment.filename == filename
    with attachment.file.open("rb") as handle:
        assert "DEV2026-7" in pdf_text(handle.read())
    # Posting the same page again sends nothing more.
    alice_client.post(url, form_data(page))
    assert OutboxMessage.objects.count() == 1


# --- home reminders -------------------------------------------------------------------------


def test_home_reminds_overdue_and_soon_due_deadlines(world, alice_client, charlie_client, acme):
    today = timezone.localdate()
    late = Contract.objects.create(
        company=world.company_a,
        client=acme,
        title="Groupe scolaire",
        reference="LATE-1",
        procurement="public",
        handover_date=today - dt.timedelta(days=60),  # final statement overdue
        address_line1="1 rue",
        postcode="69003",
        city="Lyon",
    )
    soon = Contract.objects.create(
        company=world.company_a,
        client=acme,
        title="Maison",
        reference="SOON-1",
        nf_p03_001=True,
        handover_date=today - dt.timedelta(days=55),  # mémoire due in 5 days or so
        address_line1="1 rue",
        postcode="69003",
        city="Lyon",
    )
    Contract.objects.create(  # due in 30 days: not yet
        company=world.company_a,
        client=acme,
        title="Mairie",
        reference="LATER-1",
        procurement="public",
        handover_date=today,
        address_line1="1 rue",
        postcode="69003",
        city="Lyon",
    )
    Contract.objects.create(  # private, no standard: no timeline
        company=world.company_a,
        client=acme,
        title="Garage",
        reference="NONE-1",
        handover_date=today - dt.timedelta(days=90),
        address_line1="1 rue",
        postcode="69003",
        city="Lyon",
    )

    response = alice_client.get("/")

    reminders = response.context["reminders"].final_account
    assert [r.contract.reference for r in reminders] == ["LATE-1", "SOON-1"]
    assert reminders[0].overdue and not reminders[1].overdue
    html = response.content.decode()
    assert reverse("contracts:final_account_timeline", args=[late.pk]) in html
    assert reverse("contracts:final_account_timeline", args=[soon.pk]) in html
    assert "LATER-1" not in html and "NONE-1" not in html
    assert "LATE-1" not in charlie_client.get("/").content.decode()
