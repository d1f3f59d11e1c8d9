"""Fetch: build the billing engine's frozen inputs from the database (DESIGN convention 3).

Everything the engine needs about a contract comes from here in a fixed, small number
of queries: the billing base (contract lines, approved change orders included), the
contract's settings, and the history of what was issued (the last issued statement's
cumulative per line, the down payments and what was already deducted from them).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from chantier.billing import engine
from chantier.billing.models import STATEMENT_KINDS, Invoice, InvoiceLine, InvoiceVat, Kind
from chantier.contracts.models import Contract, ContractLine, ContractSection, Pricing
from chantier.contracts.selectors import revision_indices

ZERO = Decimal("0.00")


def base_lines(contract: Contract) -> tuple[engine.BaseLine, ...]:
    """The billing base in reading order (2 queries); text lines are not billed."""
    sections = {
        section.pk: f"{section.number} {section.title}".strip()
        for section in ContractSection.objects.filter(contract=contract).only(
            "pk", "number", "title"
        )
    }
    rows = (
        ContractLine.objects.filter(contract=contract)
        .exclude(kind=ContractLine.Kind.TEXT)
        .order_by("sort_key", "pk")
        .values_list(
            "pk",
            "description",
            "unit",
            "quantity",
            "unit_price",
            "net",
            "vat_rate",
            "pricing",
            "section_id",
        )
    )  # tuples, not model instances: 5,000 lines are read on every save of a statement
    lump_sum = Pricing.LUMP_SUM
    return tuple(
        engine.BaseLine(
            line_id=pk,
            description=description,
            unit=unit,
            quantity=quantity,
            unit_price=unit_price,
            net=net,
            vat_rate=vat_rate,
            lump_sum=(pricing or contract.pricing) == lump_sum,
            section=sections.get(section_id, "") if section_id else "",
        )
        for pk, description, unit, quantity, unit_price, net, vat_rate, pricing, section_id in rows
    )


def contract_settings(contract: Contract) -> engine.Settings:
    return engine.Settings(
        retention_rate=Decimal("0.00") if contract.retention_guarantee else contract.retention_rate,
        retention_base=contract.retention_base,
        retention_on=contract.retention_on,
        retention_guarantee=contract.retention_guarantee,
        down_payment_deduction=contract.down_payment_deduction,
        deduction_warning_threshold=contract.deduction_warning_threshold,
        revision_fixed_part=contract.revision_fixed_part,
        revision_rounding=contract.revision_rounding,
        indices=tuple(
            engine.RevisionIndex(name=index.name, weight=index.weight, base_value=index.base_value)
            for index in revision_indices(contract)
        ),
        reverse_charge=contract.reverse_charge,
    )


def last_statement(contract: Contract) -> Invoice | None:
    return (
        Invoice.objects.filter(
            contract=contract, status=Invoice.Status.ISSUED, kind__in=STATEMENT_KINDS
        )
        .order_by("-chain_position")
        .first()
    )


def history(contract: Contract) -> engine.History:
    """What was issued on the contract, as the engine's History (4 queries)."""
    last = last_statement(contract)
    previous: tuple[engine.LinePrevious, ...] = ()
    if last is not None:
        previous = tuple(
            engine.LinePrevious(
                line_id=line.contract_line_id,
                cumulative_quantity=line.cumulative_quantity,
                cumulative_percent=line.cumulative_percent,
                cumulative_amount=line.cumulative_amount,
            )
            for line in InvoiceLine.objects.filter(
                invoice=last, kind=InvoiceLine.Kind.WORK, contract_line__isnull=False
            ).only(
                "contract_line_id", "cumulative_quantity", "cumulative_percent", "cumulative_amount"
            )
        )
    return engine.History(
        lines=previous,
        works_net_cumulative=last.works_net_cumulative if last else ZERO,
        works_gross_cumulative=last.works_gross_cumulative if last else ZERO,
        retention_cumulative=last.retention_cumulative if last else ZERO,
        deducted=_deducted(contract),
        down_payments=down_payments(contract),
    )


def down_payments(contract: Contract) -> tuple[engine.DownPayment, ...]:
    """Issued down payments with their net per VAT rate, less their credit notes (503)."""
    issued = list(
        Invoice.objects.filter(
            contract=contract, status=Invoice.Status.ISSUED, kind=Kind.DOWN_PAYMENT
        ).order_by("chain_position")
    )
    if not issued:
        return ()
    nets: dict[int, dict[Decimal, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = InvoiceVat.objects.filter(invoice__in=issued).values_list("invoice_id", "rate", "base")
    for invoice_id, rate, base in rows:
        nets[invoice_id][rate] += base
    credited = InvoiceVat.objects.filter(
        invoice__status=Invoice.Status.ISSUED,
        invoice__credited_invoice__in=issued,
    ).values_list("invoice__credited_invoice_id", "rate", "base")
    for invoice_id, rate, base in credited:
        nets[invoice_id][rate] += base  # credit notes are stored negative
    return tuple(
        engine.DownPayment(
            invoice_id=invoice.pk,
            number=invoice.number,
            nets=tuple(
                engine.RateAmount(rate=rate, amount=amount)
                for rate, amount in sorted(nets[invoice.pk].items(), reverse=True)
                if amount != ZERO
            ),
        )
        for invoice in issued  # fully credited ones too: their number names past deductions
    )


def _deducted(contract: Contract) -> tuple[engine.DeductionPrevious, ...]:
    rows = (
        InvoiceLine.objects.filter(
            invoice__contract=contract,
            invoice__status=Invoice.Status.ISSUED,
            invoice__kind__in=STATEMENT_KINDS,
            kind=InvoiceLine.Kind.DEDUCTION,
        )
        .values("down_payment_invoice_id", "vat_rate")
        .annotate(total=Sum("net"))
        .order_by("down_payment_invoice_id", "vat_rate")
    )
    return tuple(
        engine.DeductionPrevious(
            invoice_id=row["down_payment_invoice_id"], rate=row["vat_rate"], amount=-row["total"]
        )
        for row in rows
    )


def works_billed(contract: Contract) -> Decimal:
    last = last_statement(contract)
    return last.works_net_cumulative if last else ZERO


def down_payments_total(contract: Contract) -> Decimal:
    total = (
        Invoice.objects.filter(contract=contract, status=Invoice.Status.ISSUED)
        .filter(kind=Kind.DOWN_PAYMENT)
        .aggregate(total=Sum("net"))["total"]
        or ZERO
    )
    credited = (
        Invoice.objects.filter(
            status=Invoice.Status.ISSUED,
            credited_invoice__contract=contract,
            credited_invoice__kind=Kind.DOWN_PAYMENT,
        ).aggregate(total=Sum("net"))["total"]
        or ZERO
    )
    return total + credited
