"""Reading French bank CSV exports and matching their credit lines with invoices (issue 6):
the pure module, no database. Files in tests/billing/data/ are written the way banks and
Excel write them (cp1252 with a preamble, comma separated with ISO dates, UTF-8 with a
BOM and Crédit/Débit columns)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from chantier.billing import bank_import
from chantier.billing.bank_import import (
    BY_AMOUNT,
    BY_AMOUNT_AND_CLIENT,
    BY_NUMBER,
    BankLine,
    InvoiceRef,
    StatementRefused,
    parse_amount,
    parse_statement,
    propose,
)

DATA = Path(__file__).parent / "data"


def read(name: str) -> bank_import.Statement:
    return parse_statement((DATA / name).read_bytes())


def rows(statement: bank_import.Statement) -> list[tuple[int, dt.date, D, str]]:
    return [(line.line, line.date, line.amount, line.label) for line in statement.lines]


def test_semicolons_decimal_commas_cp1252_accents_and_a_preamble() -> None:
    statement = read("bank_semicolon_cp1252.csv")
    assert (statement.delimiter, statement.encoding) == (";", "cp1252")
    assert rows(statement) == [
        (5, dt.date(2026, 11, 2), D("1234.56"), "VIR SEPA SCI LES TILLEULS FA2026-00001"),
        (7, dt.date(2026, 11, 5), D("14820.00"), 'VIR M. LEFÈVRE ACOMPTE "CUISINE"'),
        (8, dt.date(2026, 11, 26), D("250.00"), "REMISE CHÈQUE N°1234567"),
    ]
    assert statement.debits == 1  # "-1234,56" PRLV EDF Électricité
    assert statement.skipped == []


def test_commas_iso_dates_decimal_points_and_quoted_labels() -> None:
    statement = read("bank_comma_iso.csv")
    assert (statement.delimiter, statement.encoding) == (",", "utf-8")
    assert rows(statement) == [
        (2, dt.date(2026, 11, 2), D("1234.56"), "VIR SCI LES TILLEULS, FACTURE FA2026-00001"),
        (4, dt.date(2026, 11, 4), D("2500.00"), "VIR DUPONT, SOLDE"),
    ]
    assert statement.debits == 1


def test_credit_and_debit_columns_with_a_bom_operation_date_preferred() -> None:
    statement = read("bank_credit_debit_bom.csv")
    assert statement.encoding == "utf-8"
    assert rows(statement) == [
        (2, dt.date(2026, 11, 24), D("3600.00"), "VIR RÉSIDENCE LES ÉRABLES"),
        (4, dt.date(2026, 11, 25), D("780.00"), "VIR SCI LES TILLEULS"),
    ]
    assert statement.debits == 1  # bank charges in the Débit column


def test_unknown_columns_are_refused_naming_found_and_expected_columns() -> None:
    with pytest.raises(StatementRefused) as refused:
        read("bank_unknown_columns.csv")
    message = refused.value.message
    for found in ("“Jour”", "“Texte”", "“Somme”"):
        assert found in message
    assert bank_import.expected_columns() in message


def test_malformed_rows_are_skipped_with_their_line_numbers() -> None:
    statement = read("bank_malformed.csv")
    assert rows(statement) == [
        (2, dt.date(2026, 11, 2), D("100.00"), "VIR SCI LES TILLEULS"),
        (8, dt.date(2026, 11, 7), D("200.00"), "VIR DUPONT"),
    ]
    assert [(row.line, row.reason) for row in statement.skipped] == [
        (3, _("“%(value)s” is not a date.") % {"value": "31/02/2026"}),
        (4, _("“%(value)s” is not a date.") % {"value": "hier"}),
        (5, _("“%(value)s” is not an amount.") % {"value": "douze euros"}),
        (6, _("“%(value)s” is not an amount.") % {"value": "10,001"}),
        (7, _("No amount.")),
    ]


def test_an_online_bank_export_without_accents_and_extra_columns() -> None:
    content = (
        "dateOp;dateVal;label;category;amount;accountNum\n"
        '2026-11-20;2026-11-21;"VIR SEPA SCI LES TILLEULS";"Virements reçus";1140,00;00012\n'
    ).encode()
    assert rows(parse_statement(content)) == [
        (2, dt.date(2026, 11, 20), D("1140.00"), "VIR SEPA SCI LES TILLEULS")
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1\xa0234,56 €", "1234.56"),
        ("-1234,56", "-1234.56"),
        ("+12,5", "12.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234.56", "1234.56"),
        ("250", "250.00"),
        ("(12,00)", "-12.00"),
    ],
)
def test_amounts_as_french_banks_write_them(text: str, amount: str) -> None:
    assert parse_amount(text) == D(amount)


@pytest.mark.parametrize("text", ["", "douze", "1,2,3", "10,001", "1e3", "NaN", "--5"])
def test_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_file_too_large_empty_or_binary_is_refused() -> None:
    with pytest.raises(StatementRefused):
        parse_statement(b"x" * (bank_import.MAX_BYTES + 1))
    with pytest.raises(StatementRefused):
        parse_statement(b"  \n")
    with pytest.raises(StatementRefused):
        parse_statement(b"PK\x03\x04\x00\x00binary spreadsheet")


def test_more_rows_than_the_limit_are_refused() -> None:
    rows = [f"02/11/2026;VIR {n};1,00\n" for n in range(bank_import.MAX_ROWS + 1)]
    with pytest.raises(StatementRefused) as refused:
        parse_statement(("Date;Libellé;Montant\n" + "".join(rows)).encode())
    assert refused.value.message == _(
        "The file has more than %(most)s lines: export a shorter period."
    ) % {"most": "5\u202f000"}
    at_most = parse_statement(("Date;Libellé;Montant\n" + "".join(rows[1:])).encode())
    assert len(at_most.lines) == bank_import.MAX_ROWS


def test_keys_are_stable_and_identical_lines_stay_distinct() -> None:
    content = (
        "Date;Libellé;Montant\n"
        "02/11/2026;VIR  DUPONT;100,00\n"
        "02/11/2026;VIR DUPONT;100,00\n"
        "02/11/2026;VIR DUPONT;100,01\n"
    )
    keys = [line.key for line in parse_statement(content.encode()).lines]
    assert len(set(keys)) == 3 and all(len(key) == 64 for key in keys)
    # The same lines exported another way (commas, ISO dates, cp1252): the same keys.
    other = (
        "Date,Description,Amount\n"
        '2026-11-02,VIR DUPONT,"100,00"\n'
        "2026-11-02,VIR DUPONT ,100.00\n"
        "2026-11-02,VIR DUPONT,100.01\n"
    )
    assert [line.key for line in parse_statement(other.encode("cp1252")).lines] == keys


# --- matching --------------------------------------------------------------------------------


def line(number: int, amount: str, label: str) -> BankLine:
    return BankLine(number, dt.date(2026, 11, 2), D(amount), label, f"key{number}")


A = InvoiceRef(1, "FA2026-00001", 10, "SCI Les Tilleuls", D("14820.00"))
B = InvoiceRef(2, "FA2026-00002", 10, "SCI Les Tilleuls", D("1140.00"))
C = InvoiceRef(3, "FA2026-00003", 20, "Résidence Les Érables", D("1140.00"))
D_ = InvoiceRef(4, "FA2026-00004", 30, "Martin", D("500.00"))


def by_number(*refs: InvoiceRef) -> dict[str, InvoiceRef]:
    return {ref.number.upper(): ref for ref in refs}


def test_the_invoice_number_in_the_label_wins_over_the_amount() -> None:
    [proposal] = propose(
        [line(1, "1140.00", "VIR SCI LES TILLEULS fa2026-00001 SOLDE")],
        by_number=by_number(A),
        unpaid=[A, B, C],
        recorded=set(),
    )
    assert (proposal.invoice, proposal.found_by, proposal.over) == (A, BY_NUMBER, False)


def test_several_numbers_in_a_label_the_one_whose_amount_left_is_the_line() -> None:
    [proposal] = propose(
        [line(1, "1140.00", "VIR FA2026-00001/FA2026-00002")],
        by_number=by_number(A, B),
        unpaid=[A, B],
        recorded=set(),
    )
    assert proposal.invoice == B


def test_a_unique_amount_left_is_proposed() -> None:
    [proposal] = propose(
        [line(1, "500.00", "VIR M MARTIN")], by_number={}, unpaid=[A, B, D_], recorded=set()
    )
    assert (proposal.invoice, proposal.found_by) == (D_, BY_AMOUNT_AND_CLIENT)
    [proposal] = propose(
        [line(1, "500.00", "VIREMENT RECU")], by_number={}, unpaid=[A, B, D_], recorded=set()
    )
    assert (proposal.invoice, proposal.found_by) == (D_, BY_AMOUNT)


def test_an_ambiguous_amount_is_not_matched_unless_the_label_names_one_client() -> None:
    [proposal] = propose(
        [line(1, "1140.00", "VIREMENT RECU")], by_number={}, unpaid=[B, C], recorded=set()
    )
    assert (proposal.invoice, proposal.same_amount) == (None, 2)
    [proposal] = propose(
        [line(1, "1140.00", "VIR RESIDENCE LES ERABLES")],
        by_number={},
        unpaid=[B, C],
        recorded=set(),
    )
    assert (proposal.invoice, proposal.found_by) == (C, BY_AMOUNT_AND_CLIENT)


def test_an_amount_matching_nothing_is_not_matched() -> None:
    [proposal] = propose(
        [line(1, "999.99", "VIR SCI LES TILLEULS")], by_number={}, unpaid=[A, B], recorded=set()
    )
    assert (proposal.invoice, proposal.same_amount) == (None, 0)


def test_two_lines_never_both_take_the_last_euros_of_one_invoice() -> None:
    first, second = propose(
        [line(1, "1140.00", "VIR FA2026-00002"), line(2, "1140.00", "VIR SCI LES TILLEULS")],
        by_number=by_number(B),
        unpaid=[B, C],
        recorded=set(),
    )
    assert first.invoice == B
    # B is taken by line 1: line 2's only candidate of that amount is C.
    assert second.invoice is not None and second.invoice.id == C.id


def test_a_number_match_above_what_is_left_is_flagged() -> None:
    [proposal] = propose(
        [line(1, "20000.00", "VIR FA2026-00001")],
        by_number=by_number(A),
        unpaid=[A],
        recorded=set(),
    )
    assert proposal.invoice == A and proposal.over


def test_a_line_recorded_before_is_not_proposed() -> None:
    [proposal] = propose(
        [line(1, "500.00", "VIR M MARTIN")], by_number={}, unpaid=[D_], recorded={"key1"}
    )
    assert proposal.recorded and proposal.invoice is None


# --- extra columns, detail columns, debit lines ---------------------------------------------


def test_extra_columns_are_read_past_and_named() -> None:
    content = (
        "Date;Libellé;Montant;Catégorie;Solde\n"
        "20/11/2026;VIR SCI LES TILLEULS;1 140,00;Virements reçus;12 000,00\n"
    ).encode("cp1252")
    statement = parse_statement(content)
    assert rows(statement) == [(2, dt.date(2026, 11, 20), D("1140.00"), "VIR SCI LES TILLEULS")]
    assert statement.ignored_columns == ("Catégorie", "Solde")
    assert statement.detail_columns == ()
    # A file with only the columns read ignores none.
    assert parse_statement(b"Date;Libelle;Montant\n20/11/2026;VIR;1,00\n").ignored_columns == ()


def test_a_societe_generale_export_the_number_in_the_detail_column() -> None:
    """Société Générale writes the transfer's reference in "Détail de l'écriture"."""
    content = (
        '="0301234567890";Compte courant;\n'
        "Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise\n"
        "21/11/2026;VIR RECU 7412589630;DE: SCI LES TILLEULS MOTIF: FA2026-00002;1 140,00;EUR\n"
        "22/11/2026;PRELEVEMENT EUROPEEN;DE: URSSAF;-350,00;EUR\n"
    ).encode("cp1252")
    statement = parse_statement(content)
    [line_2] = statement.lines
    assert (line_2.label, line_2.detail) == (
        "VIR RECU 7412589630",
        "DE: SCI LES TILLEULS MOTIF: FA2026-00002",
    )
    assert statement.detail_columns == ("Détail de l'écriture",)
    assert statement.ignored_columns == ("Devise",)
    # The key is the label's: adding the detail column does not change the key of a line
    # imported before from an export without it.
    plain = parse_statement(
        "Date;Libellé;Montant\n21/11/2026;VIR RECU 7412589630;1 140,00\n".encode()
    )
    assert line_2.key == plain.lines[0].key
    [proposal] = propose(statement.lines, by_number=by_number(B), unpaid=[A, B, C], recorded=set())
    assert (proposal.invoice, proposal.found_by) == (B, BY_NUMBER)
    assert line_2.reference == "VIR RECU 7412589630 · DE: SCI LES TILLEULS MOTIF: FA2026-00002"


@pytest.mark.parametrize("header", ["Détail", "Référence", "Motif", "Libellé complémentaire"])
def test_other_detail_columns_are_searched_too(header: str) -> None:
    content = f"Date;Libellé;{header};Montant\n21/11/2026;VIREMENT;FA2026-00002;1 140,00\n"
    [line_2] = parse_statement(content.encode()).lines
    assert line_2.detail == "FA2026-00002"
    [proposal] = propose([line_2], by_number=by_number(B), unpaid=[B, C], recorded=set())
    assert proposal.invoice == B


def test_debit_lines_are_listed_with_their_date_label_and_amount() -> None:
    statement = read("bank_semicolon_cp1252.csv")
    assert [(x.line, x.date, x.amount, x.label) for x in statement.debit_lines] == [
        (6, dt.date(2026, 11, 3), D("-1234.56"), "PRLV EDF Électricité"),
    ]
    content = (
        "Date;Libellé;Crédit;Débit\n"
        "02/11/2026;FRAIS;;12,50\n"
        "03/11/2026;VIR;100,00;\n"
        "04/11/2026;ANNULATION;0,00;\n"
    )
    statement = parse_statement(content.encode())
    assert statement.debits == 2
    assert [(x.line, x.amount, x.label) for x in statement.debit_lines] == [
        (2, D("-12.50"), "FRAIS"),
        (4, D("0.00"), "ANNULATION"),
    ]


# --- invoices issued after the line ----------------------------------------------------------


def dated(ref: InvoiceRef, day: dt.date) -> InvoiceRef:
    return InvoiceRef(ref.id, ref.number, ref.client_id, ref.client_name, ref.left, day)


def test_an_invoice_issued_after_the_line_is_not_proposed_by_number() -> None:
    """A line of 21/11 naming an invoice issued on 26/11: the money came first, it cannot
    pay that invoice (payment_record refuses a payment dated before its invoice)."""
    later = dated(B, dt.date(2026, 11, 26))
    on_the_day = BankLine(1, dt.date(2026, 11, 21), D("1140.00"), "VIR FA2026-00002", "k1")
    [proposal] = propose([on_the_day], by_number=by_number(later), unpaid=[later], recorded=set())
    assert (proposal.invoice, proposal.issued_after) == (None, (later,))
    # Not another invoice of the same amount either: the label says which one it pays.
    other = dated(C, dt.date(2026, 11, 1))
    [proposal] = propose(
        [on_the_day], by_number=by_number(later), unpaid=[later, other], recorded=set()
    )
    assert (proposal.invoice, proposal.same_amount) == (None, 0)
    # Issued the same day: proposed.
    same_day = dated(B, dt.date(2026, 11, 21))
    [proposal] = propose(
        [on_the_day], by_number=by_number(same_day), unpaid=[same_day], recorded=set()
    )
    assert (proposal.invoice, proposal.issued_after) == (same_day, ())


def test_an_invoice_issued_after_the_line_is_not_proposed_by_amount() -> None:
    later = dated(D_, dt.date(2026, 11, 26))
    before = BankLine(1, dt.date(2026, 11, 21), D("500.00"), "VIR M MARTIN", "k1")
    after = BankLine(2, dt.date(2026, 11, 27), D("500.00"), "VIR M MARTIN", "k2")
    first, second = propose([before, after], by_number={}, unpaid=[later], recorded=set())
    assert (first.invoice, first.same_amount) == (None, 0)
    assert second.invoice == later
    # Two invoices of the amount, one issued after the line: the other one is the match.
    earlier = InvoiceRef(5, "FA2026-00005", 40, "Durand", D("500.00"), dt.date(2026, 11, 2))
    [proposal] = propose([before], by_number={}, unpaid=[earlier, later], recorded=set())
    assert (proposal.invoice, proposal.found_by) == (earlier, BY_AMOUNT)
