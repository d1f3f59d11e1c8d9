"""Bank statement import: reading a French bank's CSV export and proposing, for each credit
line, the invoice it pays (issue 6, billing.md "Payments").

No database here: `parse_statement` turns the file's bytes into credit lines (debits and
unreadable rows reported, never fatal); `propose` matches them against invoice rows the
caller fetched. The services module fetches and records; this one only computes.

A line's `key` is a sha256 of its normalised date, amount and label (with its occurrence
number among identical lines of the file, so two identical transfers on the same day stay
two lines): re-importing the same statement finds the same keys, and a key is recorded at
most once per company (Payment.bank_line_key is unique).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Lines to decide on in one confirmation screen: each needs two form fields and Django
# refuses a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1 000) fields.
MAX_CREDIT_LINES = 400
HEADER_SEARCH_ROWS = 30
LABEL_MAX = 250
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")

# Header synonyms, folded (lower case, no accents, single spaces); the first found wins,
# so the operation date is preferred to the value date when a file has both.
DATE_HEADERS = (
    "date operation",
    "date d'operation",
    "date de l'operation",
    "date de operation",
    "date",
    "date comptable",
    "date valeur",
    "date de valeur",
    "dateop",  # Boursorama: dateOp, dateVal, label, amount
    "dateval",
)
LABEL_HEADERS = (
    "libelle",
    "libelle operation",
    "libelle de l'operation",
    "libelle de operation",
    "label",
    "description",
)
AMOUNT_HEADERS = ("montant", "amount", "montant operation", "montant de l'operation")
# Columns that complete the label: searched for invoice numbers and client names too
# (Société Générale writes the transfer's reference in "Détail de l'écriture").
DETAIL_HEADERS = (
    "detail de l'ecriture",
    "detail de l'operation",
    "detail",
    "details",
    "libelle complementaire",
    "complement de libelle",
    "informations complementaires",
    "reference",
    "motif",
)
CREDIT_HEADERS = ("credit", "credits")
DEBIT_HEADERS = ("debit", "debits")


class StatementRefused(Exception):
    """The file as a whole cannot be read: nothing is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BankLine:
    """A credit line of the statement: money received."""

    line: int  # the line number in the file, as a text editor shows it
    date: dt.date
    amount: Decimal
    label: str
    key: str = ""
    detail: str = ""  # the detail columns' text (not part of the key)

    @property
    def text(self) -> str:
        """The label and its detail: where invoice numbers and client names are looked for."""
        return f"{self.label} {self.detail}".strip()

    @property
    def reference(self) -> str:
        """What a payment recorded from this line keeps as its reference."""
        return (f"{self.label} · {self.detail}" if self.detail else self.label)[:100]


@dataclass(frozen=True)
class SkippedRow:
    line: int
    reason: str


@dataclass(frozen=True)
class Columns:
    date: int
    label: int
    amount: int | None
    credit: int | None
    debit: int | None
    names: tuple[str, ...]
    details: tuple[int, ...] = ()

    @property
    def ignored(self) -> tuple[str, ...]:
        """The named columns of the header row that are not read (real exports have
        more columns: category, balance, account number…)."""
        used = {self.date, self.label, self.amount, self.credit, self.debit, *self.details}
        named = (name for index, name in enumerate(self.names) if index not in used and name)
        return tuple(dict.fromkeys(named))

    @property
    def detail_names(self) -> tuple[str, ...]:
        return tuple(self.names[index] for index in self.details)


@dataclass
class Statement:
    lines: list[BankLine] = field(default_factory=list)
    debits: int = 0  # debit (and zero) lines, skipped
    debit_lines: list[BankLine] = field(default_factory=list)  # the same, as read (no key)
    skipped: list[SkippedRow] = field(default_factory=list)
    delimiter: str = ";"
    encoding: str = "utf-8"
    ignored_columns: tuple[str, ...] = ()  # header names of the columns not read
    detail_columns: tuple[str, ...] = ()  # header names of the columns read with the label


# --- reading ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """'Date opération (EUR)' → 'date operation': the form headers are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"\((?:eur|euros?|€)\)|\b(?:en )?euros?\b|\beur\b|€", " ", plain)
    plain = plain.replace("_", " ").replace(".", " ").replace(":", " ")
    return " ".join(plain.split())


def decode(content: bytes) -> tuple[str, str]:
    """The text of the file and its encoding: UTF-8 (with or without BOM), else cp1252
    (what French banks and Excel write), else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in text or control:
        raise StatementRefused(_("This file is not a CSV text file."))
    return text, "utf-8" if encoding == "utf-8-sig" else encoding


def _delimiters(text: str) -> list[str]:
    """The sniffed delimiter first, then the others: csv.Sniffer prefers ',' when every
    line has as many commas as semicolons (one decimal comma per line), so the header
    search decides between them."""
    candidates = [";", ",", "\t"]
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        return candidates
    return [sniffed, *[d for d in candidates if d != sniffed]]


def _find(names: Sequence[str], synonyms: Sequence[str]) -> int | None:
    for synonym in synonyms:
        if synonym in names:
            return names.index(synonym)
    return None


def find_columns(cells: Sequence[str]) -> Columns | None:
    names = [fold(cell) for cell in cells]
    date = _find(names, DATE_HEADERS)
    label = _find(names, LABEL_HEADERS)
    amount = _find(names, AMOUNT_HEADERS)
    credit = _find(names, CREDIT_HEADERS)
    debit = _find(names, DEBIT_HEADERS)
    if date is None or label is None or (amount is None and credit is None):
        return None
    taken = {date, label, amount, credit, debit}
    details = tuple(
        index for index, name in enumerate(names) if name in DETAIL_HEADERS and index not in taken
    )
    return Columns(
        date=date,
        label=label,
        amount=amount,
        credit=None if amount is not None else credit,
        debit=None if amount is not None else debit,
        names=tuple(cell.strip() for cell in cells),
        details=details,
    )


def expected_columns() -> str:
    return _(
        "a date (Date, Date opération or Date valeur), a label (Libellé, Label or "
        "Description) and an amount (Montant or Amount, or a Crédit and a Débit column)"
    )


def _refuse_columns(rows: list[list[str]]) -> StatementRefused:
    header = max(rows, key=lambda cells: sum(1 for c in cells if c.strip()), default=[])
    found = [cell.strip() for cell in header if cell.strip()]
    if not found:
        return StatementRefused(_("The file is empty."))
    return StatementRefused(
        _(
            "The columns of this file are not recognised: found %(found)s; expected "
            "%(expected)s. Nothing was imported."
        )
        % {
            "found": ", ".join(f"“{name[:40]}”" for name in found[:12]),
            "expected": expected_columns(),
        }
    )


def parse_amount(text: str) -> Decimal:
    """'1 234,56', '-1234,56', '1.234,56', '1234.56', '+12,00 €' → Decimal; ValueError
    when it is not an amount with at most 2 decimals."""
    value = text.strip()
    for junk in ("\u00a0", "\u202f", " ", "€", "EUR", "eur", "'"):
        value = value.replace(junk, "")
    if value.startswith("(") and value.endswith(")"):
        value = "-" + value[1:-1]
    if value.endswith("-") and value[:-1].replace(",", "").replace(".", "").isdigit():
        value = "-" + value[:-1]
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    else:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
        raise ValueError(text)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if amount != amount.quantize(CENT):
        raise ValueError(text)
    return amount.quantize(CENT)


def parse_date(text: str) -> dt.date:
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", value):
        value = value[:10]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def clean_label(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())[:LABEL_MAX]


def line_key(day: dt.date, amount: Decimal, label: str, occurrence: int) -> str:
    normalised = f"{day.isoformat()}|{amount:.2f}|{clean_label(label).casefold()}|{occurrence}"
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _row_amount(cells: Sequence[str], columns: Columns) -> Decimal:
    """The signed amount of a row: credits positive, debits negative."""
    if columns.amount is not None:
        text = _cell(cells, columns.amount)
        if not text:
            raise ValueError("")
        return parse_amount(text)
    credit = _cell(cells, columns.credit)
    debit = _cell(cells, columns.debit)
    if credit and parse_amount(credit) != 0:
        value = parse_amount(credit)
        return abs(value) if value > 0 else value
    if debit and parse_amount(debit) != 0:
        return -abs(parse_amount(debit))
    if credit or debit:
        return Decimal("0.00")
    raise ValueError("")


def _rows(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error:
        raise StatementRefused(_("This file is not a readable CSV file.")) from None


def _header(text: str, delimiter: str) -> tuple[int, Columns] | None:
    for count, (number, cells) in enumerate(_rows(text, delimiter)):
        if count >= HEADER_SEARCH_ROWS:
            return None
        columns = find_columns(cells)
        if columns is not None:
            return number, columns
    return None


def parse_statement(content: bytes) -> Statement:
    """Read a bank's CSV export: ';', ',' or tab separated (sniffed), UTF-8 or cp1252,
    amounts with a decimal comma, dates 26/11/2026 or ISO, the header row found among the
    first rows by its column names (banks write the account and period above it).

    Refused as a whole (StatementRefused) when the file is too large, not text, has no
    recognisable header or too many rows; a row with a bad date or amount is skipped and
    listed with its line number; debit lines are listed and skipped. Columns the
    header names beyond the date, label and amount are ignored (and reported), except
    detail columns (Détail de l'écriture, Référence, Motif…) read with the label: the
    invoice number is looked for in them too."""
    if len(content) > MAX_BYTES:
        raise StatementRefused(
            _("The file is too large (%(most)s MB at most).") % {"most": MAX_BYTES // 1024**2}
        )
    if not content.strip():
        raise StatementRefused(_("The file is empty."))
    text, encoding = decode(content)
    found = None
    delimiter = ";"
    for delimiter in _delimiters(text):
        found = _header(text, delimiter)
        if found is not None:
            break
    if found is None:
        first = [cells for _n, cells in _rows(text, _delimiters(text)[0])][:HEADER_SEARCH_ROWS]
        raise _refuse_columns(first)
    header_line, columns = found
    statement = Statement(
        delimiter=delimiter,
        encoding=encoding,
        ignored_columns=columns.ignored,
        detail_columns=columns.detail_names,
    )
    read: list[BankLine] = []
    rows = 0
    for number, cells in _rows(text, delimiter):
        if number <= header_line or not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise StatementRefused(
                _("The file has more than %(most)s lines: export a shorter period.")
                % {"most": f"{MAX_ROWS:,}".replace(",", "\u202f")}
            )
        date_text = _cell(cells, columns.date)
        try:
            day = parse_date(date_text)
        except ValueError:
            reason = _("“%(value)s” is not a date.") % {"value": date_text[:30]}
            statement.skipped.append(SkippedRow(number, reason))
            continue
        try:
            amount = _row_amount(cells, columns)
        except ValueError as error:
            shown = str(error)[:30]
            reason = (
                _("“%(value)s” is not an amount.") % {"value": shown} if shown else _("No amount.")
            )
            statement.skipped.append(SkippedRow(number, reason))
            continue
        label = clean_label(_cell(cells, columns.label))
        detail = clean_label(" ".join(_cell(cells, index) for index in columns.details))
        if amount <= 0:
            statement.debits += 1
            statement.debit_lines.append(BankLine(number, day, amount, label, detail=detail))
            continue
        if amount > MAX_AMOUNT:
            statement.skipped.append(SkippedRow(number, _("The amount is too large.")))
            continue
        read.append(BankLine(number, day, amount, label, detail=detail))
    seen: Counter[tuple[dt.date, Decimal, str]] = Counter()
    for line in read:
        identity = (line.date, line.amount, line.label.casefold())
        seen[identity] += 1
        key = line_key(line.date, line.amount, line.label, seen[identity])
        statement.lines.append(dataclasses.replace(line, key=key))
    return statement


# --- matching --------------------------------------------------------------------------------

# How a proposal was found.
BY_NUMBER = "number"
BY_AMOUNT = "amount"
BY_AMOUNT_AND_CLIENT = "amount_client"


@dataclass(frozen=True)
class InvoiceRef:
    """An issued invoice a line may pay, with what is left on its payable part."""

    id: int
    number: str
    client_id: int
    client_name: str
    left: Decimal
    issue_date: dt.date | None = None

    def payable_on(self, day: dt.date) -> bool:
        """A payment dated `day` may be recorded on it: not before its issue date."""
        return self.issue_date is None or self.issue_date <= day


@dataclass(frozen=True)
class Proposal:
    line: BankLine
    invoice: InvoiceRef | None = None
    found_by: str = ""
    same_amount: int = 0  # unpaid invoices of exactly this amount, when none was chosen
    recorded: bool = False  # the line was imported before: it cannot be recorded again
    # Invoices the label names but issued after the line's date: not proposed (a payment
    # cannot be dated before its invoice), shown so the user knows why.
    issued_after: tuple[InvoiceRef, ...] = ()

    @property
    def over(self) -> bool:
        """More than is left on the proposed invoice (an overpayment if recorded)."""
        return self.invoice is not None and self.line.amount > self.invoice.left


NUMBER_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z/_.-]*[0-9]")


def number_tokens(label: str) -> list[str]:
    """The words of a label that may be invoice numbers ('FA2026-00012'), as written, in
    the label's order: each maximal word, then its parts around '/' and '.' (a label may
    name 'FA2026-00012/FA2026-00013')."""
    tokens: list[str] = []
    for token in NUMBER_TOKEN.findall(label):
        parts = [token, *re.split(r"[/.]", token)]
        tokens.extend(part for part in parts if len(part) >= 3 and part[-1].isdigit())
    return list(dict.fromkeys(tokens))


def numbers_in(label: str) -> list[str]:
    """number_tokens upper-cased: a bank often upper-cases the label, so numbers are
    compared upper-cased."""
    return list(dict.fromkeys(token.upper() for token in number_tokens(label)))


def name_in_label(name: str, label: str) -> bool:
    folded = " ".join(re.sub(r"[^0-9a-z]+", " ", fold(name)).split())
    haystack = " " + " ".join(re.sub(r"[^0-9a-z]+", " ", fold(label)).split()) + " "
    return len(folded) >= 3 and f" {folded} " in haystack


def propose(
    lines: Sequence[BankLine],
    *,
    by_number: dict[str, InvoiceRef],
    unpaid: Sequence[InvoiceRef],
    recorded: set[str],
) -> list[Proposal]:
    """One proposal per line, in the file's order.

    An invoice number of the company found in the label (or its detail) wins (when the
    label names several, the one whose amount left equals the line's); else an unpaid
    invoice whose amount left is exactly the line's, if it is the only one, or the only
    one of them whose client is named in the label; else none. Only invoices issued on
    or before the line's date are proposed: money received before an invoice cannot pay
    it (a label naming only such invoices gets no proposal, the invoices noted). What a
    proposal takes is deducted from the invoice's amount left for the lines
    after it, so two lines are never both proposed for the last euros of one invoice.
    `by_number` maps upper-cased numbers."""
    left = {ref.id: ref.left for ref in [*unpaid, *by_number.values()]}

    def current(ref: InvoiceRef) -> InvoiceRef:
        return dataclasses.replace(ref, left=left[ref.id])

    later: dict[int, tuple[InvoiceRef, ...]] = {}
    chosen: dict[int, Proposal] = {}
    pending: list[BankLine] = []
    for line in lines:
        if line.key in recorded:
            chosen[line.line] = Proposal(line, recorded=True)
            continue
        named = [by_number[n] for n in dict.fromkeys(numbers_in(line.text)) if n in by_number]
        later[line.line] = tuple(ref for ref in named if not ref.payable_on(line.date))
        named = [ref for ref in named if ref.payable_on(line.date)]
        if not named and later[line.line]:
            # The label names an invoice issued after the money came: paid in advance,
            # not an invoice of the same amount by chance (a credit on the client).
            chosen[line.line] = Proposal(line, issued_after=later[line.line])
            continue
        if not named:
            pending.append(line)
            continue
        exact = [ref for ref in named if left[ref.id] == line.amount]
        ref = current((exact or named)[0])
        chosen[line.line] = Proposal(line, ref, BY_NUMBER, issued_after=later[line.line])
        left[ref.id] -= line.amount
    for line in pending:
        same = [ref for ref in unpaid if left[ref.id] == line.amount and ref.payable_on(line.date)]
        named = [ref for ref in same if name_in_label(ref.client_name, line.text)]
        if len(same) == 1:
            ref, how = same[0], (BY_AMOUNT_AND_CLIENT if named else BY_AMOUNT)
        elif len(named) == 1:
            ref, how = named[0], BY_AMOUNT_AND_CLIENT
        else:
            chosen[line.line] = Proposal(line, same_amount=len(same))
            continue
        chosen[line.line] = Proposal(line, current(ref), how)
        left[ref.id] -= line.amount
    return [chosen[line.line] for line in lines]
