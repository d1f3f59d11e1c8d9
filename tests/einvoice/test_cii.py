"""Factur-X CII (EN 16931): the worked examples of french-rules §3.3, §5.2, §7.6.

Every example must pass the Factur-X EN 16931 XSD and the EN 16931 schematron with
zero findings; its XML totals must equal the stored amounts.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from chantier.core.money import round2
from chantier.einvoice.cii import GUIDELINE_EN16931, NSMAP, build_cii, check_consistency
from chantier.einvoice.data import (
    Address,
    EInvoice,
    EInvoiceError,
    EInvoiceLine,
    EInvoiceVat,
    Party,
    PrecedingInvoice,
    unit_code_for,
)
from chantier.einvoice.validation import check_xsd, schematron_failures

D = Decimal

SELLER = Party(
    name="Alpha Bâtiment SAS",
    siren="732829320",
    siret="73282932000074",
    vat_number="FR44732829320",
    address_line1="12 rue des Maçons",
    address_line2="Zone artisanale Nord",
    postcode="69007",
    city="Lyon",
    country="FR",
    email="factures@alpha-batiment.example",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP882",
)
BUYER = Party(
    name="SCI Les Tilleuls",
    siren="552100554",
    siret="55210055400013",
    vat_number="FR96552100554",
    address_line1="4 avenue Foch",
    postcode="75016",
    city="Paris",
    email="compta@tilleuls.example",
)
MAIN_CONTRACTOR = Party(
    name="Bravo Construction SA",
    siren="443061841",
    siret="44306184100047",
    vat_number="FR64443061841",
    address_line1="1 place de la Gare",
    postcode="33000",
    city="Bordeaux",
    email="achats@bravo.example",
)
SITE = Address(
    name="Chantier Résidence Les Tilleuls",
    line1="18 rue des Tilleuls",
    postcode="69003",
    city="Lyon",
)
LEGAL_NOTES: tuple[tuple[str, str], ...] = (
    ("REG", "SAS au capital de 50 000 €, RCS Lyon 732 829 320."),
    (
        "PMD",
        "Pénalités de retard : taux BCE + 10 points, exigibles dès le lendemain de "
        "l'échéance sans rappel.",
    ),
    ("PMT", "Indemnité forfaitaire pour frais de recouvrement : 40 €."),
    ("AAB", "Pas d'escompte pour paiement anticipé."),
)
TERMS = "Paiement à 60 jours date de facture par virement."
DOWN_PAYMENT = PrecedingInvoice(number="FA2026-00001", issue_date=datetime.date(2026, 1, 15))


def situation_1() -> EInvoice:
    """(a) french-rules §7.6: situation 1, acompte option 1, retention option (a)."""
    return EInvoice(
        number="FA2026-00004",
        type_code="380",
        issue_date=datetime.date(2026, 3, 31),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        delivery_address=SITE,
        contract_reference="MARCHE-2026-017",
        buyer_reference="SCI-TIL-2026",
        preceding_invoices=(DOWN_PAYMENT,),
        lines=(
            EInvoiceLine(
                position=1,
                description="Travaux du mois — situation n° 1",
                quantity=D("1"),
                unit_code=unit_code_for("ens"),
                unit_price=D("13000.00"),
                net=D("13000.00"),
                vat_rate=D("20.00"),
            ),
            EInvoiceLine(
                position=2,
                description="Déduction de la facture d'acompte FA2026-00001",
                quantity=D("1"),
                unit_price=D("-3900.00"),
                net=D("-3900.00"),
                vat_rate=D("20.00"),
                preceding_invoice_number="FA2026-00001",
                note="Acompte FA2026-00001 du 15/01/2026 déduit au prorata (30 %).",
            ),
        ),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("9100.00"), amount=D("1820.00")),),
        net=D("9100.00"),
        vat_total=D("1820.00"),
        gross=D("10920.00"),
        retention=D("780.00"),
        payable=D("10140.00"),
        due_date=datetime.date(2026, 5, 30),
        payment_terms_text=TERMS,
        notes=LEGAL_NOTES,
    )


def down_payment() -> EInvoice:
    """(b) french-rules §3.3 A: acompte 30 % = 9 918.00 HT + 1 983.60 VAT."""
    return EInvoice(
        number="FA2026-00001",
        type_code="386",
        issue_date=datetime.date(2026, 1, 15),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        delivery_address=SITE,
        contract_reference="MARCHE-2026-017",
        lines=(
            EInvoiceLine(
                position=1,
                description="Acompte à la commande : 30 % du marché de 33 060,00 € HT",
                quantity=D("1"),
                unit_price=D("9918.00"),
                net=D("9918.00"),
                vat_rate=D("20.00"),
            ),
        ),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("9918.00"), amount=D("1983.60")),),
        net=D("9918.00"),
        vat_total=D("1983.60"),
        gross=D("11901.60"),
        payable=D("11901.60"),
        due_date=datetime.date(2026, 1, 30),
        payment_terms_text="Paiement à réception.",
        notes=LEGAL_NOTES,
    )


def three_rates() -> EInvoice:
    """(c) french-rules §5.2 A: 10 %, 5.5 % and 20 % on one invoice, 17 020.00 TTC."""
    lines = (
        EInvoiceLine(
            position=1,
            description="Remplacement fenêtres",
            quantity=D("8"),
            unit_code=unit_code_for("u"),
            unit_price=D("1250.00"),
            net=D("10000.00"),
            vat_rate=D("10.00"),
        ),
        EInvoiceLine(
            position=2,
            description="Isolation combles",
            quantity=D("80"),
            unit_code=unit_code_for("m²"),
            unit_price=D("50.00"),
            net=D("4000.00"),
            vat_rate=D("5.50"),
        ),
        EInvoiceLine(
            position=3,
            description="Aménagement local commercial attenant",
            quantity=D("1"),
            unit_code=unit_code_for("forfait"),
            unit_price=D("1500.00"),
            net=D("1500.00"),
            vat_rate=D("20.00"),
        ),
    )
    return EInvoice(
        number="FA2026-00005",
        type_code="380",
        issue_date=datetime.date(2026, 4, 2),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        vat=(
            EInvoiceVat(rate=D("10.00"), base=D("10000.00"), amount=D("1000.00")),
            EInvoiceVat(rate=D("5.50"), base=D("4000.00"), amount=D("220.00")),
            EInvoiceVat(rate=D("20.00"), base=D("1500.00"), amount=D("300.00")),
        ),
        net=D("15500.00"),
        vat_total=D("1520.00"),
        gross=D("17020.00"),
        payable=D("17020.00"),
        due_date=datetime.date(2026, 6, 1),
        payment_terms_text=TERMS,
        notes=(
            *LEGAL_NOTES,
            (
                "AAI",
                "Le client atteste que les travaux au taux réduit portent sur un local "
                "d'habitation achevé depuis plus de deux ans.",
            ),
        ),
    )


def reverse_charge() -> EInvoice:
    """(d) french-rules §5.2 C: subcontractor invoice under autoliquidation, 8 000.00."""
    return EInvoice(
        number="FA2026-00006",
        type_code="380",
        issue_date=datetime.date(2026, 4, 10),
        billing_framework="S1",
        seller=SELLER,
        buyer=MAIN_CONTRACTOR,
        delivery_address=SITE,
        contract_reference="ST-2026-004",
        lines=(
            EInvoiceLine(
                position=1,
                description="Sous-traitance : plâtrerie, cloisons",
                quantity=D("200"),
                unit_code=unit_code_for("m2"),
                unit_price=D("40.00"),
                net=D("8000.00"),
                vat_rate=D("0.00"),
                vat_category="AE",
            ),
        ),
        vat=(
            EInvoiceVat(
                rate=D("0.00"),
                base=D("8000.00"),
                amount=D("0.00"),
                category="AE",
                exemption_reason_code="VATEX-EU-AE",
            ),
        ),
        net=D("8000.00"),
        vat_total=D("0.00"),
        gross=D("8000.00"),
        payable=D("8000.00"),
        due_date=datetime.date(2026, 6, 9),
        payment_terms_text=TERMS,
        notes=(*LEGAL_NOTES, ("AAI", "Autoliquidation (CGI art. 283-2 nonies).")),
    )


def credit_note() -> EInvoice:
    """(e) a 381 stored negative (as in the books) crediting part of invoice 00004."""
    return EInvoice(
        number="FA2026-00007",
        type_code="381",
        issue_date=datetime.date(2026, 4, 15),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        delivery_address=SITE,
        contract_reference="MARCHE-2026-017",
        preceding_invoices=(
            PrecedingInvoice(number="FA2026-00004", issue_date=datetime.date(2026, 3, 31)),
        ),
        lines=(
            EInvoiceLine(
                position=1,
                description="Moins-value carrelage facturé en trop",
                quantity=D("-20.000"),
                unit_code=unit_code_for("m2"),
                unit_price=D("45.00"),
                net=D("-900.00"),
                vat_rate=D("20.00"),
            ),
        ),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("-900.00"), amount=D("-180.00")),),
        net=D("-900.00"),
        vat_total=D("-180.00"),
        gross=D("-1080.00"),
        payable=D("-1080.00"),
        due_date=datetime.date(2026, 4, 15),
        payment_terms_text="Avoir à déduire du prochain règlement.",
        notes=LEGAL_NOTES,
    )


def down_payment_credit_note() -> EInvoice:
    """(f) a 503 cancelling the down-payment invoice (b), stored negative."""
    return EInvoice(
        number="FA2026-00008",
        type_code="503",
        issue_date=datetime.date(2026, 1, 20),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        contract_reference="MARCHE-2026-017",
        preceding_invoices=(DOWN_PAYMENT,),
        lines=(
            EInvoiceLine(
                position=1,
                description="Annulation de la facture d'acompte FA2026-00001",
                quantity=D("-1"),
                unit_price=D("9918.00"),
                net=D("-9918.00"),
                vat_rate=D("20.00"),
            ),
        ),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("-9918.00"), amount=D("-1983.60")),),
        net=D("-9918.00"),
        vat_total=D("-1983.60"),
        gross=D("-11901.60"),
        payable=D("-11901.60"),
        payment_terms_text="Remboursement par virement sous 30 jours.",
        notes=LEGAL_NOTES,
    )


def big_invoice(count: int = 1000) -> EInvoice:
    """(g) `count` lines with 3-decimal quantities, two rates, as the engine stores them."""
    lines = []
    for index in range(count):
        quantity = D(f"{(index % 97) + 1}.{index % 1000:03d}")
        price = D(f"{(index % 53) + 10}.{(index * 7) % 100:02d}")
        lines.append(
            EInvoiceLine(
                position=index + 1,
                description=f"Poste {index + 1:04d} — cloison plaque BA13",
                quantity=quantity,
                unit_code=unit_code_for("m2"),
                unit_price=price,
                net=round2(quantity * price),
                vat_rate=D("10.00") if index % 4 == 0 else D("20.00"),
            )
        )
    vat = []
    for rate in (D("10.00"), D("20.00")):
        base = sum((line.net for line in lines if line.vat_rate == rate), D("0.00"))
        vat.append(EInvoiceVat(rate=rate, base=base, amount=round2(base * rate / 100)))
    net = sum((line.net for line in lines), D("0.00"))
    vat_total = sum((v.amount for v in vat), D("0.00"))
    retention = round2((net + vat_total) * D("0.05"))
    return EInvoice(
        number="FA2026-00009",
        type_code="380",
        issue_date=datetime.date(2026, 5, 31),
        billing_framework="S1",
        seller=SELLER,
        buyer=BUYER,
        delivery_address=SITE,
        lines=tuple(lines),
        vat=tuple(vat),
        net=net,
        vat_total=vat_total,
        gross=net + vat_total,
        retention=retention,
        payable=net + vat_total - retention,
        due_date=datetime.date(2026, 7, 30),
        payment_terms_text=TERMS,
        notes=LEGAL_NOTES,
    )


def final_after_two_down_payments() -> EInvoice:
    """(h) a final invoice (380, S4) deducting two down payments: two BG-3 references."""
    base = situation_1()
    second = PrecedingInvoice(number="FA2026-00002", issue_date=datetime.date(2026, 2, 2))
    deduction = EInvoiceLine(
        position=3,
        description="Déduction de la facture d'acompte FA2026-00002",
        quantity=D("-1"),
        unit_price=D("1000.00"),
        net=D("-1000.00"),
        vat_rate=D("20.00"),
        preceding_invoice_number="FA2026-00002",
    )
    return dataclasses.replace(
        base,
        number="FA2026-00010",
        billing_framework="S4",
        preceding_invoices=(DOWN_PAYMENT, second),
        lines=(*base.lines, deduction),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("8100.00"), amount=D("1620.00")),),
        net=D("8100.00"),
        vat_total=D("1620.00"),
        gross=D("9720.00"),
        retention=D("780.00"),
        payable=D("8940.00"),
    )


CASES: dict[str, Callable[[], EInvoice]] = {
    "a_situation_380": situation_1,
    "b_down_payment_386": down_payment,
    "c_three_rates": three_rates,
    "d_reverse_charge": reverse_charge,
    "e_credit_note_381": credit_note,
    "f_down_payment_credit_503": down_payment_credit_note,
    "g_1000_lines": big_invoice,
    "h_final_s4_two_down_payments": final_after_two_down_payments,
}

_XML_CACHE: dict[str, bytes] = {}


def xml_of(case: str) -> bytes:
    if case not in _XML_CACHE:
        _XML_CACHE[case] = build_cii(CASES[case]())
    return _XML_CACHE[case]


def text(root: etree._Element, path: str) -> str:
    values = root.xpath(path, namespaces=NSMAP)
    assert len(values) == 1, (path, values)
    return str(values[0])


def texts(root: etree._Element, path: str) -> list[str]:
    return [str(v) for v in root.xpath(path, namespaces=NSMAP)]


SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
LINES = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
)
AGREEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
)


def totals_of(xml: bytes) -> dict[str, Decimal]:
    root = etree.fromstring(xml)
    return {
        name: D(text(root, f"{TOTALS}/ram:{name}/text()"))
        for name in (
            "LineTotalAmount",
            "TaxBasisTotalAmount",
            "TaxTotalAmount",
            "GrandTotalAmount",
            "TotalPrepaidAmount",
            "DuePayableAmount",
        )
    }


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("case", list(CASES))
def test_xsd_valid(case: str) -> None:
    check_xsd(xml_of(case))


@pytest.mark.parametrize("case", list(CASES))
def test_en16931_schematron_has_no_failure(case: str) -> None:
    failures = schematron_failures(xml_of(case), "en16931")
    assert failures == [], "\n".join(f"{f.id} at {f.location}: {f.text}" for f in failures)


@pytest.mark.parametrize("case", list(CASES))
def test_totals_read_back_equal_stored_amounts(case: str) -> None:
    invoice = CASES[case]()
    sign = -1 if invoice.is_credit_note else 1
    totals = totals_of(xml_of(case))
    assert totals["LineTotalAmount"] == sign * sum(line.net for line in invoice.lines)
    assert totals["TaxBasisTotalAmount"] == sign * invoice.net
    assert totals["TaxTotalAmount"] == sign * invoice.vat_total
    assert totals["GrandTotalAmount"] == sign * invoice.gross
    assert totals["TotalPrepaidAmount"] == 0
    assert totals["DuePayableAmount"] == sign * invoice.gross
    root = etree.fromstring(xml_of(case))
    line_nets = [D(v) for v in texts(root, f"{LINES}//ram:LineTotalAmount/text()")]
    assert line_nets == [sign * line.net for line in invoice.lines]
    for vat in invoice.vat:
        rate = f"{vat.rate:.2f}"
        breakdown = f"{SETTLEMENT}/ram:ApplicableTradeTax[ram:RateApplicablePercent='{rate}']"
        assert D(text(root, f"{breakdown}/ram:BasisAmount/text()")) == sign * vat.base
        assert D(text(root, f"{breakdown}/ram:CalculatedAmount/text()")) == sign * vat.amount


# --------------------------------------------------------------------------- contents


def test_situation_matches_french_rules_7_6() -> None:
    root = etree.fromstring(xml_of("a_situation_380"))
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == "380"
    context = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext"
    assert (
        text(root, f"{context}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()")
        == "S1"
    )
    assert (
        text(root, f"{context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()")
        == GUIDELINE_EN16931
    )
    assert totals_of(xml_of("a_situation_380")) == {
        "LineTotalAmount": D("9100.00"),
        "TaxBasisTotalAmount": D("9100.00"),
        "TaxTotalAmount": D("1820.00"),
        "GrandTotalAmount": D("10920.00"),
        "TotalPrepaidAmount": D("0.00"),
        "DuePayableAmount": D("10920.00"),
    }
    # The deduction line stays negative: quantity -1 at a positive net price (BR-27),
    # and names the down-payment invoice (BT-128) and the document refers to it (BT-25).
    deduction = f"{LINES}[ram:AssociatedDocumentLineDocument/ram:LineID='2']"
    assert text(root, f"{deduction}//ram:BilledQuantity/text()") == "-1.0000"
    assert (
        text(root, f"{deduction}//ram:NetPriceProductTradePrice/ram:ChargeAmount/text()")
        == "3900.00"
    )
    assert text(root, f"{deduction}//ram:LineTotalAmount/text()") == "-3900.00"
    reference = f"{deduction}/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument"
    assert text(root, f"{reference}/ram:IssuerAssignedID/text()") == "FA2026-00001"
    assert text(root, f"{reference}/ram:TypeCode/text()") == "130"
    assert (
        text(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()")
        == "FA2026-00001"
    )
    assert (
        text(
            root,
            f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString/text()",
        )
        == "20260115"
    )
    # The retention is stated (BT-20 and a note), not taken out of the totals.
    terms = text(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description/text()")
    assert terms.startswith(TERMS)
    assert "retenue de garantie 780,00 EUR" in terms
    assert "net à payer à l'échéance 10 140,00 EUR" in terms
    notes = texts(root, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content/text()")
    assert any("retenue de garantie 780,00 EUR" in note for note in notes)
    assert (
        text(
            root,
            f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()",
        )
        == "20260530"
    )
    # Works site, contract, buyer reference, payment means.
    assert text(root, "//ram:ShipToTradeParty/ram:Name/text()") == "Chantier Résidence Les Tilleuls"
    assert (
        text(root, f"{AGREEMENT}/ram:ContractReferencedDocument/ram:IssuerAssignedID/text()")
        == "MARCHE-2026-017"
    )
    assert text(root, f"{AGREEMENT}/ram:BuyerReference/text()") == "SCI-TIL-2026"
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert text(root, f"{means}/ram:TypeCode/text()") == "58"
    assert (
        text(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()")
        == "FR7630006000011234567890189"
    )
    assert (
        text(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID/text()")
        == "AGRIFRPP882"
    )


def test_parties_carry_siren_siret_vat_and_address() -> None:
    root = etree.fromstring(xml_of("a_situation_380"))
    seller = f"{AGREEMENT}/ram:SellerTradeParty"
    buyer = f"{AGREEMENT}/ram:BuyerTradeParty"
    assert text(root, f"{seller}/ram:GlobalID[@schemeID='0009']/text()") == "73282932000074"
    assert (
        text(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']/text()")
        == "732829320"
    )
    assert (
        text(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()")
        == "FR44732829320"
    )
    assert (
        text(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']/text()")
        == "552100554"
    )
    assert (
        text(root, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']/text()")
        == "compta@tilleuls.example"
    )
    assert (
        text(root, f"{seller}/ram:PostalTradeAddress/ram:LineTwo/text()") == "Zone artisanale Nord"
    )


def test_reverse_charge_is_ae_with_reason() -> None:
    root = etree.fromstring(xml_of("d_reverse_charge"))
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert text(root, f"{tax}/ram:CategoryCode/text()") == "AE"
    assert text(root, f"{tax}/ram:RateApplicablePercent/text()") == "0.00"
    assert text(root, f"{tax}/ram:CalculatedAmount/text()") == "0.00"
    assert text(root, f"{tax}/ram:ExemptionReasonCode/text()") == "VATEX-EU-AE"
    assert text(root, f"{tax}/ram:ExemptionReason/text()") == "Autoliquidation"
    assert text(root, f"{LINES}//ram:ApplicableTradeTax/ram:CategoryCode/text()") == "AE"
    assert totals_of(xml_of("d_reverse_charge"))["GrandTotalAmount"] == D("8000.00")


@pytest.mark.parametrize(
    ("case", "number"),
    [("e_credit_note_381", "FA2026-00004"), ("f_down_payment_credit_503", "FA2026-00001")],
)
def test_credit_notes_are_written_positive_and_reference_the_invoice(
    case: str, number: str
) -> None:
    xml = xml_of(case)
    root = etree.fromstring(xml)
    assert (
        text(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()")
        == number
    )
    amounts = texts(
        root,
        "//ram:LineTotalAmount/text() | //ram:BasisAmount/text() | "
        "//ram:CalculatedAmount/text() | //ram:GrandTotalAmount/text() | "
        "//ram:DuePayableAmount/text() | //ram:BilledQuantity/text() | "
        "//ram:ChargeAmount/text()",
    )
    assert amounts and all(D(a) > 0 for a in amounts), amounts


def test_credit_note_totals() -> None:
    assert totals_of(xml_of("e_credit_note_381"))["GrandTotalAmount"] == D("1080.00")
    root = etree.fromstring(xml_of("e_credit_note_381"))
    assert text(root, f"{LINES}//ram:BilledQuantity/text()") == "20.0000"
    assert text(root, f"{LINES}//ram:BilledQuantity/@unitCode") == "MTK"
    assert totals_of(xml_of("f_down_payment_credit_503"))["GrandTotalAmount"] == D("11901.60")


def test_big_invoice_keeps_every_line() -> None:
    root = etree.fromstring(xml_of("g_1000_lines"))
    assert len(root.xpath(LINES, namespaces=NSMAP)) == 1000
    invoice = big_invoice()
    quantities = texts(root, f"{LINES}//ram:BilledQuantity/text()")
    assert [D(q) for q in quantities] == [line.quantity for line in invoice.lines]


def test_amount_formats() -> None:
    root = etree.fromstring(xml_of("c_three_rates"))
    rates = texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent/text()")
    assert rates == ["10.00", "5.50", "20.00"]
    assert texts(root, f"{LINES}//ram:BilledQuantity/@unitCode") == ["C62", "MTK", "C62"]
    assert text(root, f"{TOTALS}/ram:TaxTotalAmount/@currencyID") == "EUR"


# --------------------------------------------------------------------------- consistency


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"net": D("9100.01")}, "BR-CO-13"),
        ({"vat_total": D("1820.01"), "gross": D("10920.01"), "payable": D("10140.01")}, "BR-CO-14"),
        ({"gross": D("10920.10")}, "BR-CO-15"),
        ({"payable": D("10920.00")}, "BR-CO-16"),
        ({"retention": D("0.00")}, "BR-CO-16"),
        (
            {
                "vat": (EInvoiceVat(rate=D("20.00"), base=D("9100.00"), amount=D("1820.01")),),
                "vat_total": D("1820.01"),
                "gross": D("10920.01"),
                "payable": D("10140.01"),
            },
            "BR-CO-17",
        ),
        (
            {
                "vat": (EInvoiceVat(rate=D("20.00"), base=D("13000.00"), amount=D("2600.00")),),
                "vat_total": D("2600.00"),
                "gross": D("11700.00"),
                "payable": D("10920.00"),
            },
            "BR-S-08",
        ),
        ({"net": D("9100.001")}, "BR-DEC-12"),
        ({"preceding_invoices": ()}, "BT-25"),
        ({"deductions_total": D("-780.00"), "payable": D("11700.00")}, "sign"),
        ({"billing_framework": "X1"}, "BR-FR-08"),
        ({"type_code": "875"}, "type_code"),
        ({"lines": ()}, "BR-16"),
    ],
)
def test_inconsistent_totals_raise_naming_the_rule(change: dict[str, object], rule: str) -> None:
    invoice = dataclasses.replace(situation_1(), **change)  # type: ignore[arg-type]
    with pytest.raises(EInvoiceError) as caught:
        build_cii(invoice)
    assert caught.value.rule == rule
    assert str(caught.value).startswith(rule)


def test_line_with_four_decimal_amount_is_refused() -> None:
    base = situation_1()
    line = dataclasses.replace(base.lines[0], net=D("13000.0049"))
    with pytest.raises(EInvoiceError, match="BR-DEC-23"):
        check_consistency(dataclasses.replace(base, lines=(line, base.lines[1])))


def test_credit_note_stored_positive_is_refused() -> None:
    base = credit_note()
    line = dataclasses.replace(base.lines[0], quantity=D("20"), net=D("900.00"))
    positive = dataclasses.replace(
        base,
        lines=(line,),
        vat=(EInvoiceVat(rate=D("20.00"), base=D("900.00"), amount=D("180.00")),),
        net=D("900.00"),
        vat_total=D("180.00"),
        gross=D("1080.00"),
        payable=D("1080.00"),
    )
    with pytest.raises(EInvoiceError, match="sign"):
        build_cii(positive)


def test_negative_invoice_is_refused() -> None:
    base = credit_note()
    with pytest.raises(EInvoiceError, match="sign"):
        build_cii(dataclasses.replace(base, type_code="380"))


def test_credit_note_without_reference_is_refused() -> None:
    with pytest.raises(EInvoiceError, match="BR-FR-CO-05"):
        build_cii(dataclasses.replace(credit_note(), preceding_invoices=()))


def test_final_framework_is_refused_on_a_down_payment() -> None:
    with pytest.raises(EInvoiceError, match="BR-FR-CO-08"):
        build_cii(dataclasses.replace(down_payment(), billing_framework="S4"))


def test_reverse_charge_needs_rate_zero() -> None:
    base = reverse_charge()
    line = dataclasses.replace(base.lines[0], vat_rate=D("20.00"))
    with pytest.raises(EInvoiceError, match="BR-AE-05"):
        build_cii(dataclasses.replace(base, lines=(line,)))


def test_final_invoice_s4_references_every_down_payment() -> None:
    root = etree.fromstring(xml_of("h_final_s4_two_down_payments"))
    assert (
        text(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == "S4"
    )
    references = texts(
        root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()"
    )
    assert references == ["FA2026-00001", "FA2026-00002"]
    line_references = texts(
        root, f"{LINES}//ram:AdditionalReferencedDocument/ram:IssuerAssignedID/text()"
    )
    assert line_references == ["FA2026-00001", "FA2026-00002"]


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("m2", "MTK"),
        ("m²", "MTK"),
        ("M2", "MTK"),
        ("m3", "MTQ"),
        ("m³", "MTQ"),
        ("m", "MTR"),
        ("ml", "MTR"),
        ("h", "HUR"),
        ("kg", "KGM"),
        ("t", "TNE"),
        ("j", "DAY"),
        ("u", "C62"),
        ("U", "C62"),
        ("ens", "C62"),
        ("forfait", "C62"),
        ("ft", "C62"),
        ("", "C62"),
        ("sac", "C62"),
        ("MTK", "MTK"),
    ],
)
def test_unit_codes(unit: str, code: str) -> None:
    assert unit_code_for(unit) == code
