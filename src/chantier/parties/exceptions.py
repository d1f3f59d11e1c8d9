"""Domain errors of the parties app (the multi-field one is shared from core)."""

from chantier.core.exceptions import FieldErrors

__all__ = ["FieldErrors"]
