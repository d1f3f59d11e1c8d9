"""An invoice as STORED, ready to be written as Factur-X (CII, profile EN 16931).

Pure Python: no Django import. The amounts are the ones the billing engine computed
and stored with the document (billing.md: "one engine, many outputs, provably
equal"). Nothing here computes a total; `cii.build_cii` only formats these values
and refuses a document whose stored totals do not add up (BR-CO-10 to BR-CO-16).

Conventions
- Money is `Decimal` with at most 2 decimals, quantities at most 4, VAT rates are
  percents (`Decimal("20.00")` means 20 %), as in the billing engine.
- Sign: amounts are passed as stored in the books. A credit note (381, or 503 for a
  down payment) is stored NEGATIVE (lines, VAT, totals); the XML carries it
  positive, as EN 16931 requires. A down-payment deduction inside an invoice (380)
  is a negative line and stays negative in the XML.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

# BT-3 type codes Chantier issues (french-rules §7.3).
INVOICE = "380"
CREDIT_NOTE = "381"
DOWN_PAYMENT_INVOICE = "386"
DOWN_PAYMENT_CREDIT_NOTE = "503"
TYPE_CODES = frozenset({INVOICE, CREDIT_NOTE, DOWN_PAYMENT_INVOICE, DOWN_PAYMENT_CREDIT_NOTE})
CREDIT_NOTE_TYPE_CODES = frozenset({CREDIT_NOTE, DOWN_PAYMENT_CREDIT_NOTE})

# BT-23 billing frameworks accepted by the French CTC rules (BR-FR-08), minus the
# multi-vendor ones (8, 9) that need the EXTENDED-CTC-FR profile.
BILLING_FRAMEWORKS = frozenset(
    {"B1", "S1", "M1", "B2", "S2", "M2", "S3", "B4", "S4", "M4", "S5", "S6", "B7", "S7"}
)

# BT-151 / BT-118 categories Chantier uses: standard rate, reverse charge.
STANDARD = "S"
REVERSE_CHARGE = "AE"
VAT_CATEGORIES = frozenset({STANDARD, REVERSE_CHARGE})
REVERSE_CHARGE_REASON_CODE = "VATEX-EU-AE"
REVERSE_CHARGE_REASON_TEXT = "Autoliquidation"

ZERO = Decimal("0.00")


class EInvoiceError(ValueError):
    """The stored document cannot be written as a valid EN 16931 invoice.

    `rule` names the EN 16931 / Factur-X business rule (e.g. "BR-CO-15") or, for
    input that no business rule covers, a short code (e.g. "type_code").
    """

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str
    siren: str | None  # BT-30 / BT-47, scheme 0002
    siret: str | None  # BT-29 / BT-46, scheme 0009
    vat_number: str | None  # BT-31 / BT-48, scheme VA
    address_line1: str
    address_line2: str = ""
    postcode: str
    city: str
    country: str = "FR"  # ISO 3166-1 alpha-2
    email: str | None = None  # BT-34 / BT-49 electronic address, scheme EM ...
    # ... unless the party's address in the French e-invoicing directory (annuaire,
    # scheme 0225, "SIREN" or "SIREN_suffix") is known: then that one is written.
    electronic_address: str | None = None
    iban: str | None = None  # seller only: BT-84
    bic: str | None = None  # seller only: BT-86


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """Deliver-to address (BG-15): the works site. `name` is BT-70."""

    name: str = ""
    line1: str
    line2: str = ""
    postcode: str
    city: str
    country: str = "FR"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrecedingInvoice:
    """BG-3: BT-25 number and BT-26 issue date of an earlier invoice."""

    number: str
    issue_date: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class EInvoiceLine:
    """One invoice line (BG-25), amounts as stored."""

    position: int  # BT-126 (1, 2, ...)
    description: str  # BT-153 item name
    quantity: Decimal  # BT-129, at most 4 decimals
    unit_code: str = "C62"  # BT-130, UN/ECE Rec 20 (see `unit_code_for`)
    unit_price: Decimal  # BT-146 (sign may be negative as stored; see cii)
    net: Decimal  # BT-131, 2 decimals
    vat_rate: Decimal  # BT-152, percent
    vat_category: str = STANDARD  # BT-151: "S" or "AE"
    # For a down-payment deduction line: the number of the 386 invoice it deducts
    # (written as BT-128, invoice line object identifier, scheme IV).
    preceding_invoice_number: str | None = None
    note: str = ""  # BT-127


@dataclass(frozen=True, slots=True, kw_only=True)
class EInvoiceVat:
    """VAT breakdown per category and rate (BG-23), as stored."""

    rate: Decimal  # BT-119, percent
    base: Decimal  # BT-116
    amount: Decimal  # BT-117
    category: str = STANDARD  # BT-118
    exemption_reason_code: str | None = None  # BT-121 ("VATEX-EU-AE" for AE)


@dataclass(frozen=True, slots=True, kw_only=True)
class EInvoice:
    """A stored invoice or credit note (signs as in the books; see the module doc)."""

    number: str  # BT-1
    type_code: str  # BT-3: 380, 381, 386, 503
    issue_date: datetime.date  # BT-2
    billing_framework: str  # BT-23 (cadre de facturation): S1, S4, ...
    seller: Party
    buyer: Party
    lines: tuple[EInvoiceLine, ...]
    vat: tuple[EInvoiceVat, ...]
    net: Decimal  # BT-109 (= BT-106: Chantier has no document-level allowance/charge)
    vat_total: Decimal  # BT-110
    gross: Decimal  # BT-112
    payable: Decimal  # amount payable now = gross - retention - deductions_total
    currency: str = "EUR"  # BT-5
    delivery_address: Address | None = None  # BG-15, the works site
    # BT-72: date the service was completed (or the down payment received) when it
    # differs from the issue date (french-rules §6.1); written as the issue date if None.
    delivery_date: datetime.date | None = None
    contract_reference: str | None = None  # BT-12
    buyer_reference: str | None = None  # BT-10
    preceding_invoices: tuple[PrecedingInvoice, ...] = ()  # BG-3 (BT-25, BT-26)
    # Retention (retenue de garantie) and other deductions below the gross: stated in
    # BT-20 and a note, never in the totals (billing.md, french-rules §7.5 option a).
    retention: Decimal = ZERO
    deductions_total: Decimal = ZERO
    due_date: datetime.date | None = None  # BT-9
    payment_terms_text: str = ""  # BT-20 (the retention sentence is appended)
    # BG-1 notes: (BT-21 subject code, BT-22 text), e.g. ("PMD", "Pénalités ...").
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_TYPE_CODES


# French units as typed on quotes and contracts -> UN/ECE Recommendation 20 codes.
_UNIT_CODES: dict[str, str] = {
    "m2": "MTK",
    "m3": "MTQ",
    "m": "MTR",
    "ml": "MTR",  # mètre linéaire, as used in construction
    "mètre": "MTR",
    "metre": "MTR",
    "cm": "CMT",
    "mm": "MMT",
    "km": "KMT",
    "h": "HUR",
    "hr": "HUR",
    "heure": "HUR",
    "heures": "HUR",
    "j": "DAY",
    "jour": "DAY",
    "jours": "DAY",
    "sem": "WEE",
    "semaine": "WEE",
    "mois": "MON",
    "an": "ANN",
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "tonne": "TNE",
    "l": "LTR",
    "litre": "LTR",
    "kw": "KWT",
    "kwh": "KWH",
    "%": "P1",
    "u": "C62",
    "un": "C62",
    "unité": "C62",
    "unite": "C62",
    "ens": "C62",
    "ensemble": "C62",
    "forfait": "C62",
    "ft": "C62",
    "fft": "C62",
    "f": "C62",
    "pce": "C62",
    "pc": "C62",
    "pièce": "C62",
    "piece": "C62",
    "": "C62",
}
# Codes that may already be stored as such.
_REC20_CODES = frozenset(_UNIT_CODES.values()) | {"H87", "XPP", "LS"}


def unit_code_for(unit: str) -> str:
    """Map a French unit ("m2", "m²", "h", "ens", "forfait", ...) to its Rec 20 code.

    A value that already is one of the Rec 20 codes above is kept. Anything else
    (a unit the list does not know, e.g. "sac") becomes C62 ("one"): the line's
    description still says what is counted.
    """
    stripped = unit.strip()
    if stripped in _REC20_CODES:
        return stripped
    key = stripped.lower().replace("²", "2").replace("³", "3").rstrip(".").strip()
    return _UNIT_CODES.get(key, "C62")
