"""Issue 4 benchmark: a contract of 5,000 lines with 20 approved change orders.

    .venv/bin/python bench/contracts_bench.py            # SQLite (var/bench/contracts.sqlite3)
    DATABASE_URL=postgres://... .venv/bin/python bench/contracts_bench.py
    .venv/bin/python bench/contracts_bench.py --write    # append to bench/RESULTS.md

Goal (issue 4): the contract page ≤ 500 ms server time with a constant number of SQL
queries, on SQLite and PostgreSQL. The contract comes from an accepted 5,000-line quote
(the DPGF of bench/quotes_bench.py); each change order has 3 lines (a new line, a quantity
change and a price change of existing lines) and is submitted then approved through the
services, so the billing base holds 5,060 lines.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'contracts.sqlite3'}")

from bench.quotes_bench import company_and_client, fresh_database, page_figure  # noqa: E402

CHANGE_ORDERS = 20


def setup_django() -> None:
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def build_contract(user, client):
    from tests.quotes.schedules import big_schedule

    from chantier.contracts import change_order_services as change_orders
    from chantier.contracts.models import Contract, ContractLine
    from chantier.quotes.models import Quote
    from chantier.quotes.services import quote_accept, quote_import

    quote, _, _ = quote_import(user=user, client=client, content=big_schedule())
    Quote.objects.filter(pk=quote.pk).update(status="sent", number="DEV2026-1")
    quote.refresh_from_db()
    start = time.perf_counter()
    quote_accept(user=user, quote=quote)
    accept_seconds = time.perf_counter() - start
    contract = Contract.objects.get(quote=quote)
    items = list(
        ContractLine.objects.filter(contract=contract, kind="item").order_by("sort_key")[:40]
    )
    start = time.perf_counter()
    for number in range(CHANGE_ORDERS):
        quantity_line, price_line = items[2 * number], items[2 * number + 1]
        order = change_orders.change_order_create(
            user=user,
            contract=contract,
            title=f"Avenant {number + 1}",
            lines=[
                {
                    "description": f"Travaux supplémentaires {number + 1}",
                    "unit": "u",
                    "quantity": "2",
                    "unit_price": "150.00",
                    "vat_rate": "20.00",
                },
                {
                    "description": "Quantité en plus",
                    "unit": quantity_line.unit,
                    "quantity": "1",
                    "unit_price": str(quantity_line.unit_price),
                    "vat_rate": str(quantity_line.vat_rate),
                    "amends_line_id": quantity_line.pk,
                },
                {
                    "description": "Prix révisé",
                    "unit": price_line.unit,
                    "quantity": str(price_line.quantity),
                    "unit_price": "0.50",
                    "vat_rate": str(price_line.vat_rate),
                    "amends_line_id": price_line.pk,
                },
            ],
        )
        change_orders.change_order_submit(user=user, change_order=order)
        change_orders.change_order_approve(user=user, change_order=order)
    orders_seconds = (time.perf_counter() - start) / CHANGE_ORDERS
    contract.refresh_from_db()
    return contract, accept_seconds, orders_seconds


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client as HttpClient

    from chantier.contracts.models import ContractLine
    from chantier.core.services import api_token_create

    fresh_database()
    user, client = company_and_client("Bench Marchés SAS")
    contract, accept_seconds, orders_seconds = build_contract(user, client)
    lines = ContractLine.objects.filter(contract=contract).count()
    results: list[tuple[str, str]] = [
        ("quote accepted → contract (5,000 lines copied)", f"{accept_seconds:.2f} s"),
        (
            "one change order (3 lines) created, submitted and approved",
            f"{orders_seconds * 1000:.0f} ms",
        ),
    ]
    http = HttpClient()
    http.force_login(user)
    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='bench')}")
    for label, http_client, url in [
        (
            f"contract page, {lines:,} lines, {CHANGE_ORDERS} change orders",
            http,
            f"/contracts/{contract.pk}/",
        ),
        ("contract scope tab", http, f"/contracts/{contract.pk}/scope/"),
        ("change orders tab", http, f"/contracts/{contract.pk}/change-orders/"),
        ("API GET /contracts/{id}", api, f"/api/v1/contracts/{contract.pk}"),
    ]:
        seconds, queries, status = page_figure(http_client, url)
        figure = f"{seconds * 1000:.0f} ms, {queries} queries"
        results.append((label, figure if status == 200 else f"HTTP {status}"))
    engine = connection.vendor
    width = max(len(label) for label, _ in results)
    print(f"engine: {engine} (base {contract.base_net}, {lines} lines)")
    for label, figure in results:
        print(f"  {label.ljust(width)}  {figure}")
    if "--write" in sys.argv:
        with open(ROOT / "bench" / "RESULTS.md", "a") as fh:
            command = " ".join(["bench/contracts_bench.py", *sys.argv[1:]])
            fh.write(f"\n## {time.strftime('%Y-%m-%d')} · {engine} · `{command}`\n\n")
            fh.write("| measure | result |\n|---|---|\n")
            for label, figure in results:
                fh.write(f"| {label} | {figure} |\n")


if __name__ == "__main__":
    main()
