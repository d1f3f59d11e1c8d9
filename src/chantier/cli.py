"""The `chantier` command: Django's manage.py with the project's own verbs.

chantier serve [--no-worker]   web server (gunicorn) + task worker; Ctrl-C stops both
chantier worker                task worker only
chantier migrate | demo | create-user | api-token | verify-chain | <any manage.py command>
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

ALIASES = {"create-user": "create_user", "api-token": "api_token", "verify-chain": "verify_chain"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    verb, rest = args[0], args[1:]
    if verb == "serve":
        return serve(with_worker="--no-worker" not in rest)
    if verb == "worker":
        return worker(rest)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chantier", ALIASES.get(verb, verb), *rest])
    return 0


def _worker_command(extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "chantier.cli", "db_worker", "--no-reload", *extra]


def _schedule_daily_tasks() -> None:
    # The daily chains (quote expiry) re-enqueue themselves; this starts them when the
    # queue holds none, e.g. on a new database. A failure must not stop the worker.
    subprocess.call([sys.executable, "-m", "chantier.cli", "expire_quotes", "--schedule"])


def worker(extra: list[str]) -> int:
    _schedule_daily_tasks()
    return subprocess.call(_worker_command(extra))


def serve(*, with_worker: bool) -> int:
    from chantier.env import env_int

    port = env_int("PORT", 8000, minimum=1, maximum=65535)
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "chantier.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("WEB_WORKERS", "2"),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
    )
    children = [web]
    if with_worker:
        _schedule_daily_tasks()
        children.append(subprocess.Popen(_worker_command([])))

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = web.wait()
    stop(signal.SIGTERM, None)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
