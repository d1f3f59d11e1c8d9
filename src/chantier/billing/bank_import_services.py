"""Bank statement import: what the confirmation screen shows and recording the lines the
user confirmed (issue 6, billing.md "Payments").

The parsed lines travel between the two steps in a signed token (django.core.signing,
bound to the company, valid for a day): the amounts, dates and keys recorded are the
ones the server read from the file, never values posted by the browser. Everything the
user chose is recorded in one transaction through payment_record / client_credit_record:
one line refused and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chantier.billing import bank_import
from chantier.billing.account_selectors import unpaid_invoices, with_left_to_pay
from chantier.billing.bank_import import BankLine, InvoiceRef, Proposal, SkippedRow, Statement
from chantier.billing.models import Invoice, Method, Payment
from chantier.billing.payment_services import client_credit_record, payment_record
from chantier.core.access import company_of, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import Company, User
from chantier.parties.models import Client

TOKEN_SALT = "chantier.billing.bank_import"
TOKEN_MAX_AGE = 24 * 3600
SKIPPED_SHOWN = 200
DEBITS_SHOWN = 500  # debit lines listed (each travels in the token)
CHUNK = 500  # keys per IN (…) query: SQLite limits the parameters of one statement

INVOICE = "invoice"
CLIENT = "client"


# --- the token carried between the two steps -------------------------------------------------


@dataclass
class Parsed:
    """What the confirmation screen needs of the file, as read by the server."""

    lines: list[BankLine]
    debits: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    skipped_total: int = 0
    debit_lines: list[BankLine] = field(default_factory=list)  # the first DEBITS_SHOWN
    ignored_columns: list[str] = field(default_factory=list)
    detail_columns: list[str] = field(default_factory=list)

    @property
    def debits_not_shown(self) -> int:
        return self.debits - len(self.debit_lines)


def parsed_of(statement: Statement) -> Parsed:
    return Parsed(
        lines=statement.lines,
        debits=statement.debits,
        skipped=statement.skipped[:SKIPPED_SHOWN],
        skipped_total=len(statement.skipped),
        debit_lines=statement.debit_lines[:DEBITS_SHOWN],
        ignored_columns=list(statement.ignored_columns),
        detail_columns=list(statement.detail_columns),
    )


def token_of(company: Company, parsed: Parsed) -> str:
    payload = {
        "c": company.pk,
        "l": [
            [line.line, line.date.isoformat(), str(line.amount), line.label, line.key, line.detail]
            for line in parsed.lines
        ],
        "d": parsed.debits,
        "s": [[row.line, row.reason] for row in parsed.skipped],
        "n": parsed.skipped_total,
        "b": [
            [line.line, line.date.isoformat(), str(line.amount), line.label, line.detail]
            for line in parsed.debit_lines
        ],
        "i": parsed.ignored_columns,
        "t": parsed.detail_columns,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


class TokenRefused(DomainError):
    """The token is forged, of another company or too old."""


def parsed_of_token(company: Company, token: str) -> Parsed:
    try:
        payload: dict[str, Any] = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenRefused(
            _("This import is more than a day old: upload the statement again.")
        ) from None
    except signing.BadSignature:
        raise TokenRefused(_("This import cannot be read: upload the statement again.")) from None
    if payload.get("c") != company.pk:
        raise TokenRefused(_("This import cannot be read: upload the statement again."))
    # Tokens written before the detail, debit and column lists were added (valid a day)
    # read without them.
    lines = [
        BankLine(
            int(line),
            dt.date.fromisoformat(day),
            Decimal(amount),
            label,
            key,
            str(rest[0]) if rest else "",
        )
        for line, day, amount, label, key, *rest in payload["l"]
    ]
    skipped = [SkippedRow(int(line), str(reason)) for line, reason in payload["s"]]
    debit_lines = [
        BankLine(int(line), dt.date.fromisoformat(day), Decimal(amount), label, detail=detail)
        for line, day, amount, label, detail in payload.get("b", [])
    ]
    return Parsed(
        lines,
        int(payload["d"]),
        skipped,
        int(payload["n"]),
        debit_lines=debit_lines,
        ignored_columns=[str(name) for name in payload.get("i", [])],
        detail_columns=[str(name) for name in payload.get("t", [])],
    )


# --- the confirmation screen -----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    text: str


@dataclass(frozen=True)
class Row:
    proposal: Proposal
    target: str  # "invoice:<id>", "client:<id>" or "" (ignore)
    ticked: bool

    @property
    def line(self) -> BankLine:
        return self.proposal.line


@dataclass(frozen=True)
class Screen:
    parsed: Parsed
    rows: list[Row]  # lines to decide on
    recorded: list[BankLine]  # lines imported before
    invoice_options: list[Option]
    client_options: list[Option]

    @property
    def has_lines(self) -> bool:
        return bool(self.rows)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def recorded_keys(company: Company, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys))):
        found.update(
            Payment.objects.filter(company=company, bank_line_key__in=chunk).values_list(
                "bank_line_key", flat=True
            )
        )
    return found


def _refs(queryset: Any) -> list[InvoiceRef]:
    rows = queryset.values_list(
        "pk", "number", "client_id", "client__name", "left_payable", "issue_date"
    )
    return [
        InvoiceRef(pk, number, client, name, left, issued)
        for pk, number, client, name, left, issued in rows
    ]


def invoices_named(company: Company, lines: Sequence[BankLine]) -> dict[str, InvoiceRef]:
    """The company's issued invoices (not credit notes) whose number a label names, by
    upper-cased number, whatever is left on them."""
    tokens: list[str] = []
    for line in lines:
        for token in bank_import.number_tokens(line.text):
            tokens += [token, token.upper()]
    found: dict[str, InvoiceRef] = {}
    base = Invoice.objects.filter(
        company=company, status=Invoice.Status.ISSUED, credited_invoice__isnull=True
    ).exclude(type_code__in=("381", "503"))
    for chunk in _chunks(list(dict.fromkeys(tokens))):
        for ref in _refs(with_left_to_pay(base.filter(number__in=chunk))):
            found[ref.number.upper()] = ref
    return found


def screen_for(
    company: Company,
    parsed: Parsed,
    *,
    targets: dict[int, str] | None = None,
    ticked: set[int] | None = None,
) -> Screen:
    """The proposals for the file's credit lines (a fixed number of queries whatever the
    number of lines). `targets` and `ticked` are the user's choices when the screen is
    shown again after a refusal; else the proposals decide."""
    recorded = recorded_keys(company, [line.key for line in parsed.lines])
    pending = [line for line in parsed.lines if line.key not in recorded]
    if len(pending) > bank_import.MAX_CREDIT_LINES:
        raise bank_import.StatementRefused(
            _(
                "This statement has %(count)s credit lines to match, %(most)s at most at a "
                "time: export a shorter period."
            )
            % {"count": len(pending), "most": bank_import.MAX_CREDIT_LINES}
        )
    unpaid = _refs(unpaid_invoices(company))
    by_number = invoices_named(company, pending)
    proposals = bank_import.propose(
        parsed.lines, by_number=by_number, unpaid=unpaid, recorded=recorded
    )
    rows = []
    for proposal in proposals:
        if proposal.recorded:
            continue
        number = proposal.line.line
        default = f"{INVOICE}:{proposal.invoice.id}" if proposal.invoice else ""
        rows.append(
            Row(
                proposal=proposal,
                target=default if targets is None else targets.get(number, ""),
                ticked=(proposal.invoice is not None and not proposal.over)
                if ticked is None
                else number in ticked,
            )
        )
    invoices = {ref.id: ref for ref in [*unpaid, *by_number.values()]}
    invoice_options = [
        Option(
            f"{INVOICE}:{ref.id}",
            _("%(number)s of %(date)s · %(client)s · %(left)s left")
            % {
                "number": ref.number,
                "date": f"{ref.issue_date:%d/%m/%Y}" if ref.issue_date else "",
                "client": ref.client_name,
                "left": euros(ref.left),
            },
        )
        for ref in sorted(invoices.values(), key=lambda ref: ref.number)
    ]
    return Screen(
        parsed=parsed,
        rows=rows,
        recorded=[p.line for p in proposals if p.recorded],
        invoice_options=invoice_options,
        client_options=_client_options(company, [row.line for row in rows], invoices.values()),
    )


def _client_options(
    company: Company, lines: Sequence[BankLine], invoices: Iterable[InvoiceRef]
) -> list[Option]:
    """A credit on the client for the clients of the invoices offered and for any client
    a label names (money received before its invoice)."""
    wanted = {ref.client_id: ref.client_name for ref in invoices}
    if lines:
        for pk, name in Client.objects.filter(company=company).values_list("pk", "name"):
            if pk not in wanted and any(bank_import.name_in_label(name, x.text) for x in lines):
                wanted[pk] = name
    return [
        Option(f"{CLIENT}:{pk}", _("Credit on %(client)s") % {"client": name})
        for pk, name in sorted(wanted.items(), key=lambda item: item[1].casefold())
    ]


# --- recording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    line: BankLine
    invoice: Invoice | None = None
    client: Client | None = None


class LineRefused(DomainError):
    """One chosen line cannot be recorded: nothing was recorded."""

    def __init__(self, line: BankLine, message: str) -> None:
        text = _("Line %(line)s (%(date)s, %(amount)s, “%(label)s”): %(reason)s") % {
            "line": line.line,
            "date": f"{line.date:%d/%m/%Y}",
            "amount": euros(line.amount),
            "label": line.label[:60],
            "reason": message,
        }
        super().__init__(text)
        self.line = line


def parse_target(value: str) -> tuple[str, int] | None:
    kind, _sep, pk = value.partition(":")
    if kind not in (INVOICE, CLIENT) or not pk.isdigit():
        return None
    return kind, int(pk)


def targets_for_user(
    user: User, invoice_ids: Iterable[int], client_ids: Iterable[int]
) -> tuple[dict[int, Invoice], dict[int, Client]]:
    """The invoices and clients the user chose, each of the user's company: one of
    another company (or none) is a 404, as for any foreign id."""
    company = company_of(user)
    invoice_set, client_set = set(invoice_ids), set(client_ids)
    invoices = Invoice.objects.filter(company=company, pk__in=invoice_set).in_bulk()
    clients = Client.objects.filter(company=company, pk__in=client_set).in_bulk()
    if set(invoices) != invoice_set or set(clients) != client_set:
        raise Http404("not found")
    return invoices, clients


@transaction.atomic
def bank_lines_record(
    *, user: User, choices: Sequence[Choice], excess_as_credit: bool = False
) -> list[Payment]:
    """Record the bank lines the user confirmed, all or nothing: each on its invoice
    (payment_record: a bank transfer, the label as reference, the line's key so that it
    is never recorded twice) or as a credit on the client. The first line refused (an
    overpayment without 'excess as credit', a date before the invoice…) refuses them all,
    naming the line; a line dated before the invoice chosen for it is refused before
    anything is written."""
    require_writer(user)
    company = company_of(user)
    for choice in choices:
        issued = choice.invoice.issue_date if choice.invoice is not None else None
        if choice.invoice is not None and issued is not None and choice.line.date < issued:
            raise LineRefused(
                choice.line,
                _(
                    "invoice %(number)s is dated %(date)s, after this line: money received "
                    "before an invoice cannot pay it. Choose a credit on the client or "
                    "another invoice."
                )
                % {"number": choice.invoice.number, "date": f"{issued:%d/%m/%Y}"},
            )
    already = recorded_keys(company, [choice.line.key for choice in choices])
    payments: list[Payment] = []
    for choice in choices:
        line = choice.line
        if line.key in already:
            raise LineRefused(
                line, _("it was recorded meanwhile by another import: upload the file again.")
            )
        common: dict[str, Any] = {
            "user": user,
            "date": line.date,
            "amount": line.amount,
            "method": Method.TRANSFER,
            "reference": line.reference,
            "bank_line_key": line.key,
        }
        try:
            if choice.invoice is not None:
                payments += payment_record(
                    invoice=choice.invoice, excess_as_credit=excess_as_credit, **common
                )
            elif choice.client is not None:
                payments.append(client_credit_record(client=choice.client, contract=None, **common))
            else:
                raise DomainError(_("choose an invoice or a client, or untick the line."))
        except DomainError as error:
            raise LineRefused(line, error.message) from error
    return payments
