"""Writing a draft's lines in one statement: a 5,000-line progress statement is saved on
every change of the grid (bench: ≤ 1 s for the whole save).

Django's bulk_create builds its SQL field by field (about 60 % of a 5,000-line save) and
its delete() first loads every row to collect related objects. A draft's lines are never
referenced (only issued invoices' lines are credited), so a plain DELETE and one
executemany INSERT are safe; values go through the backend's own adapters, exactly as
the ORM would store them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models

from chantier.billing.models import InvoiceLine

FIELDS = (
    "company_id",
    "invoice_id",
    "position",
    "kind",
    "contract_line_id",
    "section",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "net",
    "vat_rate",
    "base_net",
    "contract_quantity",
    "cumulative_quantity",
    "cumulative_percent",
    "cumulative_amount",
    "previous_amount",
    "previous_quantity",
    "previous_percent",
    "down_payment_invoice_id",
)


def _adapter(name: str) -> Any:
    field = InvoiceLine._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        adapt = connection.ops.adapt_decimalfield_value
        return lambda value: adapt(value, digits, places)
    return None


def replace_lines(invoice_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
    """Delete the draft's lines and insert `rows` (dicts keyed by FIELDS)."""
    quote = connection.ops.quote_name
    table = quote(InvoiceLine._meta.db_table)
    columns = ", ".join(
        quote(InvoiceLine._meta.get_field(name.removesuffix("_id")).column)
        if name.endswith("_id")
        else quote(InvoiceLine._meta.get_field(name).column)
        for name in FIELDS
    )
    adapters = [_adapter(name) for name in FIELDS]
    values = [
        tuple(
            adapt(row[name]) if adapt is not None and row[name] is not None else row[name]
            for name, adapt in zip(FIELDS, adapters, strict=True)
        )
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE invoice_id = %s", [invoice_id])
        if connection.vendor == "postgresql":
            # COPY: a third of executemany's time for 5,000 rows (psycopg 3).
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        for start in range(0, len(values), 1000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                values[start : start + 1000],
            )
