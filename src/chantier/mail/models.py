"""Outbox: every email the application sends, its delivery state and its attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.core.models import Company
from chantier.parties.models import Client


class OutboxMessage(models.Model):
    """One email, queued by `message_queue` and delivered by the task worker.

    `client` is SET_NULL rather than PROTECT: the outbox is a log of what was
    sent, it must not stop a client from being deleted (the parties app refuses
    that anyway while interactions or documents exist), and the recipients,
    subject and body stay readable here after the client is gone.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    from_email = models.CharField(_("from"), max_length=320)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"), blank=True)
    template_key = models.CharField(_("template"), max_length=50, blank=True)
    # What the email is about, for later apps (quote, invoice, contract...).
    related_type = models.CharField(max_length=50, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related_label = models.CharField(_("about"), max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The compose form's per-draft token: the same draft posted twice is queued once.
    # Null for messages queued by code (several nulls never collide).
    submit_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["company", "status"]),
            models.Index(fields=["company", "related_type", "related_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "submit_token"], name="mail_outbox_one_message_per_submit"
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def recipients_display(self) -> str:
        return ", ".join(self.to)


def attachment_path(instance: OutboxAttachment, filename: str) -> str:
    # The stored name never comes from the user; the real name is kept in `filename`.
    return f"mail/{instance.company_id}/{instance.message_id}/{filename}"


class OutboxAttachment(models.Model):
    """A file sent with a message; fixed when the message is queued, never edited."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    file = models.FileField(upload_to=attachment_path, max_length=300)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
