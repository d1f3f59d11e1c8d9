"""Writing a benchmark's figures into bench/RESULTS.md: one "## <heading>" section per
script, one "### <date> · <engine> · `<command>`" part per database engine, replaced on
the next run on the same engine."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine_note(engine: str) -> str:
    """Cores, memory, load, Python and database versions: the figures depend on them."""
    from django.db import connection

    memory = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    database = f"SQLite {sqlite3.sqlite_version}"
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return (
        f"Machine: {os.cpu_count()} cores{memory}, load {os.getloadavg()[0]:.1f} at the start; "
        f"Python {platform.python_version()}, {database}."
    )


def command_line(script: str, database_url: str) -> str:
    """How the run was started, with the database password hidden."""
    command = " ".join([f".venv/bin/python {script}", *sys.argv[1:]])
    if not database_url:
        return command
    hidden = re.sub(r"//[^/@]*@", "//…@", database_url)  # no password in RESULTS.md
    return f"DATABASE_URL={hidden} {command}"


def write_section(
    *,
    heading: str,
    intro: list[str],
    engine: str,
    command: str,
    note: str,
    results: list[tuple[str, str, str]],
    path: Path = RESULTS,
) -> None:
    """Replace this engine's part of the section `heading`, or add the section last."""
    text = path.read_text()
    part = [
        f"### {time.strftime('%Y-%m-%d')} · {engine} · `{command}`",
        "",
        note,
        "",
        "| measure | result | target |",
        "|---|---|---|",
        *(f"| {label} | {figure} | {target} |" for label, figure, target in results),
        "",
    ]
    section = re.search(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", text, re.M | re.S)
    if section is None:
        body = text.rstrip("\n") + "\n\n" + "\n".join(intro + part)
    else:
        mine = "\n".join(part)
        parts = [
            p.rstrip("\n") + "\n" for p in re.split(r"^(?=### )", section.group(0), flags=re.M)
        ]
        runs = [mine if f" · {engine} · " in p.splitlines()[0] else p for p in parts[1:]]
        if mine not in runs:
            runs.append(mine)
        new_section = "\n".join(["\n".join(intro), *runs])
        tail = text[section.end() :]
        body = text[: section.start()] + new_section + ("\n" + tail if tail else "")
    path.write_text(body.rstrip("\n") + "\n")
