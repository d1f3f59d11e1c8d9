"""What the home page's money dashboard shows: the selector's figures, each with the URL
of the list behind it, and the monthly chart as SVG.

A list page that does not exist (yet) gives no URL: its figure is shown without a link
rather than the page failing on a NoReverseMatch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chantier.analysis import charts
from chantier.analysis.selectors import Dashboard, Month, money_dashboard
from chantier.core.formatting import euros, trimmed
from chantier.core.models import Company

BILLED_COLOUR = "#1f5fbf"
RECEIVED_COLOUR = "#067647"
THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


def url_or_blank(
    name: str, args: tuple[object, ...] = (), query: dict[str, str] | None = None
) -> str:
    """The URL of a named page, with a query string, or "" when no such page exists."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def issued_between(start: dt.date, end: dt.date) -> str:
    return url_or_blank(
        "billing:invoice_list",
        query={"issued_from": start.isoformat(), "issued_to": end.isoformat()},
    )


def paid_between(start: dt.date, end: dt.date) -> str:
    return url_or_blank(
        "billing:payment_list",
        query={"date_from": start.isoformat(), "date_to": end.isoformat()},
    )


def final_account_url(contract_pk: int) -> str:
    return url_or_blank("billing:final_account", args=(contract_pk,))


def compact_euros(value: Decimal) -> str:
    """Axis labels: 500 €, 2,5 k€, 1,2 M€ (French decimals in French)."""
    size = abs(value)
    if size >= MILLION:
        return f"{trimmed(value / MILLION, 1)}\u00a0M€"
    if size >= THOUSAND:
        return f"{trimmed(value / THOUSAND, 1)}\u00a0k€"
    return f"{trimmed(value, 0)}\u00a0€"


@dataclass(frozen=True)
class MonthRow:
    month: Month
    label: str  # "mars 2026"
    billed_url: str
    received_url: str


def month_rows(months: tuple[Month, ...]) -> list[MonthRow]:
    return [
        MonthRow(
            month=month,
            label=date_format(month.start, "F Y"),
            billed_url=issued_between(month.start, month.end),
            received_url=paid_between(month.start, month.end),
        )
        for month in months
    ]


def _tooltip(month: str, series: str, amount: Decimal) -> str:
    return _("%(month)s — %(series)s: %(amount)s") % {
        "month": month,
        "series": series,
        "amount": euros(amount),
    }


def monthly_chart(rows: list[MonthRow]) -> SafeString:
    """Billed incl. VAT against received, per month: payments are money received, VAT
    included, so they compare with the gross billed."""
    billed_name, received_name = _("Billed incl. VAT"), _("Received")
    groups = []
    for row in rows:
        month = row.month
        # A year's first month, and the chart's first, carry the year on a second line.
        year = str(month.start.year) if month.start.month == 1 or row is rows[0] else ""
        groups.append(
            charts.Group(
                label=date_format(month.start, "N"),
                sublabel=year,
                bars=(
                    charts.Bar(
                        month.billed_gross,
                        _tooltip(row.label, billed_name, month.billed_gross),
                        row.billed_url,
                    ),
                    charts.Bar(
                        month.received,
                        _tooltip(row.label, received_name, month.received),
                        row.received_url,
                    ),
                ),
            )
        )
    billed = sum((row.month.billed_gross for row in rows), Decimal(0))
    received = sum((row.month.received for row in rows), Decimal(0))
    description = _(
        "From %(first)s to %(last)s: %(billed)s billed including VAT, %(received)s received."
    ) % {
        "first": rows[0].label,
        "last": rows[-1].label,
        "billed": euros(billed),
        "received": euros(received),
    }
    svg = charts.bar_chart(
        title=_("Billed and received per month, last 12 months"),
        description=description,
        series=(
            charts.Series(billed_name, BILLED_COLOUR),
            charts.Series(received_name, RECEIVED_COLOUR),
        ),
        groups=groups,
        tick_label=compact_euros,
        chart_id="money-chart",
    )
    return mark_safe(svg)  # every text is escaped by charts.bar_chart


def dashboard_context(company: Company, today: dt.date) -> dict[str, Any]:
    """The home page's money dashboard (the selector's queries, no more)."""
    figures: Dashboard = money_dashboard(company, today)
    rows = month_rows(figures.months)
    this_month = rows[-1].month
    return {
        "money": figures,
        "money_links": {
            "month": issued_between(this_month.start, this_month.end),
            "year": issued_between(figures.year_start, figures.today.replace(month=12, day=31)),
            "unpaid": url_or_blank("billing:invoice_list", query={"unpaid": "1"}),
            "overdue": url_or_blank("billing:overdue_list"),
            "left_to_bill": url_or_blank("contracts:contract_list"),
            "retention": url_or_blank("billing:retention_list"),
        },
        "left_to_bill_rows": [(row, final_account_url(row.pk)) for row in figures.left_to_bill_top],
        "retention_rows": [(row, final_account_url(row.pk)) for row in figures.retention_top],
        "month_rows": rows,
        "money_chart": monthly_chart(rows),
    }
