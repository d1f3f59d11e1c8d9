"""Works on site. For now the réserves (punch list) of a contract.

A réserve is a defect or an unfinished piece of work noted at the handover (réception des
travaux) or during the warranty (garantie de parfait achèvement), followed until it is lifted
(seed 002, "Gestion des réserves": the date it was passed on, its subject, a description of
the problems, and a status: identified → works in progress → awaiting inspection → lifted).

Réserves still open when the retention is released are shown as a warning there
(billing.retention calls selectors.open_reserve_count).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chantier.contracts.models import Contract
from chantier.core.models import Company


class Reserve(models.Model):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        IN_PROGRESS = "in_progress", _("Works in progress")
        AWAITING_INSPECTION = "awaiting_inspection", _("Awaiting inspection")
        LIFTED = "lifted", _("Lifted")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="reserves", verbose_name=_("contract")
    )
    title = models.CharField(_("subject"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    # Seed 002: "la date à laquelle elle a été transmise".
    noted_on = models.DateField(_("noted on"))
    due_on = models.DateField(_("to lift by"), null=True, blank=True)
    # Who must lift it: a company, a subcontractor or a participant, typed freely.
    assigned_to = models.CharField(_("to be lifted by"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IDENTIFIED
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("réserve")
        verbose_name_plural = _("réserves")
        ordering = ["noted_on", "pk"]
        constraints = [
            # Lifted ⇔ a lift date: the open count reads `lifted_on IS NULL`.
            models.CheckConstraint(
                condition=(models.Q(status="lifted") & models.Q(lifted_on__isnull=False))
                | (~models.Q(status="lifted") & models.Q(lifted_on__isnull=True)),
                name="reserve_lifted_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True)
                | models.Q(lifted_on__gte=models.F("noted_on")),
                name="reserve_lifted_after_noted",
            ),
        ]
        indexes = [models.Index(fields=["contract", "lifted_on"])]

    def __str__(self) -> str:
        if self.title:
            return self.title
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first[:80] + ("…" if len(first) > 80 else "")

    @property
    def is_open(self) -> bool:
        return self.lifted_on is None
