"""Property (hypothesis): whatever the progress sequence, the issued invoice's stored
amounts, its API answer, its Factur-X XML totals and its PDF text agree to the cent
(billing.md "one engine, many outputs, provably equal")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from chantier.billing.models import Invoice
from chantier.core.formatting import euros
from chantier.einvoice.embed import extract_xml
from tests.billing.conftest import make_contract, quote_line, seller_identity
from tests.billing.test_documents import NS
from tests.conftest import ApiClient
from tests.documents.conftest import pdf_text

PERCENTS = st.decimals(min_value=0, max_value=100, places=2)


def _plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.tuples(PERCENTS, PERCENTS, PERCENTS), min_size=1, max_size=3),
    down_payment=st.sampled_from([None, "10", "30"]),
)
def test_stored_api_xml_and_pdf_agree(
    alice_api: ApiClient, world: Any, steps: list[tuple[Decimal, ...]], down_payment: str | None
) -> None:
    seller_identity(world.company_a)
    example = make_contract(
        alice_api,
        world.company_a,
        [
            quote_line("L1 Terrassement", "forfait", "1", "10000.00"),
            quote_line("L2 Fenêtres", "u", "12", "833.33", vat="10.00"),
            quote_line("L3 Isolation", "m²", "120", "25.50", vat="5.50"),
        ],
    )
    if down_payment:
        created = alice_api.post(
            f"/contracts/{example.contract_id}/invoices",
            {"kind": "down_payment", "percent": down_payment},
        )
        assert alice_api.post(f"/invoices/{created.json()['id']}/issue").status_code == 200
    last: dict[str, Any] = {}
    for step in steps:
        body = {
            "kind": "progress",
            "date": "2026-03-31",
            "progress": [
                {"line_id": example.lines[name], "mode": "cumulative_percent", "value": str(p)}
                for name, p in zip(("L1", "L2", "L3"), step, strict=True)
            ],
        }
        created = alice_api.post(f"/contracts/{example.contract_id}/invoices", body)
        assert created.status_code == 201, created.content
        if all(Decimal(line["net"]) == 0 for line in created.json()["lines"]):
            refused = alice_api.post(f"/invoices/{created.json()['id']}/issue")
            assert refused.status_code == 422  # nothing to invoice
            assert alice_api.delete(f"/invoices/{created.json()['id']}").status_code == 204
            continue
        answer = alice_api.post(f"/invoices/{created.json()['id']}/issue")
        assert answer.status_code == 200, answer.content
        last = answer.json()
    if not last:
        return
    stored = Invoice.objects.get(pk=last["id"])
    sign = -1 if stored.type_code in ("381", "503") else 1
    # API = stored
    assert last["net"] == f"{stored.net:.2f}" and last["gross"] == f"{stored.gross:.2f}"
    assert last["payable"] == f"{stored.payable:.2f}"
    assert sum(Decimal(line["net"]) for line in last["lines"]) == stored.net
    assert sum(Decimal(v["amount"]) for v in last["vat"]) == stored.vat_total
    # XML = stored (credit notes positive in the XML)
    content = alice_api.get(f"/invoices/{last['id']}/pdf").content
    root = etree.fromstring(extract_xml(content))
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    assert summation is not None
    found = {etree.QName(child).localname: Decimal(child.text or "0") for child in summation}
    assert found["TaxBasisTotalAmount"] == sign * stored.net
    assert found["TaxTotalAmount"] == sign * stored.vat_total
    assert found["GrandTotalAmount"] == sign * stored.gross
    assert found["DuePayableAmount"] == sign * stored.gross
    # PDF = stored
    text = _plain(pdf_text(content))
    for amount in (stored.net, stored.gross, stored.payable):
        assert _plain(euros(amount)) in text, (amount, text[-800:])
