"""Actualisation of a firm price (prix ferme actualisable, french-rules §4.1, example 4.B):
once, before any invoice, when more than three months pass between the price date and
the start of the works, every line's amount is multiplied by C = a + Σ b_k × I_k(start −
3 months) / I_k(0), rounded as the contract's revision coefficient."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from chantier.billing import engine
from chantier.billing import selectors as billing_selectors
from chantier.contracts.models import Contract, ContractLine
from chantier.contracts.selectors import contract_has_invoices, revision_indices
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.models import User
from chantier.core.money import round2
from chantier.core.services import audit_log

ONE = Decimal(1)


@transaction.atomic
def contract_actualise(
    *, user: User, contract: Contract, price_date: dt.date, start_date: dt.date
) -> Decimal:
    """Apply the actualisation coefficient to the contract's lines; returns it (1: none).

    Refused, nothing changed: already actualised, an invoice exists, no revision index,
    or an index value of the start month − 3 missing (named).
    """
    require_writer(user)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.actualisation_coefficient is not None:
        raise DomainError(_("The contract's prices are already actualised."), field="start_date")
    if contract_has_invoices(contract):
        raise DomainError(
            _("The contract has invoices: its prices can no longer be actualised."),
            field="start_date",
        )
    if start_date < price_date:
        raise DomainError(_("The start date is before the price date."), field="start_date")
    indices = [
        engine.RevisionIndex(name=i.name, weight=i.weight, base_value=i.base_value)
        for i in revision_indices(contract)
    ]
    if not indices:
        raise DomainError(
            _("Set the revision indices (formula) of the contract first."), field="start_date"
        )
    month = engine.actualisation_month(start_date)
    values: dict[str, Decimal] = {}
    for index in indices:
        value = billing_selectors.index_value(contract.company_id, index.name, month)
        if value is None and engine.actualisation_needed(
            price_date=price_date, start_date=start_date
        ):
            raise DomainError(
                _("The value of index %(name)s for %(month)s is missing: enter it first.")
                % {"name": index.name, "month": f"{month:%m/%Y}"},
                field="start_date",
            )
        values[index.name] = value or index.base_value
    coefficient = engine.actualisation_coefficient(
        price_date=price_date,
        start_date=start_date,
        fixed_part=contract.revision_fixed_part,
        indices=indices,
        values=values,
        rounding=contract.revision_rounding,
    )
    if coefficient != ONE:
        lines = list(ContractLine.objects.filter(contract=contract).exclude(kind="text"))
        for line in lines:
            line.unit_price = round2(line.unit_price * coefficient)
            line.net = round2(line.net * coefficient)  # the base actualised (example 4.B)
        ContractLine.objects.bulk_update(lines, ["unit_price", "net"], batch_size=1000)
        contract.base_net = sum((line.net for line in lines), Decimal("0.00"))
    contract.actualisation_coefficient = coefficient
    contract.lock_version += 1
    contract.save(update_fields=["actualisation_coefficient", "base_net", "lock_version"])
    audit_log(
        company=contract.company,
        user=user,
        action="contract_actualise",
        obj=contract,
        data={"coefficient": str(coefficient), "start_date": start_date.isoformat()},
    )
    return coefficient
