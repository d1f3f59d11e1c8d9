"""Foundation benchmarks: list pages, catalogue import, price-list PDF.

    .venv/bin/python bench/run.py            # SQLite (var/bench/bench.sqlite3, rebuilt)
    DATABASE_URL=postgres://... .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --write    # also append the figures to bench/RESULTS.md

Builds realistic data (10,000 clients, 5,000 catalogue items), times each action a few
times and prints the median, with the SQL query count of pages. PDF renders run in a
child process each so that peak memory is the render's own.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}")
os.environ.setdefault("DOCUMENTS_INLINE_MAX_ROWS", "100000")

CITIES = [
    ("Lyon", "69003"),
    ("Paris", "75011"),
    ("Marseille", "13008"),
    ("Lille", "59000"),
    ("Nantes", "44000"),
    ("Bordeaux", "33000"),
    ("Toulouse", "31000"),
    ("Rennes", "35000"),
]


def setup_django() -> None:
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def build_company(name: str, clients: int, items: int):
    from chantier.catalogue.models import Category, Item
    from chantier.core import services
    from chantier.core.models import Company, Role
    from chantier.parties.models import Client

    company = Company.objects.create(name=name)
    user, _ = services.user_create(
        username=f"bench-{company.pk}", company=company, role=Role.ADMIN, password="x" * 16
    )
    Client.objects.bulk_create(
        Client(
            company=company,
            name=f"Client {i:05d} SARL",
            city=CITIES[i % 8][0],
            postcode=CITIES[i % 8][1],
            email=f"c{i}@example.fr",
        )
        for i in range(clients)
    )
    categories = [Category.objects.create(company=company, name=f"Lot {n:02d}") for n in range(20)]
    Item.objects.bulk_create(
        Item(
            company=company,
            reference=f"ART-{i:05d}",
            name=f"Article de construction {i}",
            unit="u",
            purchase_cost=Decimal(i % 500) / 7,
            sale_price=Decimal(i % 900) + Decimal("0.99"),
            category=categories[i % 20],
        )
        for i in range(items)
    )
    return company, user


def timed_page(client, url: str, runs: int = 5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            durations.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(durations), queries


def xlsx_of(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Référence", "Désignation", "Type", "Unité", "Coût d'achat", "Prix de vente", "TVA"]
    )
    for i in range(rows):
        sheet.append(
            [f"IMP-{i:05d}", f"Plaque de plâtre BA13 n°{i}", "fourniture", "m2", 4.85, 9.9, 20]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tender_schedule_figures() -> tuple[str, str]:
    """Issue 3 goal: a 5,000-line DPGF .xlsx imports in ≤ 3 s (parse part, no database)."""
    sys.path.insert(0, str(ROOT))
    from tests.quotes.schedules import big_schedule

    from chantier.quotes.tender_schedule import parse_tender_schedule

    content = big_schedule()
    durations = []
    for _ in range(3):
        start = time.perf_counter()
        parse_tender_schedule(content)
        durations.append(time.perf_counter() - start)
    return ("DPGF parse, 5,000-line xlsx (no database)", f"{statistics.median(durations):.2f} s")


def pdf_child(rows: int) -> None:
    """Child process: render the price list of a company with `rows` items."""
    setup_django()
    from chantier.documents import price_list
    from chantier.documents.services import render_job_start

    _, user = build_company(f"PDF {rows} {time.time()}", 0, rows)
    start = time.perf_counter()
    job = render_job_start(user=user, kind=price_list.KEY, params={}, inline=True)
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.2f} {rss_mb:.0f} {job.page_count} {job.status}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "pdf":
        pdf_child(int(sys.argv[2]))
        return
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from chantier.catalogue.importing import import_items

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    else:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    results: list[tuple[str, str]] = []
    _, user = build_company("Bench SAS", 10_000, 5_000)
    http = HttpClient()
    http.force_login(user)
    for label, url in [
        ("client list, 10,000 clients, page 1", "/clients/"),
        ("client search 'lyon', 10,000 clients", "/clients/?q=lyon"),
        ("catalogue list, 5,000 items", "/catalogue/"),
        ("catalogue search 'article 49', 5,000 items", "/catalogue/?q=article+49"),
    ]:
        seconds, queries = timed_page(http, url)
        results.append((label, f"{seconds * 1000:.0f} ms, {queries} queries"))
    _, importer = build_company("Import SAS", 0, 0)
    content = xlsx_of(5_000)
    start = time.perf_counter()
    report = import_items(user=importer, content=content)
    results.append(
        (
            "catalogue import, 5,000-row xlsx",
            f"{time.perf_counter() - start:.2f} s ({report.created} created)",
        )
    )
    results.append(tender_schedule_figures())
    for rows in (1_000, 5_000):
        out = subprocess.run(
            [sys.executable, __file__, "pdf", str(rows)],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ.copy(),
        )
        seconds, rss, pages, status = out.stdout.split()[-4:]
        results.append(
            (
                f"price-list PDF, {rows:,} items",
                f"{seconds} s, {rss} MB peak, {pages} pages, {status}",
            )
        )
    engine = connection.vendor
    width = max(len(label) for label, _ in results)
    print(f"engine: {engine}")
    for label, figure in results:
        print(f"  {label.ljust(width)}  {figure}")
    if "--write" in sys.argv:
        with open(ROOT / "bench" / "RESULTS.md", "a") as fh:
            command = " ".join(["bench/run.py", *sys.argv[1:]])
            fh.write(f"\n## {time.strftime('%Y-%m-%d')} · {engine} · `{command}`\n\n")
            fh.write("| measure | result |\n|---|---|\n")
            for label, figure in results:
                fh.write(f"| {label} | {figure} |\n")


if __name__ == "__main__":
    main()
