"""Writes of payments and retention releases (billing.md "Payments and the décompte général").

Every write locks the invoice row first and changes its paid counters with F() (DESIGN
convention 4), so two concurrent payments can never both take the last euro owed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from chantier.billing.models import AppliesTo, Invoice, Method, Payment, RetentionRelease
from chantier.billing.services import today
from chantier.contracts.models import Contract
from chantier.core.access import company_of, require_admin, require_writer
from chantier.core.exceptions import DomainError, FieldErrors
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.money import round2
from chantier.core.services import audit_log
from chantier.parties.models import Client

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")


class NeedsConfirmation(DomainError):
    """Allowed, but the user must confirm a warning first (réserves open at release)."""


def clean_amount(value: object, field: str = "amount") -> Decimal:
    """A positive amount with at most 2 decimals, else a clear refusal."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter an amount such as 1250.00."), field=field) from None
    if not amount.is_finite():
        raise DomainError(_("Enter an amount such as 1250.00."), field=field)
    if amount <= 0:
        raise DomainError(_("The amount must be above zero."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(_("An amount has at most 2 decimals."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("This amount is too large."), field=field)
    return amount.quantize(Decimal("0.01"))


def check_payment_date(user: User, day: dt.date, *, not_before: dt.date | None = None) -> None:
    limit = today() + dt.timedelta(days=company_of(user).payment_future_days)
    if day > limit:
        raise DomainError(
            _("A payment cannot be dated after %(limit)s.") % {"limit": f"{limit:%d/%m/%Y}"},
            field="date",
        )
    if not_before is not None and day < not_before:
        raise DomainError(
            _("A payment cannot be dated before its invoice (%(date)s).")
            % {"date": f"{not_before:%d/%m/%Y}"},
            field="date",
        )


def _choice(value: str, allowed: list[str], field: str) -> str:
    if value not in allowed:
        raise DomainError(_("Choose one of the proposed values."), field=field)
    return value


def left_on_invoice(invoice: Invoice, applies_to: str) -> Decimal:
    """What the client still owes on one part of an invoice: the part's amount, credit
    notes issued against it deducted (their amounts are negative), minus what was paid."""
    credited = Invoice.objects.filter(
        credited_invoice=invoice, status=Invoice.Status.ISSUED
    ).aggregate(payable=Sum("payable"), retention=Sum("retention"))
    # quantized: SQLite sums decimals as floats (STACK-NOTES)
    if applies_to == AppliesTo.RETENTION:
        return round2(invoice.retention + (credited["retention"] or ZERO) - invoice.paid_retention)
    return round2(invoice.payable + (credited["payable"] or ZERO) - invoice.paid_payable)


def _counter(applies_to: str) -> str:
    return "paid_retention" if applies_to == AppliesTo.RETENTION else "paid_payable"


@transaction.atomic
def payment_record(
    *,
    user: User,
    invoice: Invoice,
    date: dt.date,
    amount: object,
    applies_to: str = AppliesTo.PAYABLE,
    method: str = Method.TRANSFER,
    reference: str = "",
    note: str = "",
    excess_as_credit: bool = False,
    bank_line_key: str = "",
) -> list[Payment]:
    """Record money received against an issued invoice, on its payable part or its
    retention (french-rules §2.4: the split matters for VAT on receipts). Refused on a
    draft, on a credit note, above what is left unless the excess is recorded as a credit
    on the client; the payment is tied to the invoice's contract (seed 002)."""
    require_writer(user)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    errors: dict[str, list[str]] = {}
    value = _collect(errors, "amount", lambda: clean_amount(amount))
    _collect(errors, "applies_to", lambda: _choice(applies_to, ["payable", "retention"], "x"))
    _collect(errors, "method", lambda: _choice(method, Method.values, "x"))
    if errors:
        raise FieldErrors(errors)
    if invoice.is_draft:
        raise DomainError(_("A draft invoice cannot be paid: issue it first."))
    if invoice.is_credit:
        raise DomainError(
            _("A credit note is not paid: it reduces what the client owes on the invoice.")
        )
    check_payment_date(user, date, not_before=invoice.issue_date)
    left = left_on_invoice(invoice, applies_to)
    excess = value - max(left, ZERO)
    if excess > 0 and not excess_as_credit:
        if applies_to == AppliesTo.RETENTION:
            message = _(
                "This is more than the retention left to release (%(left)s). Record the "
                "excess as a credit on the client, or correct the amount."
            )
        else:
            message = _(
                "This is more than is left to pay (%(left)s). Record the excess as a credit "
                "on the client, or correct the amount."
            )
        raise DomainError(message % {"left": euros(max(left, ZERO))}, field="amount")
    common = {
        "company_id": invoice.company_id,
        "client_id": invoice.client_id,
        "contract_id": invoice.contract_id,
        "date": date,
        "method": method,
        "reference": reference.strip()[:100],
        "note": note.strip()[:250],
        "created_by": user,
    }
    payments = []
    on_invoice = value - max(excess, ZERO)
    if on_invoice > 0:
        payments.append(
            Payment.objects.create(
                invoice=invoice,
                amount=on_invoice,
                applies_to=applies_to,
                bank_line_key=bank_line_key,
                **common,
            )
        )
        Invoice.objects.filter(pk=invoice.pk).update(
            **{_counter(applies_to): F(_counter(applies_to)) + on_invoice}
        )
    if excess > 0:
        payments.append(
            Payment.objects.create(
                invoice=None,
                amount=excess,
                applies_to=AppliesTo.CREDIT,
                bank_line_key="" if payments else bank_line_key,
                **common,
            )
        )
    for payment in payments:
        audit_log(
            company=invoice.company,
            user=user,
            action="payment_record",
            obj=payment,
            data={
                "invoice": invoice.number,
                "amount": str(payment.amount),
                "applies_to": payment.applies_to,
                "date": payment.date.isoformat(),
            },
        )
    return payments


@transaction.atomic
def client_credit_record(
    *,
    user: User,
    client: Client,
    contract: Contract | None,
    date: dt.date,
    amount: object,
    method: str = Method.TRANSFER,
    reference: str = "",
    note: str = "",
    bank_line_key: str = "",
) -> Payment:
    """Money received from a client for no invoice yet: a credit on the client (tied to
    a contract when given, so the contract's décompte counts it)."""
    require_writer(user)
    value = clean_amount(amount)
    _choice(method, Method.values, "method")
    if contract is not None and contract.client_id != client.pk:
        raise DomainError(_("This contract is not the client's."), field="contract")
    check_payment_date(user, date)
    payment = Payment.objects.create(
        company_id=client.company_id,
        client=client,
        contract=contract,
        invoice=None,
        date=date,
        amount=value,
        applies_to=AppliesTo.CREDIT,
        method=method,
        reference=reference.strip()[:100],
        note=note.strip()[:250],
        bank_line_key=bank_line_key,
        created_by=user,
    )
    audit_log(
        company=client.company,
        user=user,
        action="payment_record",
        obj=payment,
        data={"amount": str(value), "applies_to": "credit", "date": date.isoformat()},
    )
    return payment


@transaction.atomic
def payment_delete(*, user: User, payment: Payment, reason: str) -> None:
    """Delete a payment recorded by mistake: administrators only, with a reason kept in
    the audit trail with what the payment was (the invoices stay untouched)."""
    require_admin(user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why this payment is deleted."), field="reason")
    if payment.invoice_id is not None:
        Invoice.objects.select_for_update().filter(pk=payment.invoice_id).update(
            **{_counter(payment.applies_to): F(_counter(payment.applies_to)) - payment.amount}
        )
    if payment.release_id is not None:
        RetentionRelease.objects.filter(pk=payment.release_id).update(
            amount=F("amount") - payment.amount
        )
    audit_log(
        company=payment.company,
        user=user,
        action="payment_delete",
        obj=payment,
        data={
            "reason": reason,
            "invoice": payment.invoice.number if payment.invoice else "",
            "client": payment.client_id,
            "contract": payment.contract_id,
            "date": payment.date.isoformat(),
            "amount": str(payment.amount),
            "applies_to": payment.applies_to,
            "method": payment.method,
            "reference": payment.reference,
        },
    )
    payment.delete()


def _collect(errors: dict[str, list[str]], field: str, check: Any) -> Any:
    try:
        return check()
    except DomainError as error:
        errors.setdefault(field, []).append(error.message)
        return None
