"""An issued invoice as Factur-X: the stored amounts mapped to einvoice's EInvoice, the
CII XML built and embedded in the PDF/A-3 (billing.md "Factur-X").

Nothing is recomputed: lines, VAT per rate and totals are the stored rows, so the XML
totals equal the page, the PDF and the API (the einvoice builder refuses a document
whose totals do not add up, naming the BR-CO rule).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from chantier.billing import selectors
from chantier.billing.models import STATEMENT_KINDS, Invoice, InvoiceLine
from chantier.core.money import round2
from chantier.einvoice import cii, embed
from chantier.einvoice.data import (
    REVERSE_CHARGE,
    REVERSE_CHARGE_REASON_CODE,
    STANDARD,
    Address,
    EInvoice,
    EInvoiceLine,
    EInvoiceVat,
    Party,
    PrecedingInvoice,
    unit_code_for,
)

PAYMENT_TERMS = {
    "60d": "Paiement à 60 jours date de facture.",
    "45d_eom": "Paiement à 45 jours fin de mois.",
    "45d_then_eom": "Paiement à 45 jours fin de mois.",
}


def _line(position: int, line: InvoiceLine, category: str, numbers: dict[int, str]) -> EInvoiceLine:
    quantity, price = line.quantity, line.unit_price
    if quantity == 0 or round2(quantity * price) != line.net:
        # A % progress line: its delta is not quantity × price; state it as 1 × delta
        # (the cumulative figures go in the line note).
        quantity, price = Decimal(1), line.net
    note = ""
    if line.is_work:
        note = (
            f"Cumul {line.cumulative_percent:.2f} % = {line.cumulative_amount:.2f} ; "
            f"précédent {line.previous_amount:.2f}"
        )
    return EInvoiceLine(
        position=position,
        description=(line.description.splitlines() or ["—"])[0][:200] or "—",
        quantity=quantity,
        unit_code=unit_code_for(line.unit),
        unit_price=price,
        net=line.net,
        vat_rate=Decimal("0.00") if category == REVERSE_CHARGE else line.vat_rate,
        vat_category=category,
        preceding_invoice_number=numbers.get(line.down_payment_invoice_id or 0),
        note=note,
    )


def _party_of_company(invoice: Invoice) -> Party:
    company = invoice.company
    return Party(
        name=company.name,
        siren=company.siren or None,
        siret=company.siret or None,
        vat_number=company.vat_number or None,
        address_line1=company.address_line1,
        address_line2=company.address_line2,
        postcode=company.postcode,
        city=company.city,
        country=company.country or "FR",
        email=company.email or None,
        iban=company.iban or None,
        bic=company.bic or None,
    )


def einvoice_of(invoice: Invoice, document: selectors.InvoiceDocument | None = None) -> EInvoice:
    """The stored invoice as an EInvoice (signs as in the books)."""
    document = document or selectors.invoice_document(invoice)
    contract = invoice.contract
    client = invoice.client
    category = REVERSE_CHARGE if invoice.reverse_charge else STANDARD
    lines = tuple(
        _line(position, line, category, document.down_payments)
        for position, line in enumerate(
            (line for line in document.lines if line.net != 0 or not line.is_work), start=1
        )
    )
    preceding: list[PrecedingInvoice] = []
    if invoice.credited_invoice and invoice.credited_invoice.issue_date:
        preceding.append(
            PrecedingInvoice(
                number=invoice.credited_invoice.number,
                issue_date=invoice.credited_invoice.issue_date,
            )
        )
    if invoice.is_statement and invoice.type_code == "381":
        # A negative statement corrects the statements before it: it refers to the last.
        earlier = Invoice.objects.filter(
            contract=contract, status=Invoice.Status.ISSUED, kind__in=STATEMENT_KINDS
        ).exclude(pk=invoice.pk)
        if invoice.chain_position:
            earlier = earlier.filter(chain_position__lt=invoice.chain_position)
        last = earlier.order_by("-chain_position").first()
        if last is not None and last.issue_date:
            preceding.append(PrecedingInvoice(number=last.number, issue_date=last.issue_date))
    ids = sorted(document.down_payments)
    for down in Invoice.objects.filter(pk__in=ids).order_by("chain_position"):
        if down.issue_date:
            preceding.append(PrecedingInvoice(number=down.number, issue_date=down.issue_date))
    delivery = None
    if contract.address_line1 and contract.city:
        delivery = Address(
            name=contract.title[:100],
            line1=contract.address_line1,
            line2=contract.address_line2,
            postcode=contract.postcode,
            city=contract.city,
            country=contract.country or "FR",
        )
    notes = (
        [("PMD", invoice.company.late_penalty_text)] if invoice.company.late_penalty_text else []
    )
    if invoice.reverse_charge:
        notes.append(("TXD", "Autoliquidation"))
    return EInvoice(
        number=invoice.number,
        type_code=invoice.type_code,
        issue_date=invoice.issue_date or invoice.period_date,
        billing_framework=invoice.framework or "S1",
        seller=_party_of_company(invoice),
        buyer=Party(
            name=client.name,
            siren=client.siren or None,
            siret=None,
            vat_number=client.vat_number or None,
            address_line1=client.address_line1,
            address_line2=client.address_line2,
            postcode=client.postcode,
            city=client.city,
            country=client.country or "FR",
            email=client.email or None,
        ),
        lines=lines,
        vat=tuple(
            EInvoiceVat(
                rate=Decimal("0.00") if v.category == REVERSE_CHARGE else v.rate,
                base=v.base,
                amount=v.amount,
                category=v.category,
                exemption_reason_code=(
                    REVERSE_CHARGE_REASON_CODE if v.category == REVERSE_CHARGE else None
                ),
            )
            for v in document.vat
        ),
        net=invoice.net,
        vat_total=invoice.vat_total,
        gross=invoice.gross,
        payable=invoice.payable,
        delivery_address=delivery,
        contract_reference=(contract.reference or str(contract.pk))[:100],
        preceding_invoices=tuple(preceding),
        retention=invoice.retention,
        deductions_total=invoice.deductions_total,
        due_date=invoice.due_date,
        payment_terms_text=PAYMENT_TERMS.get(
            contract.payment_terms,
            _("Payment within %(days)s days of the invoice date.")
            % {"days": contract.payment_days or 30},
        ),
        notes=tuple(notes),
    )


def invoice_xml(invoice: Invoice, document: selectors.InvoiceDocument | None = None) -> bytes:
    return cii.build_cii(einvoice_of(invoice, document))


def embed_invoice_xml(pdf: bytes, invoice: Invoice) -> bytes:
    return embed.embed(pdf, invoice_xml(invoice), number=invoice.number)
