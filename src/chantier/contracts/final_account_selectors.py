"""Reads of the final account and the products used list.

- the contract's timeline (deadlines computed from the recorded dates, no query);
- the home page's reminders of the deadlines overdue or due within 15 days (one query);
- the projet de décompte final: the contract at initial prices with what the last issued
  statement billed (french-rules §8.1, step 1);
- the products used: the supply items of the catalogue behind each section's lines and
  their components (seed 002, "Liste des produits utilisés").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.catalogue.models import Item
from chantier.contracts import final_account_timeline as engine
from chantier.contracts.models import (
    ChangeOrder,
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
)
from chantier.contracts.selectors import contract_detail
from chantier.core.models import Company
from chantier.core.money import round2, round3

ZERO = Decimal("0.00")
NO_QUANTITY = Decimal("0.000")
REMINDER_CONTRACTS = 200  # contracts looked at for the home page, oldest handover first

# Labels of the steps: (public, private) wording.
STEP_LABELS = {
    engine.Step.FINAL_STATEMENT: (
        gettext_lazy("Final statement (projet de décompte final) sent to the MOE and the MOA"),
        gettext_lazy("Final claim (mémoire définitif) sent"),
    ),
    engine.Step.GENERAL_STATEMENT: (
        gettext_lazy("General statement (décompte général) notified by the owner"),
        gettext_lazy("Final account (décompte définitif) notified by the owner"),
    ),
    engine.Step.SIGNED_RETURN: (
        gettext_lazy("Signed general statement returned by the contractor"),
        gettext_lazy("Contractor's observations on the final account"),
    ),
    engine.Step.TACIT_GENERAL_STATEMENT: (
        gettext_lazy(
            "Owner notifies the general statement after the contractor's signed draft "
            "(otherwise tacit DGD)"
        ),
        gettext_lazy("Owner notifies the general statement"),
    ),
}
STEP_RULES = {
    engine.Step.FINAL_STATEMENT: (
        gettext_lazy("30 days from the handover"),
        gettext_lazy("60 days from the handover"),
    ),
    engine.Step.GENERAL_STATEMENT: (
        gettext_lazy(
            "30 days from the later receipt of the final statement by the MOE and by the MOA"
        ),
        gettext_lazy("45 days from the receipt of the final claim"),
    ),
    engine.Step.SIGNED_RETURN: (
        gettext_lazy("30 days from the notification of the general statement"),
        gettext_lazy("30 days from the notification of the final account"),
    ),
    engine.Step.TACIT_GENERAL_STATEMENT: (
        gettext_lazy("10 days from the receipt of the contractor's signed draft"),
        gettext_lazy("10 days from the receipt of the contractor's signed draft"),
    ),
}
STATUS_LABELS = {
    engine.Status.DONE: gettext_lazy("Done"),
    engine.Status.OVERDUE: gettext_lazy("Overdue"),
    engine.Status.TO_DO: gettext_lazy("To do"),
    engine.Status.NOT_STARTED: gettext_lazy("Not started"),
}
ACTOR_LABELS = {
    engine.Actor.CONTRACTOR: gettext_lazy("Contractor"),
    engine.Actor.OWNER: gettext_lazy("Owner"),
}


def step_label(step: engine.TimelineStep, kind: str) -> str:
    public, private = STEP_LABELS[step.step]
    return str(public if kind == engine.PUBLIC else private)


def step_rule(step: engine.TimelineStep, kind: str) -> str:
    public, private = STEP_RULES[step.step]
    return str(public if kind == engine.PUBLIC else private)


def events_of(contract: Contract) -> engine.Events:
    return engine.Events(
        handover=contract.handover_date,
        final_statement_sent=contract.final_statement_sent_date,
        final_statement_moe_received=contract.final_statement_moe_received_date,
        final_statement_moa_received=contract.final_statement_moa_received_date,
        general_statement_notified=contract.general_statement_notified_date,
        general_statement_returned=contract.general_statement_returned_date,
        draft_general_statement_received=contract.draft_general_statement_received_date,
    )


def contract_timeline(contract: Contract, today: dt.date) -> engine.Timeline | None:
    """The contract's final-account timeline (no query): the CCAG-Travaux one for a public
    contract, the NF P03-001 one for a private contract citing it, else None."""
    return engine.timeline(
        procurement=contract.procurement,
        nf_p03_001=contract.nf_p03_001,
        events=events_of(contract),
        today=today,
    )


@dataclass(frozen=True)
class StepRow:
    """A step as the page and the API show it."""

    step: engine.TimelineStep
    label: str
    rule: str
    actor: str
    status_label: str


def step_rows(timeline: engine.Timeline) -> list[StepRow]:
    return [
        StepRow(
            step=step,
            label=step_label(step, timeline.kind),
            rule=step_rule(step, timeline.kind),
            actor=str(ACTOR_LABELS[step.actor]),
            status_label=str(STATUS_LABELS[step.status]),
        )
        for step in timeline.steps
    ]


@dataclass(frozen=True)
class DeadlineReminder:
    contract: Contract
    step: engine.TimelineStep
    label: str

    @property
    def overdue(self) -> bool:
        return self.step.status == engine.Status.OVERDUE

    @property
    def summary(self) -> str:
        """'Final statement … sent to the MOE and the MOA: overdue since 01/04/2026'."""
        assert self.step.deadline is not None
        day = date_format(self.step.deadline, "SHORT_DATE_FORMAT")
        if self.overdue:
            return _("%(step)s: overdue since %(date)s") % {"step": self.label, "date": day}
        return _("%(step)s: due on %(date)s") % {"step": self.label, "date": day}


def final_account_reminders(
    company: Company, today: dt.date, limit: int = 50
) -> list[DeadlineReminder]:
    """The final-account deadlines overdue or due within 15 days (one query): contracts
    with a handover whose procedure is not over (signed statement not returned), public
    or citing NF P03-001; soonest deadline first."""
    contracts = (
        Contract.objects.filter(
            company=company,
            handover_date__isnull=False,
            general_statement_returned_date__isnull=True,
        )
        .filter(Q(procurement=Contract.Procurement.PUBLIC) | Q(nf_p03_001=True))
        .select_related("client")
        .order_by("handover_date", "pk")[:REMINDER_CONTRACTS]
    )
    found: list[DeadlineReminder] = []
    for contract in contracts:
        timeline = contract_timeline(contract, today)
        if timeline is None:
            continue
        for step in timeline.reminders(today):
            found.append(DeadlineReminder(contract, step, step_label(step, timeline.kind)))
    found.sort(key=lambda r: (r.step.deadline or today, r.contract.pk))
    return found[:limit]


# --- the projet de décompte final ------------------------------------------------------------


@dataclass
class StatementRow:
    section: ContractSection | None = None
    line: ContractLine | None = None
    billed_quantity: Decimal = NO_QUANTITY
    billed_amount: Decimal = ZERO


@dataclass
class FinalStatement:
    contract: Contract
    rows: list[StatementRow]
    change_orders: list[ChangeOrder]
    initial_net: Decimal  # the contract's own lines (from the quote or entered)
    change_orders_net: Decimal  # lines of approved change orders
    service_orders_net: Decimal  # lines of validated service orders
    net: Decimal
    vat_lines: list[dict[str, Decimal]]
    vat_total: Decimal
    gross: Decimal
    billed_net: Decimal  # works billed to date (last issued statement, cumulative)
    last_statement_number: str
    last_statement_date: dt.date | None
    line_count: int = 0

    @property
    def remaining_net(self) -> Decimal:
        return self.net - self.billed_net


def vat_breakdown(lines: list[ContractLine]) -> list[dict[str, Decimal]]:
    """One VAT amount per rate on the sum of the nets at that rate, rounded once
    (french-rules §5, EN 16931); highest rate first."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        bases[line.vat_rate] += line.net
    return [
        {"rate": rate, "base": base, "amount": round2(base * rate / Decimal(100))}
        for rate, base in sorted(bases.items(), reverse=True)
    ]


def final_statement(contract: Contract) -> FinalStatement:
    """The projet de décompte final: the total at initial prices (no revision), every line
    with its contract quantity and amount and what the last issued statement billed of it
    (cumulative), the approved change orders, the total excl. VAT, VAT per rate and incl.
    VAT (5 queries whatever the size of the contract)."""
    from chantier.billing import fetch
    from chantier.billing.models import InvoiceLine

    detail = contract_detail(contract, components=False)
    last = fetch.last_statement(contract)
    billed: dict[int, tuple[Decimal, Decimal]] = {}
    if last is not None:
        billed = {
            line_id: (quantity, amount)
            for line_id, quantity, amount in InvoiceLine.objects.filter(
                invoice=last, kind=InvoiceLine.Kind.WORK, contract_line__isnull=False
            ).values_list("contract_line_id", "cumulative_quantity", "cumulative_amount")
        }
    rows: list[StatementRow] = []
    for row in detail.rows:
        if row.section is not None:
            rows.append(StatementRow(section=row.section))
        elif row.line is not None:
            quantity, amount = billed.get(row.line.pk, (NO_QUANTITY, ZERO))
            rows.append(StatementRow(line=row.line, billed_quantity=quantity, billed_amount=amount))
    priced = [line for line in detail.lines if not line.is_text]
    initial = sum(
        (line.net for line in priced if not line.change_order_id and not line.service_order_id),
        ZERO,
    )
    change_orders_net = sum((line.net for line in priced if line.change_order_id), ZERO)
    service_orders_net = sum(
        (line.net for line in priced if line.service_order_id and not line.change_order_id), ZERO
    )
    net = sum((line.net for line in priced), ZERO)
    vat_lines = vat_breakdown(priced)
    vat_total = sum((entry["amount"] for entry in vat_lines), ZERO)
    change_orders = list(
        ChangeOrder.objects.filter(
            company_id=contract.company_id,
            contract=contract,
            status=ChangeOrder.Status.APPROVED,
        ).order_by("number")
    )
    return FinalStatement(
        contract=contract,
        rows=rows,
        change_orders=change_orders,
        initial_net=initial,
        change_orders_net=change_orders_net,
        service_orders_net=service_orders_net,
        net=net,
        vat_lines=vat_lines,
        vat_total=vat_total,
        gross=net + vat_total,
        billed_net=last.works_net_cumulative if last is not None else ZERO,
        last_statement_number=last.number if last is not None else "",
        last_statement_date=last.period_date if last is not None else None,
        line_count=len(detail.lines),
    )


# --- the products used -----------------------------------------------------------------------


@dataclass
class Product:
    item: Item
    quantity: Decimal
    unit: str

    @property
    def category(self) -> str:
        category = self.item.category
        if category is None:
            return ""
        return category.parent.name if category.parent_id and category.parent else category.name

    @property
    def subcategory(self) -> str:
        category = self.item.category
        if category is None or not category.parent_id:
            return ""
        return category.name


@dataclass
class ProductSection:
    label: str  # "2.1 Façade nord", or "" for lines outside any section
    products: list[Product] = field(default_factory=list)


def _section_label(section: ContractSection | None) -> str:
    return f"{section.number} {section.title}".strip() if section is not None else ""


def products_used(contract: Contract) -> list[ProductSection]:
    """The catalogue items of kind supply used on each section, in the contract's order
    (seed 002), each once per section with its quantity summed (3 queries).

    A line's item is the one its quote line was made from; otherwise, and for the
    components of a line (an ouvrage's supplies), the company's catalogue item of the same
    reference. Sections without a product are left out.
    """
    lines = list(
        ContractLine.objects.filter(company_id=contract.company_id, contract=contract)
        .exclude(kind=ContractLine.Kind.TEXT)
        .select_related(
            "section",
            "quote_line__item__category__parent",
            "quote_line__item__supplier",
        )
        .order_by("sort_key", "pk")
    )
    components = list(
        ContractLineComponent.objects.filter(
            company_id=contract.company_id, line__contract=contract
        )
        .exclude(reference="")
        .order_by("line_id", "position", "pk")
    )
    by_line: dict[int, list[ContractLineComponent]] = defaultdict(list)
    for component in components:
        by_line[component.line_id].append(component)

    def quote_item(line: ContractLine) -> Item | None:
        return line.quote_line.item if line.quote_line_id and line.quote_line else None

    references = {line.reference for line in lines if line.reference and not quote_item(line)}
    references |= {component.reference for component in components}
    catalogue = (
        {
            item.reference: item
            for item in Item.objects.filter(
                company_id=contract.company_id, reference__in=references
            ).select_related("category__parent", "supplier")
        }
        if references
        else {}
    )

    sections: dict[int | None, ProductSection] = {}
    seen: dict[tuple[int | None, int], Product] = {}

    def add(
        section: ContractSection | None, item: Item | None, quantity: Decimal, unit: str
    ) -> None:
        if item is None or item.kind != Item.Kind.SUPPLY:
            return
        key = section.pk if section is not None else None
        product = seen.get((key, item.pk))
        if product is not None:
            if product.unit == unit:
                product.quantity += quantity
            return
        product = Product(item=item, quantity=quantity, unit=unit)
        seen[(key, item.pk)] = product
        if key not in sections:
            sections[key] = ProductSection(_section_label(section))
        sections[key].products.append(product)

    for line in lines:
        item = quote_item(line) or (catalogue.get(line.reference) if line.reference else None)
        add(line.section, item, line.quantity, line.unit)
        for component in by_line.get(line.pk, []):
            quantity = round3(line.quantity * component.quantity_per_unit)
            add(line.section, catalogue.get(component.reference), quantity, component.unit)
    return list(sections.values())


def section_title(section: ProductSection) -> str:
    return section.label or _("Outside any section")
