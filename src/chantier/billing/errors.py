"""Engine refusals → domain errors with a French message naming the line or field."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from chantier.billing import engine
from chantier.core.exceptions import DomainError


def _messages() -> dict[str, str]:
    return {
        "over_100": _("Line “%(line)s”: progress cannot exceed 100 %% on a lump-sum line."),
        "unknown_line": _("Line %(line)s is not a line of this contract's billing base."),
        "negative_cumulative": _("Line “%(line)s”: progress cannot go below zero."),
        "no_quantity": _(
            "Line “%(line)s” has no contract quantity: enter its progress as a percentage."
        ),
        "missing_index": _(
            "The value of index %(name)s for the statement's month is missing: enter it in "
            "the index table."
        ),
        "deduction_above_balance": _(
            "The down-payment deduction cannot exceed the remaining balance (%(balance)s)."
        ),
        "invalid_percent": _("The percentage must be above 0 and at most 100."),
        "invalid_amount": _("The amount must be above zero."),
    }


def domain_error(exc: engine.BillingError, base: Sequence[engine.BaseLine]) -> DomainError:
    code = getattr(exc, "code", "") or ""
    params = dict(getattr(exc, "params", None) or {})
    line_id = getattr(exc, "line_id", None)
    if line_id is not None:
        names = {line.line_id: line.description.splitlines()[0][:80] for line in base}
        params.setdefault("line", names.get(line_id, str(line_id)))
    template = _messages().get(code)
    if template is None:
        return DomainError(exc.message, field=exc.field)
    try:
        message = template % params
    except (KeyError, TypeError, ValueError):
        message = exc.message
    field = exc.field
    if line_id is not None:
        field = f"progress.{line_id}"
    return DomainError(message, field=field)
