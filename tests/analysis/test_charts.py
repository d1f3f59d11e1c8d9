"""The SVG bar chart: well-formed XML, accessible (role, title, desc), bars to scale,
French labels; the dashboard's monthly chart on the hand-built history."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from chantier.analysis import charts
from chantier.analysis.dashboard import compact_euros, month_rows, monthly_chart
from chantier.analysis.selectors import money_dashboard
from tests.analysis.conftest import TODAY, History

NS = {"svg": charts.SVG_NS}
D = Decimal


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        ("0", "8734", ["0", "2000", "4000", "6000", "8000", "10000"]),
        ("0", "0", ["0", "200", "400", "600", "800", "1000"]),
        ("0", "38520", ["0", "10000", "20000", "30000", "40000"]),
        ("-1200", "4000", ["-2000", "0", "2000", "4000"]),
        ("0", "1.3", ["0", "0.5", "1", "1.5"]),
        ("0", "1.2", ["0", "0.25", "0.5", "0.75", "1", "1.25"]),
    ],
)
def test_nice_ticks(low: str, high: str, ticks: list[str]) -> None:
    assert charts.nice_ticks(D(low), D(high)) == [D(t) for t in ticks]


def _chart(**kwargs: Any) -> ET.Element:
    svg = charts.bar_chart(
        title="Facturé & encaissé <12 mois>",
        description="Du 1er au 3e mois",
        series=(charts.Series("Facturé", "#1f5fbf"), charts.Series("Encaissé", "#067647")),
        groups=[
            charts.Group(
                "jan.",
                (
                    charts.Bar(D("1000"), "jan. facturé", "/a?x=1&y=2"),
                    charts.Bar(D("500"), "jan. encaissé"),
                ),
            ),
            charts.Group("fév.", (charts.Bar(D("-250"), "avoir"), charts.Bar(D("0"), "rien"))),
            charts.Group("mars", (charts.Bar(D("2000"), "mars"), charts.Bar(D("1500"), "m"))),
        ],
        tick_label=compact_euros,
        chart_id="c1",
        **kwargs,
    )
    return ET.fromstring(svg)


def test_the_chart_is_well_formed_accessible_svg() -> None:
    with translation.override("fr"):
        root = _chart()
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("svg:title", NS).text == "Facturé & encaissé <12 mois>"  # escaped
    assert root.find("svg:desc", NS).text == "Du 1er au 3e mois"
    labels = [t.text for t in root.findall("svg:g[@class='labels']/svg:text", NS)]
    assert labels == ["jan.", "fév.", "mars"]
    ticks = [t.text for t in root.findall("svg:g[@class='grid']/svg:text", NS)]
    assert [t.replace("\u00a0", " ") for t in ticks] == [
        "-500 €",
        "0 €",
        "500 €",
        "1 k€",
        "1,5 k€",
        "2 k€",
    ]
    legend = [t.text for t in root.findall("svg:g[@class='legend']/svg:text", NS)]
    assert legend == ["Facturé", "Encaissé"]


def test_bars_are_to_scale_from_the_zero_line() -> None:
    root = _chart()
    rects = root.findall(".//svg:g[@class='bars']//svg:rect", NS)
    assert len(rects) == 6
    heights = [float(r.get("height")) for r in rects]
    tops = [float(r.get("y")) for r in rects]
    # Scale -500 … 2000 over 330 - 42 - 48 = 240 px: 1000 € = 96 px.
    assert heights == pytest.approx([96, 48, 24, 0, 192, 144], abs=0.1)
    zero = tops[0] + heights[0]
    assert tops[2] == pytest.approx(zero)  # a negative bar hangs from the zero line
    assert [r.find("svg:title", NS).text for r in rects][:2] == ["jan. facturé", "jan. encaissé"]
    # Only bars given a URL are links, kept out of the tab order (the table has them).
    links = root.findall(".//svg:a", NS)
    assert [(a.get("href"), a.get("tabindex")) for a in links] == [("/a?x=1&y=2", "-1")]


def test_the_dashboard_chart_in_french(history: History, world: Any) -> None:
    board = money_dashboard(world.company_a, TODAY)
    with translation.override("fr"):
        rows = month_rows(board.months)
        root = ET.fromstring(str(monthly_chart(rows)))
    texts = root.findall("svg:g[@class='labels']/svg:text", NS)
    labels = [t.text for t in texts if t.get("class") != "sublabel"]
    assert labels == [
        "avr.", "mai", "juin", "juil.", "août", "sept.",
        "oct.", "nov.", "déc.", "jan.", "fév.", "mars",
    ]  # fmt: skip
    # The year under the chart's first month and under January.
    years = [(t.get("x"), t.text) for t in texts if t.get("class") == "sublabel"]
    x_of = {t.text: t.get("x") for t in texts if t.get("class") != "sublabel"}
    assert years == [(x_of["avr."], "2025"), (x_of["jan."], "2026")]
    assert [row.label for row in rows][-1] == "mars 2026"
    desc = root.find("svg:desc", NS).text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "avril 2025" in desc and "mars 2026" in desc
    assert "66 318,00 €" in desc  # Σ gross billed over the 12 months
    assert "45 570,00 €" in desc  # Σ received over the 12 months
    rects = root.findall(".//svg:g[@class='bars']//svg:rect", NS)
    assert len(rects) == 24
    # The highest bar is February's 38 520 received, on a 0 … 40 000 scale.
    tallest = max(rects, key=lambda r: float(r.get("height")))
    assert "38 520,00 €" in tallest.find("svg:title", NS).text.replace("\u00a0", " ").replace(
        "\u202f", " "
    )
    assert float(tallest.get("height")) == pytest.approx(240 * 38520 / 40000, abs=0.1)
