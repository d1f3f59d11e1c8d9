"""Domain exceptions raised by services and engines, mapped to 4xx only at the edges."""

from __future__ import annotations


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
