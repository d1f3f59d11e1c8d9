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
        "percent_or_amount": _("Give either a percentage or an amount."),
        "duplicate_line": _("Line “%(line)s” has two progress entries."),
        "unknown_mode": _("Unknown progress mode %(mode)s."),
        "global_with_entries": _(
            "Enter either one global percentage or progress per line, not both."
        ),
        "negative_deduction": _("The deduction “%(label)s” must not be negative."),
        "manual_deduction_not_allowed": _(
            "A down-payment deduction is entered only when the contract deducts by hand."
        ),
        "deduction_below_zero": _(
            "The down-payment deduction cannot give back more than was deducted."
        ),
        "final_not_100": _("Line “%(line)s”: a final invoice brings lump-sum lines to 100 %%."),
        "empty_base": _("The contract has no amount to invoice."),
    }


def _warnings() -> dict[str, str]:
    return {
        "over_contract_quantity": _(
            "Line “%(line)s” is above its contract quantity (unit-price line: accepted)."
        ),
        "no_deduction": _(
            "No down-payment deduction although a balance remains: issuing asks to confirm."
        ),
        "over_contract": _(
            "Down payments and works billed would exceed the contract amount (%(base)s)."
        ),
        "credit_note": _("The statement's net is negative: it is issued as a credit note."),
    }


def warning_message(warning: engine.BillingWarning, base: Sequence[engine.BaseLine]) -> str:
    """The engine's warning in the user's language, naming the line by its description."""
    template = _warnings().get(warning.code)
    if template is None:
        return warning.message
    params = {key: str(value) for key, value in dict(warning.params).items()}
    if warning.line_id is not None:
        names = {line.line_id: line.description.splitlines()[0][:80] for line in base}
        params["line"] = names.get(warning.line_id, str(warning.line_id))
    if "base" in params:
        from chantier.core.formatting import euros

        params["base"] = euros(dict(warning.params)["base"])
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return warning.message


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
