"""Background rendering: the worker (`chantier db_worker`) runs queued render jobs."""

from __future__ import annotations

from django.tasks import task

from chantier.documents.services import render_job_run


class RenderFailed(Exception):
    """Raised after the job is stored as failed, so the task result shows it too."""


@task()
def render_document(job_id: int) -> int:
    job = render_job_run(job_id=job_id)
    if job.status == job.Status.FAILED:
        raise RenderFailed(f"render job {job_id}: {job.error}")
    return job.pk
