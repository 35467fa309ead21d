"""The metrics as people read them: a Markdown report and a plain-text summary.

Both render only the data :func:`gitdesk.metrics.compute.compute` returns, so they cannot show
personal data it does not hold. Every label that comes from tickets (categories, departments,
asset ids) is escaped for Markdown and HTML, so a hostile value renders as text. The dashboard
page reuses :func:`markdown_report` without the per-agent table (agents are people: the
published site names no one) and with the charts inline.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Callable

from gitdesk.metrics import charts as charts_mod

#: what could turn text into markup inside a table cell or a heading (HTML is escaped separately)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")

DEFINITIONS = [
    ("Range", "tickets created from the start date (included) to the end date (excluded); states, ratings "
              "and SLA results are the tickets' current ones; ages are measured when the report was made."),
    ("Duplicates", "tickets merged into another count in the volume but not as resolved work, rates or times."),
    ("First response", "the first public reply by someone other than the requester and not a bot."),
    ("Business hours", "the SLA clock of the ticket's policy: open hours of its calendar, pending time excluded."),
    ("Median and p90", "linear interpolation between closest ranks (position (n - 1) x q in the sorted values)."),
    ("SLA compliance", "share of tickets whose SLA is decided that met every target."),
    ("First contact resolution", "resolved tickets never escalated, never reopened, with at most one agent reply."),
    ("Reopen rate", "tickets reopened at least once among those resolved at least once."),
    ("Escalation rate", "tickets whose tier was raised at least once."),
    ("CSAT", "ratings from 1 to 5 of tickets resolved at least once; response rate = rated / resolved."),
    ("Training needs", "departments with two or more how-to tickets (tagged how-to, or resolved with a linked KB article)."),
    ("Knowledge gaps", "ticket categories with no KB article in the same, a parent or a child category."),
]


def md(text: Any) -> str:
    """Data as inert Markdown: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    value = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", escape(value, quote=False))


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} h"


def _stat(stat: dict) -> str:
    if not stat or not stat.get("count"):
        return "n/a"
    return f"median {hours(stat['median'])}, p90 {hours(stat['p90'])} ({stat['count']} tickets)"


def _range_text(result: dict) -> str:
    rng = result.get("range") or {}
    since, until = rng.get("since"), rng.get("until")
    if since and until:
        return f"tickets created from {since[:16].replace('T', ' ')} to {until[:16].replace('T', ' ')} UTC"
    if since:
        return f"tickets created since {since[:16].replace('T', ' ')} UTC"
    if until:
        return f"tickets created before {until[:16].replace('T', ' ')} UTC"
    return "all tickets"


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["*None in this range.*", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return out + [""]


def _counts_table(title: str, counts: dict, total: int) -> list[str]:
    rows = [[key, value, pct(value / total) if total else "n/a"] for key, value in counts.items()]
    return [f"### {title}", "", *_table([title.split(" by ")[-1].capitalize(), "Tickets", "Share"], rows)]


def key_figures(result: dict) -> list[tuple[str, str]]:
    """The headline figures as ``(label, value)`` rows (report, dashboard and summary)."""
    sla = result["sla_compliance"]
    csat = result["csat"]
    return [
        ("Tickets", str(result["tickets"])),
        ("Open", str(result["open"])),
        ("Resolved", str(result["resolved"])),
        ("First response (calendar)", _stat(result["first_response_hours"])),
        ("First response (business)", _stat(result["first_response_business_hours"])),
        ("Resolution (calendar)", _stat(result["resolution_hours"])),
        ("Resolution (business)", _stat(result["resolution_business_hours"])),
        ("SLA compliance", f"{pct(sla['rate'])} ({sla['met']} of {sla['decided']} decided)"),
        ("First contact resolution", pct(result["first_contact_resolution_rate"])),
        ("Reopen rate", pct(result["reopen_rate"])),
        ("Escalation rate", pct(result["escalation_rate"])),
        ("Satisfaction (CSAT)", "n/a" if csat["average"] is None else
         f"{csat['average']:g} / 5 from {csat['responses']} ratings ({pct(csat['response_rate'])} response rate)"),
        ("Resolved with a KB article", pct(result["kb_linked_share"])),
    ]


def markdown_report(result: dict, *, title: str = "Help desk metrics", agents: bool = True,
                    chart: Callable[[str, str], str] | None = None) -> str:
    """The whole report as Markdown.

    ``chart(file_name, alt_text)`` returns the Markdown that shows one chart (an image link for
    ``--out``, inline SVG on the site); None leaves the charts out. ``agents=False`` drops the
    per-agent table.
    """
    lines = [f"# {md(title)}", "", f"Figures for {md(_range_text(result))}, "
             f"as of {md(result['range']['now'][:16].replace('T', ' '))} UTC.", ""]
    lines += ["## Key figures", "", *_table(["Figure", "Value"], [list(r) for r in key_figures(result)])]

    def show(name: str, alt: str) -> None:
        if chart is not None:
            lines.extend([chart(name, alt), ""])

    total = result["tickets"]
    lines += ["## Volume", ""]
    show("volume.svg", "Tickets created per week")
    for key, label in (("by_channel", "Tickets by channel"), ("by_priority", "Tickets by priority"),
                       ("by_category", "Tickets by category"), ("by_tier", "Tickets by tier")):
        lines += _counts_table(label, result[key], total)
    lines += ["## Service levels", ""]
    show("sla-compliance.svg", "SLA compliance by priority")
    rows = [[p, pct(r["rate"]), r["met"], r["decided"]] for p, r in result["sla_compliance"]["by_priority"].items()]
    lines += _table(["Priority", "Compliance", "Met", "Decided"], rows)
    lines += ["## Resolution time", ""]
    show("resolution-time.svg", "Time to resolve")
    lines += _table(["Time to resolve", "Tickets"], [[k, v] for k, v in result["resolution_time_buckets"].items()])
    lines += ["## Backlog", ""]
    show("backlog-age.svg", "Open tickets by age")
    lines += _table(["Age", "Open tickets"], [[k, v] for k, v in result["backlog_by_age"].items()])
    csat = result["csat"]
    lines += ["## Satisfaction", ""]
    lines += _table(["Rating", "Responses"], [[k, v] for k, v in csat["distribution"].items()])
    if agents:
        lines += ["## Load per agent", ""]
        lines += _table(["Agent", "Open", "Resolved"], [[a, r["open"], r["resolved"]] for a, r in result["load_per_agent"].items()])
    lines += ["## Assets with the most incidents", ""]
    lines += _table(["Asset", "Incidents", "Open", "Repeat failure"],
                    [[a["asset"], a["incidents"], a["open"], "yes" if a["repeat"] else "no"] for a in result["top_assets"]])
    lines += ["## Training needs", ""]
    lines += _table(["Department", "How-to tickets", "Categories"],
                    [[t["department"], t["how_to_tickets"], ", ".join(f"{c} ({n})" for c, n in t["categories"].items())]
                     for t in result["training_needs"]])
    lines += ["## Knowledge gaps", "", "Ticket categories without a KB article:", ""]
    lines += _table(["Category", "Tickets"], [[g["category"], g["tickets"]] for g in result["knowledge_gaps"]])
    lines += ["## Definitions", ""]
    lines += [f"- **{name}**: {text}" for name, text in DEFINITIONS]
    return "\n".join(lines).rstrip() + "\n"


def image_chart(name: str, alt: str) -> str:
    """``--out``: the chart file next to the report."""
    return f"![{md(alt)}]({name})"


def inline_chart(result: dict) -> Callable[[str, str], str]:
    """The site: each chart's SVG inline in a raw HTML block (no blank line inside it)."""
    rendered = charts_mod.render_all(result)

    def show(name: str, alt: str) -> str:  # noqa: ARG001 - the SVG carries its own title
        svg = "\n".join(line for line in rendered[name].splitlines() if line.strip())
        return f'<div class="gitdesk-chart">\n{svg}\n</div>'

    return show


def text_summary(result: dict) -> str:
    """What ``gitdesk metrics`` prints on a terminal."""
    out = [f"Metrics for {_range_text(result)} (as of {result['range']['now'][:16].replace('T', ' ')} UTC)", ""]
    width = max(len(label) for label, _ in key_figures(result))
    out += [f"  {label.ljust(width)}  {value}" for label, value in key_figures(result)]

    def joined(counts: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"

    out += ["", f"  By channel:   {joined(result['by_channel'])}", f"  By priority:  {joined(result['by_priority'])}",
            f"  By tier:      {joined(result['by_tier'])}", f"  By category:  {joined(result['by_category'])}",
            f"  Backlog age:  {joined(result['backlog_by_age'])}",
            "  SLA by priority: " + ", ".join(f"{p} {pct(r['rate'])}" for p, r in result["sla_compliance"]["by_priority"].items()),
            "  Load per agent: " + ("; ".join(f"{a} {r['open']} open / {r['resolved']} resolved"
                                               for a, r in result["load_per_agent"].items()) or "none"),
            "  Top assets: " + ("; ".join(f"{a['asset']} {a['incidents']} incidents ({a['open']} open)"
                                          for a in result["top_assets"]) or "none"),
            "  Training needs: " + ("; ".join(f"{t['department']} {t['how_to_tickets']} how-to tickets"
                                              for t in result["training_needs"]) or "none"),
            "  Knowledge gaps: " + (", ".join(f"{g['category']} ({g['tickets']})" for g in result["knowledge_gaps"]) or "none")]
    return "\n".join(out)
