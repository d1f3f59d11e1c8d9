"""Importing a bank statement through the pages (issue 6): upload, the proposals screen,
confirm; lines already imported never recorded twice; one refused line and nothing is
recorded; readers and other companies refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.billing import bank_import_services
from chantier.billing.bank_import import BY_AMOUNT_AND_CLIENT, BY_NUMBER, BankLine
from chantier.billing.models import Invoice, Payment
from chantier.parties.models import Client
from tests.billing.conftest import Example, make_contract, quote_line, seller_identity
from tests.billing.test_api_examples import issued, statement
from tests.billing.test_payments import fingerprint, first_statement
from tests.conftest import ApiClient, World

UPLOAD = reverse("billing:bank_import")
CONFIRM = reverse("billing:bank_import_confirm")


def day() -> str:
    return f"{timezone.localdate():%d/%m/%Y}"


def csv_file(rows: list[tuple[str, str]], encoding: str = "cp1252") -> SimpleUploadedFile:
    """A statement as a French bank exports it: semicolons, decimal commas, cp1252."""
    text = "Date opération;Libellé;Montant\r\n" + "".join(
        f"{day()};{label};{amount}\r\n" for label, amount in rows
    )
    return SimpleUploadedFile("releve.csv", text.encode(encoding), content_type="text/csv")


def upload(client: Any, rows: list[tuple[str, str]]) -> Any:
    return client.post(UPLOAD, {"file": csv_file(rows)})


def choices(response: Any, **changes: Any) -> dict[str, Any]:
    """What the confirmation form posts as shown (ticks and selects), then `changes`:
    tick=[line numbers] replaces the ticks, target-<n>=value changes a select."""
    screen = response.context["screen"]
    data: dict[str, Any] = {"token": response.context["token"]}
    data["line"] = [str(row.line.line) for row in screen.rows if row.ticked]
    for row in screen.rows:
        data[f"target-{row.line.line}"] = row.target
    if "tick" in changes:
        data["line"] = [str(n) for n in changes.pop("tick")]
    data.update({key.replace("target_", "target-"): value for key, value in changes.items()})
    return data


def second_statement(api: ApiClient, example: Example, percent: str) -> dict[str, Any]:
    """L1 at `percent` % cumulative, 10 % more than before: payable 1 140.00."""
    return issued(api, statement(api, example, [("L1", "cumulative_percent", percent)]))


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def result_message(recorded: int, ignored: int) -> str:
    return _("%(recorded)s, %(ignored)s.") % {
        "recorded": ngettext("%(count)s payment recorded", "%(count)s payments recorded", recorded)
        % {"count": recorded},
        "ignored": ngettext("%(count)s line ignored", "%(count)s lines ignored", ignored)
        % {"count": ignored},
    }


def test_upload_confirm_and_the_payments_are_recorded_on_their_invoices(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    b = second_statement(alice_api, example, "60")
    assert (a["payable"], b["payable"]) == ("14820.00", "1140.00")
    page = alice_client.get(UPLOAD)
    assert page.status_code == 200
    rows = [
        (f"VIR SEPA SCI LES TILLEULS {a['number']}", "10 000,00"),
        ("PRLV URSSAF", "-350,00"),
        ("VIR SCI LES TILLEULS SITUATION 2", "1 140,00"),
        ("VIR INCONNU RÉF 42", "123,45"),
    ]
    response = upload(alice_client, rows)
    assert response.status_code == 200
    screen = response.context["screen"]
    assert screen.parsed.debits == 1
    proposed = [
        (
            row.line.line,
            row.line.amount,
            row.proposal.invoice.id if row.proposal.invoice else None,
            row.proposal.found_by,
            row.ticked,
            row.target,
        )
        for row in screen.rows
    ]
    assert proposed == [
        (2, D("10000.00"), a["id"], BY_NUMBER, True, f"invoice:{a['id']}"),
        (4, D("1140.00"), b["id"], BY_AMOUNT_AND_CLIENT, True, f"invoice:{b['id']}"),
        (5, D("123.45"), None, "", False, ""),
    ]
    assert screen.rows[0].proposal.invoice.left == D("14820.00")
    assert "VIR INCONNU RÉF 42" in response.content.decode()
    assert not Payment.objects.exists()  # nothing recorded before the confirmation

    done = alice_client.post(CONFIRM, choices(response))
    assert done.status_code == 302
    assert messages_of(done) == [result_message(2, 1)]
    payments = list(Payment.objects.order_by("pk"))
    keys = [row.line.key for row in screen.rows]
    assert [
        (p.invoice_id, p.amount, p.applies_to, p.method, p.reference, p.bank_line_key, p.date)
        for p in payments
    ] == [
        (
            a["id"],
            D("10000.00"),
            "payable",
            "transfer",
            rows[0][0],
            keys[0],
            timezone.localdate(),
        ),
        (b["id"], D("1140.00"), "payable", "transfer", rows[2][0], keys[1], timezone.localdate()),
    ]
    paid = dict(Invoice.objects.filter(pk__in=[a["id"], b["id"]]).values_list("pk", "paid_payable"))
    assert paid == {a["id"]: D("10000.00"), b["id"]: D("1140.00")}


def test_a_reimported_statement_shows_its_lines_recorded_and_records_nothing_twice(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    rows = [(f"VIR {a['number']}", "4 000,00"), ("VIR INCONNU", "50,00")]
    first = upload(alice_client, rows)
    assert alice_client.post(CONFIRM, choices(first)).status_code == 302
    assert Payment.objects.count() == 1

    again = upload(alice_client, rows)
    screen = again.context["screen"]
    assert [line.line for line in screen.recorded] == [2]
    assert [row.line.line for row in screen.rows] == [3]
    assert "recorded-lines" in again.content.decode()
    # The first screen posted again, line 2 still ticked: it is not recorded a second time.
    replay = alice_client.post(CONFIRM, choices(first))
    assert replay.status_code == 302
    assert messages_of(replay) == [result_message(0, 1)]
    # Line 2 ticked on the new screen by hand: not offered, so not recorded either.
    forced = choices(again, tick=[2, 3], **{"target_2": f"invoice:{a['id']}"})
    forced["target-3"] = f"invoice:{a['id']}"
    assert alice_client.post(CONFIRM, forced).status_code == 302
    assert list(Payment.objects.values_list("amount", flat=True).order_by("pk")) == [
        D("4000.00"),
        D("50.00"),
    ]
    assert Invoice.objects.get(pk=a["id"]).paid_payable == D("4050.00")


def test_one_overpayment_refuses_the_whole_confirmation_then_excess_as_credit(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    b = second_statement(alice_api, example, "60")
    rows = [(f"VIR {a['number']}", "10 000,00"), (f"VIR {b['number']}", "2 000,00")]
    response = upload(alice_client, rows)
    over = response.context["screen"].rows[1]
    assert over.proposal.over and not over.ticked  # flagged, left unticked
    before = fingerprint()
    refused = alice_client.post(CONFIRM, choices(response, tick=[2, 3]))
    assert refused.status_code == 422
    assert fingerprint() == before  # line 2 was fine: still nothing recorded
    error = refused.context["error"]
    line = BankLine(3, timezone.localdate(), D("2000.00"), rows[1][0])
    assert error.startswith(bank_import_services.LineRefused(line, "").message)
    assert [row.ticked for row in refused.context["screen"].rows] == [True, True]

    accepted = alice_client.post(CONFIRM, choices(response, tick=[2, 3], excess_as_credit="1"))
    assert accepted.status_code == 302
    assert list(
        Payment.objects.order_by("pk").values_list(
            "invoice_id", "amount", "applies_to", "bank_line_key"
        )
    ) == [
        (a["id"], D("10000.00"), "payable", response.context["screen"].rows[0].line.key),
        (b["id"], D("1140.00"), "payable", over.line.key),
        (None, D("860.00"), "credit", ""),
    ]


def test_a_line_recorded_as_a_credit_on_the_client(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    client = Invoice.objects.get(pk=a["id"]).client
    response = upload(alice_client, [("VIR SCI LES TILLEULS ACOMPTE", "3 000,00")])
    [row] = response.context["screen"].rows
    assert row.proposal.invoice is None and not row.ticked
    options = [option.value for option in response.context["screen"].client_options]
    assert f"client:{client.pk}" in options
    done = alice_client.post(
        CONFIRM, choices(response, tick=[2], **{"target_2": f"client:{client.pk}"})
    )
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.client_id, payment.invoice_id, payment.applies_to, payment.amount) == (
        client.pk,
        None,
        "credit",
        D("3000.00"),
    )
    assert payment.bank_line_key == row.line.key


def test_a_ticked_line_without_an_invoice_or_client_is_refused(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    response = upload(alice_client, [(f"VIR {a['number']}", "100,00"), ("VIR X", "5,00")])
    refused = alice_client.post(CONFIRM, choices(response, tick=[2, 3]))
    assert refused.status_code == 422
    assert "3" in refused.context["error"]
    assert not Payment.objects.exists()


def test_an_ambiguous_amount_is_proposed_for_no_invoice(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    first_statement(alice_api, example)
    second_statement(alice_api, example, "60")
    second_statement(alice_api, example, "70")  # the same 1 140.00 left on two invoices
    response = upload(alice_client, [("VIREMENT RECU", "1 140,00")])
    [row] = response.context["screen"].rows
    assert (row.proposal.invoice, row.proposal.same_amount, row.ticked) == (None, 2, False)


def test_unknown_columns_are_refused_and_nothing_is_recorded(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    first_statement(alice_api, example)
    content = b"Jour;Texte;Somme\r\n02/11/2026;VIR SCI LES TILLEULS;14 820,00\r\n"
    before = fingerprint()
    response = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors["file"])
    assert "“Jour”" in errors and "“Somme”" in errors
    assert fingerprint() == before


def test_malformed_rows_are_listed_with_their_line_numbers(alice_client: Any) -> None:
    text = (
        "Date;Libellé;Montant\n"
        f"{day()};VIR DUPONT;100,00\n"
        "31/02/2026;DATE IMPOSSIBLE;50,00\n"
        f"{day()};MONTANT ILLISIBLE;douze\n"
    )
    response = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("x.csv", text.encode())})
    assert response.status_code == 200
    parsed = response.context["screen"].parsed
    assert [row.line for row in parsed.skipped] == [3, 4]
    assert parsed.skipped_total == 2
    assert "skipped-lines" in response.content.decode()


def test_a_reader_gets_403_and_nothing_is_recorded(
    alice_client: Any, bob_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    response = upload(alice_client, [(f"VIR {a['number']}", "100,00")])
    before = fingerprint()
    assert bob_client.get(UPLOAD).status_code == 403
    assert upload(bob_client, [(f"VIR {a['number']}", "100,00")]).status_code == 403
    assert bob_client.post(CONFIRM, choices(response)).status_code == 403
    assert fingerprint() == before


def test_another_companys_invoice_client_or_token_is_refused(
    world: World,
    alice_client: Any,
    charlie_client: Any,
    alice_api: ApiClient,
    charlie_api: ApiClient,
    example: Example,
) -> None:
    first_statement(alice_api, example)
    seller_identity(world.company_b)
    theirs = make_contract(
        charlie_api, world.company_b, [quote_line("L1 Terrassement", "forfait", "1", "5000.00")]
    )
    foreign = issued(
        charlie_api, statement(charlie_api, theirs, [("L1", "cumulative_percent", "50")])
    )
    foreign_client = Client.objects.get(company=world.company_b)
    response = upload(alice_client, [("VIR INCONNU", "100,00")])
    before = fingerprint()
    for target in (f"invoice:{foreign['id']}", f"client:{foreign_client.pk}", "invoice:999999"):
        posted = alice_client.post(CONFIRM, choices(response, tick=[2], **{"target_2": target}))
        assert posted.status_code == 404, target
    # Charlie's own screen posted by alice: a token of another company.
    theirs_screen = upload(charlie_client, [("VIR INCONNU", "100,00")])
    stolen = choices(theirs_screen, tick=[2], **{"target_2": f"invoice:{foreign['id']}"})
    assert alice_client.post(CONFIRM, stolen).status_code == 400
    forged = choices(response, tick=[2], **{"target_2": f"client:{foreign_client.pk}"})
    forged["token"] = forged["token"][:-3] + "abc"
    assert alice_client.post(CONFIRM, forged).status_code == 400
    assert fingerprint() == before


def test_the_confirmation_page_reads_a_fixed_number_of_queries(
    alice_client: Any,
    alice_api: ApiClient,
    example: Example,
    django_assert_max_num_queries: Any,
) -> None:
    a = first_statement(alice_api, example)
    b = second_statement(alice_api, example, "60")
    rows = [(f"VIR {a['number']} PART {n}", "10,00") for n in range(40)]
    rows += [(f"VIR {b['number']}", "1 140,00"), ("VIR SCI LES TILLEULS", "1 140,00")]
    rows += [(f"VIR INCONNU {n}", f"{n},00") for n in range(1, 40)]
    with django_assert_max_num_queries(8):
        response = upload(alice_client, rows)
    assert response.status_code == 200
    assert len(response.context["screen"].rows) == 81


def yesterday() -> str:
    return f"{timezone.localdate() - dt.timedelta(days=1):%d/%m/%Y}"


def test_an_invoice_issued_after_the_line_is_not_proposed_and_refused_when_chosen(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    """The reviewer's statement: a line of 21/11 naming an invoice issued on 26/11."""
    a = first_statement(alice_api, example)  # issued today
    text = (
        "Date;Libellé;Montant\r\n"
        f"{yesterday()};VIR SCI LES TILLEULS {a['number']};14 820,00\r\n"
        f"{yesterday()};VIR SCI LES TILLEULS;14 820,00\r\n"
        f"{day()};VIR SCI LES TILLEULS SOLDE;14 820,00\r\n"
    )
    response = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("r.csv", text.encode())})
    assert response.status_code == 200
    first, second, third = response.context["screen"].rows
    # Neither by its number nor by its amount before its issue date; on the day, yes.
    assert (first.proposal.invoice, first.ticked, first.target) == (None, False, "")
    assert [ref.id for ref in first.proposal.issued_after] == [a["id"]]
    assert (second.proposal.invoice, second.proposal.same_amount) == (None, 0)
    assert third.proposal.invoice is not None and third.proposal.invoice.id == a["id"]
    html = response.content.decode()
    assert 'class="issued-after"' in html
    issued_on = Invoice.objects.get(pk=a["id"]).issue_date
    assert f"{issued_on:%d/%m/%Y}" in html
    # Chosen by hand: refused before anything is recorded, naming the line and the invoice.
    before = fingerprint()
    refused = alice_client.post(
        CONFIRM, choices(response, tick=[2, 4], **{"target_2": f"invoice:{a['id']}"})
    )
    assert refused.status_code == 422
    assert fingerprint() == before
    label = f"VIR SCI LES TILLEULS {a['number']}"
    line = BankLine(2, timezone.localdate() - dt.timedelta(days=1), D("14820.00"), label)
    error = refused.context["error"]
    assert error.startswith(bank_import_services.LineRefused(line, "").message)
    assert a["number"] in error and f"{issued_on:%d/%m/%Y}" in error
    # The same line as a credit on the client is recorded.
    client = Invoice.objects.get(pk=a["id"]).client
    done = alice_client.post(
        CONFIRM, choices(response, tick=[2], **{"target_2": f"client:{client.pk}"})
    )
    assert done.status_code == 302
    assert Payment.objects.get().applies_to == "credit"


def test_extra_columns_are_named_on_the_confirmation_screen(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    text = (
        "Date;Libellé;Montant;Catégorie\r\n"
        f"{day()};VIR SCI LES TILLEULS {a['number']};100,00;Virements reçus\r\n"
    )
    response = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("r.csv", text.encode())})
    assert response.status_code == 200
    assert response.context["screen"].parsed.ignored_columns == ["Catégorie"]
    html = response.content.decode()
    assert escape(_("Ignored columns: %(columns)s") % {"columns": "Catégorie"}) in html
    # Still recorded as before.
    assert alice_client.post(CONFIRM, choices(response)).status_code == 302
    assert Payment.objects.get().invoice_id == a["id"]


def test_the_number_in_a_detail_column_is_found_and_kept_as_the_reference(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    text = (
        "Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise\r\n"
        f"{day()};VIR RECU 7412589630;DE: SCI LES TILLEULS MOTIF: {a['number']};"
        "5 000,00;EUR\r\n"
    )
    response = alice_client.post(
        UPLOAD, {"file": SimpleUploadedFile("sg.csv", text.encode("cp1252"))}
    )
    assert response.status_code == 200
    [row] = response.context["screen"].rows
    assert (row.proposal.invoice.id, row.proposal.found_by, row.ticked) == (
        a["id"],
        BY_NUMBER,
        True,
    )
    html = response.content.decode()
    assert escape(f"DE: SCI LES TILLEULS MOTIF: {a['number']}") in html
    assert escape(_("Ignored columns: %(columns)s") % {"columns": "Devise"}) in html
    done = alice_client.post(CONFIRM, choices(response))  # through the token
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.invoice_id, payment.amount) == (a["id"], D("5000.00"))
    assert payment.reference == f"VIR RECU 7412589630 · DE: SCI LES TILLEULS MOTIF: {a['number']}"


def test_debit_lines_are_listed_in_a_collapsed_section_and_dates_do_not_wrap(
    alice_client: Any, alice_api: ApiClient, example: Example
) -> None:
    a = first_statement(alice_api, example)
    rows = [
        (f"VIR {a['number']}", "100,00"),
        ("PRLV URSSAF COTISATIONS", "-350,00"),
        ("FRAIS TENUE DE COMPTE", "-12,50"),
    ]
    response = upload(alice_client, rows)
    parsed = response.context["screen"].parsed
    assert [(x.line, x.amount, x.label) for x in parsed.debit_lines] == [
        (3, D("-350.00"), "PRLV URSSAF COTISATIONS"),
        (4, D("-12.50"), "FRAIS TENUE DE COMPTE"),
    ]
    html = response.content.decode()
    section = html[html.index('<details id="debits">') :]
    section = section[: section.index("</details>")]
    assert '<details id="debits">' in html and " open" not in section.split(">")[0]
    assert "PRLV URSSAF COTISATIONS" in section and "FRAIS TENUE DE COMPTE" in section
    assert f'<td class="nowrap"><time datetime="{timezone.localdate():%Y-%m-%d}">' in section
    assert section.count('class="num nowrap"') == 2
    # The lines to record: date and amount cells do not wrap either.
    table = html[html.index('id="bank-lines"') :]
    assert f'<td class="nowrap"><time datetime="{timezone.localdate():%Y-%m-%d}">' in table
    # Shown again from the token after a refusal.
    refused = alice_client.post(CONFIRM, choices(response, tick=[2], target_2=""))
    assert refused.status_code == 422
    assert "FRAIS TENUE DE COMPTE" in refused.content.decode()
