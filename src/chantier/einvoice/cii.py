"""Write a stored invoice as UN/CEFACT CII XML, Factur-X profile EN 16931.

`build_cii` formats the stored amounts; it never recomputes a total. Before
writing, `check_consistency` verifies that the stored totals obey the EN 16931
calculation rules (BR-CO-10 to BR-CO-17, the VAT breakdown rules BR-S-08 /
BR-AE-08) and raises `EInvoiceError` naming the rule when they do not.

Where each business term goes (CII paths under rsm:CrossIndustryInvoice):
- BT-23 cadre de facturation: ExchangedDocumentContext/
  BusinessProcessSpecifiedDocumentContextParameter/ID (where the French CTC rules
  BR-FR-08 read it); BT-24: GuidelineSpecifiedDocumentContextParameter/ID =
  "urn:cen.eu:en16931:2017" (what factur-x 7.8 detects as level "en16931").
- BT-1, BT-3, BT-2, BG-1 notes: ExchangedDocument.
- Lines (BG-25): IncludedSupplyChainTradeLineItem; a down-payment deduction line
  carries the 386 number as BT-128 (AdditionalReferencedDocument, TypeCode 130,
  ReferenceTypeCode IV) and stays negative (quantity < 0, price > 0: BR-27).
- Seller/buyer: BT-29/BT-46 SIRET = GlobalID@0009, BT-30/BT-47 SIREN =
  SpecifiedLegalOrganization/ID@0002, BT-31/BT-48 = SpecifiedTaxRegistration/ID@VA,
  BT-34/BT-49 = URIUniversalCommunication/URIID: the directory address @0225 when
  known, else the e-mail @EM.
- BT-10 BuyerReference, BT-12 ContractReferencedDocument.
- BG-15 works site: ApplicableHeaderTradeDelivery/ShipToTradeParty; BT-72
  ActualDeliverySupplyChainEvent (delivery_date, else the issue date).
- BG-16: payment means 58 (SEPA credit transfer, 30 outside SEPA) with BT-84 IBAN
  and BT-86 BIC, only when the seller has an IBAN (BR-61).
- BG-23 VAT breakdown; AE: rate 0, BT-121 VATEX-EU-AE, BT-120 "Autoliquidation".
- BT-20 payment terms text + the retention sentence; BT-9 due date.
- BG-22 totals: BT-106 = Σ line nets, BT-109, BT-110, BT-112, BT-113 = 0.00,
  BT-115 = BT-112 (the retention is not a payment: billing.md option a).
- BG-3 BT-25/BT-26: InvoiceReferencedDocument (credit notes, deducted down payments).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from chantier.core.money import round2

from .data import (
    BILLING_FRAMEWORKS,
    REVERSE_CHARGE,
    REVERSE_CHARGE_REASON_CODE,
    REVERSE_CHARGE_REASON_TEXT,
    STANDARD,
    TYPE_CODES,
    VAT_CATEGORIES,
    EInvoice,
    EInvoiceError,
    EInvoiceLine,
    Party,
)

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

SCHEME_SIREN = "0002"
SCHEME_SIRET = "0009"
SCHEME_VAT = "VA"
SCHEME_EMAIL = "EM"
SCHEME_DIRECTORY = "0225"  # French e-invoicing directory (annuaire) address
LINE_OBJECT_TYPE_CODE = "130"  # BT-128: invoiced object identifier
LINE_OBJECT_SCHEME_INVOICE = "IV"  # UNCL 1153 "Invoice number"
RETENTION_NOTE_SUBJECT = "AAI"  # UNCL 4451 "General information"

# IBAN country prefixes of the SEPA area: payment means 58, else 30.
_SEPA = frozenset(
    {
        "AD",
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "SM",
        "VA",
    }
)
_CENT = Decimal("0.01")
_QTY = Decimal("0.0001")
_ZERO = Decimal("0.00")
_QTY_ZERO = Decimal("0.0000")


# --------------------------------------------------------------------------- checks


def _places_ok(value: Decimal, quantum: Decimal) -> bool:
    return value.is_finite() and value == value.quantize(quantum)


def _check_amount(value: Decimal, rule: str, what: str) -> None:
    if not _places_ok(value, _CENT):
        raise EInvoiceError(rule, f"{what} {value} has more than 2 decimals")


def check_consistency(invoice: EInvoice) -> None:
    """Raise `EInvoiceError` (naming the rule) unless the stored amounts add up."""
    if invoice.type_code not in TYPE_CODES:
        raise EInvoiceError("type_code", f"type code {invoice.type_code!r} is not issued")
    if invoice.billing_framework not in BILLING_FRAMEWORKS:
        raise EInvoiceError("BR-FR-08", f"billing framework {invoice.billing_framework!r}")
    if invoice.billing_framework[1] == "4" and invoice.type_code in {"386", "503"}:
        raise EInvoiceError(
            "BR-FR-CO-08",
            f"framework {invoice.billing_framework} is for a final invoice, "
            f"not a {invoice.type_code}",
        )
    if invoice.currency != "EUR":
        raise EInvoiceError("currency", "only EUR invoices are written")
    if not invoice.lines:
        raise EInvoiceError("BR-16", "an invoice has at least one line")
    if not invoice.vat:
        raise EInvoiceError("BR-CO-18", "an invoice has at least one VAT breakdown")
    positions = [line.position for line in invoice.lines]
    if len(set(positions)) != len(positions):
        raise EInvoiceError("BR-21", "line positions must be unique")

    for line in invoice.lines:
        _check_line(line)
    _check_amount(invoice.net, "BR-DEC-12", "BT-109")
    _check_amount(invoice.vat_total, "BR-DEC-13", "BT-110")
    _check_amount(invoice.gross, "BR-DEC-14", "BT-112")
    _check_amount(invoice.payable, "BR-DEC-18", "payable amount")
    _check_amount(invoice.retention, "BR-DEC-18", "retention")
    _check_amount(invoice.deductions_total, "BR-DEC-18", "deductions")

    # Sign convention: credit notes are stored negative, invoices positive.
    # The gross decides the document's sign; a net of the other sign is possible when
    # VAT rates move in opposite directions (a correction at one rate, works at another).
    if invoice.is_credit_note:
        if invoice.gross > 0 or (invoice.gross == 0 and invoice.net > 0):
            raise EInvoiceError(
                "sign", "a credit note is stored with negative amounts (it is written positive)"
            )
        if not invoice.preceding_invoices:
            raise EInvoiceError("BR-FR-CO-05", "a credit note references the invoice it credits")
    elif invoice.gross < 0 or (invoice.gross == 0 and invoice.net < 0):
        raise EInvoiceError("sign", "a negative invoice must be issued as a credit note (381)")
    stored_sign = -1 if invoice.is_credit_note else 1
    # The retention follows the works (it may be given back on an invoice whose works were
    # corrected downwards); the deductions below the gross always have the document's sign.
    if invoice.deductions_total * stored_sign < 0:
        raise EInvoiceError("sign", "deductions have the document's sign")

    lines_total = sum((line.net for line in invoice.lines), _ZERO)
    # BT-106 is written as Σ BT-131, so BR-CO-10 holds by construction; with no
    # document-level allowance or charge (BR-CO-11/12: BT-107 = BT-108 = 0) the stored
    # net must equal it (BR-CO-13).
    if invoice.net != lines_total:
        raise EInvoiceError(
            "BR-CO-13",
            f"net BT-109 {invoice.net} != Σ line nets BT-106 {lines_total} (BR-CO-10, "
            "no allowance or charge)",
        )
    vat_sum = sum((vat.amount for vat in invoice.vat), _ZERO)
    if invoice.vat_total != vat_sum:
        raise EInvoiceError(
            "BR-CO-14", f"VAT total BT-110 {invoice.vat_total} != Σ VAT amounts {vat_sum}"
        )
    if invoice.gross != invoice.net + invoice.vat_total:
        raise EInvoiceError(
            "BR-CO-15",
            f"gross BT-112 {invoice.gross} != net {invoice.net} + VAT {invoice.vat_total}",
        )
    # BT-113 and BT-114 are 0.00, so BT-115 = BT-112; what is withheld below the gross
    # (retention, penalties) plus the amount payable now must give that gross.
    withheld = invoice.retention + invoice.deductions_total
    if invoice.payable != invoice.gross - withheld:
        raise EInvoiceError(
            "BR-CO-16",
            f"amount due BT-115 = gross {invoice.gross}, but payable {invoice.payable} + "
            f"retention {invoice.retention} + deductions {invoice.deductions_total} "
            f"= {invoice.payable + withheld}",
        )
    _check_vat_breakdown(invoice)
    _check_vat_parties(invoice)

    referenced = {ref.number for ref in invoice.preceding_invoices}
    for line in invoice.lines:
        if line.preceding_invoice_number and line.preceding_invoice_number not in referenced:
            raise EInvoiceError(
                "BT-25",
                f"line {line.position} deducts invoice {line.preceding_invoice_number}, "
                "which is missing from preceding_invoices (BG-3)",
            )


def _check_line(line: EInvoiceLine) -> None:
    _check_amount(line.net, "BR-DEC-23", f"line {line.position} net BT-131")
    if not _places_ok(line.quantity, _QTY):
        raise EInvoiceError(
            "BR-FR-DEC-02", f"line {line.position} quantity {line.quantity} has > 4 decimals"
        )
    if not line.unit_price.is_finite():
        raise EInvoiceError("BR-26", f"line {line.position} unit price")
    if line.vat_category not in VAT_CATEGORIES:
        raise EInvoiceError("BR-CO-04", f"line {line.position} VAT category {line.vat_category}")
    if not _places_ok(line.vat_rate, _CENT):
        raise EInvoiceError("BR-FR-DEC-04", f"line {line.position} VAT rate {line.vat_rate}")
    if line.vat_category == REVERSE_CHARGE and line.vat_rate != 0:
        raise EInvoiceError("BR-AE-05", f"line {line.position}: reverse charge has rate 0")
    if line.vat_category == STANDARD and line.vat_rate <= 0:
        raise EInvoiceError("BR-S-05", f"line {line.position}: standard rate must be > 0")
    if not line.description.strip():
        raise EInvoiceError("BR-25", f"line {line.position} has no description")


def _check_vat_breakdown(invoice: EInvoice) -> None:
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in invoice.lines:
        key = (line.vat_category, line.vat_rate)
        bases[key] = bases.get(key, _ZERO) + line.net
    seen: set[tuple[str, Decimal]] = set()
    for vat in invoice.vat:
        rule8 = f"BR-{vat.category}-08"
        if vat.category not in VAT_CATEGORIES:
            raise EInvoiceError("BR-CO-04", f"VAT category {vat.category}")
        key = (vat.category, vat.rate)
        if key in seen:
            raise EInvoiceError(rule8, f"VAT breakdown {vat.category} {vat.rate} % given twice")
        seen.add(key)
        _check_amount(vat.base, "BR-DEC-19", "VAT base BT-116")
        _check_amount(vat.amount, "BR-DEC-20", "VAT amount BT-117")
        if not _places_ok(vat.rate, _CENT):
            raise EInvoiceError("BR-FR-DEC-04", f"VAT rate {vat.rate}")
        if key not in bases:
            raise EInvoiceError(rule8, f"no line at {vat.category} {vat.rate} %")
        if vat.base != bases[key]:
            raise EInvoiceError(
                rule8,
                f"VAT base {vat.base} at {vat.category} {vat.rate} % != Σ line nets {bases[key]}",
            )
        if vat.amount != round2(vat.base * vat.rate / 100):
            raise EInvoiceError(
                "BR-CO-17",
                f"VAT {vat.amount} != round2({vat.base} × {vat.rate} %) "
                f"= {round2(vat.base * vat.rate / 100)}",
            )
        if vat.category == REVERSE_CHARGE and vat.exemption_reason_code not in (
            None,
            REVERSE_CHARGE_REASON_CODE,
        ):
            raise EInvoiceError("BR-AE-10", f"reason code {vat.exemption_reason_code}")
    missing = set(bases) - seen
    if missing:
        category, rate = sorted(missing)[0]
        raise EInvoiceError(f"BR-{category}-08", f"no VAT breakdown for {category} {rate} %")


def _check_vat_parties(invoice: EInvoice) -> None:
    categories = {line.vat_category for line in invoice.lines}
    if not invoice.seller.vat_number:
        rule = "BR-AE-02" if REVERSE_CHARGE in categories else "BR-S-02"
        raise EInvoiceError(rule, "the seller's VAT number (BT-31) is required")
    if REVERSE_CHARGE in categories and not invoice.buyer.vat_number and not invoice.buyer.siren:
        raise EInvoiceError("BR-AE-02", "reverse charge needs the buyer's VAT number or SIREN")


# --------------------------------------------------------------------------- formatting


def _amount(value: Decimal) -> str:
    q = value.quantize(_CENT)
    return f"{(q if q != 0 else _ZERO):.2f}"


def _quantity(value: Decimal) -> str:
    q = value.quantize(_QTY)
    return f"{(q if q != 0 else _QTY_ZERO):.4f}"


def _price(value: Decimal) -> str:
    if value == value.quantize(_CENT):
        return _amount(value)
    return format(value.normalize(), "f")


def _rate(value: Decimal) -> str:
    return f"{value.quantize(_CENT):.2f}"


def french_amount(value: Decimal) -> str:
    """10140.00 -> '10 140,00' (plain spaces: this goes into XML text)."""
    text = f"{value.quantize(_CENT):,.2f}"
    return text.replace(",", " ").replace(".", ",")


def retention_sentence(invoice: EInvoice, sign: int) -> str:
    """The BT-20 / note text for what is withheld below the gross ("" if nothing)."""
    retention = invoice.retention * sign
    deductions = invoice.deductions_total * sign
    if retention == 0 and deductions == 0:
        return ""
    parts = [f"Total TTC {french_amount(invoice.gross * sign)} EUR"]
    if retention:
        parts.append(f"retenue de garantie {french_amount(retention)} EUR")
    if deductions:
        parts.append(f"autres retenues et pénalités {french_amount(deductions)} EUR")
    parts.append(f"net à payer à l'échéance {french_amount(invoice.payable * sign)} EUR")
    text = " ; ".join(parts) + "."
    if retention:
        text += " La retenue de garantie est payable à sa libération."
    return text


# --------------------------------------------------------------------------- building


def _q(prefix: str, name: str) -> str:
    return f"{{{NSMAP[prefix]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, _q(prefix, name))
    if text is not None:
        element.text = text
    return element


def _date(parent: etree._Element, tag: str, value: datetime.date, prefix: str = "udt") -> None:
    wrapper = _sub(parent, tag)
    element = _sub(wrapper, f"{prefix}:DateTimeString", value.strftime("%Y%m%d"))
    element.set("format", "102")


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    if party.siret:
        _sub(element, "ram:GlobalID", party.siret).set("schemeID", SCHEME_SIRET)
    _sub(element, "ram:Name", party.name)
    if party.siren:
        legal = _sub(element, "ram:SpecifiedLegalOrganization")
        _sub(legal, "ram:ID", party.siren).set("schemeID", SCHEME_SIREN)
    _address(
        element,
        party.address_line1,
        party.address_line2,
        party.postcode,
        party.city,
        party.country,
    )
    if party.electronic_address:
        uri = _sub(element, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", party.electronic_address).set("schemeID", SCHEME_DIRECTORY)
    elif party.email:
        uri = _sub(element, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", party.email).set("schemeID", SCHEME_EMAIL)
    if party.vat_number:
        tax = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(tax, "ram:ID", party.vat_number).set("schemeID", SCHEME_VAT)


def _address(
    parent: etree._Element, line1: str, line2: str, postcode: str, city: str, country: str
) -> None:
    address = _sub(parent, "ram:PostalTradeAddress")
    if postcode:
        _sub(address, "ram:PostcodeCode", postcode)
    if line1:
        _sub(address, "ram:LineOne", line1)
    if line2:
        _sub(address, "ram:LineTwo", line2)
    if city:
        _sub(address, "ram:CityName", city)
    _sub(address, "ram:CountryID", country)


def _line(parent: etree._Element, line: EInvoiceLine, sign: int) -> None:
    quantity = line.quantity * sign
    price = line.unit_price
    if price < 0:  # BR-27: the net price is never negative; the sign goes to the quantity
        price, quantity = -price, -quantity
    item = _sub(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(document, "ram:LineID", str(line.position))
    if line.note:
        _sub(_sub(document, "ram:IncludedNote"), "ram:Content", line.note)
    _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _price(price))
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", _quantity(quantity)).set("unitCode", line.unit_code)
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", line.vat_category)
    _sub(tax, "ram:RateApplicablePercent", _rate(line.vat_rate))
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(line.net * sign))
    if line.preceding_invoice_number:
        reference = _sub(settlement, "ram:AdditionalReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", line.preceding_invoice_number)
        _sub(reference, "ram:TypeCode", LINE_OBJECT_TYPE_CODE)
        _sub(reference, "ram:ReferenceTypeCode", LINE_OBJECT_SCHEME_INVOICE)


def _notes(invoice: EInvoice, sign: int) -> Iterable[tuple[str, str]]:
    yield from invoice.notes
    sentence = retention_sentence(invoice, sign)
    if sentence:
        yield RETENTION_NOTE_SUBJECT, sentence


def build_cii(invoice: EInvoice) -> bytes:
    """The CII XML (UTF-8 bytes) of a stored invoice; raises `EInvoiceError`."""
    check_consistency(invoice)
    sign = -1 if invoice.is_credit_note else 1
    currency = invoice.currency

    root = etree.Element(_q("rsm", "CrossIndustryInvoice"), nsmap=NSMAP)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(
        _sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"),
        "ram:ID",
        invoice.billing_framework,
    )
    _sub(
        _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_EN16931
    )

    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", invoice.number)
    _sub(document, "ram:TypeCode", invoice.type_code)
    _date(document, "ram:IssueDateTime", invoice.issue_date)
    for subject, text in _notes(invoice, sign):
        note = _sub(document, "ram:IncludedNote")
        _sub(note, "ram:Content", text)
        if subject:
            _sub(note, "ram:SubjectCode", subject)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(transaction, line, sign)

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        _sub(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", invoice.seller)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    if invoice.contract_reference:
        contract = _sub(agreement, "ram:ContractReferencedDocument")
        _sub(contract, "ram:IssuerAssignedID", invoice.contract_reference)

    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    site = invoice.delivery_address
    if site is not None:
        ship_to = _sub(delivery, "ram:ShipToTradeParty")
        if site.name:
            _sub(ship_to, "ram:Name", site.name)
        _address(ship_to, site.line1, site.line2, site.postcode, site.city, site.country)
    # BT-72 is always written: without it the delivery group may be empty
    # (PEPPOL-EN16931-R008), and with no separate date the service date is the issue date.
    _date(
        _sub(delivery, "ram:ActualDeliverySupplyChainEvent"),
        "ram:OccurrenceDateTime",
        invoice.delivery_date or invoice.issue_date,
    )

    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", currency)
    seller = invoice.seller
    if seller.iban:
        iban = seller.iban.replace(" ", "").upper()
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", "58" if iban[:2] in _SEPA else "30")
        _sub(_sub(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", iban)
        if seller.bic:
            institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _sub(institution, "ram:BICID", seller.bic.replace(" ", "").upper())
    for vat in invoice.vat:
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(vat.amount * sign))
        _sub(tax, "ram:TypeCode", "VAT")
        if vat.category == REVERSE_CHARGE:
            _sub(tax, "ram:ExemptionReason", REVERSE_CHARGE_REASON_TEXT)
        _sub(tax, "ram:BasisAmount", _amount(vat.base * sign))
        _sub(tax, "ram:CategoryCode", vat.category)
        if vat.category == REVERSE_CHARGE:
            _sub(tax, "ram:ExemptionReasonCode", REVERSE_CHARGE_REASON_CODE)
        _sub(tax, "ram:RateApplicablePercent", _rate(vat.rate))

    terms_text = " ".join(
        part
        for part in (invoice.payment_terms_text.strip(), retention_sentence(invoice, sign))
        if part
    )
    if terms_text or invoice.due_date:
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if terms_text:
            _sub(terms, "ram:Description", terms_text)
        if invoice.due_date:
            _date(terms, "ram:DueDateDateTime", invoice.due_date)

    lines_total = sum((line.net for line in invoice.lines), _ZERO)
    totals = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(totals, "ram:LineTotalAmount", _amount(lines_total * sign))  # BT-106
    _sub(totals, "ram:TaxBasisTotalAmount", _amount(invoice.net * sign))  # BT-109
    _sub(totals, "ram:TaxTotalAmount", _amount(invoice.vat_total * sign)).set(
        "currencyID", currency
    )  # BT-110
    _sub(totals, "ram:GrandTotalAmount", _amount(invoice.gross * sign))  # BT-112
    _sub(totals, "ram:TotalPrepaidAmount", _amount(_ZERO))  # BT-113
    _sub(totals, "ram:DuePayableAmount", _amount(invoice.gross * sign))  # BT-115

    for preceding in invoice.preceding_invoices:
        reference = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", preceding.number)
        _date(reference, "ram:FormattedIssueDateTime", preceding.issue_date, prefix="qdt")

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
