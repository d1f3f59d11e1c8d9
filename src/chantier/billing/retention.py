"""The retention of a contract: what is held, when it is released, and recording the
release (billing.md "Retention"; loi 71-584 art. 1-2; french-rules §2.1, §2.5, 2.B).

Releasing is an event with the payment received against the retention of each invoice,
never an edit of the invoices. Réserves still open only warn: in a private contract the
release is not blocked by them (loi 71-584 art. 2: released "même en l'absence de
mainlevée" unless the owner objects by registered letter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.billing.engine_account import release_date
from chantier.billing.models import AppliesTo, Invoice, Method, Payment, RetentionRelease
from chantier.billing.payment_services import (
    NeedsConfirmation,
    check_payment_date,
    clean_amount,
)
from chantier.contracts.models import Contract
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.money import AMOUNT_FIELD, round2
from chantier.core.services import audit_log

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class HeldRetention:
    invoice_id: int
    number: str
    held: Decimal


def credited_total(column: str) -> Subquery:
    """Σ `column` of the issued credit notes against the outer invoice (negative)."""
    return Subquery(
        Invoice.objects.filter(credited_invoice=OuterRef("pk"), status=Invoice.Status.ISSUED)
        .values("credited_invoice")
        .annotate(total=Sum(column))
        .values("total")
    )


def contract_release_date(contract: Contract) -> dt.date | None:
    return release_date(
        [contract.handover_date],
        warranty_months=contract.warranty_months,
        public=contract.procurement == Contract.Procurement.PUBLIC,
    )


def held_by_invoice(contract: Contract) -> list[HeldRetention]:
    """Retention still held on each issued invoice of the contract, oldest first (one
    query): its retention, credit notes against it deducted, minus what was paid."""
    rows = (
        Invoice.objects.filter(
            contract=contract, status=Invoice.Status.ISSUED, credited_invoice__isnull=True
        )
        .annotate(
            held=F("retention")
            + Coalesce(
                credited_total("retention"), Value(ZERO), output_field=DecimalField(**AMOUNT_FIELD)
            )
            - F("paid_retention")
        )
        .order_by("issue_date", "pk")
        .values_list("pk", "number", "held")
    )
    # quantized: SQLite sums decimals as floats (STACK-NOTES)
    held_rows = [HeldRetention(pk, number, round2(held)) for pk, number, held in rows]
    return [row for row in held_rows if row.held > 0]


def open_reserves(contract: Contract) -> int:
    from chantier.works.selectors import open_reserve_count

    return open_reserve_count(contract)


def _reserves_warning(contract: Contract, count: int) -> str:
    """Private contracts: réserves do not block the release (loi 71-584 art. 2); public
    ones: the refund waits until they are lifted (CCP R2191-35)."""
    if contract.procurement == Contract.Procurement.PUBLIC:
        text = ngettext(
            "%(count)d réserve is still open. In a public contract the refund waits until "
            "it is lifted (CCP R2191-35): confirm only if the buyer released the retention.",
            "%(count)d réserves are still open. In a public contract the refund waits until "
            "they are lifted (CCP R2191-35): confirm only if the buyer released the retention.",
            count,
        )
    else:
        text = ngettext(
            "%(count)d réserve is still open. The release is not blocked by it in a "
            "private contract (loi 71-584 art. 2): confirm to record it.",
            "%(count)d réserves are still open. The release is not blocked by them in a "
            "private contract (loi 71-584 art. 2): confirm to record it.",
            count,
        )
    return text % {"count": count}


@transaction.atomic
def retention_release(
    *,
    user: User,
    contract: Contract,
    date: dt.date,
    amount: object | None = None,
    method: str = Method.TRANSFER,
    reference: str = "",
    note: str = "",
    confirmed: bool = False,
) -> RetentionRelease:
    """Record the retention released and the money received for it, spread over the
    invoices that hold it, oldest first. Without an amount, all that is held."""
    require_writer(user)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.retention_guarantee:
        raise DomainError(
            _("This contract has a bank guarantee instead of a retention: record its end.")
        )
    if method not in Method.values:
        raise DomainError(_("Choose one of the proposed values."), field="method")
    held = held_by_invoice(contract)
    total = sum((row.held for row in held), ZERO)
    if total <= 0:
        raise DomainError(_("No retention is held on this contract."))
    value = total if amount in (None, "") else clean_amount(amount)
    if value > total:
        raise DomainError(
            _("Only %(held)s of retention is held on this contract.") % {"held": euros(total)},
            field="amount",
        )
    check_payment_date(user, date)
    reserves = open_reserves(contract)
    warnings = [_reserves_warning(contract, reserves)] if reserves else []
    due_on = contract_release_date(contract)
    if due_on is not None and date < due_on:
        warnings.append(
            _("The retention is due on %(date)s: this release is early.")
            % {"date": f"{due_on:%d/%m/%Y}"}
        )
    if warnings and not confirmed:
        raise NeedsConfirmation(" ".join(warnings))
    release = RetentionRelease.objects.create(
        company_id=contract.company_id,
        contract=contract,
        kind=RetentionRelease.Kind.RELEASE,
        date=date,
        amount=value,
        open_reserves=reserves,
        note=note.strip(),
        created_by=user,
    )
    left = value
    locked = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update().filter(
            pk__in=[row.invoice_id for row in held]
        )
    }
    for row in held:
        part = min(left, row.held)
        if part <= 0:
            break
        Payment.objects.create(
            company_id=contract.company_id,
            client_id=contract.client_id,
            contract=contract,
            invoice=locked[row.invoice_id],
            release=release,
            date=date,
            amount=part,
            applies_to=AppliesTo.RETENTION,
            method=method,
            reference=reference.strip()[:100],
            created_by=user,
        )
        Invoice.objects.filter(pk=row.invoice_id).update(paid_retention=F("paid_retention") + part)
        left -= part
    audit_log(
        company=contract.company,
        user=user,
        action="retention_release",
        obj=release,
        data={"amount": str(value), "date": date.isoformat(), "open_reserves": reserves},
    )
    return release


@transaction.atomic
def guarantee_release(
    *, user: User, contract: Contract, date: dt.date, note: str = ""
) -> RetentionRelease:
    """The bank guarantee given instead of the retention ends: recorded as an event, no
    money moves (french-rules 2.B "caution provided")."""
    require_writer(user)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.retention_guarantee:
        raise DomainError(_("This contract has no bank guarantee."))
    if RetentionRelease.objects.filter(
        contract=contract, kind=RetentionRelease.Kind.GUARANTEE_END
    ).exists():
        raise DomainError(_("The end of the bank guarantee is already recorded."))
    check_payment_date(user, date)
    release = RetentionRelease.objects.create(
        company_id=contract.company_id,
        contract=contract,
        kind=RetentionRelease.Kind.GUARANTEE_END,
        date=date,
        amount=ZERO,
        open_reserves=open_reserves(contract),
        note=note.strip(),
        created_by=user,
    )
    audit_log(
        company=contract.company,
        user=user,
        action="guarantee_release",
        obj=release,
        data={"date": date.isoformat(), "reference": contract.guarantee_reference},
    )
    return release
