"""Stand-alone rules of the billing engine: revision and actualisation coefficients
(french-rules §4, 4.A, 4.B), due dates (§6, 6.A), penalties (§9, 9.A), and the engine's
independence from Django."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from chantier.billing.engine import (
    BillingError,
    RevisionIndex,
    actualisation_coefficient,
    actualisation_month,
    actualise,
    advance_repayment,
    due_date,
    penalty,
    revision_coefficient,
    split_by_weights,
)

D = Decimal
BT01 = (RevisionIndex("BT01", D("0.875"), D("130.0")),)


def test_engine_does_not_import_django() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys, chantier.billing.engine; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_4a_coefficients() -> None:
    values = {"BT01": D("134.5")}
    assert revision_coefficient(
        fixed_part=D("0.125"), indices=BT01, values=values, rounding="3up"
    ) == D("1.031")
    assert revision_coefficient(
        fixed_part=D("0.125"), indices=BT01, values=values, rounding="4half"
    ) == D("1.0303")
    raw = revision_coefficient(fixed_part=D("0.125"), indices=BT01, values=values, rounding="none")
    assert D("1.030288") < raw < D("1.030289")
    assert revision_coefficient(
        fixed_part=D("0"),
        indices=(RevisionIndex("BT01", D("1"), D("130.0")),),
        values=values,
        rounding="3up",
    ) == D("1.035")


def test_3up_is_the_upper_thousandth_below_1_too() -> None:
    # 0.125 + 0.875 × 128.0 / 130.0 = 0.98653… → 0.987 (towards +∞), not 0.986.
    coefficient = revision_coefficient(
        fixed_part=D("0.125"), indices=BT01, values={"BT01": D("128.0")}, rounding="3up"
    )
    assert coefficient == D("0.987")


def test_several_indices() -> None:
    indices = (
        RevisionIndex("BT01", D("0.500"), D("100")),
        RevisionIndex("TP01", D("0.375"), D("200")),
    )
    coefficient = revision_coefficient(
        fixed_part=D("0.125"),
        indices=indices,
        values={"BT01": D("110"), "TP01": D("220")},
        rounding="4half",
    )
    assert coefficient == D("1.0875")  # 0.125 + 0.55 + 0.4125


def test_missing_index_is_named() -> None:
    with pytest.raises(BillingError) as caught:
        revision_coefficient(
            fixed_part=D("0.125"), indices=BT01, values={"TP01": D("1")}, rounding="3up"
        )
    assert caught.value.code == "missing_index"
    assert caught.value.field == "index_values"
    assert caught.value.params == {"name": "BT01"}
    assert "BT01" in caught.value.message


def test_weights_must_add_up_to_one() -> None:
    with pytest.raises(BillingError) as caught:
        revision_coefficient(
            fixed_part=D("0.2"), indices=BT01, values={"BT01": D("134.5")}, rounding="3up"
        )
    assert caught.value.code == "weights_not_one"


def test_4b_actualisation() -> None:
    indices = (RevisionIndex("BT01", D("1"), D("130.0")),)
    assert actualisation_month(date(2025, 6, 1)) == date(2025, 3, 1)
    coefficient = actualisation_coefficient(
        price_date=date(2025, 1, 15),
        start_date=date(2025, 6, 1),
        fixed_part=D("0"),
        indices=indices,
        values={"BT01": D("131.3")},
    )
    assert coefficient == D("1.010")
    assert actualise(D("33060.00"), coefficient) == D("33390.60")
    # Started within three months: no actualisation.
    assert actualisation_coefficient(
        price_date=date(2025, 1, 15),
        start_date=date(2025, 4, 15),
        fixed_part=D("0"),
        indices=indices,
        values={},
    ) == D("1")


def test_6a_due_dates() -> None:
    invoiced = date(2026, 1, 15)
    assert due_date(invoice_date=invoiced, terms="60d") == date(2026, 3, 16)
    assert due_date(invoice_date=invoiced, terms="45d_eom") == date(2026, 3, 17)
    assert due_date(invoice_date=invoiced, terms="45d_then_eom") == date(2026, 3, 31)
    assert due_date(invoice_date=invoiced, terms="30d") == date(2026, 2, 14)
    assert due_date(invoice_date=invoiced, terms="receipt") == invoiced
    assert due_date(invoice_date=invoiced, terms="days", days=10) == date(2026, 1, 25)
    with pytest.raises(BillingError) as caught:
        due_date(invoice_date=invoiced, terms="days")
    assert caught.value.code == "unknown_terms"


def test_9a_penalties() -> None:
    assert penalty(contract_net=D("600000.00"), days_late=20) == D("4000.00")
    assert penalty(contract_net=D("600000.00"), days_late=365) == D("60000.00")
    assert penalty(contract_net=D("600000.00"), days_late=300) == D("60000.00")
    assert penalty(contract_net=D("45000.00"), days_late=3) == D("0.00")
    assert penalty(contract_net=D("600000.00"), days_late=20, daily_fraction=D(1) / D(3000)) == D(
        "4000.00"
    )
    assert penalty(contract_net=D("600000.00"), days_late=20, waiver=D("5000.00")) == D("0.00")


def test_advance_repayment_delta() -> None:
    assert advance_repayment(
        advance=D("72000.00"),
        contract_gross=D("720000.00"),
        executed_before=D("468000.00"),
        executed_now=D("540000.00"),
    ) == D("48000.00")


def test_split_by_weights_puts_the_residue_on_the_largest() -> None:
    assert split_by_weights(D("100.00"), [D("1"), D("1"), D("1")]) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    assert split_by_weights(D("10.00"), [D("1"), D("2")]) == [D("3.33"), D("6.67")]
