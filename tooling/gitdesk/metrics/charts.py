"""SVG charts of the metrics, written by hand as text: no plotting library, no network, no script.

Each chart is a self-contained ``<svg>`` that works as a file (``metrics --out``) and inline in the
dashboard page. Accessibility: ``role="img"`` labelled by a ``<title>`` and a ``<desc>`` that lists
every value in words, and visible text labels on the axes and bars, so nothing depends on colour.
Text uses ``currentColor`` so inline charts follow the site's light or dark scheme. All text that
comes from data (weeks, priorities, bucket labels) is XML-escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH = 640
HEIGHT = 300
BAR = "#3f6fb5"
GRID = "#8a8a8a"
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 40, 64

#: file name -> function of the charts ``--out`` writes and the dashboard shows
CHARTS = {
    "volume.svg": "volume",
    "sla-compliance.svg": "sla_compliance",
    "resolution-time.svg": "resolution_time",
    "backlog-age.svg": "backlog_age",
}


def _x(text: Any) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_scale(value: float) -> tuple[float, int]:
    """``(step, count)`` of y-axis gridlines for counts up to ``value``: whole steps of 1, 2 or 5
    times a power of ten, about five of them (``220`` -> steps of 50 up to 250)."""
    if value <= 0:
        return 1.0, 1
    rough = value / 5
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = max(1.0, float(next(m * power for m in (1, 2, 5, 10) if m * power >= rough)))
    return step, max(1, math.ceil(value / step))


def _fmt_count(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _frame(chart_id: str, title: str, desc: str, body: list[str], width: int = WIDTH, height: int = HEIGHT) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gitdesk-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width: 100%; height: auto" font-family="sans-serif" '
        f'font-size="12" fill="currentColor">'
    )
    return "\n".join([
        head,
        f'<title id="{chart_id}-title">{_x(title)}</title>',
        f'<desc id="{chart_id}-desc">{_x(desc)}</desc>',
        f'<text x="{MARGIN_LEFT}" y="22" font-size="15" font-weight="bold">{_x(title)}</text>',
        *body,
        "</svg>",
    ]) + "\n"


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float | None]], *, unit: str, x_title: str,
              y_title: str, percent: bool = False, width: int = WIDTH, height: int = HEIGHT, language: str = "en") -> str:
    """A vertical bar chart of ``(label, value)``; a value of None is drawn as "n/a"."""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    values = [v for _, v in items if v is not None]
    step, lines = (25.0, 4) if percent else nice_scale(max(values, default=0))
    top = step * lines
    body: list[str] = []
    # grid and y axis labels
    for i in range(lines + 1):
        grid_value = step * i
        y = MARGIN_TOP + plot_h - plot_h * i / lines
        body.append(f'<line x1="{MARGIN_LEFT}" y1="{_num(y)}" x2="{width - MARGIN_RIGHT}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="0.5" stroke-dasharray="{"none" if i == 0 else "2,3"}"/>')
        label = f"{grid_value:g} %" if percent else _fmt_count(grid_value)
        body.append(f'<text x="{MARGIN_LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{_x(label)}</text>')
    body.append(f'<text x="14" y="{_num(MARGIN_TOP + plot_h / 2)}" text-anchor="middle" '
                f'transform="rotate(-90 14 {_num(MARGIN_TOP + plot_h / 2)})">{_x(y_title)}</text>')
    body.append(f'<text x="{_num(MARGIN_LEFT + plot_w / 2)}" y="{height - 6}" text-anchor="middle">{_x(x_title)}</text>')
    n = max(len(items), 1)
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.7)
    every = max(1, math.ceil(n / 14))
    rotate = n > 8
    show_values = n <= 16
    for i, (label, value) in enumerate(items):
        x = MARGIN_LEFT + i * slot + (slot - bar_w) / 2
        cx = x + bar_w / 2
        shown = "n/a" if value is None else (f"{value:g} %" if percent else _fmt_count(value))
        if value is not None:
            h = plot_h * (value / top) if top else 0
            y = MARGIN_TOP + plot_h - h
            body.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" fill="{BAR}">'
                        f'<title>{_x(label)}: {_x(shown if percent or not unit else f"{shown} {unit}")}</title></rect>')
        else:
            y = MARGIN_TOP + plot_h
        if show_values:
            body.append(f'<text x="{_num(cx)}" y="{_num(y - 4)}" text-anchor="middle">{_x(shown)}</text>')
        if i % every == 0:
            ly = MARGIN_TOP + plot_h + 14
            if rotate:
                body.append(f'<text x="{_num(cx)}" y="{_num(ly)}" text-anchor="end" font-size="10" '
                            f'transform="rotate(-40 {_num(cx)} {_num(ly)})">{_x(label)}</text>')
            else:
                body.append(f'<text x="{_num(cx)}" y="{_num(ly)}" text-anchor="middle">{_x(label)}</text>')
    if not items:
        body.append(f'<text x="{_num(MARGIN_LEFT + plot_w / 2)}" y="{_num(MARGIN_TOP + plot_h / 2)}" '
                    f'text-anchor="middle">{_x(_words(language)("chart_no_data"))}</text>')
    return _frame(chart_id, title, _describe(title, items, unit, percent, language), body, width, height)


def _words(language: str):
    from gitdesk.metrics.report import words

    return words(language)


def _describe(title: str, items: list[tuple[str, float | None]], unit: str, percent: bool, language: str = "en") -> str:
    w = _words(language)
    if not items:
        return w("chart_no_data_desc", title=title)
    parts = []
    for label, value in items:
        if value is None:
            parts.append(w("chart_value_no_data", label=label))
        else:
            parts.append(f"{label}: {value:g} %" if percent else f"{label}: {_fmt_count(value)} {unit}")
    return w("chart_desc", title=title, parts="; ".join(parts))


# -- the four charts ----------------------------------------------------------------------------

def _chart(chart_id: str, key: str, items: list, language: str, *, percent: bool = False) -> str:
    """One of the four charts, its title and axes in ``language`` (``dashboard.yml``: chart_<key>)."""
    w = _words(language)
    return bar_chart(chart_id, w(f"chart_{key}"), items, unit="" if percent else w("chart_unit_tickets"),
                     x_title=w(f"chart_{key}_x"), y_title=w(f"chart_{key}_y"), percent=percent, language=language)


def volume(result: dict, chart_id: str = "gd-volume", language: str = "en") -> str:
    items = [(week, count) for week, count in (result.get("by_week") or {}).items()]
    return _chart(chart_id, "volume", items, language)


#: Where the name of a value shown in a table lives, per table (``site.yml`` / ``desk.yml``).
_VALUE_NAMES = {"by_channel": ("site", "channel_"), "by_priority": ("site", "priority_"), "by_category": ("desk", "category.")}


def value_name(table: str, value: object, language: str = "en") -> str:
    """A channel, priority or category as the page's language names it; the desk's own value
    where no translation is shipped (and always in English, whose report shows the ids)."""
    where = _VALUE_NAMES.get(table)
    if language == "en" or where is None:
        return str(value)
    from gitdesk.languages import strings

    return str(strings(where[0], language).get(f"{where[1]}{value}", value))


def sla_compliance(result: dict, chart_id: str = "gd-sla", language: str = "en") -> str:
    by_priority = (result.get("sla_compliance") or {}).get("by_priority") or {}
    items = [(value_name("by_priority", p, language), None if row["rate"] is None else round(row["rate"] * 100, 1))
             for p, row in by_priority.items()]
    return _chart(chart_id, "sla", items, language, percent=True)


def resolution_time(result: dict, chart_id: str = "gd-resolution", language: str = "en") -> str:
    items = list((result.get("resolution_time_buckets") or {}).items())
    return _chart(chart_id, "resolution", items, language)


def backlog_age(result: dict, chart_id: str = "gd-backlog", language: str = "en") -> str:
    items = list((result.get("backlog_by_age") or {}).items())
    return _chart(chart_id, "backlog", items, language)


def render_all(result: dict, language: str = "en") -> dict[str, str]:
    """Every chart as ``{file name: SVG text}``, in ``language``."""
    return {name: globals()[fn](result, language=language) for name, fn in CHARTS.items()}
