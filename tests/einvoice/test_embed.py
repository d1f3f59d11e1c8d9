"""Factur-X PDF: the CII XML embedded in a PDF/A-3 and read back."""

from __future__ import annotations

import io
import re
from functools import cache

import pypdf
import pytest
import weasyprint

from chantier.einvoice.data import EInvoiceError
from chantier.einvoice.embed import embed, extract_xml
from chantier.einvoice.validation import check_xsd
from tests.einvoice.test_cii import totals_of, xml_of

HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Facture FA2026-00004</title>
<style>@page { size: A4; margin: 2cm } body { font-family: DejaVu Sans; font-size: 10pt }</style>
</head><body><h1>Facture FA2026-00004</h1><p>Situation n° 1 — total TTC 10 920,00 €</p>
</body></html>"""


@cache
def source_pdf() -> bytes:
    return bytes(weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/a-3b"))


@cache
def facturx_pdf() -> bytes:
    return embed(source_pdf(), xml_of("a_situation_380"), number="FA2026-00004")


def xmp_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object()
    return bytes(metadata.get_data()).decode("utf-8")


def test_round_trip_gives_the_same_xml() -> None:
    extracted = extract_xml(facturx_pdf())
    assert extracted == xml_of("a_situation_380")
    check_xsd(extracted)
    assert (
        totals_of(extracted)["GrandTotalAmount"]
        == totals_of(xml_of("a_situation_380"))["GrandTotalAmount"]
    )


def test_pdf_declares_pdfa_3_and_factur_x_en16931() -> None:
    xmp = xmp_of(facturx_pdf())
    part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
    assert part is not None and part.group(1) == "3", xmp
    conformance = re.search(r"pdfaid:conformance(?:>|=\")\s*([A-Z])", xmp)
    assert conformance is not None and conformance.group(1) == "B"
    assert "factur-x.xml" in xmp
    assert "EN 16931" in xmp


def test_pdf_keeps_an_output_intent() -> None:
    # billing.md pitfall: a PDF claiming PDF/A-3B without an output intent.
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf()))
    intents = reader.trailer["/Root"].get("/OutputIntents")
    assert intents is not None and len(intents.get_object()) >= 1


def test_embedded_file_is_named_factur_x_xml() -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf()))
    assert "factur-x.xml" in reader.attachments


def test_extra_attachment_is_kept() -> None:
    pdf = embed(
        source_pdf(),
        xml_of("b_down_payment_386"),
        number="FA2026-00001",
        attachments={"decompte.csv": (b"poste;montant\n1;9918.00\n", "Décompte")},
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert set(reader.attachments) >= {"factur-x.xml", "decompte.csv"}
    assert extract_xml(pdf) == xml_of("b_down_payment_386")


def test_xml_failing_the_xsd_is_refused() -> None:
    broken = xml_of("a_situation_380").replace(
        b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b""
    )
    assert broken != xml_of("a_situation_380")
    with pytest.raises(EInvoiceError, match="embed"):
        embed(source_pdf(), broken, number="FA2026-00004")


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(EInvoiceError, match="embed"):
        embed(source_pdf(), b"<rsm:CrossIndustryInvoice", number="FA2026-00004")


def test_pdf_without_xml_is_refused() -> None:
    with pytest.raises(EInvoiceError, match="extract"):
        extract_xml(source_pdf())
