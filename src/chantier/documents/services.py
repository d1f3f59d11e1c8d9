"""Writes of the documents app: start a render job, run it (inline or in the worker)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chantier.core.access import membership_of
from chantier.core.models import User
from chantier.core.services import audit_log
from chantier.documents import registry, rendering
from chantier.documents.models import RenderJob

logger = logging.getLogger(__name__)
Status = RenderJob.Status

# Rows rendered inline, in the request. Measured on these machines with the price
# list: 40 rows 0.2 s, 400 rows 0.85 s, 1,000 rows 1.9 s; so 400 rows ≈ 1 s. Larger
# documents go to the worker.
INLINE_MAX_ROWS = 400

# Progress (%) at each stage; layout moves from LAYOUT_START to LAYOUT_END page by page.
QUEUED_TO_RUNNING, DATA_LOADED, HTML_BUILT = 5, 10, 20
LAYOUT_START, LAYOUT_END, WRITTEN = 40, 90, 100
PROGRESS_MIN_INTERVAL = 0.5  # seconds between two progress writes during layout
# A running job without progress for this long has lost its worker (killed, restarted,
# out of memory): 5,000 rows render in about 10 s, with a progress write every page.
STALE_AFTER = timedelta(minutes=15)


def inline_max_rows() -> int:
    return int(getattr(settings, "DOCUMENTS_INLINE_MAX_ROWS", INLINE_MAX_ROWS))


def render_job_start(
    *, user: User, kind: str, params: Mapping[str, Any], inline: bool | None = None
) -> RenderJob:
    """Ask for a document. Any member may: printing reads, it changes no business data.

    Small documents (≤ inline_max_rows() rows, about one second) are rendered now and
    the job comes back finished; larger ones are queued for the worker, enqueued
    when the job row is committed, and the page polls the job's progress.
    `inline` forces one way (the demo data renders inline).

    Only the job creation is atomic: the render itself must not hold a transaction
    open (its progress writes are read by the polling page while it runs).
    """
    company = membership_of(user).company
    spec = registry.get_kind(kind)
    clean = spec.clean_params(params)
    rows = spec.estimate_rows(company, clean)
    run_now = rows <= inline_max_rows() if inline is None else inline
    with transaction.atomic():
        job = RenderJob.objects.create(
            company=company,
            created_by=user,
            kind=kind,
            title=spec.title(company, clean)[:200],
            params=clean,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            estimated_rows=rows,
            message=_("Waiting for the worker…"),
        )
        audit_log(
            company=company,
            user=user,
            action="render_job_start",
            obj=job,
            data={"kind": kind, "params": clean, "rows": rows, "inline": run_now},
        )
        if not run_now:
            job_id = job.pk
            transaction.on_commit(lambda: _enqueue(job_id))
    if run_now:
        job = render_job_run(job_id=job.pk)
    return job


def _enqueue(job_id: int) -> None:
    from chantier.documents.tasks import render_document

    render_document.enqueue(job_id)


def render_job_run(*, job_id: int) -> RenderJob:
    """Render a queued job: claim it, build its data, lay it out, store the PDF.

    Runs in the worker (or inline for small documents), outside any transaction so
    each progress step is visible to the page that polls it. A job already claimed
    (a task delivered twice) is left alone. Any error ends the job as failed with
    the error stored; nothing is raised.
    """
    now = timezone.now()
    claimed = RenderJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=QUEUED_TO_RUNNING, started_at=now, progress_at=now
    )
    job = RenderJob.objects.select_related("company").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language):
        try:
            _render(job)
        except Exception as exc:
            logger.exception("render job %s (%s) failed", job.pk, job.kind)
            RenderJob.objects.filter(pk=job.pk).update(
                status=Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:4000],
                message=_("The document could not be generated."),
                finished_at=timezone.now(),
            )
    job.refresh_from_db()
    return job


def render_job_mark_stale(*, job: RenderJob) -> RenderJob:
    """End as failed a running job whose worker stopped (its page would poll forever).

    A render writes its progress every page; a job RUNNING without any progress for
    STALE_AFTER has lost its worker. Called when the job is read (its page); the job is
    returned as it is now. The update is conditional on no progress since it was read,
    so a live render is never ended. `error` keeps the details for the administrator.
    """
    if job.status != Status.RUNNING:
        return job
    last = job.progress_at or job.started_at or job.created_at
    now = timezone.now()
    if now - last < STALE_AFTER:
        return job
    unchanged = Q(progress_at=job.progress_at) if job.progress_at else Q(progress_at__isnull=True)
    marked = RenderJob.objects.filter(unchanged, pk=job.pk, status=Status.RUNNING).update(
        status=Status.FAILED,
        message=_("The generation stopped before the end: ask for the document again."),
        error=f"stale: no progress since {last.isoformat()} (the worker stopped)",
        finished_at=now,
    )
    if marked:
        logger.warning("render job %s (%s) stale since %s: marked failed", job.pk, job.kind, last)
    job.refresh_from_db()
    return job


def _render(job: RenderJob) -> None:
    progress = _ProgressWriter(job.pk)
    progress.set(QUEUED_TO_RUNNING, _("Loading the data…"), force=True)
    spec = registry.get_kind(job.kind)
    context = spec.build_context(job.company, job.params)
    progress.set(DATA_LOADED, _("Data loaded; building the document…"), force=True)
    expected_pages = max(1, math.ceil(job.estimated_rows / spec.rows_per_page))

    def on_progress(step: str, done: int, total: int) -> None:
        if step == "html":
            progress.set(HTML_BUILT, _("Document built; laying out the pages…"), force=True)
        elif step == "layout":
            span = LAYOUT_END - LAYOUT_START - 1  # the last point is for "laid out"
            value = LAYOUT_START + span * (done - 1) // max(total, 1)
            message = _("Laying out page %(page)s of about %(total)s…") % {
                "page": done,
                "total": total,
            }
            progress.set(value, message, force=done == 1)
        elif step == "laid_out":
            message = ngettext(
                "%(pages)s page laid out; writing the PDF…",
                "%(pages)s pages laid out; writing the PDF…",
                total,
            ) % {"pages": total}
            progress.set(LAYOUT_END, message, force=True)

    rendered = rendering.build_pdf(
        template_name=spec.template_name,
        context=context,
        company=job.company,
        title=job.title,
        lang=job.language,
        on_progress=on_progress,
        expected_pages=expected_pages,
    )
    content = rendered.content
    if spec.finish is not None:
        content = spec.finish(content, job.company, job.params)
    job.file.save(f"{slugify(job.title) or job.kind}.pdf", ContentFile(content), save=False)
    RenderJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        error="",  # a job taken for stale that finished after all
        progress=WRITTEN,
        message=ngettext("Ready: %(pages)s page.", "Ready: %(pages)s pages.", rendered.page_count)
        % {"pages": rendered.page_count},
        file=job.file.name,
        page_count=rendered.page_count,
        finished_at=timezone.now(),
    )


class _ProgressWriter:
    """Writes progress to the job row: stage changes always, page steps at most every
    PROGRESS_MIN_INTERVAL seconds, and never backwards."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.value = 0
        self.written_at = 0.0

    def set(self, value: int, message: str, *, force: bool = False) -> None:
        value = min(max(value, self.value), LAYOUT_END)
        now = time.monotonic()
        if not force and (value == self.value or now - self.written_at < PROGRESS_MIN_INTERVAL):
            return
        self.value, self.written_at = value, now
        RenderJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(
            progress=value, message=message[:200], progress_at=timezone.now()
        )
