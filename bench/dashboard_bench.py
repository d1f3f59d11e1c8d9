"""Money dashboard benchmark (issue 6): the home page of a company with 500 contracts and
20,000 issued invoices.

    .venv/bin/python bench/dashboard_bench.py            # SQLite (var/bench/dashboard.sqlite3)
    DATABASE_URL=postgres://chantier:chantier@127.0.0.1:5432/chantier_dashbench \
        .venv/bin/python bench/dashboard_bench.py
    .venv/bin/python bench/dashboard_bench.py --write    # record into bench/RESULTS.md
    .venv/bin/python bench/dashboard_bench.py --explain  # the plan of each dashboard query

Goal (issue 6): the dashboard for a company with 500 contracts and 20,000 invoices
≤ 500 ms on PostgreSQL, with a constant number of queries.

The data are written with bulk_create, as the billing services would have left them, over
the two years before today: 500 contracts of 40 clients (10 priced lines and a text line
each; 80 % active, 10 % pending, 10 % finished; 1 in 5 public; a third handed over, some
with a next due date), 40 issued documents per contract on average (a down payment, then
monthly progress statements with 5 % retention, about 2 % credit notes against an earlier
invoice), and the payments: most invoices paid in full around their due date, some in
part, some not at all (so some are overdue), the retention of contracts past their
warranty paid back. The company's figures are checked against a plain Python sum of the
same rows before timing. A second company with 5 contracts and 200 invoices shows that
the page runs the same number of queries. Each page figure is the median of 7 runs after
a warm-up, through Django's test client (server time), with its SQL query count.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'dashboard.sqlite3'}")

CONTRACTS = 500
INVOICES = 20_000
CLIENTS = 40
LINES = 10  # priced lines per contract, plus one text line
RUNS = 7
TARGET_S = 0.5
CENT = Decimal("0.01")
VAT = Decimal("0.20")
RETENTION = Decimal("0.05")


def setup_django() -> None:
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # No collectstatic here: the page uses plain static URLs (as the tests do).
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


# --------------------------------------------------------------------------- data


def build_company(name: str, contracts: int, invoices: int, today: dt.date, seed: int) -> Any:
    """A company, its admin, `contracts` contracts and about `invoices` issued documents
    with their payments (bulk_create). Returns the admin user."""
    from bench.quotes_bench import company_and_client

    from chantier.billing.engine_rules import add_months
    from chantier.billing.models import AppliesTo, Invoice, Payment
    from chantier.contracts.models import Contract, ContractLine
    from chantier.parties.models import Client

    rng = random.Random(seed)
    user, first_client = company_and_client(name)
    company = first_client.company
    others = Client.objects.bulk_create(
        Client(company=company, name=f"Maître d'ouvrage {n}", city="Lyon")
        for n in range(1, min(CLIENTS, contracts))
    )
    clients = [first_client, *others]
    start = today - dt.timedelta(days=730)

    # Contracts and their lines.
    rows = []
    for n in range(contracts):
        roll = rng.random()
        status = "finished" if roll < 0.1 else "pending" if roll < 0.2 else "active"
        handover = None
        if rng.random() < 0.33:
            handover = start + dt.timedelta(days=rng.randrange(60, 760))
        due = today + dt.timedelta(days=rng.randrange(-30, 120)) if rng.random() < 0.2 else None
        rows.append(
            Contract(
                company=company,
                client=clients[n % len(clients)],
                reference=f"MAR-{n + 1:04d}",
                title=f"Travaux {n + 1}",
                status=status,
                procurement="public" if rng.random() < 0.2 else "private",
                handover_date=handover if handover and handover <= today else None,
                warranty_months=12,
                next_due_date=due,
                next_due_label="Visite" if due else "",
                created_by=user,
            )
        )
    contract_rows = Contract.objects.bulk_create(rows)
    lines = []
    bases: dict[int, Decimal] = {}
    for contract in contract_rows:
        nets = [money(rng.uniform(3_000, 60_000)) for _ in range(LINES)]
        bases[contract.pk] = sum(nets, Decimal(0))
        lines.extend(
            ContractLine(
                company=company,
                contract=contract,
                position=p,
                sort_key=f"{p:04d}",
                description=f"Ligne {p}",
                net=net,
                quantity=Decimal(1),
                unit_price=net,
            )
            for p, net in enumerate(nets)
        )
        lines.append(
            ContractLine(
                company=company,
                contract=contract,
                position=LINES,
                sort_key=f"{LINES:04d}",
                kind="text",
                description="Texte",
            )
        )
    ContractLine.objects.bulk_create(lines, batch_size=2000)
    Contract.objects.filter(pk__in=list(bases)).update(base_net=Decimal(0))  # not the base

    # Issued invoices: spread over the contracts, progress billed up to ~95 % of the base.
    per_contract = [invoices // contracts] * contracts
    for n in range(invoices - sum(per_contract)):
        per_contract[n] += 1
    invoice_rows: list[Invoice] = []
    number = 0
    for contract, count in zip(contract_rows, per_contract, strict=True):
        base = bases[contract.pk]
        share = base * Decimal(str(rng.uniform(0.5, 0.95))) / max(count, 1)
        days = sorted(rng.randrange(0, 730) for _ in range(count))
        last_regular = None
        for k, day in enumerate(days):
            issue = start + dt.timedelta(days=day)
            number += 1
            kind, type_code, credited = "progress", "380", None
            if k == 0:
                kind, type_code = "down_payment", "386"
            elif rng.random() < 0.02 and last_regular is not None:
                kind, type_code = "credit_note", "381"
                credited = last_regular  # an earlier invoice, linked after the insert
            net = money(share * Decimal(str(rng.uniform(0.6, 1.4))))
            works = Decimal(0) if kind == "down_payment" else net
            if kind == "credit_note":
                net = -money(net / 5)
                works = net
            gross = money(net * (1 + VAT))
            retention = Decimal(0) if kind == "down_payment" else money(gross * RETENTION)
            invoice_rows.append(
                Invoice(
                    company=company,
                    contract=contract,
                    client_id=contract.client_id,
                    kind=kind,
                    type_code=type_code,
                    status="issued",
                    number=f"F{issue.year}-{number:06d}",
                    statement_number=k or None,
                    period_date=issue,
                    issue_date=issue,
                    due_date=issue + dt.timedelta(days=60),
                    net=net,
                    vat_total=gross - net,
                    gross=gross,
                    works_net=works,
                    retention=retention,
                    payable=gross - retention,
                    issued_by=user,
                    created_by=user,
                )
            )
            invoice_rows[-1]._credited_index = credited  # type: ignore[attr-defined]
            if credited is None:
                last_regular = len(invoice_rows) - 1
    created = Invoice.objects.bulk_create(invoice_rows, batch_size=2000)
    credit_links = [
        (invoice.pk, created[invoice._credited_index].pk)  # type: ignore[attr-defined]
        for invoice in created
        if invoice._credited_index is not None  # type: ignore[attr-defined]
    ]
    for pk, credited_pk in credit_links:
        Invoice.objects.filter(pk=pk).update(credited_invoice_id=credited_pk)

    # Payments: most invoices paid in full around their due date, some in part, some not.
    credit_by_invoice: dict[int, Decimal] = {}
    by_pk = {invoice.pk: invoice for invoice in created}
    for pk, credited_pk in credit_links:
        credit_by_invoice[credited_pk] = credit_by_invoice.get(credited_pk, Decimal(0)) + (
            by_pk[pk].payable
        )
    payments: list[Payment] = []
    paid: dict[int, tuple[Decimal, Decimal]] = {}
    for invoice in created:
        if invoice.kind == "credit_note":
            continue
        owed = invoice.payable + credit_by_invoice.get(invoice.pk, Decimal(0))
        when = invoice.due_date + dt.timedelta(days=rng.randrange(-30, 40))
        if when > today or owed <= 0:
            continue
        roll = rng.random()
        amount = owed if roll < 0.85 else money(owed * Decimal("0.4")) if roll < 0.95 else None
        if amount is None:
            continue
        payments.append(
            Payment(
                company=company,
                client_id=invoice.client_id,
                contract_id=invoice.contract_id,
                invoice=invoice,
                date=when,
                amount=amount,
                applies_to=AppliesTo.PAYABLE,
            )
        )
        paid[invoice.pk] = (amount, Decimal(0))
    # Retention paid back once the warranty is over (handover + 12 months).
    warranty_end = {
        contract.pk: add_months(contract.handover_date, contract.warranty_months)
        for contract in contract_rows
        if contract.handover_date
    }
    released = {pk: day for pk, day in warranty_end.items() if day <= today}
    for invoice in created:
        on = released.get(invoice.contract_id)
        if on and invoice.retention > 0:
            payments.append(
                Payment(
                    company=company,
                    client_id=invoice.client_id,
                    contract_id=invoice.contract_id,
                    invoice=invoice,
                    date=on,
                    amount=invoice.retention,
                    applies_to=AppliesTo.RETENTION,
                )
            )
            payable, _ = paid.get(invoice.pk, (Decimal(0), Decimal(0)))
            paid[invoice.pk] = (payable, invoice.retention)
    Payment.objects.bulk_create(payments, batch_size=2000)
    for invoice in created:
        invoice.paid_payable, invoice.paid_retention = paid.get(
            invoice.pk, (Decimal(0), Decimal(0))
        )
    Invoice.objects.bulk_update(created, ["paid_payable", "paid_retention"], batch_size=1000)
    return user


def expected_figures(company: Any, today: dt.date) -> dict[str, Decimal]:
    """The dashboard's totals summed in Python from every row: the selector must agree."""
    from chantier.billing.models import Invoice, Payment
    from chantier.contracts.models import Contract, ContractLine

    invoices = list(Invoice.objects.filter(company=company, status="issued"))
    credits: dict[int, Decimal] = {}
    for invoice in invoices:
        if invoice.credited_invoice_id:
            credits[invoice.credited_invoice_id] = (
                credits.get(invoice.credited_invoice_id, Decimal(0)) + invoice.payable
            )
    lefts = [
        (invoice, invoice.payable + credits.get(invoice.pk, Decimal(0)) - invoice.paid_payable)
        for invoice in invoices
        if invoice.type_code not in ("381", "503") and not invoice.credited_invoice_id
    ]
    unpaid = sum((left for _, left in lefts if left > 0), Decimal(0))
    overdue = sum(
        (left for inv, left in lefts if left > 0 and inv.due_date and inv.due_date < today),
        Decimal(0),
    )
    base: dict[int, Decimal] = {}
    for contract_id, net in (
        ContractLine.objects.filter(company=company)
        .exclude(kind="text")
        .values_list("contract_id", "net")
    ):
        base[contract_id] = base.get(contract_id, Decimal(0)) + net
    works: dict[int, Decimal] = {}
    held: dict[int, Decimal] = {}
    for invoice in invoices:
        works[invoice.contract_id] = works.get(invoice.contract_id, Decimal(0)) + invoice.works_net
        held[invoice.contract_id] = (
            held.get(invoice.contract_id, Decimal(0)) + invoice.retention - invoice.paid_retention
        )
    open_contracts = Contract.objects.filter(company=company).exclude(status="finished")
    left_to_bill = sum(
        (
            base.get(pk, Decimal(0)) - works.get(pk, Decimal(0))
            for pk in open_contracts.values_list("pk", flat=True)
            if base.get(pk, Decimal(0)) - works.get(pk, Decimal(0)) > 0
        ),
        Decimal(0),
    )
    year = [i for i in invoices if i.issue_date and i.issue_date.year == today.year]
    month_start = today.replace(day=1)
    received = sum(
        Payment.objects.filter(company=company, date__gte=month_start).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    return {
        "year_net": sum((i.net for i in year), Decimal(0)),
        "month_gross": sum((i.gross for i in year if i.issue_date >= month_start), Decimal(0)),
        "unpaid": unpaid,
        "overdue": overdue,
        "left_to_bill": left_to_bill,
        "retention": sum((v for v in held.values() if v > 0), Decimal(0)),
        "received_this_month": received,
    }


# --------------------------------------------------------------------------- timing


def page_figure(http: Any, url: str, runs: int = RUNS) -> tuple[float, int, int, list[Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http.get(url)  # warm-up
    durations, queries, status, captured = [], 0, 0, []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = http.get(url)
            durations.append(time.perf_counter() - start)
        queries, status, captured = len(ctx.captured_queries), response.status_code, ctx
    return statistics.median(durations), queries, status, list(captured.captured_queries)


def selector_figure(company: Any, today: dt.date, runs: int = RUNS) -> float:
    from chantier.analysis.selectors import money_dashboard

    money_dashboard(company, today)
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        money_dashboard(company, today)
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def explain(company: Any, today: dt.date) -> None:
    """EXPLAIN ANALYZE of the dashboard's queries (PostgreSQL), to choose indexes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chantier.analysis.selectors import money_dashboard

    with CaptureQueriesContext(connection) as ctx:
        money_dashboard(company, today)
    for query in ctx.captured_queries:
        print("\n" + query["sql"][:200] + " …")
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def machine_note(engine: str) -> str:
    from bench.results import machine_note as note

    return note(engine)


def command_line() -> str:
    from bench.results import command_line as line

    return line("bench/dashboard_bench.py", GIVEN_DATABASE_URL)


HEADING = "## Dashboard · `bench/dashboard_bench.py`"
INTRO = [
    HEADING,
    "",
    "The home page's money dashboard (issue 6) for a company with 500 contracts and",
    "20,000 issued invoices over two years, with their payments (bulk-created; see the",
    "script's docstring), its figures first checked against a plain Python sum of the",
    "rows. Median of 7 runs after a warm-up, through Django's test client, logged in:",
    "server time and the SQL queries of one request (the page's own, the reminders and",
    "the dashboard's five aggregate queries).",
    "",
]


def write_results(engine: str, note: str, results: list) -> None:
    from bench.results import write_section

    write_section(
        heading=HEADING,
        intro=INTRO,
        engine=engine,
        command=command_line(),
        note=note,
        results=results,
    )


def main() -> None:
    setup_django()
    from bench.billing_bench import fresh_database
    from django.db import connection
    from django.test import Client as HttpClient
    from django.utils import timezone

    from chantier.analysis.selectors import money_dashboard
    from chantier.billing.models import Invoice, Payment
    from chantier.contracts.models import Contract
    from chantier.core.access import company_of

    engine = connection.vendor
    fresh_database()
    note = machine_note(engine)
    today = timezone.localdate()
    start = time.perf_counter()
    user = build_company("Bench Tableau de bord SAS", CONTRACTS, INVOICES, today, seed=6)
    small_user = build_company("Bench Petite SARL", 5, 200, today, seed=7)
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    build_s = time.perf_counter() - start
    company = company_of(user)
    counts = (
        Contract.objects.filter(company=company).count(),
        Invoice.objects.filter(company=company, status="issued").count(),
        Invoice.objects.filter(company=company, type_code="381").count(),
        Payment.objects.filter(company=company).count(),
    )
    print(
        f"engine: {engine}; built in {build_s:.1f} s: {counts[0]} contracts, {counts[1]} issued "
        f"invoices ({counts[2]} credit notes), {counts[3]} payments"
    )

    board = money_dashboard(company, today)
    expected = expected_figures(company, today)
    got = {
        "year_net": board.year_net,
        "month_gross": board.this_month.billed_gross,
        "unpaid": board.unpaid,
        "overdue": board.overdue,
        "left_to_bill": board.left_to_bill,
        "retention": board.retention,
        "received_this_month": board.this_month.received,
    }
    if got != expected:
        raise SystemExit(f"dashboard figures differ from the rows:\n{got}\n{expected}")
    print("figures agree with a Python sum of the rows:", {k: str(v) for k, v in got.items()})

    if "--explain" in sys.argv:
        explain(company, today)

    http = HttpClient()
    http.force_login(user)
    seconds, queries, status, captured = page_figure(http, "/")
    small_http = HttpClient()
    small_http.force_login(small_user)
    small_seconds, small_queries, small_status, _ = page_figure(small_http, "/")
    selector_s = selector_figure(company, today)
    slowest = sorted(captured, key=lambda q: float(q.get("time") or 0), reverse=True)[:3]
    results = [
        (
            f"home page with the dashboard, {counts[0]} contracts, {counts[1]:,} issued "
            f"invoices, {counts[3]:,} payments",
            f"{seconds * 1000:.0f} ms, {queries} queries" if status == 200 else f"HTTP {status}",
            f"≤ 500 ms: {'met' if status == 200 and seconds <= TARGET_S else '**not met**'}",
        ),
        (
            "the dashboard's queries alone (money_dashboard)",
            f"{selector_s * 1000:.0f} ms",
            "",
        ),
        (
            "home page, small company (5 contracts, 200 invoices)",
            f"{small_seconds * 1000:.0f} ms, {small_queries} queries"
            if small_status == 200
            else f"HTTP {small_status}",
            f"same queries: {'met' if small_queries == queries else '**not met**'}",
        ),
    ]
    note = note.replace(" at the start;", f" at the start, {os.getloadavg()[0]:.1f} at the end;")
    width = max(len(label) for label, _, _ in results)
    print(note)
    for label, figure, target in results:
        print(f"  {label.ljust(width)}  {figure}  {target}")
    print("slowest queries of the last run:")
    for query in slowest:
        print(f"  {float(query.get('time') or 0) * 1000:.1f} ms  {query['sql'][:110]}")
    if "--write" in sys.argv:
        write_results(engine, note, results)


if __name__ == "__main__":
    main()
