"""Bar charts drawn as inline SVG on the server: no JavaScript, no charting library, the
same picture in every browser and in a printed page.

Pure: data in, markup out; every text given by the caller (already translated and
formatted) is escaped here. Amounts stay Decimal up to the axis scale; only pixel
positions are floats. The chart is an image for assistive technologies (role="img",
<title> and <desc>); the page gives the same figures as a table beside it, which is
where the links live for the keyboard (the bars' links are for the mouse only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from xml.sax.saxutils import escape, quoteattr

STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Series:
    name: str
    colour: str  # a fill colour: "#1f5fbf"


@dataclass(frozen=True)
class Bar:
    value: Decimal
    tooltip: str  # "mars 2026 — Facturé TTC : 12 345,00 €"
    url: str = ""


@dataclass(frozen=True)
class Group:
    label: str  # under the group: "mars"
    bars: tuple[Bar, ...]  # one per series, in the series' order
    sublabel: str = ""  # a second line under the label: "2026"


@dataclass(frozen=True)
class Layout:
    width: int = 800
    height: int = 330
    left: int = 72  # room for the tick labels
    right: int = 8
    top: int = 42  # room for the legend
    bottom: int = 48  # room for the group labels, two lines
    font_size: int = 15


def nice_ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    """Round tick values covering [low, high] (0 always among them), about `count`
    intervals of 1, 2, 2.5 or 5 × a power of ten: nice_ticks(0, 8734) == [0, 2000, 4000,
    6000, 8000, 10000]."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = Decimal(1000)
    raw = (high - low) / count
    power = Decimal(1).scaleb(raw.adjusted())
    step = next(power * factor for factor in STEPS if power * factor >= raw)
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    ticks = []
    value = first
    while value <= last:
        ticks.append(Decimal(format(value, "f")))  # 1E+4 → 10000: labels in plain digits
        value += step
    return ticks


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    groups: Sequence[Group],
    tick_label: Callable[[Decimal], str],
    chart_id: str = "chart",
    layout: Layout = Layout(),
    css_class: str = "chart",
) -> str:
    """An SVG bar chart: one group of bars per entry of `groups` (one bar per series),
    a legend, horizontal grid lines at round values labelled by `tick_label`."""
    values = [bar.value for group in groups for bar in group.bars]
    ticks = nice_ticks(min(values, default=Decimal(0)), max(values, default=Decimal(0)))
    low, high = ticks[0], ticks[-1]
    plot_w = layout.width - layout.left - layout.right
    plot_h = layout.height - layout.top - layout.bottom

    def y(value: Decimal) -> float:
        return layout.top + plot_h * float((high - value) / (high - low))  # ok: not money (SVG y)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="{SVG_NS}" id={quoteattr(chart_id)} class={quoteattr(css_class)} '
        f'viewBox="0 0 {layout.width} {layout.height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-size="{layout.font_size}" '
        f'font-family="system-ui, sans-serif">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
    ]
    # Legend: a swatch and the series' name, left to right.
    x = float(layout.left)  # ok: not money (SVG x)
    size = layout.font_size
    parts.append('<g class="legend">')
    for one in series:
        parts.append(
            f'<rect x="{_number(x)}" y="10" width="{size}" height="{size}" '
            f"fill={quoteattr(one.colour)}/>"
        )
        parts.append(
            f'<text x="{_number(x + size + 6)}" y="{10 + size - 2}">{escape(one.name)}</text>'
        )
        # Room for the name at up to 1.3 × the font size (a phone's CSS enlarges it).
        x += size + 6 + 0.75 * size * len(one.name) + 24
    parts.append("</g>")
    # Grid and tick labels.
    parts.append('<g class="grid" fill="#5b6475">')
    for tick in ticks:
        ty = _number(y(tick))
        stroke = "#5b6475" if tick == 0 else "#d9dde5"
        parts.append(
            f'<line x1="{layout.left}" x2="{layout.width - layout.right}" y1="{ty}" y2="{ty}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{layout.left - 6}" y="{ty}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(tick_label(tick))}</text>'
        )
    parts.append("</g>")
    # Bars, group by group.
    slot = plot_w / max(len(groups), 1)
    gap = slot * 0.2
    bar_w = (slot - gap) / max(len(series), 1)
    zero = y(Decimal(0))
    parts.append('<g class="bars">')
    for index, group in enumerate(groups):
        gx = layout.left + index * slot + gap / 2
        parts.append("<g>")
        for position, (one, bar) in enumerate(zip(series, group.bars, strict=True)):
            top = min(y(bar.value), zero)
            height = abs(y(bar.value) - zero)
            rect = (
                f'<rect x="{_number(gx + position * bar_w)}" y="{_number(top)}" '
                f'width="{_number(bar_w)}" height="{_number(height)}" '
                f"fill={quoteattr(one.colour)}><title>{escape(bar.tooltip)}</title></rect>"
            )
            if bar.url:
                # The table beside the chart carries the same links for the keyboard.
                rect = f'<a href={quoteattr(bar.url)} tabindex="-1">{rect}</a>'
            parts.append(rect)
        parts.append("</g>")
    parts.append("</g>")
    # Group labels under the plot.
    parts.append('<g class="labels" text-anchor="middle" fill="#1d2330">')
    label_y = layout.height - layout.bottom + size + 6
    for index, group in enumerate(groups):
        cx = _number(layout.left + index * slot + slot / 2)
        parts.append(f'<text x="{cx}" y="{label_y}">{escape(group.label)}</text>')
        if group.sublabel:
            parts.append(
                f'<text x="{cx}" y="{label_y + size + 2}" class="sublabel" fill="#5b6475">'
                f"{escape(group.sublabel)}</text>"
            )
    parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
