"""Domain exceptions raised by services and engines, mapped to 4xx only at the edges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """A business rule refused the action. `field` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The acting user's role does not allow this action."""


class StaleEdit(DomainError):
    """Someone else saved the object since it was loaded (version check)."""


class InUse(DomainError):
    """The object is referenced elsewhere and cannot be deleted."""


NON_FIELD_ERRORS = "__all__"  # Django's key for errors about the object as a whole


class FieldErrors(DomainError):
    """Several inputs refused at once, so a form or an API client can show them all.

    `errors` maps a field name (NON_FIELD_ERRORS for the object as a whole) to its
    messages. With a single faulty field, `field` and `message` name it like any
    DomainError; with several, `field` is None and `message` says how many there are.
    """

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        if len(self.errors) == 1:
            [(name, messages)] = self.errors.items()
            field = None if name == NON_FIELD_ERRORS else name
            super().__init__(" ".join(messages), field=field)
        else:
            from django.utils.translation import gettext as _  # keeps engines Django-free

            count = len(self.errors)
            super().__init__(_("%(count)d fields are invalid.") % {"count": count})
