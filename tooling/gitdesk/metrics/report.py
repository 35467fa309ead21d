"""The metrics as people read them: a Markdown report and a plain-text summary.

Both render only the data :func:`gitdesk.metrics.compute.compute` returns, so they cannot show
personal data it does not hold. Every label that comes from tickets (categories, departments,
asset ids) is escaped for Markdown and HTML, so a hostile value renders as text. The dashboard
page reuses :func:`markdown_report` without the per-agent table (agents are people: the
published site names no one) and with the charts inline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

from gitdesk.metrics import charts as charts_mod
from gitdesk.metrics.charts import value_name

#: what could turn text into markup inside a table cell or a heading (HTML is escaped separately)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")

#: the definitions printed under the report, as keys of ``data/lang/<lang>/dashboard.yml``
DEFINITIONS = ("range", "duplicates", "first_response", "business", "median", "sla", "fcr", "reopen",
               "escalation", "csat", "training", "gaps")


def words(language: str = "en") -> Callable[..., str]:
    """``w(key, **values)``: the report's text in ``language`` (``dashboard.yml``)."""
    from gitdesk.languages import text

    return lambda key, **values: text(f"dashboard.{key}", language, **values)


def decimal(value: float, language: str = "en", fmt: str = "0.0") -> str:
    """A number the language's way (``12,5`` in Spanish and Portuguese); English unchanged."""
    if language == "en":
        return f"{value:.1f}" if fmt == "0.0" else f"{value:g}"
    from babel.numbers import format_decimal

    return format_decimal(value, format=fmt, locale=words(language)("babel_locale"))


def md(text: Any) -> str:
    """Data as inert Markdown: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    value = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", escape(value, quote=False))


def pct(value: float | None, language: str = "en") -> str:
    return words(language)("na") if value is None else f"{decimal(value * 100, language)} %"


def hours(value: float | None, language: str = "en") -> str:
    return words(language)("na") if value is None else f"{decimal(value, language, '0.##')} h"


def _stat(stat: dict, language: str = "en") -> str:
    w = words(language)
    if not stat or not stat.get("count"):
        return w("na")
    return w("stat", median=hours(stat["median"], language), p90=hours(stat["p90"], language), count=stat["count"])


def _range_text(result: dict, language: str = "en") -> str:
    w = words(language)
    rng = result.get("range") or {}
    since, until = rng.get("since"), rng.get("until")
    if since and until:
        return w("range_both", since=since[:16].replace("T", " "), until=until[:16].replace("T", " "))
    if since:
        return w("range_since", since=since[:16].replace("T", " "))
    if until:
        return w("range_until", until=until[:16].replace("T", " "))
    return w("all_tickets")


def _table(headers: list[str], rows: list[list[Any]], language: str = "en") -> list[str]:
    if not rows:
        return [words(language)("none_in_range"), ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return out + [""]


def _counts_table(key: str, column: str, counts: dict, total: int, language: str = "en") -> list[str]:
    w = words(language)
    rows = [[value_name(key, name, language), value, pct(value / total, language) if total else w("na")] for name, value in counts.items()]
    return [f"### {w(key)}", "", *_table([w(column), w("col_tickets"), w("col_share")], rows, language)]


def key_figures(result: dict, language: str = "en") -> list[tuple[str, str]]:
    """The headline figures as ``(label, value)`` rows (report, dashboard and summary)."""
    w = words(language)
    sla = result["sla_compliance"]
    csat = result["csat"]
    return [
        (w("kf_tickets"), str(result["tickets"])),
        (w("kf_open"), str(result["open"])),
        (w("kf_resolved"), str(result["resolved"])),
        (w("kf_first_response_calendar"), _stat(result["first_response_hours"], language)),
        (w("kf_first_response_business"), _stat(result["first_response_business_hours"], language)),
        (w("kf_resolution_calendar"), _stat(result["resolution_hours"], language)),
        (w("kf_resolution_business"), _stat(result["resolution_business_hours"], language)),
        (w("kf_sla"), w("kf_sla_value", rate=pct(sla["rate"], language), met=sla["met"], decided=sla["decided"])),
        (w("kf_fcr"), pct(result["first_contact_resolution_rate"], language)),
        (w("kf_reopen"), pct(result["reopen_rate"], language)),
        (w("kf_escalation"), pct(result["escalation_rate"], language)),
        (w("kf_csat"), w("na") if csat["average"] is None else
         w("kf_csat_value", average=decimal(csat["average"], language, "0.##"), responses=csat["responses"],
           rate=pct(csat["response_rate"], language))),
        (w("kf_kb"), pct(result["kb_linked_share"], language)),
    ]


def markdown_report(result: dict, *, title: str = "Help desk metrics", agents: bool = True,
                    chart: Callable[[str, str], str] | None = None, language: str = "en") -> str:
    """The whole report as Markdown, in ``language`` (the site's dashboard: the page's).

    ``chart(file_name, alt_text)`` returns the Markdown that shows one chart (an image link for
    ``--out``, inline SVG on the site); None leaves the charts out. ``agents=False`` drops the
    per-agent table.
    """
    w = words(language)

    def table(columns: list[str], rows: list[list[Any]]) -> list[str]:
        return _table([w(f"col_{c}") for c in columns], rows, language)

    lines = [f"# {md(title)}", "", md(w("figures_for", range=_range_text(result, language),
                                        now=result["range"]["now"][:16].replace("T", " "))), ""]
    lines += [f"## {w('h_key')}", "", *table(["figure", "value"], [list(r) for r in key_figures(result, language)])]

    def show(name: str, alt: str) -> None:
        if chart is not None:
            lines.extend([chart(name, alt), ""])

    total = result["tickets"]
    lines += [f"## {w('h_volume')}", ""]
    show("volume.svg", w("chart_volume"))
    for key, column in (("by_channel", "col_channel"), ("by_priority", "col_priority"),
                        ("by_category", "col_category"), ("by_tier", "col_tier")):
        lines += _counts_table(key, column, result[key], total, language)
    lines += [f"## {w('h_sla')}", ""]
    show("sla-compliance.svg", w("chart_sla"))
    rows = [[value_name("by_priority", p, language), pct(r["rate"], language), r["met"], r["decided"]]
            for p, r in result["sla_compliance"]["by_priority"].items()]
    lines += table(["priority", "compliance", "met", "decided"], rows)
    lines += [f"## {w('h_resolution')}", ""]
    show("resolution-time.svg", w("chart_resolution"))
    lines += table(["time_to_resolve", "tickets"], [[k, v] for k, v in result["resolution_time_buckets"].items()])
    lines += [f"## {w('h_backlog')}", ""]
    show("backlog-age.svg", w("chart_backlog"))
    lines += table(["age", "open_tickets"], [[k, v] for k, v in result["backlog_by_age"].items()])
    csat = result["csat"]
    lines += [f"## {w('h_csat')}", ""]
    lines += table(["rating", "responses"], [[k, v] for k, v in csat["distribution"].items()])
    if agents:
        lines += [f"## {w('h_agents')}", ""]
        lines += table(["agent", "open", "resolved"], [[a, r["open"], r["resolved"]] for a, r in result["load_per_agent"].items()])
    lines += [f"## {w('h_assets')}", ""]
    lines += table(["asset", "incidents", "open", "repeat"],
                   [[a["asset"], a["incidents"], a["open"], w("word_yes") if a["repeat"] else w("word_no")] for a in result["top_assets"]])
    lines += [f"## {w('h_training')}", ""]
    lines += table(["department", "howto", "categories"],
                   [[t["department"], t["how_to_tickets"], ", ".join(f"{c} ({n})" for c, n in t["categories"].items())]
                    for t in result["training_needs"]])
    lines += [f"## {w('h_gaps')}", "", w("gaps_intro"), ""]
    lines += table(["category", "tickets"], [[g["category"], g["tickets"]] for g in result["knowledge_gaps"]])
    from gitdesk.metrics.kbfigures import kb_markdown

    lines += kb_markdown(result.get("kb"), language, lambda headers, rows: _table(headers, rows, language))
    lines += [f"## {w('h_definitions')}", ""]
    lines += [f"- **{w('def_' + key)}**: {w('def_' + key + '_text')}" for key in DEFINITIONS]
    return "\n".join(lines).rstrip() + "\n"


def image_chart(name: str, alt: str) -> str:
    """``--out``: the chart file next to the report."""
    return f"![{md(alt)}]({name})"


def inline_chart(result: dict, language: str = "en") -> Callable[[str, str], str]:
    """The site: each chart's SVG inline in a raw HTML block (no blank line inside it)."""
    rendered = charts_mod.render_all(result, language)

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
    if result.get("kb"):
        overall = result["kb"]["overall"]
        out += [f"  KB self-service score: {pct(overall['self_service_score'])} ({overall['resolved_with']} resolved with an article, "
                f"{overall['helpful']} helpful / {overall['unhelpful']} unhelpful votes, {overall['still_stuck']} still-stuck tickets)",
                "  Proposed articles: " + ("; ".join(f"{g['proposed_title']} ({g['category']}, {g['tickets']})" for g in result["kb"]["gaps"]) or "none")]
    return "\n".join(out)
