"""Put the CII XML into a PDF/A-3 (Factur-X) and read it back, with factur-x."""

from __future__ import annotations

from collections.abc import Mapping

import facturx  # factur-x ships no type hints (pyproject: ignore_missing_imports)
from lxml import etree

from .cii import NSMAP
from .data import EInvoiceError


def _seller_name(xml: bytes) -> str:
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        raise EInvoiceError("embed", f"not well-formed XML: {error}") from error
    names = root.xpath(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
        "ram:SellerTradeParty/ram:Name/text()",
        namespaces=NSMAP,
    )
    return str(names[0]) if names else ""


def embed(
    pdf: bytes,
    xml: bytes,
    *,
    number: str,
    lang: str = "fr-FR",
    attachments: Mapping[str, tuple[bytes, str]] | None = None,
) -> bytes:
    """The Factur-X PDF: `pdf` (a PDF/A from WeasyPrint) with `xml` as factur-x.xml.

    The XML is checked against the EN 16931 XSD on the way in. `attachments`
    ({filename: (data, description)}) re-embeds files the source PDF carried:
    factur-x drops the attachments WeasyPrint embedded (STACK-NOTES).
    """
    seller = _seller_name(xml)
    metadata = {
        "author": seller,
        "keywords": "Factur-X, facture",
        "title": f"{seller} : facture {number}",
        "subject": f"Factur-X {number}",
    }
    extra = (
        {
            name: {"filedata": data, "description": description}
            for name, (data, description) in attachments.items()
        }
        if attachments
        else None
    )
    try:
        result = facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=metadata,
            lang=lang,
            attachments=extra,
        )
    except Exception as error:  # factur-x raises bare Exception on an invalid XML
        raise EInvoiceError("embed", str(error)) from error
    return bytes(result)


def extract_xml(pdf: bytes) -> bytes:
    """The factur-x.xml embedded in a Factur-X PDF (raises if there is none)."""
    _filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise EInvoiceError("extract", "no Factur-X XML in this PDF")
    return bytes(xml)
