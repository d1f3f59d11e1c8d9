"""Credit notes (avoirs, 381; 503 for a down payment): all or part of an issued invoice.

A credit note reverses amounts; it never changes the progress recorded on the contract
(seed 002). Its amounts are negative in the books (API.md) and come from the engine,
which recomputes the VAT per rate on the credited lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from chantier.billing import engine
from chantier.billing.models import Invoice, InvoiceDeduction, InvoiceLine, InvoiceVat, Kind
from chantier.billing.services import Computation, _store
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.models import User
from chantier.core.services import audit_log


def stored_draft(invoice: Invoice) -> tuple[engine.InvoiceDraft, list[InvoiceLine]]:
    """An issued invoice's stored amounts as the engine's InvoiceDraft (no recomputation)."""
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position", "pk"))
    vat = InvoiceVat.objects.filter(invoice=invoice).order_by("-rate", "pk")
    deductions = InvoiceDeduction.objects.filter(invoice=invoice).order_by("position", "pk")
    return engine.InvoiceDraft(
        type_code=invoice.type_code,
        kind=invoice.kind,
        lines=tuple(
            engine.DraftLine(
                kind=line.kind,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net=line.net,
                vat_rate=line.vat_rate,
                line_id=line.contract_line_id,
                cumulative_quantity=line.cumulative_quantity,
                cumulative_percent=line.cumulative_percent,
                cumulative_amount=line.cumulative_amount,
                previous_amount=line.previous_amount,
                down_payment_invoice_id=line.down_payment_invoice_id,
                section=line.section,
            )
            for line in lines
        ),
        vat=tuple(engine.VatLine(v.rate, v.base, v.amount, v.category) for v in vat),
        net=invoice.net,
        vat_total=invoice.vat_total,
        gross=invoice.gross,
        works_net=invoice.works_net,
        works_gross=invoice.works_gross,
        works_gross_cumulative=invoice.works_gross_cumulative,
        retention_cumulative=invoice.retention_cumulative,
        retention=invoice.retention,
        deductions=tuple(
            engine.Deduction(label=d.label, amount=d.amount, kind=d.kind) for d in deductions
        ),
        deductions_total=invoice.deductions_total,
        payable=invoice.payable,
        global_percent=invoice.global_percent,
        revision_coefficient=invoice.revision_coefficient,
        warnings=(),
        framework=invoice.framework,
        works_net_cumulative=invoice.works_net_cumulative,
        retention_base=invoice.contract.retention_base,
    ), lines


@transaction.atomic
def credit_note_create(
    *, user: User, invoice: Invoice, line_ids: Sequence[int] | None = None
) -> Invoice:
    """A draft credit note reversing the whole invoice, or the lines `line_ids` of it."""
    require_writer(user)
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=invoice.pk)
    )
    if invoice.status != Invoice.Status.ISSUED:
        raise DomainError(_("Only an issued invoice can be credited."), field="status")
    if invoice.kind == Kind.CREDIT_NOTE or invoice.type_code in ("381", "503"):
        raise DomainError(_("A credit note cannot be credited."), field="status")
    draft, lines = stored_draft(invoice)
    already = set(
        InvoiceLine.objects.filter(credited_line__invoice=invoice).values_list(
            "credited_line_id", flat=True
        )
    )
    if line_ids is None:
        indexes = [i for i, line in enumerate(lines) if line.pk not in already]
        if not indexes:
            raise DomainError(_("This invoice is already fully credited."), field="lines")
    else:
        position = {line.pk: i for i, line in enumerate(lines)}
        unknown = [pk for pk in line_ids if pk not in position]
        if unknown or not line_ids:
            raise DomainError(
                _("Line %(id)s is not a line of this invoice.") % {"id": unknown[0]}
                if unknown
                else _("Choose at least one line to credit."),
                field="lines",
            )
        credited = [pk for pk in line_ids if pk in already]
        if credited:
            raise DomainError(
                _("Line %(id)s was already credited.") % {"id": credited[0]}, field="lines"
            )
        indexes = sorted({position[pk] for pk in line_ids})
    try:
        credit = engine.credit_note(
            invoice=draft,
            line_indexes=None if line_ids is None and not already else tuple(indexes),
        )
    except engine.BillingError as exc:
        raise DomainError(exc.message, field="lines") from None
    note = Invoice(
        company_id=invoice.company_id,
        contract=invoice.contract,
        client_id=invoice.client_id,
        kind=Kind.CREDIT_NOTE,
        period_date=invoice.period_date,
        credited_invoice=invoice,
        presentation=invoice.presentation,
        reverse_charge=invoice.reverse_charge,
        retention_rate=invoice.retention_rate,
        inputs={"lines": [lines[i].pk for i in indexes]},
        created_by=user,
    )
    _store(note, Computation(base=(), history=engine.History(), draft=credit))
    credited_rows = [lines[i] for i in indexes]
    new_lines = list(InvoiceLine.objects.filter(invoice=note).order_by("position", "pk"))
    for new_line, original in zip(new_lines, credited_rows, strict=False):
        new_line.credited_line = original
    InvoiceLine.objects.bulk_update(new_lines, ["credited_line"])
    audit_log(
        company=note.company,
        user=user,
        action="credit_note_create",
        obj=note,
        data={"invoice": invoice.number},
    )
    return note
