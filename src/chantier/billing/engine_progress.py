"""Cumulative progress of each line of a statement (french-rules §1.2, billing.md
"Progress statements"). Pure: no Django, Decimal in and out.

Every entry mode is converted to a cumulative value first: C = round2(B × p / 100) in
percent modes, C = round2(q × PU) in quantity modes; global %: round2(B × g / 100) per
line, the residue on the last line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from chantier.billing.engine_types import (
    CUMULATIVE_PERCENT,
    CUMULATIVE_QUANTITY,
    HUNDRED,
    KIND_FINAL,
    KIND_SUPPLEMENTARY,
    PROGRESS_MODES,
    QUANTITY_MODES,
    RELATIVE_PERCENT,
    ZERO,
    ZERO_PERCENT,
    ZERO_QUANTITY,
    BaseLine,
    BillingError,
    BillingWarning,
    History,
    LinePrevious,
    ProgressEntry,
)
from chantier.core.money import round2, round3, round4

ONE_QUANTITY = Decimal("1.000")
NO_PREVIOUS = LinePrevious(0, ZERO_QUANTITY, ZERO_PERCENT, ZERO)


@dataclass(frozen=True, slots=True)
class Cumulative:
    percent: Decimal
    quantity: Decimal
    amount: Decimal


def global_percent_of(cumulative: Decimal, base_net: Decimal) -> Decimal:
    """Global progress = Σ C / billing base × 100, 2 places; 0 when the base is 0."""
    return ZERO if base_net == 0 else round2(cumulative * HUNDRED / base_net)


def _from_percent(line: BaseLine, percent: Decimal) -> Cumulative:
    # C = round2(B × p / 100) (french-rules §1.2); the quantity is for display only.
    percent = round4(percent)
    return Cumulative(
        percent, round3(line.quantity * percent / HUNDRED), round2(line.net * percent / HUNDRED)
    )


def _from_quantity(line: BaseLine, quantity: Decimal) -> Cumulative:
    # C = round2(q × PU); the percentage is for display only.
    if line.quantity == 0:
        raise BillingError(
            f"Line {line.line_id} has no contract quantity: enter a percentage.",
            code="no_quantity",
            field="progress",
            line_id=line.line_id,
        )
    quantity = round3(quantity)
    return Cumulative(
        round4(quantity * HUNDRED / line.quantity), quantity, round2(quantity * line.unit_price)
    )


def _from_entry(line: BaseLine, previous: LinePrevious, entry: ProgressEntry) -> Cumulative:
    """Every mode is converted to a cumulative value first (billing.md)."""
    if entry.mode == CUMULATIVE_PERCENT:
        cumulative = _from_percent(line, entry.value)
    elif entry.mode == RELATIVE_PERCENT:
        cumulative = _from_percent(line, previous.cumulative_percent + entry.value)
    elif entry.mode == CUMULATIVE_QUANTITY:
        cumulative = _from_quantity(line, entry.value)
    else:
        cumulative = _from_quantity(line, previous.cumulative_quantity + entry.value)
    if entry.mode in QUANTITY_MODES and cumulative.quantity < 0:
        raise BillingError(
            f"Line {line.line_id}: the cumulative quantity would be negative.",
            code="negative_cumulative",
            field="value",
            line_id=line.line_id,
            params={"quantity": cumulative.quantity},
        )
    if cumulative.percent < 0:
        raise BillingError(
            f"Line {line.line_id}: the cumulative progress would be negative.",
            code="negative_cumulative",
            field="value",
            line_id=line.line_id,
            params={"percent": cumulative.percent},
        )
    return cumulative


def _over_contract(line: BaseLine, cumulative: Cumulative, mode: str) -> bool:
    if mode in QUANTITY_MODES:
        return cumulative.quantity > line.quantity
    return cumulative.percent > HUNDRED


def check_entries(
    base: Sequence[BaseLine], entries: Sequence[ProgressEntry], global_percent: Decimal | None
) -> dict[int, ProgressEntry]:
    ids = {line.line_id for line in base}
    by_line: dict[int, ProgressEntry] = {}
    if entries and global_percent is not None:
        raise BillingError(
            "Enter either a global percentage or progress per line, not both.",
            code="global_with_entries",
            field="progress",
        )
    for entry in entries:
        if entry.line_id not in ids:
            raise BillingError(
                f"Line {entry.line_id} is not in the billing base.",
                code="unknown_line",
                field="progress",
                line_id=entry.line_id,
            )
        if entry.line_id in by_line:
            raise BillingError(
                f"Line {entry.line_id} has two progress entries.",
                code="duplicate_line",
                field="progress",
                line_id=entry.line_id,
            )
        if entry.mode not in PROGRESS_MODES:
            raise BillingError(
                f"Unknown progress mode {entry.mode!r}.",
                code="unknown_mode",
                field="mode",
                line_id=entry.line_id,
                params={"mode": entry.mode},
            )
        by_line[entry.line_id] = entry
    return by_line


def check_base_and_history(base: Sequence[BaseLine], history: History) -> dict[int, LinePrevious]:
    ids: set[int] = set()
    for line in base:
        if line.line_id in ids:
            raise BillingError(
                f"Line {line.line_id} is twice in the billing base.",
                code="duplicate_line",
                field="base",
                line_id=line.line_id,
            )
        ids.add(line.line_id)
    previous = {line.line_id: line for line in history.lines}
    for line_id in previous:
        if line_id not in ids:
            raise BillingError(
                f"Line {line_id} was billed but is no longer in the billing base.",
                code="unknown_line",
                field="history",
                line_id=line_id,
            )
    if sum((p.cumulative_amount for p in previous.values()), ZERO) != (
        history.works_net_cumulative
    ):
        raise BillingError(
            "The history's cumulative works do not match its lines.",
            code="inconsistent_history",
            field="history",
        )
    return previous


def _global_cumulatives(
    base: Sequence[BaseLine], percent: Decimal, final: bool
) -> dict[int, Cumulative]:
    """Global %: each line round2(B × g / 100), the residue on the last line (the last one
    with a non-zero base) so that Σ C = round2(Σ B × g / 100) (french-rules §1.2)."""
    if final and percent != HUNDRED:
        raise BillingError(
            "A final invoice brings every line to 100 %.",
            code="final_not_100",
            field="global_percent",
        )
    if percent < 0:
        raise BillingError(
            "The global progress must not be negative.",
            code="negative_cumulative",
            field="global_percent",
        )
    lump_sums = [line for line in base if line.lump_sum]
    if percent > HUNDRED and lump_sums:
        raise BillingError(
            f"Line {lump_sums[0].line_id} is a lump sum: progress cannot exceed 100 %.",
            code="over_100",
            field="global_percent",
            line_id=lump_sums[0].line_id,
        )
    result = {line.line_id: _from_percent(line, percent) for line in base}
    if base:
        nonzero = [line for line in base if line.net != 0]
        last = (nonzero or list(base))[-1]
        target = round2(sum((line.net for line in base), ZERO) * round4(percent) / HUNDRED)
        residue = target - sum((c.amount for c in result.values()), ZERO)
        entry = result[last.line_id]
        result[last.line_id] = replace(entry, amount=entry.amount + residue)
    return result


def line_cumulatives(
    base: Sequence[BaseLine],
    previous: Mapping[int, LinePrevious],
    entries: Mapping[int, ProgressEntry],
    global_percent: Decimal | None,
    kind: str,
) -> tuple[dict[int, Cumulative], list[BillingWarning]]:
    """The cumulative state of every line after this statement, with its warnings."""
    closing = kind in (KIND_FINAL, KIND_SUPPLEMENTARY)
    if global_percent is not None:
        return _global_cumulatives(base, global_percent, closing), []
    result: dict[int, Cumulative] = {}
    warnings: list[BillingWarning] = []
    for line in base:
        prev = previous.get(line.line_id)
        entry = entries.get(line.line_id)
        if entry is not None:
            cumulative = _from_entry(line, prev or NO_PREVIOUS, entry)
            over = _over_contract(line, cumulative, entry.mode)
            if line.lump_sum and over:
                raise BillingError(
                    f"Line {line.line_id} is a lump sum: progress cannot exceed 100 %.",
                    code="over_100",
                    field="value",
                    line_id=line.line_id,
                    params={"percent": cumulative.percent},
                )
            if line.lump_sum and closing and cumulative.percent != HUNDRED:
                raise BillingError(
                    f"Line {line.line_id} is a lump sum: a final invoice brings it to 100 %.",
                    code="final_not_100",
                    field="value",
                    line_id=line.line_id,
                )
            if over:
                warnings.append(
                    BillingWarning(
                        "over_contract_quantity",
                        f"Line {line.line_id} is above its contract quantity.",
                        line.line_id,
                        {"quantity": cumulative.quantity, "percent": cumulative.percent},
                    )
                )
        elif line.lump_sum and closing:
            cumulative = _from_percent(line, HUNDRED)
        elif closing and (kind == KIND_FINAL or prev is None):
            # A final invoice bills unit-price lines at their contract quantity (C = B);
            # a supplementary one only the lines never billed.
            cumulative = _from_percent(line, HUNDRED)
        elif prev is not None:
            cumulative = Cumulative(
                prev.cumulative_percent, prev.cumulative_quantity, prev.cumulative_amount
            )
        else:
            cumulative = Cumulative(ZERO_PERCENT, ZERO_QUANTITY, ZERO)
        result[line.line_id] = cumulative
    return result, warnings
