"""Generated documents: one RenderJob per PDF asked for, rendered inline or by the worker."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chantier.core.models import Company, User


def job_file_path(job: RenderJob, filename: str) -> str:
    """documents/<company>/<year>/<month>/<kind>-<job>.pdf: one folder per tenant."""
    created = job.created_at
    return f"documents/{job.company_id}/{created:%Y}/{created:%m}/{job.kind}-{job.pk}.pdf"


WAIT_HINT = timedelta(minutes=1)


class RenderJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    FINISHED = frozenset({Status.DONE, Status.FAILED})

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("document"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    estimated_rows = models.PositiveIntegerField(_("estimated rows"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=job_file_path, blank=True, max_length=200)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Last progress write of the render: a running job without any for a long time has
    # lost its worker (services.render_job_mark_stale).
    progress_at = models.DateTimeField(_("progress updated"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "-created_at"], name="renderjob_company_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="renderjob_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def waits_long(self) -> bool:
        """Queued for over a minute: the worker is probably not running."""
        return self.status == self.Status.QUEUED and timezone.now() - self.created_at > WAIT_HINT

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)
