"""Issue 3 benchmarks: a generated 5,000-line quote (50 chapters × 10 sections × 10 lines).

    .venv/bin/python bench/quotes_bench.py            # SQLite (var/bench/quotes.sqlite3)
    DATABASE_URL=postgres://... .venv/bin/python bench/quotes_bench.py
    .venv/bin/python bench/quotes_bench.py --write    # append to bench/RESULTS.md

Goals (issue 3): xlsx import ≤ 3 s; quote page ≤ 500 ms server time with a constant
number of SQL queries; one line edit returning updated totals ≤ 150 ms; PDF ≤ 15 s and
≤ 500 MB. Each figure is the median of several runs; the PDF renders in a child process
so that its peak memory is its own.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'quotes.sqlite3'}")
os.environ.setdefault("DOCUMENTS_INLINE_MAX_ROWS", "100000")


def setup_django() -> None:
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    else:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)


def company_and_client(name: str):
    from chantier.core import services
    from chantier.core.models import Company, Role
    from chantier.parties.models import Client

    company = Company.objects.create(name=name)
    user, _ = services.user_create(
        username=f"bench-{company.pk}", company=company, role=Role.ADMIN, password="x" * 16
    )
    client = Client.objects.create(company=company, name="Maître d'ouvrage", city="Lyon")
    return user, client


def import_quote(user, client, content: bytes):
    from chantier.quotes.services import quote_import

    quote, _, _ = quote_import(user=user, client=client, content=content)
    return quote


def timed(action, runs: int) -> float:
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def page_figure(http, url: str, runs: int = 5) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations, queries, status = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = http.get(url)
            durations.append(time.perf_counter() - start)
        queries, status = len(ctx.captured_queries), response.status_code
    return statistics.median(durations), queries, status


def line_edit_figure(http, quote, runs: int = 10) -> str:
    """One line's quantity changed through the page's htmx endpoint when it exists."""
    from django.urls import NoReverseMatch, reverse

    from chantier.quotes import line_services
    from chantier.quotes.models import Quote, QuoteLine

    line = QuoteLine.objects.filter(quote=quote).order_by("sort_key")[2500]
    quantities = iter(f"{n}.5" for n in range(1, 1000))
    try:
        url = reverse("quotes:line_edit", args=[line.pk])
    except NoReverseMatch:
        url = ""

    def through_service() -> None:
        current = Quote.objects.get(pk=quote.pk)
        line_services.line_update(
            user=quote.created_by,
            line=line,
            data={"quantity": next(quantities)},
            lock_version=current.lock_version,
        )

    def through_page() -> None:
        current = Quote.objects.get(pk=quote.pk)
        row = QuoteLine.objects.get(pk=line.pk)
        response = http.post(
            url,
            {
                "lock_version": current.lock_version,
                "reference": row.reference,
                "description": row.description,
                "unit": row.unit,
                "quantity": next(quantities),
                "unit_price": str(row.entered_price),
                "vat_rate": str(row.vat_rate),
                "price_mode": row.price_mode,
                "kind": row.kind,
            },
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.status_code

    service = timed(through_service, runs)
    figure = f"service {service * 1000:.0f} ms"
    if url:
        page = timed(through_page, runs)
        figure = f"{page * 1000:.0f} ms through the page (htmx, totals returned); {figure}"
    return figure


def pdf_child() -> None:
    """Child process: render the PDF of a freshly imported 5,000-line quote."""
    setup_django()
    from tests.quotes.schedules import big_schedule

    from chantier.documents.services import render_job_start

    user, client = company_and_client(f"PDF {time.time()}")
    quote = import_quote(user, client, big_schedule())
    start = time.perf_counter()
    job = render_job_start(user=user, kind="quote", params={"quote": quote.pk}, inline=True)
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.2f} {rss_mb:.0f} {job.page_count} {job.status}")


def main() -> None:
    if sys.argv[1:2] == ["pdf"]:
        pdf_child()
        return
    setup_django()
    from django.db import connection
    from django.test import Client as HttpClient
    from tests.quotes.schedules import big_schedule

    fresh_database()
    results: list[tuple[str, str]] = []
    user, client = company_and_client("Bench Devis SAS")
    content = big_schedule()
    durations = []
    quote = None
    for _ in range(3):
        start = time.perf_counter()
        quote = import_quote(user, client, content)
        durations.append(time.perf_counter() - start)
    assert quote is not None
    results.append(
        (
            "quote import, 5,000-line DPGF xlsx (parse + save + price)",
            f"{statistics.median(durations):.2f} s ({quote.line_count} lines, net {quote.net})",
        )
    )
    http = HttpClient()
    http.force_login(user)
    for label, url in [
        ("quote page, 5,000 lines", f"/quotes/{quote.pk}/"),
        ("quote page, 5,000 lines, filtered 'Béton 12.'", f"/quotes/{quote.pk}/?q=12."),
        ("API GET /quotes/{id}, 5,000 lines", f"/api/v1/quotes/{quote.pk}"),
    ]:
        if url.startswith("/api/"):
            from chantier.core.services import api_token_create

            token = api_token_create(user=user, name="bench")
            seconds, queries, status = page_figure(
                HttpClient(HTTP_AUTHORIZATION=f"Bearer {token}"), url
            )
        else:
            seconds, queries, status = page_figure(http, url)
        figure = f"{seconds * 1000:.0f} ms, {queries} queries"
        results.append((label, figure if status == 200 else f"HTTP {status}"))
    results.append(("one line edit, 5,000-line quote", line_edit_figure(http, quote)))
    out = subprocess.run(
        [sys.executable, __file__, "pdf"], capture_output=True, text=True, env=os.environ.copy()
    )
    if out.returncode == 0:
        seconds, rss, pages, status = out.stdout.split()[-4:]
        results.append(
            ("quote PDF, 5,000 lines", f"{seconds} s, {rss} MB peak, {pages} pages, {status}")
        )
    else:
        results.append(("quote PDF, 5,000 lines", "failed: " + out.stderr.strip().splitlines()[-1]))
    engine = connection.vendor
    width = max(len(label) for label, _ in results)
    print(f"engine: {engine}")
    for label, figure in results:
        print(f"  {label.ljust(width)}  {figure}")
    if "--write" in sys.argv:
        with open(ROOT / "bench" / "RESULTS.md", "a") as fh:
            command = " ".join(["bench/quotes_bench.py", *sys.argv[1:]])
            fh.write(f"\n## {time.strftime('%Y-%m-%d')} · {engine} · `{command}`\n\n")
            fh.write("| measure | result |\n|---|---|\n")
            for label, figure in results:
                fh.write(f"| {label} | {figure} |\n")


if __name__ == "__main__":
    main()
