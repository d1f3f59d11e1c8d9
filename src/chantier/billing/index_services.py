"""Price index values (BT01, TP01…): entered one by one or imported from CSV (billing.md
"Price revision": index values per month are data that the user enters or imports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from chantier.billing.forms import french_decimal
from chantier.billing.models import IndexValue
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError
from chantier.core.models import Company, User

MAX_BYTES = 2_000_000
NAME = re.compile(r"^[A-Za-z0-9_.\- ]{1,40}$")
MONTH_FORMATS = ("%Y-%m", "%Y-%m-%d", "%m/%Y", "%d/%m/%Y")


@transaction.atomic
def index_value_set(
    *, user: User, company: Company, name: str, month: dt.date, value: Decimal
) -> IndexValue:
    """Create or correct the value of `name` for `month` (first day of the month)."""
    require_writer(user)
    name = name.strip().upper()
    if not NAME.match(name):
        raise DomainError(_("Index names use letters, digits, “-”, “_” and “.”."), field="name")
    if value <= 0:
        raise DomainError(_("An index value is positive."), field="value")
    row, _created = IndexValue.objects.update_or_create(
        company=company, name=name, month=month.replace(day=1), defaults={"value": value}
    )
    return row


@dataclass(frozen=True)
class ImportReport:
    imported: int
    errors: list[str]


def _month(text: str) -> dt.date | None:
    for fmt in MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def index_values_import(*, user: User, company: Company, content: bytes) -> ImportReport:
    """Import `index;month;value` rows (comma, semicolon or tab). A header row is skipped.

    All or nothing: any unreadable row refuses the file, each one listed with its row
    number, and nothing is saved.
    """
    require_writer(user)
    if len(content) > MAX_BYTES:
        raise DomainError(_("The file is too large (2 MB at most)."), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise DomainError(_("The file is not a text (CSV) file."), field="file") from None
    if "\x00" in text:
        raise DomainError(_("The file is not a text (CSV) file."), field="file")
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    if "\t" in text and text.count("\t") > text.count(delimiter):
        delimiter = "\t"
    rows: list[tuple[str, dt.date, Decimal]] = []
    errors: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) < 3:
            errors.append(
                _("Row %(n)s: three columns expected (index, month, value).") % {"n": number}
            )
            continue
        name, month_text, value_text = cells[0].upper(), cells[1], cells[2]
        month = _month(month_text)
        try:
            value = french_decimal(value_text)
        except ValueError:
            value = None
        if number == 1 and month is None and value is None:
            continue  # a header row
        if not NAME.match(name):
            errors.append(
                _("Row %(n)s: “%(name)s” is not an index name.") % {"n": number, "name": name[:40]}
            )
        elif month is None:
            errors.append(
                _("Row %(n)s: “%(month)s” is not a month (2025-03).")
                % {"n": number, "month": month_text[:20]}
            )
        elif value is None or value <= 0:
            errors.append(
                _("Row %(n)s: “%(value)s” is not a positive number.")
                % {"n": number, "value": value_text[:20]}
            )
        else:
            rows.append((name, month, value))
    if errors:
        raise DomainError(" ".join(errors[:20]), field="file")
    if not rows:
        raise DomainError(_("The file has no index value."), field="file")
    with transaction.atomic():
        for name, month, value in rows:
            IndexValue.objects.update_or_create(
                company=company, name=name, month=month, defaults={"value": value}
            )
    return ImportReport(imported=len(rows), errors=[])
