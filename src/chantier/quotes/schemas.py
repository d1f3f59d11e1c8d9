"""Quotes in the integration API (shared/API.md): what is posted and what is answered.

Decimals travel as JSON strings (API.md): in, a plain decimal ("12.5", "-100.00", no
exponent, no thousands separator); out, fixed places (amounts 2, quantities 3, rates and
unit prices 2, hours and unit costs 4). Chapters nest: `ChapterIn` refers to itself, so
the OpenAPI document holds one schema with a `$ref` to itself; the depth limit (8, as in
the editor) is a business rule checked by the service, which names the faulty path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, model_validator

# A decimal as a JSON string: digits, an optional point and decimals, an optional minus.
DECIMAL = r"^-?[0-9]{1,15}(\.[0-9]{1,10})?$"
DECIMAL_HELP = 'A decimal as a string, e.g. "12.5" or "-100.00".'
NOT_BLANK = r"\S"

LineKind = Literal["item", "discount", "text"]
PriceMode = Literal["entered", "cost"]
QuoteKind = Literal["client", "prospect"]
Status = Literal["draft", "sent", "accepted", "refused", "expired", "cancelled"]


def _decimal(description: str = DECIMAL_HELP) -> Any:
    return Field(None, pattern=DECIMAL, max_length=30, description=description)


class ObjectIn(Schema):
    """A JSON object, nothing else (ninja would otherwise read a list as an empty object)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's own validator wraps the input in a DjangoGetter (twice when nested).
        obj = data
        while isinstance(obj, DjangoGetter):
            obj = obj._obj
        if not isinstance(obj, dict):
            raise ValueError("a JSON object is expected")
        return data


class LineIn(ObjectIn):
    """A quote line. A text line needs only its `description`; other lines need
    `quantity`, `unit_price` (or `price_mode: "cost"` with unit costs) and `vat_rate`."""

    reference: str = Field("", max_length=50)
    description: str = Field(..., max_length=20_000)
    unit: str = Field("", max_length=20)
    quantity: str | None = _decimal("Quantity (3 places kept), > 0 except on a discount line.")
    unit_price: str | None = _decimal(
        "Unit price excl. VAT (rounded half-up to 2 places), >= 0 except on a discount line."
    )
    vat_rate: str | None = _decimal('VAT rate in %: "20", "10", "5.5" or "0".')
    kind: LineKind = "item"
    optional: bool = Field(False, description="Shown with its price, not counted in the total.")
    price_mode: PriceMode = Field(
        "entered", description='"cost": priced from the unit costs with the quote\'s method.'
    )
    unit_labour_hours: str | None = _decimal("Labour hours per unit (price_mode cost).")
    unit_labour_cost: str | None = _decimal("Labour cost per unit (price_mode cost).")
    unit_supply_cost: str | None = _decimal("Supply cost per unit (price_mode cost).")


class ChapterIn(ObjectIn):
    title: str = Field(..., max_length=250)
    chapters: list[ChapterIn] = Field(
        default_factory=list, description="Sub-chapters, 8 levels deep at most."
    )
    lines: list[LineIn] = Field(default_factory=list)


ChapterIn.model_rebuild()


class QuoteIn(ObjectIn):
    client_id: int = Field(..., ge=1, le=2**63 - 1)
    title: str = Field(..., min_length=1, max_length=250, pattern=NOT_BLANK)
    site_id: int | None = Field(None, ge=1, le=2**63 - 1)
    kind: QuoteKind = "client"
    date: dt.date | None = Field(None, description="Today when absent.")
    validity_date: dt.date | None = Field(
        None, description="The date + the company's validity days when absent."
    )
    header_text: str | None = Field(None, max_length=20_000)
    footer_text: str | None = Field(None, max_length=20_000)
    payment_terms: str | None = Field(None, max_length=250)
    down_payment_rate: str | None = _decimal("Down payment requested, in % (0 to 100).")
    terms_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="A saved terms-and-conditions text."
    )
    chapters: list[ChapterIn] = Field(default_factory=list)
    lines: list[LineIn] = Field(
        default_factory=list, description="Lines outside any chapter, printed first."
    )


class RefuseIn(ObjectIn):
    reason: str = Field("", max_length=5000)


# --- answers ------------------------------------------------------------------------------


class Out(BaseModel):
    """Answers are plain pydantic models: ninja's Schema wraps every nested object for
    attribute access, which took most of the time of answering a 5,000-line quote."""


class VatOut(Out):
    rate: str
    base: str
    amount: str


class ComponentOut(Out):
    """A component of an assembly line, copied from the catalogue (shown greyed)."""

    reference: str
    description: str
    unit: str
    kind: str
    quantity_per_unit: str
    quantity: str


class LineOut(Out):
    id: int
    reference: str
    description: str
    unit: str
    quantity: str
    unit_price: str
    net: str
    vat_rate: str
    kind: str
    optional: bool
    price_mode: str
    item_id: int | None
    direct_cost: str
    labour_hours: str
    labour_net: str
    supply_net: str
    components: list[ComponentOut]


class ChapterOut(Out):
    id: int
    number: str
    title: str
    subtotal: str
    direct_cost: str
    labour_hours: str
    chapters: list[ChapterOut]
    lines: list[LineOut]


ChapterOut.model_rebuild()


class QuoteSummaryOut(Out):
    id: int
    number: str
    version: int
    status: str
    kind: str
    title: str
    client_id: int
    client: str
    site_id: int | None
    date: str
    validity_date: str
    net: str
    gross: str


class QuoteOut(Out):
    id: int
    number: str
    version: int
    lock_version: int
    status: str
    kind: str
    title: str
    client_id: int
    site_id: int | None
    date: str
    validity_date: str
    header_text: str
    footer_text: str
    terms_text: str
    payment_terms: str
    pricing_method: str
    net: str
    vat: list[VatOut]
    vat_total: str
    gross: str
    optional_net: str
    down_payment_rate: str
    direct_cost: str
    labour_cost: str
    supply_cost: str
    margin: str
    margin_rate: str | None = Field(..., description="Margin / net in %, null when net is 0.")
    labour_hours: str
    labour_net: str
    supply_net: str
    line_count: int
    chapters: list[ChapterOut]
    lines: list[LineOut] = Field(..., description="Lines outside any chapter.")


class ReportEntryOut(Out):
    code: str
    sheet: str
    row: int | None
    message: str


class SheetOut(Out):
    sheet: str
    title: str
    chapters: int
    lines: int


class ImportReportOut(Out):
    sheets: list[SheetOut]
    skipped: list[ReportEntryOut]
    warnings: list[ReportEntryOut]
    unquantified_lines: int = Field(
        ..., description="Lines without a quantity, imported as optional lines of quantity 1."
    )


class ImportedQuoteOut(QuoteOut):
    import_report: ImportReportOut


class AcceptedOut(Out):
    contract_id: int
