"""Billing benchmarks: progress statements, the invoice page, concurrent issuing, Factur-X.

    .venv/bin/python bench/billing_bench.py            # SQLite (var/bench/billing.sqlite3)
    DATABASE_URL=postgres://chantier:chantier@127.0.0.1:5432/chantier_bench_billing \
        .venv/bin/python bench/billing_bench.py
    .venv/bin/python bench/billing_bench.py --write    # record into bench/RESULTS.md
    .venv/bin/python bench/billing_bench.py --profile  # cProfile of each timed action

Targets (billing issue): a progress statement on all 5,000 lines of a contract computed
and stored ≤ 1 s; the issued invoice's page ≤ 500 ms server time with a constant number
of SQL queries (shown for a 50-, a 1,000- and a 5,000-line invoice); issuing ≥ 50
invoices/s with 8 concurrent clients, with no gap and no duplicate in the numbers
(PostgreSQL only: SQLite has one writer at a time); Factur-X of a 1,000-line issued
invoice (XML + XSD check + embed in a small PDF) ≤ 1 s.

The contracts come from accepted quotes of the DPGF of bench/quotes_bench.py (5,000 lines
= 50 chapters × 10 sections × 10 lines; 1,000 lines = 10 × 10 × 10; 50 lines = 5 × 1 ×
10). The 5,000-line statement is the contract's second one (the first, a global 10 %,
is issued), so the engine works against a 5,000-line history, with the four entry modes
in turn on the lines. Each figure is the median of several runs after a warm-up run.
`--write` replaces this engine's part of the "Billing" section of bench/RESULTS.md (or
adds the section at the end), with the command line and the machine it ran on.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import logging
import os
import pstats
import queue
import statistics
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'billing.sqlite3'}")

RUNS = 5  # timed runs after one warm-up run
CLIENTS = 8  # concurrent issuers (PostgreSQL)
ROUND = 240  # issues per concurrent round (≥ 200)
ROUNDS = 3
WARM_UP = 10  # issues by one client, not timed
SERIAL = 40  # issues by one client, timed: the warm-up of the concurrent rounds
PERIOD = dt.date(2026, 3, 31)
PROFILE = "--profile" in sys.argv

TARGET_STATEMENT_S = 1.0
TARGET_PAGE_S = 0.5
TARGET_RATE = 50.0
TARGET_FACTURX_S = 1.0


def setup_django() -> None:
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # No collectstatic here: page timings use plain static URLs (as the tests do).
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def fresh_database() -> None:
    """An empty, migrated database. PostgreSQL's is dropped and created again (the role has
    CREATEDB), so that a migration changed in place while a feature is under way applies;
    the DROP fails (rather than cutting them off) while another run is connected to it."""
    from bench.quotes_bench import fresh_database as flushed
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    flushed()


# --------------------------------------------------------------------------- data


def company_with_identity(name: str):
    """A company that can issue (seller identity) and a client with a full address."""
    from bench.quotes_bench import company_and_client
    from tests.billing.conftest import seller_identity

    from chantier.parties.models import Client

    user, client = company_and_client(name)
    seller_identity(client.company)
    Client.objects.filter(pk=client.pk).update(
        siren="552100554",
        vat_number="FR96552100554",
        address_line1="4 avenue Foch",
        postcode="69003",
    )
    client.refresh_from_db()
    return user, client


_quote_numbers = iter(range(1, 1_000_000))


def contract_of(user, client, chapters: int, sections: int, lines: int):
    """A contract from an accepted quote of chapters × sections × lines DPGF lines."""
    from tests.quotes.schedules import big_schedule

    from chantier.contracts.models import Contract
    from chantier.quotes.models import Quote
    from chantier.quotes.services import quote_accept, quote_import

    content = big_schedule(chapters=chapters, sections=sections, lines=lines)
    quote, _, _ = quote_import(user=user, client=client, content=content)
    number = f"DEV2026-{next(_quote_numbers)}"
    Quote.objects.filter(pk=quote.pk).update(status="sent", number=number)
    quote.refresh_from_db()
    quote_accept(user=user, quote=quote)
    return Contract.objects.get(quote=quote)


def billed_lines(contract) -> list[int]:
    from chantier.contracts.models import ContractLine

    return list(
        ContractLine.objects.filter(contract=contract)
        .exclude(kind=ContractLine.Kind.TEXT)
        .order_by("sort_key", "pk")
        .values_list("pk", flat=True)
    )


def mixed_entries(line_ids: list[int], variant: int) -> list[dict[str, Any]]:
    """The four modes in turn; the lines are 12.5 m² each and 10 % billed before."""
    step = Decimal(variant * 5)
    modes = [
        ("cumulative_percent", lambda i: Decimal(40 + i % 7) + step),
        ("relative_percent", lambda i: Decimal(25) + step),
        ("cumulative_quantity", lambda i: Decimal("5.000") + step / 10),
        ("relative_quantity", lambda i: Decimal("3.125") + step / 10),
    ]
    entries = []
    for index, line_id in enumerate(line_ids):
        mode, value = modes[index % 4]
        entries.append({"line_id": line_id, "mode": mode, "value": value(index)})
    return entries


def statement(user, contract, **kwargs: Any):
    from chantier.billing import services

    return services.statement_save(user=user, contract=contract, period_date=PERIOD, **kwargs)


def issue(user, invoice):
    from chantier.billing import issuing

    return issuing.invoice_issue(user=user, invoice=invoice, confirm=True)


# --------------------------------------------------------------------------- timing


def profiled(label: str, action: Callable[[], Any]) -> Any:
    """Run the action once under cProfile (--profile) and print where the time goes."""
    profile = cProfile.Profile()
    result = profile.runcall(action)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(25)
    print(f"\n--- profile: {label}\n{out.getvalue()}")
    return result


def timed_runs(
    action: Callable[[int], Any], runs: int = RUNS, after: Callable[[Any], None] | None = None
) -> tuple[float, Any]:
    """Median of `runs` timed runs after one warm-up run; `after(result)` is not timed."""
    durations, result = [], None
    for run in range(runs + 1):
        start = time.perf_counter()
        result = action(run)
        if run:
            durations.append(time.perf_counter() - start)
        if after is not None and run < runs:
            after(result)
    return statistics.median(durations), result


def page_figure(http, url: str) -> tuple[float, int, int]:
    from bench.quotes_bench import page_figure as measure

    http.get(url)  # warm-up
    return measure(http, url, runs=RUNS)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


# --------------------------------------------------------------------------- measures


def statement_figures(user, contract, line_ids: list[int], results: list) -> Any:
    """(a) the 5,000-line statement created, then re-saved; returns it issued."""
    from chantier.billing import services

    first = statement(user, contract, global_percent=Decimal("10"))
    start = time.perf_counter()
    issue(user, first)
    first_issue_s = time.perf_counter() - start

    def create(run: int):
        return statement(user, contract, entries=mixed_entries(line_ids, 0))

    def delete(invoice) -> None:
        services.invoice_delete(user=user, invoice=invoice)

    create_s, draft = timed_runs(create, after=delete)
    if PROFILE:
        delete(draft)
        draft = profiled("statement_save, new draft, 5,000 lines", lambda: create(0))
    created = f"{draft.lines.count()} lines, net {draft.net}"

    def update(run: int):
        current = type(draft).objects.get(pk=draft.pk)
        return statement(
            user,
            contract,
            entries=mixed_entries(line_ids, 1 + run % 2),
            invoice=current,
            lock_version=current.lock_version,
        )

    update_s, draft = timed_runs(update)
    if PROFILE:
        profiled("statement_save, update of the draft, 5,000 lines", lambda: update(0))
        draft.refresh_from_db()
    results.append(
        (
            "progress statement, 5,000 lines, 4 modes (statement_save, new draft)",
            f"{create_s:.2f} s ({created})",
            f"≤ 1 s: {verdict(create_s <= TARGET_STATEMENT_S)}",
        )
    )
    results.append(
        (
            "same statement re-saved (update of the draft)",
            f"{update_s:.2f} s",
            f"≤ 1 s: {verdict(update_s <= TARGET_STATEMENT_S)}",
        )
    )
    return draft, first_issue_s


def concurrent_round(user_id: int, drafts: list, clients: int) -> dict[str, Any]:
    """Issue the drafts from `clients` threads (one connection each), all started by one
    barrier; each thread takes the next draft until none is left."""
    from django.db import connections

    from chantier.billing import issuing
    from chantier.core.models import User

    todo: queue.SimpleQueue = queue.SimpleQueue()
    for draft in drafts:
        todo.put(draft)
    barrier = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=60)
            while True:
                try:
                    draft = todo.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                issuing.invoice_issue(user=user, invoice=draft)
                with lock:
                    latencies.append(time.perf_counter() - start)
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    latencies.sort()
    return {
        "seconds": seconds,
        "issued": len(latencies),
        "rate": len(latencies) / seconds,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0,
        "errors": errors,
    }


def _issue_worker(user_id: int, todo: Any, done: Any, barrier: Any) -> None:
    """One client process: its own Django connection, issuing drafts until none is left."""
    from django.db import connections

    from chantier.billing import issuing
    from chantier.billing.models import Invoice
    from chantier.core.models import User

    connections.close_all()  # never share the parent's socket
    user = User.objects.get(pk=user_id)
    latencies: list[float] = []
    errors: list[str] = []
    barrier.wait(timeout=120)
    while True:
        try:
            pk = todo.get_nowait()
        except queue.Empty:
            break
        start = time.perf_counter()
        try:
            issuing.invoice_issue(user=user, invoice=Invoice.objects.get(pk=pk))
        except Exception as exc:  # reported by the parent
            errors.append(repr(exc))
        else:
            latencies.append(time.perf_counter() - start)
    done.put((latencies, errors))
    connections.close_all()


def concurrent_processes(user_id: int, drafts: list, clients: int) -> dict[str, Any]:
    """Issue the drafts from `clients` processes (as a server's workers would: no GIL
    shared), all started by one barrier; each takes the next draft until none is left."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    todo = context.Queue()
    for draft in drafts:
        todo.put(draft.pk)
    time.sleep(0.2)  # let the feeder thread fill the queue before the workers start
    done = context.Queue()
    barrier = context.Barrier(clients + 1)
    connections.close_all()
    workers = [
        context.Process(target=_issue_worker, args=(user_id, todo, done, barrier))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=120)
    start = time.perf_counter()
    latencies: list[float] = []
    errors: list[str] = []
    for _ in workers:
        got, failed = done.get(timeout=600)
        latencies += got
        errors += failed
    seconds = time.perf_counter() - start
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "seconds": seconds,
        "issued": len(latencies),
        "rate": len(latencies) / seconds,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0,
        "errors": errors,
    }


def numbering_check(company) -> tuple[int, int, int, str]:
    """(issued, gaps, duplicates, chain verdict) of the company's invoice numbers."""
    from chantier.billing import issuing
    from chantier.billing.models import Invoice

    rows = list(
        Invoice.objects.filter(company=company, status=Invoice.Status.ISSUED).values_list(
            "number", "chain_position"
        )
    )
    seqs = [int(number.rsplit("-", 1)[1]) for number, _ in rows]
    duplicates = len(seqs) - len(set(seqs))
    gaps = len(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
    positions = sorted(position for _, position in rows)
    checked, broken = issuing.verify_chain(company)
    chain = "chain OK" if broken is None and checked == len(rows) else f"chain broken: {broken}"
    if positions != list(range(1, len(rows) + 1)):
        chain += ", chain positions not 1..n"
    return len(rows), gaps, duplicates, chain


def issuing_figures(results: list, postgresql: bool) -> None:
    """(c) small down payments of one company, issued by 1 client, then by 8 at once."""
    from chantier.billing import services
    from chantier.billing.models import Invoice

    user, client = company_with_identity("Bench Concurrence SAS")
    rounds = ROUNDS if postgresql else 0
    wanted = WARM_UP + SERIAL + rounds * ROUND
    per_contract = 19  # 19 × 5 % of the contract
    contracts = [contract_of(user, client, 1, 1, 10) for _ in range(-(-wanted // per_contract))]
    drafts: list[Invoice] = []
    # Round-robin over the contracts: concurrent clients work on different contracts.
    for _ in range(per_contract):
        for contract in contracts:
            if len(drafts) < wanted:
                drafts.append(
                    services.down_payment_create(
                        user=user, contract=contract, percent=Decimal("5"), period_date=PERIOD
                    )
                )
    company = client.company
    concurrent_round(user.pk, drafts[:WARM_UP], 1)
    drafts = drafts[WARM_UP:]
    serial = concurrent_round(user.pk, drafts[:SERIAL], 1)
    results.append(
        (
            "issuing small invoices (down payments), 1 client",
            f"{serial['rate']:.0f} invoices/s over {serial['issued']} issues "
            f"(p50 {ms(serial['p50'])})",
            "",
        )
    )
    if not postgresql:
        results.append(
            (f"issuing, {CLIENTS} concurrent clients", "not measured: PostgreSQL only", "")
        )
        return
    figures = [
        concurrent_processes(
            user.pk, drafts[SERIAL + r * ROUND : SERIAL + (r + 1) * ROUND], CLIENTS
        )
        for r in range(rounds)
    ]
    errors = [e for f in figures for e in f["errors"]]
    issued, gaps, duplicates, chain = numbering_check(company)
    rate = statistics.median(f["rate"] for f in figures)
    median_round = sorted(figures, key=lambda f: f["rate"])[len(figures) // 2]
    detail = (
        f"{rate:.0f} invoices/s (median of {rounds} rounds of {ROUND} issues: "
        + ", ".join(f"{f['rate']:.0f}" for f in figures)
        + f"; p50 {ms(median_round['p50'])}, p95 {ms(median_round['p95'])}); "
        f"{issued} numbers: {gaps} gaps, {duplicates} duplicates, {chain}"
    )
    if errors:
        detail += f"; {len(errors)} errors, first: {errors[0]!r}"
    ok = rate >= TARGET_RATE and not gaps and not duplicates and not errors
    ok = ok and chain == "chain OK" and issued == WARM_UP + SERIAL + rounds * ROUND
    results.append(
        (
            f"issuing, {CLIENTS} concurrent clients (processes, own connections)",
            detail,
            f"≥ 50/s: {verdict(ok)}",
        )
    )
    if PROFILE:
        more = []
        for contract in contracts[:3]:
            more += [
                services.down_payment_create(
                    user=user, contract=contract, percent=Decimal("1"), period_date=PERIOD
                )
                for _ in range(3)
            ]
        profiled(
            "invoice_issue × 9, one client",
            lambda: [issue(user, draft) for draft in more],
        )


def facturx_figures(user, client, results: list) -> Any:
    """(d) Factur-X of a 1,000-line issued statement, and its page."""
    from bench.einvoice_bench import source_pdf

    from chantier.billing import facturx
    from chantier.billing.models import Invoice
    from chantier.einvoice.embed import embed, extract_xml
    from chantier.einvoice.validation import check_xsd

    contract = contract_of(user, client, 10, 10, 10)
    line_ids = billed_lines(contract)
    invoice = issue(user, statement(user, contract, entries=mixed_entries(line_ids, 0)))
    pdf = source_pdf()

    def fresh() -> Invoice:
        return Invoice.objects.select_related("company", "contract", "client").get(pk=invoice.pk)

    xml_s, xml = timed_runs(lambda run: facturx.invoice_xml(fresh()))
    xsd_s, _ = timed_runs(lambda run: check_xsd(xml))
    embed_s, facturx_pdf = timed_runs(lambda run: embed(pdf, xml, number=invoice.number))

    def everything(run: int) -> bytes:
        built = facturx.invoice_xml(fresh())
        check_xsd(built)
        return embed(pdf, built, number=invoice.number)

    total_s, _ = timed_runs(everything)
    if PROFILE:
        profiled("Factur-X, 1,000 lines", lambda: everything(0))
    assert extract_xml(facturx_pdf) == xml
    results.append(
        (
            f"Factur-X, 1,000-line issued invoice ({len(xml) // 1024} KiB XML): "
            "invoice_xml + check_xsd + embed",
            f"{total_s * 1000:.0f} ms (invoice_xml {ms(xml_s)}, check_xsd {ms(xsd_s)}, "
            f"embed {ms(embed_s)}, incl. factur-x's own XSD check)",
            f"≤ 1 s: {verdict(total_s <= TARGET_FACTURX_S)}",
        )
    )
    return invoice


def machine_note(engine: str) -> str:
    from bench.results import machine_note as note

    return note(engine)


def command_line() -> str:
    from bench.results import command_line as line

    return line("bench/billing_bench.py", GIVEN_DATABASE_URL)


HEADING = "## Billing · `bench/billing_bench.py`"
INTRO = [
    HEADING,
    "",
    "Medians of 5 runs after a warm-up. Concurrent issuing (PostgreSQL only): median of",
    "3 rounds of 240 down payments of one company (on 40 contracts, taken in turn) issued",
    "by 8 client processes, as a server's workers would (no shared GIL), each with its own",
    "connection, started by one barrier. Pages through Django's test client,",
    "logged in: server time and the SQL queries of one request. The contracts come from",
    "accepted DPGF quotes (5,000 lines = 50 chapters × 10 sections × 10 lines).",
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
    logging.getLogger("factur-x").setLevel(logging.WARNING)  # one INFO line per call
    from django.db import connection
    from django.test import Client as HttpClient

    from chantier.core.services import api_token_create

    engine = connection.vendor
    fresh_database()
    note = machine_note(engine)
    results: list[tuple[str, str, str]] = []
    user, client = company_with_identity("Bench Facturation SAS")
    http = HttpClient()
    http.force_login(user)

    # (a) statement on 5,000 lines: created, re-saved; the grid page with the draft.
    big = contract_of(user, client, 50, 10, 10)
    line_ids = billed_lines(big)
    draft, first_issue_s = statement_figures(user, big, line_ids, results)
    seconds, queries, status = page_figure(http, f"/invoices/contract/{big.pk}/statement/")
    results.append(
        (
            "statement grid page, 5,000 lines, with the draft",
            f"{ms(seconds)}, {queries} queries" if status == 200 else f"HTTP {status}",
            "",
        )
    )
    start = time.perf_counter()
    big_invoice = issue(user, draft)
    results.append(
        (
            "issuing the 5,000-line statement (recompute, hash, Factur-X check; one run)",
            f"{time.perf_counter() - start:.2f} s (first statement, global 10 %: "
            f"{first_issue_s:.2f} s)",
            "",
        )
    )

    # (d) before (b): its 1,000-line invoice is shown on the page too.
    facturx_results: list = []
    mid_invoice = facturx_figures(user, client, facturx_results)

    # (b) the issued invoice's page for 50, 1,000 and 5,000 lines: constant queries.
    small = contract_of(user, client, 5, 1, 10)
    small_invoice = issue(
        user, statement(user, small, entries=mixed_entries(billed_lines(small), 0))
    )
    counts = set()
    for invoice in (small_invoice, mid_invoice, big_invoice):
        lines = invoice.lines.count()
        seconds, queries, status = page_figure(http, f"/invoices/{invoice.pk}/")
        counts.add(queries)
        ok = status == 200 and seconds <= TARGET_PAGE_S
        results.append(
            (
                f"invoice page /invoices/<pk>/, {lines:,} lines (issued)",
                f"{ms(seconds)}, {queries} queries" if status == 200 else f"HTTP {status}",
                f"≤ 500 ms: {verdict(ok)}",
            )
        )
    results.append(
        (
            "invoice page: SQL queries, 50 → 5,000 lines",
            "constant" if len(counts) == 1 else f"**not constant**: {sorted(counts)}",
            f"constant: {verdict(len(counts) == 1)}",
        )
    )
    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='bench')}")
    seconds, queries, status = page_figure(api, f"/api/v1/invoices/{big_invoice.pk}")
    results.append(
        (
            "API GET /invoices/{id}, 5,000 lines",
            f"{ms(seconds)}, {queries} queries" if status == 200 else f"HTTP {status}",
            "",
        )
    )

    # (c) issuing, 1 then 8 concurrent clients.
    issuing_figures(results, postgresql=engine == "postgresql")
    results.extend(facturx_results)

    note = note.replace(" at the start;", f" at the start, {os.getloadavg()[0]:.1f} at the end;")
    width = max(len(label) for label, _, _ in results)
    print(f"engine: {engine}\n{note}")
    for label, figure, target in results:
        print(f"  {label.ljust(width)}  {figure}  {target}")
    if "--write" in sys.argv:
        write_results(engine, note, results)


if __name__ == "__main__":
    main()
