"""The French CTC schematron (BR-FR, flux 2) on cases (a)-(f) and (h).

docs/einvoice-french-schematron.md records these results: keep the two in step.
Run with `-s` to print the findings:
    .venv/bin/python -m pytest tests/einvoice/test_schematron_fr.py -q -s -p no:cacheprovider
"""

from __future__ import annotations

import dataclasses

import pytest

from chantier.einvoice.cii import build_cii
from chantier.einvoice.data import EInvoice
from chantier.einvoice.validation import schematron_failures
from tests.einvoice.test_cii import CASES, situation_1, xml_of

# What the French schematron still reports for each case, by rule id.
EXPECTED_FR: dict[str, set[str]] = {
    "a_situation_380": set(),
    "b_down_payment_386": set(),
    "c_three_rates": set(),
    "d_reverse_charge": set(),
    "e_credit_note_381": set(),
    "f_down_payment_credit_503": set(),
    "h_final_s4_two_down_payments": set(),
}


@pytest.mark.parametrize("case", list(EXPECTED_FR))
def test_french_schematron_findings(case: str) -> None:
    assert case in CASES
    failures = schematron_failures(xml_of(case), "fr")
    for failure in failures:
        print(f"{case}: {failure.id}: {failure.text}")
    assert {f.id for f in failures} == EXPECTED_FR[case], "\n".join(
        f"{f.id} at {f.location}: {f.text}" for f in failures
    )


def _fr_ids(invoice: EInvoice) -> set[str]:
    xml = build_cii(invoice)
    assert schematron_failures(xml, "en16931") == []
    return {failure.id for failure in schematron_failures(xml, "fr")}


BASE = situation_1()
B2B = (*BASE.notes, ("BAR", "B2B"))


@pytest.mark.parametrize(
    ("label", "invoice", "expected"),
    [
        # The B2B treatment note makes BT-49 the buyer's directory address (0225).
        ("bar_b2b_with_email_only", dataclasses.replace(BASE, notes=B2B), {"BR-FR-21_BT-49"}),
        (
            "bar_b2b_with_directory_address",
            dataclasses.replace(
                BASE,
                notes=B2B,
                buyer=dataclasses.replace(BASE.buyer, electronic_address="552100554"),
            ),
            set(),
        ),
        (
            "bar_b2b_buyer_without_siren",
            dataclasses.replace(
                BASE, notes=B2B, buyer=dataclasses.replace(BASE.buyer, siren=None, siret=None)
            ),
            {"BR-FR-11_BT-47", "BR-FR-21_BT-49"},
        ),
        (
            "no_electronic_addresses",
            dataclasses.replace(
                BASE,
                seller=dataclasses.replace(BASE.seller, email=None),
                buyer=dataclasses.replace(BASE.buyer, email=None),
            ),
            {"BR-FR-12_BT-49", "BR-FR-13_BT-34"},
        ),
        (
            "no_legal_notes",
            dataclasses.replace(BASE, notes=()),
            {"BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22_AAB"},
        ),
        (
            "seller_without_siren",
            dataclasses.replace(BASE, seller=dataclasses.replace(BASE.seller, siren=None)),
            {"BR-FR-09_BT-29", "BR-FR-10_BT-30"},
        ),
        ("number_with_a_space", dataclasses.replace(BASE, number="FA 2026-4"), {"BR-FR-02_BT-1"}),
    ],
)
def test_french_rules_that_depend_on_our_data(
    label: str, invoice: EInvoice, expected: set[str]
) -> None:
    assert _fr_ids(invoice) == expected, label
