"""Issue an invoice or credit note: number, due date, hash chain (billing.md "Numbering").

Issuing runs under the company's row lock: numbers and chain positions are taken one
company at a time, so concurrent issues get consecutive numbers with no gap and no
duplicate, and each document's hash covers the previous one's (ADR 0002, DESIGN
"Issued is final").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.billing import engine, selectors
from chantier.billing.models import Invoice, Kind
from chantier.billing.services import compute
from chantier.contracts.models import Contract
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.models import Company, User
from chantier.core.services import audit_log, format_number, sequence_next

GENESIS = "0" * 64


class AlreadyIssued(DomainError):
    """The invoice was issued already (the API answers 409)."""


class NeedsConfirmation(DomainError):
    """Issuing is allowed but the user must confirm a warning first (seed 001)."""


def _same_amounts(
    invoice: Invoice, draft: engine.InvoiceDraft, document: selectors.InvoiceDocument
) -> bool:
    stored = [
        (line.contract_line_id, line.kind, line.net, line.vat_rate) for line in document.lines
    ]
    fresh = [(line.line_id, line.kind, line.net, line.vat_rate) for line in draft.lines]
    return stored == fresh and (
        invoice.net,
        invoice.gross,
        invoice.retention,
        invoice.payable,
        invoice.type_code,
    ) == (draft.net, draft.gross, draft.retention, draft.payable, draft.type_code)


@transaction.atomic
def invoice_issue(*, user: User, invoice: Invoice, confirm: bool = False) -> Invoice:
    """Give the draft its number and make it final.

    Before that, the draft is recomputed against the contract as it is now: when an
    invoice was issued or a change order approved since it was saved, its amounts would
    be wrong, so issuing is refused and the user reviews it (nothing changes).
    """
    require_writer(user)
    # Lock order everywhere: contract → invoice → company. The draft's amounts depend on
    # its contract only, so they are checked under the contract's lock; the company's
    # lock (numbers, chain) is taken last and held for a few queries.
    Contract.objects.select_for_update().filter(pk=invoice.contract_id).first()
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("contract", "client", "company", "credited_invoice")
        .get(pk=invoice.pk)
    )
    if invoice.status == Invoice.Status.ISSUED:
        raise AlreadyIssued(
            _("Invoice %(number)s is already issued.") % {"number": invoice.number},
            field="status",
        )
    document = selectors.invoice_document(invoice)  # read once: checks, XML and hash
    if invoice.kind != Kind.CREDIT_NOTE:
        _check_still_right(invoice, document, confirm=confirm)
    today = timezone.localdate()
    is_credit = invoice.type_code in ("381", "503")
    invoice.issue_date = today
    invoice.due_date = None if is_credit else _due_date(invoice, today)
    invoice.number = "0"  # provisional: the e-invoice check needs a number, not this one
    _check_einvoice(invoice, document)
    company = Company.objects.select_for_update().get(pk=invoice.company_id)
    pattern = company.credit_note_number_format if is_credit else company.invoice_number_format
    series = "invoice"
    if is_credit and company.credit_note_number_format != company.invoice_number_format:
        series = "credit_note"
    seq = sequence_next(company=company, series=series, year=today.year)
    invoice.number = format_number(pattern, year=today.year, seq=seq)
    previous = (
        Invoice.objects.filter(company=company, chain_position__isnull=False)
        .order_by("-chain_position")
        .only("chain_position", "content_hash")
        .first()
    )
    invoice.chain_position = (previous.chain_position or 0) + 1 if previous else 1
    invoice.previous_hash = previous.content_hash if previous else GENESIS
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = user
    invoice.content_hash = content_hash(invoice, document)
    invoice.save()
    audit_log(
        company=company,
        user=user,
        action="invoice_issue",
        obj=invoice,
        data={"number": invoice.number, "hash": invoice.content_hash},
    )
    return invoice


def _check_still_right(
    invoice: Invoice, document: selectors.InvoiceDocument, *, confirm: bool
) -> None:
    draft = compute(invoice).draft
    if all(line.net == 0 for line in draft.lines) and not draft.deductions:
        raise DomainError(
            _("Nothing to invoice: no line progressed since the last statement."),
            field="progress",
        )
    if not _same_amounts(invoice, draft, document):
        raise DomainError(
            _(
                "The contract changed since this draft was saved (another invoice or a "
                "change order): open the draft, check it and save it again."
            ),
            field="status",
        )
    if not confirm and any(w.code == "no_deduction" for w in draft.warnings):
        raise NeedsConfirmation(
            _(
                "No down-payment deduction is entered although a balance remains and the "
                "progress is above the contract's threshold. Confirm to issue anyway."
            ),
            field="down_payment_deduction",
        )


def _check_einvoice(invoice: Invoice, document: selectors.InvoiceDocument) -> None:
    """An issued invoice must make a valid Factur-X: refuse (and give the number back,
    the transaction rolls back) when the seller's or buyer's data cannot make one."""
    from chantier.billing import facturx
    from chantier.einvoice.data import EInvoiceError

    try:
        facturx.invoice_xml(invoice, document)
    except EInvoiceError as exc:
        raise DomainError(
            _(
                "This invoice cannot be issued as a valid e-invoice (%(rule)s: %(detail)s). "
                "Complete the company's legal identity in Settings (SIREN, VAT number, "
                "address) or the client's address, then issue again."
            )
            % {"rule": exc.rule, "detail": exc.message},
            field="status",
        ) from None


def _due_date(invoice: Invoice, day: Any) -> Any:
    contract = invoice.contract
    return engine.due_date(
        invoice_date=day, terms=contract.payment_terms, days=contract.payment_days
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value}"


def canonical_content(invoice: Invoice, document: selectors.InvoiceDocument | None = None) -> bytes:
    """The issued document's content as canonical JSON: what the hash covers."""
    document = document or selectors.invoice_document(invoice)
    lines, vat, deductions = document.lines, document.vat, document.deductions
    content = {
        "company": invoice.company_id,
        "contract": invoice.contract_id,
        "client": invoice.client_id,
        "number": invoice.number,
        "kind": invoice.kind,
        "type_code": invoice.type_code,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "credited_invoice": invoice.credited_invoice_id,
        "totals": [
            _money(invoice.net),
            _money(invoice.vat_total),
            _money(invoice.gross),
            _money(invoice.retention),
            _money(invoice.deductions_total),
            _money(invoice.payable),
        ],
        "lines": [
            [
                line.kind,
                line.contract_line_id,
                line.description,
                _money(line.quantity),
                _money(line.unit_price),
                _money(line.net),
                _money(line.vat_rate),
                _money(line.cumulative_amount),
                _money(line.previous_amount),
                line.down_payment_invoice_id,
            ]
            for line in lines
        ],
        "vat": [[_money(v.rate), _money(v.base), _money(v.amount), v.category] for v in vat],
        "deductions": [[d.label, d.kind, _money(d.amount)] for d in deductions],
        "previous_hash": invoice.previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(invoice: Invoice, document: selectors.InvoiceDocument | None = None) -> str:
    return hashlib.sha256(canonical_content(invoice, document)).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    company_id: int
    position: int
    number: str
    reason: str


def verify_chain(company: Company | None = None) -> tuple[int, BrokenLink | None]:
    """Check every issued document's hash and link; (documents checked, first broken link)."""
    companies = [company] if company else list(Company.objects.order_by("pk"))
    checked = 0
    for each in companies:
        expected_previous = GENESIS
        expected_position = 1
        issued = Invoice.objects.filter(company=each, chain_position__isnull=False).order_by(
            "chain_position"
        )
        for invoice in issued.iterator(chunk_size=500):
            checked += 1
            reason = ""
            if invoice.chain_position != expected_position:
                reason = f"position {invoice.chain_position}, expected {expected_position}"
            elif invoice.previous_hash != expected_previous:
                reason = "previous hash does not match the document before it"
            elif content_hash(invoice) != invoice.content_hash:
                reason = "content changed since it was issued"
            if reason:
                return checked, BrokenLink(
                    each.pk, invoice.chain_position or 0, invoice.number, reason
                )
            expected_previous = invoice.content_hash
            expected_position += 1
    return checked, None
