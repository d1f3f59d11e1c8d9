"""The billing pages as a user works them: the invoices tab, a down payment typed the
French way, the statement grid (saved, refused, previewed), issue, delete, credit note,
the PDFs through their render job, and the index table (form and CSV)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.translation import gettext as _

from chantier.billing.models import IndexValue, Invoice, InvoiceLine
from chantier.documents.models import RenderJob
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.billing.test_api_rules import fingerprint
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text


def grid_post(example: Example, values: dict[str, tuple[str, str]], **extra: str) -> dict[str, str]:
    data = {"date": "2026-03-31", **extra}
    for name, (mode, value) in values.items():
        data[f"m_{example.lines[name]}"] = mode
        data[f"v_{example.lines[name]}"] = value
    return data


def test_contract_tab_lists_invoices_and_offers_the_actions(
    alice_client: HttpClient,
    alice_api: ApiClient,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "10")]))
    url = reverse("billing:contract_invoices", args=[example.contract_id])
    with django_assert_max_num_queries(12):
        page = alice_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "FA2026-00001" in html or "-00001" in html
    assert reverse("billing:down_payment_create", args=[example.contract_id]) in html
    assert reverse("billing:statement_edit", args=[example.contract_id]) in html


def test_down_payment_typed_with_a_french_comma(alice_client: HttpClient, example: Example) -> None:
    url = reverse("billing:down_payment_create", args=[example.contract_id])
    response = alice_client.post(url, {"percent": "30,0", "amount": "", "date": "2026-02-01"})
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.kind, invoice.net, invoice.gross) == (
        "down_payment",
        Decimal("9918.00"),
        Decimal("11901.60"),
    )
    both = alice_client.post(url, {"percent": "10", "amount": "100", "date": ""})
    assert both.status_code == 200
    assert _("Give either a percentage or an amount.") in both.content.decode()
    assert Invoice.objects.count() == 1


def test_statement_grid_saves_a_draft_then_issue(
    alice_client: HttpClient, example: Example
) -> None:
    url = reverse("billing:statement_edit", args=[example.contract_id])
    page = alice_client.get(url + "?kind=progress")
    assert page.status_code == 200
    assert f'name="v_{example.lines["L2"]}"' in page.content.decode()
    saved = alice_client.post(
        url,
        grid_post(
            example,
            {
                "L1": ("cumulative_percent", "50"),
                "L2": ("cumulative_quantity", "100"),
                "L3": ("cumulative_quantity", ""),
            },
        ),
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.net, invoice.retention, invoice.payable) == (
        "draft",
        Decimal("13000.00"),
        Decimal("780.00"),
        Decimal("14820.00"),
    )
    # the grid reopens the draft with what was typed
    again = alice_client.get(url).content.decode()
    assert 'value="50"' in again and f'name="lock_version" value="{invoice.lock_version}"' in again
    issue = alice_client.post(reverse("billing:invoice_issue", args=[invoice.pk]))
    assert issue.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.number


def test_statement_grid_refusals_leave_everything_as_it_was(
    alice_client: HttpClient, example: Example
) -> None:
    url = reverse("billing:statement_edit", args=[example.contract_id])
    before = fingerprint()
    over = alice_client.post(
        url + "?kind=progress", grid_post(example, {"L1": ("cumulative_percent", "120")})
    )
    assert over.status_code == 422
    assert "L1 Terrassement" in over.content.decode()
    garbage = alice_client.post(
        url + "?kind=progress", grid_post(example, {"L1": ("cumulative_percent", "cinquante")})
    )
    assert garbage.status_code == 422
    assert "cinquante" in garbage.content.decode()
    assert fingerprint() == before


def test_a_stale_grid_is_refused(alice_client: HttpClient, example: Example) -> None:
    url = reverse("billing:statement_edit", args=[example.contract_id])
    alice_client.post(url, grid_post(example, {"L1": ("cumulative_percent", "10")}))
    invoice = Invoice.objects.get()
    stale = grid_post(
        example, {"L1": ("cumulative_percent", "20")}, lock_version=str(invoice.lock_version)
    )
    assert (
        alice_client.post(
            url,
            grid_post(
                example,
                {"L1": ("cumulative_percent", "30")},
                lock_version=str(invoice.lock_version),
            ),
        ).status_code
        == 302
    )
    refused = alice_client.post(url, stale)
    assert refused.status_code == 422
    invoice.refresh_from_db()
    assert invoice.net == Decimal("3000.00")


def test_preview_gives_live_totals_without_saving(
    alice_client: HttpClient, example: Example
) -> None:
    url = reverse("billing:statement_preview", args=[example.contract_id])
    response = alice_client.post(
        url,
        grid_post(
            example, {"L1": ("cumulative_percent", "50"), "L2": ("cumulative_quantity", "100")}
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = " ".join(response.content.decode().replace("\xa0", " ").replace("\u202f", " ").split())
    assert "13 000,00" in html
    assert "14 820,00" in html
    assert not Invoice.objects.exists()


def test_delete_a_draft_after_confirmation(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "10")]).json()
    url = reverse("billing:invoice_delete", args=[draft["id"]])
    assert alice_client.get(url).status_code == 200
    assert Invoice.objects.filter(pk=draft["id"]).exists()
    assert alice_client.post(url).status_code == 302
    assert not Invoice.objects.filter(pk=draft["id"]).exists()


def test_issued_invoice_page_pdf_and_credit_note(
    alice_client: HttpClient,
    alice_api: ApiClient,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    detail = reverse("billing:invoice_detail", args=[first["id"]])
    with django_assert_max_num_queries(14):
        page = alice_client.get(detail)
    assert page.status_code == 200
    assert first["number"] in page.content.decode()
    assert (
        alice_client.get(reverse("billing:invoice_delete", args=[first["id"]])).status_code == 200
    )
    assert (
        alice_client.post(reverse("billing:invoice_delete", args=[first["id"]])).status_code == 409
    )
    job_page = alice_client.post(reverse("billing:invoice_pdf", args=[first["id"]]))
    assert job_page.status_code == 302
    job = RenderJob.objects.latest("pk")
    assert job.status == "done", job.error
    text = pdf_text(job.file.read())
    assert "14 820,00" in text.replace("\u202f", " ").replace("\xa0", " ")
    statement_job = alice_client.post(reverse("billing:statement_pdf", args=[first["id"]]))
    assert statement_job.status_code == 302
    job = RenderJob.objects.latest("pk")
    assert job.status == "done", job.error
    assert "39,32" in pdf_text(job.file.read())  # global progress by amount: 13 000 / 33 060
    line = InvoiceLine.objects.get(invoice_id=first["id"], contract_line_id=example.lines["L2"])
    credit = alice_client.post(
        reverse("billing:credit_note_create", args=[first["id"]]), {"line": [line.pk]}
    )
    assert credit.status_code == 302
    note = Invoice.objects.get(credited_invoice_id=first["id"])
    assert (note.type_code, note.net) == ("381", Decimal("-8000.00"))


def test_index_values_form_and_csv(alice_client: HttpClient, world: Any) -> None:
    url = reverse("billing:index_values")
    saved = alice_client.post(url, {"name": "bt01", "month": "2025-03", "value": "131,3"})
    assert saved.status_code == 302
    row = IndexValue.objects.get()
    assert (row.name, row.month.isoformat(), row.value) == (
        "BT01",
        "2025-03-01",
        Decimal("131.3000"),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "i.csv", b"index;month;value\nTP01;2025-04;120,5\nBT01;2025-03;131,4\n"
    )
    assert alice_client.post(url, {"file": good}).status_code == 302
    assert IndexValue.objects.get(name="BT01").value == Decimal("131.4000")
    assert IndexValue.objects.count() == 2
    bad = SimpleUploadedFile("i.csv", b"TP01;2025-05;abc\nTP01;2025-13;1\n")
    response = alice_client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "abc" in response.content.decode()
    assert IndexValue.objects.count() == 2


def test_reader_sees_but_cannot_issue(
    bob_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    draft = statement(alice_api, example, [("L1", "cumulative_percent", "10")]).json()
    assert bob_client.get(reverse("billing:invoice_detail", args=[draft["id"]])).status_code == 200
    assert bob_client.post(reverse("billing:invoice_issue", args=[draft["id"]])).status_code == 403
    assert Invoice.objects.get(pk=draft["id"]).status == "draft"


def test_grid_shows_the_previous_cumulative_quantity(
    alice_client: HttpClient, alice_api: ApiClient, example: Example
) -> None:
    issued(alice_api, statement(alice_api, example, [("L2", "cumulative_quantity", "100")]))
    page = alice_client.get(
        reverse("billing:statement_edit", args=[example.contract_id]) + "?kind=progress"
    )
    html = " ".join(page.content.decode().replace("\xa0", " ").replace("\u202f", " ").split())
    assert "100 m² · 40,00 %" in html
