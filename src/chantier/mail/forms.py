"""Forms of the mail app: parsing only; the rules are checked by the services."""

from __future__ import annotations

import dataclasses
import re
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

    @staticmethod
    def initial_from(draft: Draft) -> dict[str, Any]:
        return {
            "to": ", ".join(draft.to),
            "cc": ", ".join(draft.cc),
            "subject": draft.subject,
            "body": draft.body,
        }

    def apply(self, draft: Draft) -> Draft:
        """The draft with what the user edited; attachments stay those of the draft."""
        data = self.cleaned_data
        return dataclasses.replace(
            draft,
            to=split_addresses(data["to"]),
            cc=split_addresses(data["cc"]),
            subject=data["subject"],
            body=data["body"],
        )
