"""The issued invoice as a document: the Factur-X PDF read back (text and embedded XML),
the XML valid against the XSD and the EN 16931 schematron, its totals equal to the
stored amounts, the API's and the PDF's (billing.md "one engine, many outputs")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from chantier.billing.models import Invoice
from chantier.core.formatting import euros
from chantier.core.models import Company
from chantier.einvoice.embed import extract_xml
from chantier.einvoice.validation import check_xsd, schematron_failures
from tests.billing.conftest import Example
from tests.billing.test_api_examples import issued, statement
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text
from tests.einvoice.test_embed import xmp_of

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def seller_identity(company: Company) -> None:
    Company.objects.filter(pk=company.pk).update(
        siren="732829320",
        siret="73282932000074",
        vat_number="FR44732829320",
        address_line1="1 rue du Port",
        postcode="69002",
        city="Lyon",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )


def totals(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    assert summation is not None
    return {etree.QName(child).localname: child.text or "" for child in summation}


def check(xml: bytes) -> None:
    check_xsd(xml)
    failures = schematron_failures(xml, "en16931")
    assert failures == [], failures


def test_example_3a_situation_as_factur_x(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    seller_identity(world.company_a)
    down = issued(
        alice_api,
        alice_api.post(
            f"/contracts/{example.contract_id}/invoices", {"kind": "down_payment", "percent": "30"}
        ),
    )
    first = issued(
        alice_api,
        statement(
            alice_api,
            example,
            [("L1", "cumulative_percent", "50"), ("L2", "cumulative_quantity", "100")],
        ),
    )
    pdf = alice_api.get(f"/invoices/{first['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    content = pdf.content
    xml = extract_xml(content)
    check(xml)
    # french-rules §7.6: BT-106 = BT-109 = 9 100.00, BT-110 1 820.00,
    # BT-112 = BT-115 = 10 920.00
    found = totals(xml)
    assert found["LineTotalAmount"] == "9100.00"
    assert found["TaxBasisTotalAmount"] == first["net"] == "9100.00"
    assert found["GrandTotalAmount"] == first["gross"] == "10920.00"
    assert found["DuePayableAmount"] == "10920.00"
    assert b"<rsm:ExchangedDocument>" in xml or b"ExchangedDocument" in xml
    assert down["number"].encode() in xml  # the deducted down payment is referenced
    text = pdf_text(content)
    for figure in ("9 100,00", "10 920,00", "780,00", "10 140,00"):
        assert figure in text.replace("\u202f", " ").replace("\xa0", " "), figure
    assert first["number"] in text
    assert "732829320" in text  # the buyer's SIREN (décret 2022-1299)
    xmp = xmp_of(content)
    part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
    assert part is not None and part.group(1) == "3"
    assert "EN 16931" in xmp


def test_credit_note_xml_is_positive_and_references_the_invoice(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    seller_identity(world.company_a)
    first = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "50")]))
    note = issued(alice_api, alice_api.post(f"/invoices/{first['id']}/credit-note"))
    assert note["net"] == "-5000.00"
    xml = extract_xml(alice_api.get(f"/invoices/{note['id']}/pdf").content)
    check(xml)
    assert totals(xml)["GrandTotalAmount"] == "6000.00"
    assert first["number"].encode() in xml
    assert b">381<" in xml


def test_reverse_charge_contract_invoices_without_vat(
    alice_api: ApiClient, example: Example, world: Any
) -> None:
    seller_identity(world.company_a)
    from chantier.contracts.models import Contract

    Contract.objects.filter(pk=example.contract_id).update(reverse_charge=True)
    first = issued(alice_api, statement(alice_api, example, [("L2", "cumulative_quantity", "100")]))
    assert (first["net"], first["gross"]) == ("8000.00", "8000.00")
    assert first["vat"] == [{"rate": "0.00", "base": "8000.00", "amount": "0.00", "category": "AE"}]
    content = alice_api.get(f"/invoices/{first['id']}/pdf").content
    xml = extract_xml(content)
    check(xml)
    assert b"VATEX-EU-AE" in xml
    assert "Autoliquidation" in pdf_text(content)


def test_hash_chain_detects_tampering(alice_api: ApiClient, example: Example) -> None:
    from io import StringIO

    import pytest
    from django.core.management import call_command

    issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "10")]))
    second = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "20")]))
    out = StringIO()
    call_command("verify_chain", stdout=out)
    assert "2 issued documents" in out.getvalue()
    Invoice.objects.filter(pk=second["id"]).update(net=Decimal("999.00"))
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_chain", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert second["number"] in err.getvalue()
    assert euros  # imported for readers: amounts are printed with core.formatting


def test_grouped_presentation_and_recap_print_the_same_amounts(
    alice_api: ApiClient, example: Example
) -> None:
    patched = alice_api.patch(
        f"/contracts/{example.contract_id}",
        {"invoice_presentation": "grouped", "invoice_recap": True},
    )
    assert patched.status_code == 200, patched.content
    first = issued(alice_api, statement(alice_api, example, [("L1", "cumulative_percent", "50")]))
    second = issued(
        alice_api, statement(alice_api, example, [("L2", "cumulative_quantity", "100")])
    )
    text = pdf_text(alice_api.get(f"/invoices/{second['id']}/pdf").content)
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    assert "L2 Maçonnerie" not in text  # one line per chapter and VAT rate
    assert "Gros œuvre" in text
    assert "9 600,00" in text  # 8 000,00 HT + 1 600,00 VAT
    assert first["number"] in text  # the recap of the previous statements


def test_a_rate_with_nothing_billed_gets_no_vat_row_and_the_invoice_issues(
    alice_api: ApiClient, world: Any
) -> None:
    from tests.billing.conftest import make_contract, quote_line

    seller_identity(world.company_a)
    mixed = make_contract(
        alice_api,
        world.company_a,
        [
            quote_line("L1 Gros œuvre", "ft", "1", "10000.00"),
            quote_line("L2 Fenêtres", "u", "10", "500.00", vat="10.00"),
        ],
    )
    invoice = issued(alice_api, statement(alice_api, mixed, [("L2", "cumulative_percent", "50")]))
    assert invoice["vat"] == [
        {"rate": "10.00", "base": "2500.00", "amount": "250.00", "category": "S"}
    ]
    check(extract_xml(alice_api.get(f"/invoices/{invoice['id']}/pdf").content))
