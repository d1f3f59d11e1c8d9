"""The billing demo tells a story: paid and half-paid invoices, one overdue, a décompte
with a balance, and a hash chain that still verifies after the history was backdated."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from chantier.billing import account_selectors, issuing
from chantier.billing.models import Invoice, Payment
from chantier.core.demo import load_demo
from chantier.core.models import Company

pytestmark = pytest.mark.django_db


def test_the_demo_has_payments_an_overdue_invoice_and_a_valid_chain() -> None:
    assert load_demo()
    company = Company.objects.get()
    issued = Invoice.objects.filter(company=company, status="issued")
    assert issued.count() == 2
    assert Payment.objects.filter(company=company).count() == 2
    today = timezone.localdate()
    overdue = list(account_selectors.overdue_invoices(company, today))
    assert len(overdue) == 1 and overdue[0].left_payable > 0
    assert issuing.verify_chain(company) == (2, None)
    contract = overdue[0].contract
    account = account_selectors.final_account(contract, today)
    assert account.summary.paid > 0
    assert account.summary.left_to_pay == overdue[0].left_payable + account.summary.retention_held
    assert account.account.past[-1].balance == -account.summary.left_to_pay
    assert account.summary.retention_held > D("0")
