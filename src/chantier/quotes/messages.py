# ruff: noqa: E501  (one msgid per line, as makemessages and translators read them)
"""English messages raised by the pure modules (engine, tender import), marked for
translation: the edges translate them with gettext (the engines stay Django-free)."""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("The quantity must be greater than zero."),
    gettext_noop("A direct cost cannot be negative."),
    gettext_noop("A discount line takes an entered price."),
    gettext_noop("A discount line must lower the total."),
    gettext_noop("The unit price cannot be negative."),
    gettext_noop("Give at least one multiplier."),
    gettext_noop("A rate cannot be negative."),
    gettext_noop("Overheads and profit together must stay under 100 % of the sale price."),
    gettext_noop("A coefficient must be greater than zero."),
    gettext_noop("A finite decimal number is required."),
    gettext_noop("Write the multipliers as numbers separated by spaces, e.g. 1.10 1.15 1.05."),
    gettext_noop("Unknown VAT rate: choose 20 %, 10 %, 5.5 % or 0 %."),
    gettext_noop("summary sheet skipped"),
    gettext_noop("hidden sheet skipped"),
    gettext_noop("empty sheet skipped"),
    gettext_noop("sheet skipped: no header row (N°, Désignation, U, Qté, PU, Montant)"),
    gettext_noop("sheet skipped: a header but no rows"),
    gettext_noop('row skipped: subtotal or total ("%(text)s")'),
    gettext_noop("row skipped: repeated header"),
    gettext_noop("row skipped: no designation"),
    gettext_noop(
        "the formula in %(cell)s has no computed value (open and save the file in Excel or LibreOffice): read as empty"
    ),
    gettext_noop('quantity "%(text)s" is not a number: the line has no quantity'),
    gettext_noop("the line has no quantity"),
    gettext_noop('unit price "%(text)s" is not a number: left empty'),
    gettext_noop('amount "%(text)s" is not a number: ignored'),
    gettext_noop('the number "%(text)s" in %(cell)s is out of range: left empty'),
    gettext_noop(
        "no unit price: computed from the amount, %(amount)s / %(quantity)s = %(unit_price)s"
    ),
    gettext_noop(
        "the amount %(amount)s differs from quantity × unit price = %(computed)s: the unit price is kept"
    ),
    gettext_noop("line after a sub-chapter: placed before the sub-chapters of its chapter"),
    gettext_noop("The file is empty."),
    gettext_noop(
        "This is an old Excel .xls file (or a workbook protected by a password): save it as .xlsx and import it again."
    ),
    gettext_noop("This is an OpenDocument .ods file: save it as Excel .xlsx and import it again."),
    gettext_noop("This is a PDF file: a tender schedule can be imported from an Excel .xlsx file."),
    gettext_noop("This .xlsx file is damaged and cannot be read."),
    gettext_noop("This file is not an Excel .xlsx spreadsheet."),
    gettext_noop("The workbook has no data."),
    gettext_noop(
        "No header row found: the schedule needs a row naming its columns, with at least Désignation and two of N°, U, Qté, PU, Montant."
    ),
    gettext_noop("The schedule has a header but no rows to import."),
    gettext_noop("The file has more than %(max)s rows: split it."),
)
