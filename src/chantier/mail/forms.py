"""Forms of the mail app: parsing only; the rules are checked by the services."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantier.mail import registry
from chantier.mail.services import Draft


def split_addresses(text: str) -> list[str]:
    """'a@x.fr, b@y.fr; c@z.fr' → three addresses (commas, semicolons, spaces, lines)."""
    return [part for part in re.split(r"[,;\s]+", text) if part]


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=registry.choices)


class ComposeForm(forms.Form):
    """The prepared `draft`, for the user to edit before it is queued.

    Each page shown carries a new `submit_token`; posting the same page twice
    (a double click, a reload) queues the message once (services.message_queue).
    """

    to = forms.CharField(
        label=_("To"), max_length=4000, help_text=_("Separate addresses with commas.")
    )
    cc = forms.CharField(
        label=_("Cc"),
        max_length=4000,
        required=False,
        help_text=_("You and the company get a copy; remove an address to leave it out."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 18})
    )
    submit_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, draft: Draft) -> None:
        super().__init__(data, initial=self.initial_from(draft))
        self.draft = draft

    @staticmethod
    def initial_from(draft: Draft) -> dict[str, Any]:
        return {
            "to": ", ".join(draft.to),
            "cc": ", ".join(draft.cc),
            "subject": draft.subject,
            "body": draft.body,
            "submit_token": uuid.uuid4(),
        }

    def edited_draft(self) -> Draft:
        """The draft with what the user edited; attachments stay those of the draft."""
        data = self.cleaned_data
        return dataclasses.replace(
            self.draft,
            to=split_addresses(data["to"]),
            cc=split_addresses(data["cc"]),
            subject=data["subject"],
            body=data["body"],
            submit_token=data["submit_token"],
        )
