"""Factur-X benchmark: a 1,000-line invoice through build + XSD check + embed.

    .venv/bin/python bench/einvoice_bench.py

Target: build + embed + XSD check ≤ 1 s for 1,000 lines. Each figure is the median of
5 runs after one warm-up run. The source PDF (a one-page PDF/A-3b from WeasyPrint) is
rendered once beforehand: rendering the invoice PDF is the documents module's cost,
not this one's. `embed` runs factur-x's own XSD check too; it is timed as called.
The EN 16931 schematron (Saxon) is timed separately for information.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chantier.core.money import round2  # noqa: E402
from chantier.einvoice.cii import build_cii  # noqa: E402
from chantier.einvoice.data import (  # noqa: E402
    Address,
    EInvoice,
    EInvoiceLine,
    EInvoiceVat,
    Party,
    unit_code_for,
)
from chantier.einvoice.embed import embed, extract_xml  # noqa: E402
from chantier.einvoice.validation import check_xsd, schematron_failures  # noqa: E402

LINES = 1000
RUNS = 5
TARGET_S = 1.0


def invoice(count: int = LINES) -> EInvoice:
    lines = []
    for index in range(count):
        quantity = Decimal(f"{(index % 97) + 1}.{index % 1000:03d}")
        price = Decimal(f"{(index % 53) + 10}.{(index * 7) % 100:02d}")
        lines.append(
            EInvoiceLine(
                position=index + 1,
                description=f"Poste {index + 1:04d} — cloison plaque BA13 sur ossature",
                quantity=quantity,
                unit_code=unit_code_for("m2"),
                unit_price=price,
                net=round2(quantity * price),
                vat_rate=Decimal("10.00") if index % 4 == 0 else Decimal("20.00"),
            )
        )
    vat = []
    for rate in (Decimal("10.00"), Decimal("20.00")):
        base = sum((line.net for line in lines if line.vat_rate == rate), Decimal("0.00"))
        vat.append(EInvoiceVat(rate=rate, base=base, amount=round2(base * rate / 100)))
    net = sum((line.net for line in lines), Decimal("0.00"))
    vat_total = sum((v.amount for v in vat), Decimal("0.00"))
    gross = net + vat_total
    retention = round2(gross * Decimal("0.05"))
    return EInvoice(
        number="FA2026-01000",
        type_code="380",
        issue_date=datetime.date(2026, 5, 31),
        billing_framework="S1",
        seller=Party(
            name="Alpha Bâtiment SAS",
            siren="732829320",
            siret="73282932000074",
            vat_number="FR44732829320",
            address_line1="12 rue des Maçons",
            postcode="69007",
            city="Lyon",
            email="factures@alpha-batiment.example",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP882",
        ),
        buyer=Party(
            name="SCI Les Tilleuls",
            siren="552100554",
            siret="55210055400013",
            vat_number="FR96552100554",
            address_line1="4 avenue Foch",
            postcode="75016",
            city="Paris",
            email="compta@tilleuls.example",
        ),
        delivery_address=Address(line1="18 rue des Tilleuls", postcode="69003", city="Lyon"),
        lines=tuple(lines),
        vat=tuple(vat),
        net=net,
        vat_total=vat_total,
        gross=gross,
        retention=retention,
        payable=gross - retention,
        due_date=datetime.date(2026, 7, 30),
        payment_terms_text="Paiement à 60 jours date de facture par virement.",
        notes=(
            ("PMD", "Pénalités de retard : taux BCE + 10 points."),
            ("PMT", "Indemnité forfaitaire pour frais de recouvrement : 40 €."),
            ("AAB", "Pas d'escompte pour paiement anticipé."),
        ),
    )


def source_pdf() -> bytes:
    import weasyprint

    html = "<html lang='fr'><body><h1>Facture FA2026-01000</h1><p>1 000 postes</p></body></html>"
    return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3b"))


def median_of(action: Callable[[], object]) -> tuple[float, object]:
    result = action()  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    document = invoice()
    pdf = source_pdf()

    build_s, xml = median_of(lambda: build_cii(document))
    assert isinstance(xml, bytes)
    xsd_s, _ = median_of(lambda: check_xsd(xml))
    embed_s, facturx_pdf = median_of(lambda: embed(pdf, xml, number=document.number))
    assert isinstance(facturx_pdf, bytes)

    def everything() -> bytes:
        built = build_cii(document)
        check_xsd(built)
        return embed(pdf, built, number=document.number)

    total_s, _ = median_of(everything)
    assert extract_xml(facturx_pdf) == xml
    schematron_s, failures = median_of(lambda: schematron_failures(xml, "en16931"))

    print(f"Factur-X, {LINES}-line invoice (median of {RUNS} after a warm-up)")
    print(f"  XML size                          {len(xml) / 1024:8.0f} KiB")
    print(f"  Factur-X PDF size                 {len(facturx_pdf) / 1024:8.0f} KiB")
    print(f"  build_cii                         {build_s * 1000:8.1f} ms")
    print(f"  check_xsd                         {xsd_s * 1000:8.1f} ms")
    print(f"  embed (incl. factur-x XSD check)  {embed_s * 1000:8.1f} ms")
    target = f"(target ≤ {TARGET_S:.0f} s)"
    print(f"  build + XSD check + embed         {total_s * 1000:8.1f} ms  {target}")
    assert isinstance(failures, list)
    found = f"{len(failures)} findings"
    print(f"  EN 16931 schematron (compiled)    {schematron_s * 1000:8.1f} ms, {found}")
    ok = total_s <= TARGET_S and not failures
    print("  result:", "OK" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
