"""Domain errors of the parties app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from chantier.core.exceptions import DomainError


class FieldErrors(DomainError):
    """Several inputs refused at once, so a form or an API client can show them all.

    `errors` maps a field name (NON_FIELD_ERRORS for the object as a whole) to its
    messages. With a single faulty field, `field` and `message` name it like any
    DomainError, so the generic edges already place it; with several, `field` is
    None and `message` only says how many there are.
    """

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        if len(self.errors) == 1:
            [(name, messages)] = self.errors.items()
            field = None if name == NON_FIELD_ERRORS else name
            super().__init__(" ".join(messages), field=field)
        else:
            count = len(self.errors)
            super().__init__(_("%(count)d fields are invalid.") % {"count": count})
