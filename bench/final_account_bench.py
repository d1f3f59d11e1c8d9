"""Final account (décompte général) benchmark: a contract with 60 invoices and 200 payments.

    .venv/bin/python bench/final_account_bench.py  # SQLite: var/bench/final_account.sqlite3
    DATABASE_URL=postgres://chantier:chantier@127.0.0.1:5432/chantier_fabench \
        .venv/bin/python bench/final_account_bench.py
    .venv/bin/python bench/final_account_bench.py --write    # record into bench/RESULTS.md
    .venv/bin/python bench/final_account_bench.py --profile  # cProfile of each timed action

Target (issue 6): the décompte of a contract with 60 invoices and 200 payments ≤ 300 ms,
read here as the server time of the page /invoices/contract/<pk>/final-account/ and of the
API GET /api/v1/contracts/{id}/final-account. Also shown: the selector
account_selectors.final_account alone, and the décompte's PDF rendered once (no target).

The data: one contract from an accepted quote of 200 DPGF lines (4 lots × 5 sections × 10
lines, about 2 M€ excl. VAT); 60 invoices made and issued through the services, as a user
would: 2 down payments, 55 monthly progress statements (per-line
cumulative %, the lines finishing at different months), 3 partial credit notes. Issuing
dates every invoice today, so their issue and due dates are then moved back to the
months they belong to (one UPDATE; the hash chain is not checked here). 200 payments are
bulk-created with the invoices' paid counters set to match: 180 on the payable parts
(3 or 4 per invoice, credit notes deducted, the invoices not yet due unpaid, one overdue
invoice half paid), 14 on the retention of the first statements, 6 credits on the client
(invoice None, applies_to "credit"). Each figure is the median of several runs after a
warm-up run. `--write` replaces this engine's part of the "Final account" section of
bench/RESULTS.md (or adds the section at the end), with the command line and the machine.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'final_account.sqlite3'}"
)

RUNS = 7  # timed runs after one warm-up run
PROFILE = "--profile" in sys.argv

CHAPTERS, SECTIONS, LINES = 4, 5, 10  # 200 contract lines
STATEMENTS = 55
DOWN_PAYMENTS = 2
CREDITED = (10, 25, 40)  # statements partly credited (3 credit notes)
RETENTION_PAYMENTS = 14
CLIENT_CREDITS = 6
PAYMENTS = 200

TARGET_S = 0.3


def setup_django() -> None:
    from bench.billing_bench import setup_django as billing_setup

    billing_setup()


# --------------------------------------------------------------------------- data


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_day(today: dt.date, months_back: int, day: int) -> dt.date:
    from chantier.billing.engine_rules import add_months

    return add_months(today.replace(day=1), -months_back) + dt.timedelta(days=day - 1)


LOTS = ["Gros œuvre", "Charpente et couverture", "Menuiseries extérieures", "Plâtrerie"]
WORKS = [
    ("Béton armé pour voiles", "m³", 185),
    ("Maçonnerie de blocs", "m²", 62),
    ("Enduit de façade", "m²", 38),
    ("Couverture en tuiles", "m²", 74),
    ("Fenêtre PVC double vitrage", "u", 640),
    ("Cloison en plaques de plâtre", "m²", 46),
    ("Isolation en laine minérale", "m²", 29),
    ("Chape fluide", "m²", 24),
    ("Installation de chantier", "ens", 4800),
    ("Linteau béton", "ml", 88),
]


def schedule() -> bytes:
    """The DPGF of the contract: 4 lots × 5 sections × 10 lines (200 priced lines), the
    quantities and prices of a building of about 2 M€ excl. VAT."""
    import openpyxl
    from tests.quotes.schedules import HEADER

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("DPGF")
    sheet.append(HEADER)
    for c in range(1, CHAPTERS + 1):
        sheet.append([str(c), LOTS[(c - 1) % len(LOTS)]])
        for s in range(1, SECTIONS + 1):
            sheet.append([f"{c}.{s}", f"Bâtiment {'ABCDE'[s - 1]}"])
            for n in range(1, LINES + 1):
                i = (c * SECTIONS + s) * LINES + n
                work, unit, price = WORKS[n - 1]
                quantity = (
                    1
                    if unit == "ens"
                    else 8 + (i * 37) % 60
                    if unit == "u"
                    else 40 + (i * 53) % 260
                )
                unit_price = Decimal(price) + Decimal((i * 7) % 23) / 4
                total = float(cents(quantity * unit_price))
                sheet.append(
                    [
                        f"{c}.{s}.{n}",
                        f"{work} {c}.{s}.{n}",
                        unit,
                        quantity,
                        float(unit_price),
                        total,
                    ]
                )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def contract_of(user, client):
    """A contract from the accepted quote of schedule() (as bench/billing_bench.py does)."""
    from chantier.contracts.models import Contract
    from chantier.quotes.models import Quote
    from chantier.quotes.services import quote_accept, quote_import

    quote, _, _ = quote_import(user=user, client=client, content=schedule())
    Quote.objects.filter(pk=quote.pk).update(status="sent", number="DEV2026-1")
    quote.refresh_from_db()
    quote_accept(user=user, quote=quote)
    return Contract.objects.get(quote=quote)


def progress_entries(line_ids: list[int], k: int) -> list[dict[str, Any]]:
    """Statement k: line i at min(100, k × 100 / (40 + i % 30)) % cumulative, so lines
    finish between the 40th and the 69th month; a line already at 100 % is left out."""
    entries = []
    for index, line_id in enumerate(line_ids):
        months = 40 + index % 30
        before = min(Decimal(100), cents(Decimal(100 * (k - 1)) / months))
        value = min(Decimal(100), cents(Decimal(100 * k) / months))
        if value > before:
            entries.append({"line_id": line_id, "mode": "cumulative_percent", "value": value})
    return entries


def build_contract(user, client, today: dt.date) -> tuple[Any, dict[str, Any]]:
    """The contract and its 60 issued invoices, dated back over 56 months."""
    from bench.billing_bench import billed_lines, issue

    from chantier.billing import credit_notes, services
    from chantier.billing.engine_rules import due_date
    from chantier.billing.models import Invoice, InvoiceLine
    from chantier.contracts.models import Contract

    contract = contract_of(user, client)
    Contract.objects.filter(pk=contract.pk).update(
        handover_date=today - dt.timedelta(days=20), warranty_months=12
    )
    contract.refresh_from_db()
    line_ids = billed_lines(contract)
    # (issued invoice, the date it belongs to), in the order they are made
    dated: list[tuple[Invoice, dt.date]] = []
    start = time.perf_counter()

    def down_payment(day: dt.date) -> None:
        draft = services.down_payment_create(
            user=user, contract=contract, percent=Decimal("5"), period_date=day
        )
        dated.append((issue(user, draft), day + dt.timedelta(days=1)))

    down_payment(month_day(today, STATEMENTS + 1, 5))
    for k in range(1, STATEMENTS + 1):
        period = month_day(today, STATEMENTS + 1 - k, 25)
        if k == 13:
            down_payment(month_day(today, STATEMENTS + 1 - k, 5))
        draft = services.statement_save(
            user=user,
            contract=contract,
            period_date=period,
            entries=progress_entries(line_ids, k),
        )
        statement = issue(user, draft)
        dated.append((statement, period + dt.timedelta(days=2)))
        if k in CREDITED:
            lines = list(
                InvoiceLine.objects.filter(invoice=statement, kind=InvoiceLine.Kind.WORK)
                .order_by("position", "pk")
                .values_list("pk", flat=True)[:3]
            )
            note = credit_notes.credit_note_create(user=user, invoice=statement, line_ids=lines)
            dated.append((issue(user, note), period + dt.timedelta(days=12)))
    made_s = time.perf_counter() - start
    for invoice, day in dated:
        invoice.issue_date = day
        invoice.due_date = (
            None
            if invoice.is_credit
            else due_date(
                invoice_date=day, terms=contract.payment_terms, days=contract.payment_days
            )
        )
    Invoice.objects.bulk_update([i for i, _ in dated], ["issue_date", "due_date"])
    kinds: dict[str, int] = {}
    for invoice, _ in dated:
        kinds[invoice.kind] = kinds.get(invoice.kind, 0) + 1
    return contract, {"made_s": made_s, "kinds": kinds, "invoices": len(dated)}


def split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` instalments of decreasing size, to the cent, adding up."""
    weights = [Decimal(parts - i) for i in range(parts)]
    amounts = [cents(total * w / sum(weights)) for w in weights[:-1]]
    return [*amounts, total - sum(amounts)]


def add_payments(user, contract, today: dt.date) -> dict[str, Any]:
    """200 payments, bulk-created, the invoices' counters set to what they add up to."""
    from django.db.models import Sum

    from chantier.billing.models import Invoice, Method, Payment

    invoices = list(
        Invoice.objects.filter(contract=contract, status=Invoice.Status.ISSUED).order_by(
            "issue_date", "pk"
        )
    )
    credited = {
        row["credited_invoice"]: row
        for row in Invoice.objects.filter(contract=contract, credited_invoice__isnull=False)
        .values("credited_invoice")
        .annotate(payable=Sum("payable"), retention=Sum("retention"))
    }
    billed = [i for i in invoices if not i.is_credit]
    due = [i for i in billed if i.due_date and i.due_date < today]
    methods = [Method.TRANSFER] * 6 + [Method.CHEQUE, Method.DIRECT_DEBIT]
    payments: list[Payment] = []
    number = iter(range(1, 10_000))

    def payment(invoice, day: dt.date, amount: Decimal, applies_to: str) -> Payment:
        n = next(number)
        method = methods[n % len(methods)]
        return Payment(
            company_id=contract.company_id,
            client_id=contract.client_id,
            contract=contract,
            invoice=invoice,
            date=min(day, today),
            amount=amount,
            applies_to=applies_to,
            method=method,
            reference=f"VIR-{n:05d}" if method == Method.TRANSFER else f"{method[:3].upper()}{n}",
            created_by=user,
        )

    on_payable = PAYMENTS - RETENTION_PAYMENTS - CLIENT_CREDITS
    per, extra = divmod(on_payable, len(due))
    half_paid = due[-1]
    for index, invoice in enumerate(due):
        owed = invoice.payable + credited.get(invoice.pk, {}).get("payable", Decimal(0))
        if invoice is half_paid:
            owed = cents(owed / 2)
        count = per + (1 if index < extra else 0)
        span = max((invoice.due_date - invoice.issue_date).days, count)
        for part, amount in enumerate(split(owed, count)):
            day = invoice.issue_date + dt.timedelta(days=10 + part * span // count)
            payments.append(payment(invoice, day, amount, "payable"))
        invoice.paid_payable = owed
    holding = [i for i in billed if i.retention > 0][:RETENTION_PAYMENTS]
    for invoice in holding:
        held = invoice.retention + credited.get(invoice.pk, {}).get("retention", Decimal(0))
        payments.append(payment(invoice, today - dt.timedelta(days=15), held, "retention"))
        invoice.paid_retention = held
    for n in range(CLIENT_CREDITS):
        day = today - dt.timedelta(days=40 + 170 * n)
        payments.append(payment(None, day, Decimal(120 + 172 * n) + Decimal("0.50"), "credit"))
    Payment.objects.bulk_create(payments)
    Invoice.objects.bulk_update(billed, ["paid_payable", "paid_retention"])
    return {
        "payments": len(payments),
        "invoices_paid": len(due) - 1,
        "unpaid": len(billed) - len(due),
    }


def writer_of(company):
    """A manager (a writer: seed 002's admin/manager) of the company, for the page."""
    from chantier.core import services
    from chantier.core.models import Role

    user, _ = services.user_create(
        username=f"bench-manager-{company.pk}",
        company=company,
        role=Role.MANAGER,
        password="x" * 16,
    )
    return user


# --------------------------------------------------------------------------- measures


def selector_figure(contract, today: dt.date) -> tuple[float, int, Any]:
    from bench.billing_bench import timed_runs
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chantier.billing import account_selectors

    seconds, account = timed_runs(
        lambda run: account_selectors.final_account(contract, today), runs=RUNS
    )
    with CaptureQueriesContext(connection) as ctx:
        account_selectors.final_account(contract, today)
    return seconds, len(ctx.captured_queries), account


def page_figure(http, url: str) -> tuple[float, int, int]:
    from bench.quotes_bench import page_figure as measure

    http.get(url)  # warm-up
    return measure(http, url, runs=RUNS)


def pdf_figure(contract) -> tuple[float, int, int, int]:
    """(seconds, queries, pages, KiB) of the décompte's PDF, rendered once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from chantier.billing.account_documents import final_account_pdf

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        pdf = final_account_pdf(contract)
        seconds = time.perf_counter() - start
    return seconds, len(ctx.captured_queries), len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)


# --------------------------------------------------------------------------- report


def command_line() -> str:
    from bench.results import command_line as line

    return line("bench/final_account_bench.py", GIVEN_DATABASE_URL)


HEADING = "## Final account (décompte général) · `bench/final_account_bench.py`"
INTRO = [
    HEADING,
    "",
    "One contract of 200 lines (accepted DPGF quote) with 60 issued invoices made through",
    "the services (2 down payments, 55 monthly progress statements, 3 partial credit notes;",
    "issue and due dates then moved back over 56 months) and 200 bulk-created payments",
    "(180 on the payable parts, 14 on the retention, 6 credits on the client; the invoices'",
    "paid counters set to match). Medians of 7 runs after a warm-up: the selector",
    "`account_selectors.final_account` alone, the page logged in as a manager (Django's",
    "test client: server time and the SQL queries of one request), the API with a bearer",
    "token; the PDF rendered once, in process.",
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
    from bench.billing_bench import (
        company_with_identity,
        fresh_database,
        machine_note,
        ms,
        profiled,
        verdict,
    )
    from django.db import connection
    from django.test import Client as HttpClient
    from django.utils import timezone

    from chantier.billing import account_selectors
    from chantier.core.services import api_token_create

    engine = connection.vendor
    fresh_database()
    note = machine_note(engine)
    today = timezone.localdate()
    results: list[tuple[str, str, str]] = []
    admin, client = company_with_identity("Bench Décompte SAS")
    contract, made = build_contract(admin, client, today)
    paid = add_payments(admin, contract, today)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(made["kinds"].items()))
    results.append(
        (
            "data: 200-line contract, invoices made and issued through the services",
            f"{made['invoices']} invoices ({kinds}) in {made['made_s']:.1f} s; "
            f"{paid['payments']} payments, {paid['unpaid']} invoices not yet due (unpaid), "
            "1 overdue half paid",
            "",
        )
    )

    seconds, queries, account = selector_figure(contract, today)
    results.append(
        (
            "selector account_selectors.final_account (4 queries + engine_account)",
            f"{ms(seconds)}, {queries} queries ({len(account.account.invoices)} invoice rows, "
            f"{len(account.account.past)} past entries, "
            f"{len(account.account.upcoming)} upcoming)",
            "",
        )
    )
    if PROFILE:
        profiled("final_account selector", lambda: account_selectors.final_account(contract, today))

    writer = writer_of(client.company)
    http = HttpClient()
    http.force_login(writer)
    url = f"/invoices/contract/{contract.pk}/final-account/"
    seconds, queries, status = page_figure(http, url)
    page_ok = status == 200 and seconds <= TARGET_S
    results.append(
        (
            "page /invoices/contract/<pk>/final-account/ (manager, logged in)",
            f"{ms(seconds)}, {queries} queries" if status == 200 else f"HTTP {status}",
            f"≤ 300 ms: {verdict(page_ok)}",
        )
    )
    if PROFILE:
        profiled("final-account page", lambda: http.get(url))

    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=writer, name='bench')}")
    api_url = f"/api/v1/contracts/{contract.pk}/final-account"
    seconds, queries, status = page_figure(api, api_url)
    api_ok = status == 200 and seconds <= TARGET_S
    results.append(
        (
            "API GET /api/v1/contracts/{id}/final-account (bearer token)",
            f"{ms(seconds)}, {queries} queries" if status == 200 else f"HTTP {status}",
            f"≤ 300 ms: {verdict(api_ok)}",
        )
    )
    if PROFILE:
        profiled("final-account API", lambda: api.get(api_url))

    seconds, queries, pages, size = pdf_figure(contract)
    results.append(
        (
            "PDF account_documents.final_account_pdf (one render, in process)",
            f"{seconds:.2f} s, {queries} queries, {pages} pages, {size // 1024} KiB",
            "",
        )
    )

    note = note.replace(" at the start;", f" at the start, {os.getloadavg()[0]:.1f} at the end;")
    width = max(len(label) for label, _, _ in results)
    print(f"engine: {engine}\n{note}")
    for label, figure, target in results:
        print(f"  {label.ljust(width)}  {figure}  {target}")
    if "--write" in sys.argv:
        write_results(engine, note, results)


if __name__ == "__main__":
    main()
