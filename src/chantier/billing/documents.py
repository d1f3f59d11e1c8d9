"""The invoice PDF (document kind "invoice") and the statement PDF ("statement").

An issued invoice or credit note is a Factur-X PDF/A-3: its CII XML, built from the
stored amounts (billing/facturx.py), is embedded by the kind's `finish` step. A draft
prints with a "DRAFT" banner and no XML: it has no number yet.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.billing import selectors
from chantier.billing.models import Invoice, InvoiceLine, Kind
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines, percent
from chantier.core.models import Company
from chantier.documents.registry import DocumentKind, Params, register
from chantier.documents.rendering import render_pdf
from chantier.quotes.documents import REDUCED_RATES, same_address

FIXED_ROWS = 40


def clean_params(params: Params) -> dict[str, Any]:
    try:
        pk = int(str(params.get("invoice")))
    except (TypeError, ValueError):
        raise DomainError(_("Unknown invoice."), field="invoice") from None
    if pk < 1:
        raise DomainError(_("Unknown invoice."), field="invoice")
    return {"invoice": pk}


def get_invoice(company: Company, params: Params) -> Invoice:
    pk = clean_params(params)["invoice"]
    invoice = (
        Invoice.objects.select_related(
            "contract", "client", "credited_invoice", "company", "contract__site"
        )
        .filter(company=company, pk=pk)
        .first()
    )
    if invoice is None:
        raise DomainError(_("Unknown invoice."), field="invoice")
    return invoice


def document_title(invoice: Invoice) -> str:
    """'Facture de situation n°2', 'Avoir', 'Facture d'acompte'…"""
    if invoice.type_code == "503":
        return _("Credit note on a down-payment invoice")
    if invoice.type_code == "381":
        return _("Credit note")
    if invoice.kind == Kind.DOWN_PAYMENT:
        return _("Down-payment invoice")
    if invoice.kind == Kind.FINAL:
        return _("Final invoice")
    if invoice.kind == Kind.SUPPLEMENTARY:
        return _("Supplementary invoice")
    if invoice.statement_number:
        return _("Progress invoice no. %(n)s") % {"n": invoice.statement_number}
    return _("Progress invoice")


def title(company: Company, params: Params) -> str:
    invoice = get_invoice(company, params)
    return f"{document_title(invoice)} {invoice.number}".strip()


def estimate_rows(company: Company, params: Params) -> int:
    pk = clean_params(params)["invoice"]
    return InvoiceLine.objects.filter(company=company, invoice_id=pk).count() + FIXED_ROWS


def reduced_vat_mention() -> str:
    """The client's signed certification for a 10 % or 5.5 % rate (french-rules §5.1)."""
    return _(
        "I, the undersigned client, certify that the works invoiced here are carried out "
        "in residential premises completed more than two years ago; that, over two years "
        "at most, they do not contribute to the production of a new building (French tax "
        "code, article 257, I-2-2°) nor increase the floor area of the existing premises "
        "by more than %(limit)s; and that the conditions of the reduced VAT rate are met."
    ) % {"limit": percent(10)}


def build_context(company: Company, params: Params) -> dict[str, Any]:
    invoice = get_invoice(company, params)
    document = selectors.invoice_document(invoice)
    contract = invoice.contract
    client = invoice.client
    show_site = bool(address_lines(contract)) and not same_address(contract, client)
    other_lines = document.other_lines
    for line in other_lines:
        line.down_payment_number = document.down_payments.get(  # type: ignore[attr-defined]
            line.down_payment_invoice_id or 0, ""
        )
    grouped = invoice.presentation == Invoice.Presentation.GROUPED
    recap: list[Invoice] = []
    if invoice.show_recap and invoice.is_statement:
        recap = [*selectors.previous_statements(invoice), invoice]
    reduced = any(v.rate in REDUCED_RATES for v in document.vat)
    return {
        "invoice": invoice,
        "contract": contract,
        "client": client,
        "credited": invoice.credited_invoice,
        "client_lines": address_lines(client),
        "site_lines": address_lines(contract) if show_site else [],
        "document_title": document_title(invoice),
        "grouped": grouped,
        "work_rows": document.grouped if grouped else document.sections,
        "other_lines": other_lines,
        "vat_lines": document.vat,
        "deductions": document.deductions,
        "revision": _revision(invoice),
        "recap": recap,
        "reduced_vat_mention": reduced_vat_mention() if reduced else "",
    }


def _revision(invoice: Invoice) -> dict[str, Any] | None:
    if invoice.revision_coefficient is None:
        return None
    used = invoice.inputs.get("index_values_used") or {}
    indices = invoice.inputs.get("indices") or []
    fixed = invoice.inputs.get("revision_fixed_part", "")
    terms = " + ".join(f"{i['weight']} × {i['name']}(n)/{i['name']}(0)" for i in indices)
    return {
        "formula": f"C = {fixed} + {terms}" if terms else "",
        "indices": [
            {"name": i["name"], "value": used.get(i["name"], ""), "base_value": i["base_value"]}
            for i in indices
        ],
    }


def finish(content: bytes, company: Company, params: Params) -> bytes:
    """Embed the Factur-X XML in an issued invoice's PDF (drafts stay plain PDFs)."""
    invoice = get_invoice(company, params)
    if invoice.is_draft:
        return content
    from chantier.billing import facturx

    return facturx.embed_invoice_xml(content, invoice)


def filename(invoice: Invoice) -> str:
    name = invoice.number or f"brouillon-{invoice.pk}"
    return f"{name}.pdf".replace("/", "-").replace(" ", "-")


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of one invoice, rendered now (the API's /pdf)."""
    company = invoice.company
    params = {"invoice": invoice.pk}
    content = render_pdf(
        template_name=INVOICE.template_name,
        context=build_context(company, params),
        company=company,
        title=title(company, params),
    )
    return finish(content, company, params)


INVOICE = DocumentKind(
    key="invoice",
    label=gettext_lazy("Invoice"),
    template_name="billing/pdf/invoice.html",
    build_context=build_context,
    estimate_rows=estimate_rows,
    title=title,
    clean_params=clean_params,
    finish=finish,
    rows_per_page=40,
)


def statement_title(company: Company, params: Params) -> str:
    invoice = get_invoice(company, params)
    return _("Progress statement %(n)s – %(contract)s") % {
        "n": invoice.statement_number or "",
        "contract": invoice.contract.reference or invoice.contract.title,
    }


def statement_context(company: Company, params: Params) -> dict[str, Any]:
    invoice = get_invoice(company, params)
    if not invoice.is_statement:
        raise DomainError(_("Only a progress statement has a statement document."))
    document = selectors.invoice_document(invoice)
    return {
        "invoice": invoice,
        "contract": invoice.contract,
        "client": invoice.client,
        "client_lines": address_lines(invoice.client),
        "sections": document.sections,
    }


STATEMENT = DocumentKind(
    key="statement",
    label=gettext_lazy("Progress statement"),
    template_name="billing/pdf/statement.html",
    build_context=statement_context,
    estimate_rows=estimate_rows,
    title=statement_title,
    clean_params=clean_params,
    rows_per_page=40,
)


def register_kind() -> None:
    register(INVOICE)
    register(STATEMENT)
