"""Inputs, outputs and errors of the billing engine. Pure: no Django, Decimal in and out.

Percent values are percents: `Decimal("20.00")` means 20 %. VAT rates are percents too.
Amounts have 2 places, quantities 3, progress percentages 4 (billing.md "Numbers and
rounding"). Every dataclass is frozen; collections are tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from chantier.core.exceptions import DomainError
from chantier.core.money import CENT

ZERO = Decimal("0.00")
ZERO_QUANTITY = Decimal("0.000")
ZERO_PERCENT = Decimal("0.0000")
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Progress entry modes (billing.md "Progress statements").
CUMULATIVE_PERCENT = "cumulative_percent"
RELATIVE_PERCENT = "relative_percent"
CUMULATIVE_QUANTITY = "cumulative_quantity"
RELATIVE_QUANTITY = "relative_quantity"
PROGRESS_MODES = (CUMULATIVE_PERCENT, RELATIVE_PERCENT, CUMULATIVE_QUANTITY, RELATIVE_QUANTITY)
QUANTITY_MODES = (CUMULATIVE_QUANTITY, RELATIVE_QUANTITY)

DEDUCTION_MODES = ("prorata", "first", "manual", "at_final")
RETENTION_BASES = ("gross", "net")
RETENTION_ON = ("every_invoice", "final_only")
REVISION_ROUNDINGS = ("3up", "4half", "none")
MAX_RETENTION_RATE = Decimal("5.00")

# Document kinds and their type codes (billing.md "The invoice kinds and their order").
KIND_DOWN_PAYMENT = "down_payment"
KIND_PROGRESS = "progress"
KIND_FINAL = "final"
KIND_SUPPLEMENTARY = "supplementary"
KIND_CREDIT_NOTE = "credit_note"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
TYPE_DOWN_PAYMENT = "386"
TYPE_DOWN_PAYMENT_CREDIT = "503"

# Draft line kinds.
LINE_WORK = "work"
LINE_REVISION = "revision"
LINE_DOWN_PAYMENT = "down_payment"
LINE_DEDUCTION = "deduction_of_down_payment"
LINE_CREDIT = "credit"  # reserved: credit-note lines keep the kind of the line they reverse


def rate2(rate: Decimal) -> Decimal:
    """A VAT rate in its 2-place form (20 and 20.00 are one rate)."""
    return rate.quantize(CENT)


class BillingError(DomainError, ValueError):
    """The engine refused its input.

    `code` is stable (services build the French message from it and `params`),
    `message` is English text, `field` names the input at fault ("progress", "value",
    "index_values", "down_payment_deduction", "amount", "percent", …) and `line_id`
    the base line concerned, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        line_id: int | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.line_id = line_id
        self.params: dict[str, object] = dict(params or {})


@dataclass(frozen=True, slots=True)
class BillingWarning:
    """Something to show or confirm, never a refusal (exported as `Warning` too).

    Codes: "over_contract_quantity" (a unit-price line above its contract quantity),
    "no_deduction" (manual deduction mode, nothing deducted while a balance remains
    above the progress threshold: ask for confirmation), "over_contract" (down
    payments + works billed above the contract net, seed 002), "credit_note" (a
    statement whose net is negative is issued as a credit note, type 381).
    """

    code: str
    message: str
    line_id: int | None = None
    params: Mapping[str, object] = field(default_factory=dict)


Warning = BillingWarning  # the interface's name (engine_api.md)


@dataclass(frozen=True, slots=True)
class BaseLine:
    """A line of the billing base (contract line or approved change-order line).

    `net` is B: round2(quantity × unit_price) or a lump-sum amount; it may be negative
    (moins-value). `quantity` may be 0 for a lump sum without quantity (quantity modes
    are then refused). `lump_sum` False means unit-price (bordereau) pricing.
    """

    line_id: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    vat_rate: Decimal
    lump_sum: bool
    section: str = ""


@dataclass(frozen=True, slots=True)
class LinePrevious:
    """A line's state after the last issued statement (all cumulative)."""

    line_id: int
    cumulative_quantity: Decimal
    cumulative_percent: Decimal
    cumulative_amount: Decimal


@dataclass(frozen=True, slots=True)
class ProgressEntry:
    """Progress typed for one line; `mode` is one of PROGRESS_MODES."""

    line_id: int
    mode: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class RevisionIndex:
    """One index of the revision formula: weight b_k and base value I_k(0)."""

    name: str
    weight: Decimal
    base_value: Decimal


@dataclass(frozen=True, slots=True)
class Settings:
    """Per-contract billing settings (billing.md defaults).

    retention_rate ≤ 5 (percent); retention_base "gross" (TTC) or "net" (HT);
    retention_on "every_invoice" or "final_only"; retention_guarantee: a bank guarantee
    replaces the retention (nothing withheld); down_payment_deduction one of
    DEDUCTION_MODES; deduction_warning_threshold: global progress % above which a manual
    statement without deduction asks for confirmation; revision_fixed_part a (the
    weights b_k of `indices` make up 1 − a); revision_rounding "3up" | "4half" | "none";
    reverse_charge: VAT category AE at rate 0 (autoliquidation).
    """

    retention_rate: Decimal = Decimal("5.00")
    retention_base: str = "gross"
    retention_on: str = "every_invoice"
    retention_guarantee: bool = False
    down_payment_deduction: str = "prorata"
    deduction_warning_threshold: Decimal = Decimal("50.00")
    revision_fixed_part: Decimal = Decimal("0.1250")
    revision_rounding: str = "3up"
    indices: tuple[RevisionIndex, ...] = ()
    reverse_charge: bool = False


@dataclass(frozen=True, slots=True)
class RateAmount:
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DownPayment:
    """An issued down-payment invoice (minus its credit notes): its net per VAT rate."""

    invoice_id: int
    number: str
    nets: tuple[RateAmount, ...]


@dataclass(frozen=True, slots=True)
class DeductionPrevious:
    """Cumulative amount (positive) already deducted for one down payment at one rate."""

    invoice_id: int
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class History:
    """Everything already issued on the contract (`History()` is a fresh contract).

    works_net_cumulative = Σ works deltas issued = Σ previous cumulative amounts;
    works_gross_cumulative = the retention base so far (TTC or HT per settings);
    retention_cumulative = retention withheld so far; deducted = cumulative
    down-payment deductions per (down payment, rate); down_payments = the issued
    down payments (minus their credit notes). Build the next one with `history_after`.
    """

    lines: tuple[LinePrevious, ...] = ()
    works_net_cumulative: Decimal = ZERO
    works_gross_cumulative: Decimal = ZERO
    retention_cumulative: Decimal = ZERO
    deducted: tuple[DeductionPrevious, ...] = ()
    down_payments: tuple[DownPayment, ...] = ()


@dataclass(frozen=True, slots=True)
class Deduction:
    """A deduction below the gross (penalty, compte prorata, avance précompte…).

    `amount` is positive; `kind` e.g. "penalty", "prorata_account", "advance", "other";
    `base` "net" or "gross" says what it was computed on (informative).
    """

    label: str
    amount: Decimal
    kind: str = "other"
    base: str = "net"


@dataclass(frozen=True, slots=True)
class VatLine:
    """VAT of one rate: amount = round2(base × rate / 100); category "S" or "AE"."""

    rate: Decimal
    base: Decimal
    amount: Decimal
    category: str = "S"


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A line of a draft document.

    Work lines (one per base line, deltas of 0 included): quantity = delta quantity,
    unit_price = the line's unit price, net = S = cumulative_amount − previous_amount.
    Revision lines: one per VAT rate whose works delta ≠ 0, quantity 1.
    Down-payment deduction lines: one per (down payment, rate) whose deduction moved;
    quantity −1 and a positive unit price for a deduction (EN 16931 BR-27: no negative
    price), cumulative_amount / previous_amount are the negated cumulative deductions.
    Down-payment lines (type 386): one per rate. Credit-note lines keep the kind of the
    line they reverse, amounts negated (so summaries can tell credited works apart).
    """

    kind: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    vat_rate: Decimal
    line_id: int | None = None
    cumulative_quantity: Decimal = ZERO_QUANTITY
    cumulative_percent: Decimal = ZERO_PERCENT
    cumulative_amount: Decimal = ZERO
    previous_amount: Decimal = ZERO
    down_payment_invoice_id: int | None = None
    section: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """The computed amounts of one document, stored whole with it.

    net = Σ line nets; vat_total = Σ VAT amounts; gross = net + vat_total;
    payable = gross − retention − deductions_total. works_gross is this document's
    retention base (TTC or HT); works_gross_cumulative, retention_cumulative are after
    this document. Added fields: retention_base ("gross"/"net", the setting used);
    framework (BT-23: "S4" for a final or supplementary invoice after down payments,
    else "S1"); revision_net (Σ revision lines); down_payment_deduction (this document's
    down-payment deduction, positive) and down_payment_deduction_cumulative;
    works_net_cumulative (Σ cumulative amounts after this document).
    """

    type_code: str
    kind: str
    lines: tuple[DraftLine, ...]
    vat: tuple[VatLine, ...]
    net: Decimal
    vat_total: Decimal
    gross: Decimal
    works_net: Decimal
    works_gross: Decimal
    works_gross_cumulative: Decimal
    retention_cumulative: Decimal
    retention: Decimal
    deductions: tuple[Deduction, ...]
    deductions_total: Decimal
    payable: Decimal
    global_percent: Decimal
    revision_coefficient: Decimal | None
    warnings: tuple[BillingWarning, ...]
    retention_base: str = "gross"
    framework: str = "S1"
    revision_net: Decimal = ZERO
    down_payment_deduction: Decimal = ZERO
    down_payment_deduction_cumulative: Decimal = ZERO
    works_net_cumulative: Decimal = ZERO


DownPaymentDraft = InvoiceDraft  # a down-payment invoice is an InvoiceDraft of kind 386
