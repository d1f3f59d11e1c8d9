"""Progress-billing engine (situations de travaux). Pure: no Django import, Decimal in and out.

Fetch → pure compute → persist (DESIGN convention 3): a service builds the billing
base, the `History` of what was issued and the `Settings` as frozen dataclasses, calls
one function here and stores the whole `InvoiceDraft`; screen, PDF, API, Factur-X and
décompte read those stored amounts (billing.md "one engine, many outputs").

- `progress` (final=True for the final invoice), `supplementary`: french-rules §1–§4;
- `down_payment` (386), `credit_note` (381 / 503): billing.md, §3.1;
- `history_after` folds an issued document into the history;
- `revision_coefficient`, `actualisation_coefficient` (§4), `advance_repayment_cumulative`
  (§3.2), `penalty` (§9), `due_date` (§6).

The implementation is split across `engine_types` (inputs, outputs, errors),
`engine_rules` (coefficients, advance, penalty, due date, VAT), `engine_progress`
(cumulative per line), `engine_deductions`, `engine_statement`, `engine_documents`
(down payment, credit note) and `engine_history`; import from here.
"""

from __future__ import annotations

from chantier.billing.engine_documents import credit_note, down_payment
from chantier.billing.engine_history import history_after
from chantier.billing.engine_progress import global_percent_of
from chantier.billing.engine_rules import (
    PAYMENT_TERMS,
    actualisation_coefficient,
    actualisation_month,
    actualisation_needed,
    actualise,
    add_months,
    advance_repayment,
    advance_repayment_cumulative,
    due_date,
    penalty,
    revision_coefficient,
    round_coefficient,
    split_by_weights,
    validate_settings,
    vat_breakdown,
)
from chantier.billing.engine_statement import progress, supplementary
from chantier.billing.engine_types import (
    CUMULATIVE_PERCENT,
    CUMULATIVE_QUANTITY,
    DEDUCTION_MODES,
    PROGRESS_MODES,
    RELATIVE_PERCENT,
    RELATIVE_QUANTITY,
    BaseLine,
    BillingError,
    BillingWarning,
    Deduction,
    DeductionPrevious,
    DownPayment,
    DownPaymentDraft,
    DraftLine,
    History,
    InvoiceDraft,
    LinePrevious,
    ProgressEntry,
    RateAmount,
    RevisionIndex,
    Settings,
    VatLine,
    Warning,
)

__all__ = [
    "CUMULATIVE_PERCENT",
    "CUMULATIVE_QUANTITY",
    "DEDUCTION_MODES",
    "PAYMENT_TERMS",
    "PROGRESS_MODES",
    "RELATIVE_PERCENT",
    "RELATIVE_QUANTITY",
    "BaseLine",
    "BillingError",
    "BillingWarning",
    "Deduction",
    "DeductionPrevious",
    "DownPayment",
    "DownPaymentDraft",
    "DraftLine",
    "History",
    "InvoiceDraft",
    "LinePrevious",
    "ProgressEntry",
    "RateAmount",
    "RevisionIndex",
    "Settings",
    "VatLine",
    "Warning",
    "actualisation_coefficient",
    "actualisation_month",
    "actualisation_needed",
    "actualise",
    "add_months",
    "advance_repayment",
    "advance_repayment_cumulative",
    "credit_note",
    "down_payment",
    "due_date",
    "global_percent_of",
    "history_after",
    "penalty",
    "progress",
    "revision_coefficient",
    "round_coefficient",
    "split_by_weights",
    "supplementary",
    "validate_settings",
    "vat_breakdown",
]
