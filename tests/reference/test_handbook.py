"""The agents' handbook tables come from helpdesk.yml: change the configuration, the page changes.

The placeholders are rendered from configurations built here (not the shipped one), then
turned into HTML with the site's own Markdown extensions and scanned like the plugin does.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from gitdesk.config import build_config
from gitdesk.kb.htmlsafety import scan_html
from gitdesk.kb.privacy import find_people, known_people
from gitdesk.kb.placeholders import handbook
from gitdesk.site import reference
from gitdesk.site.extensions import PageInfo, SiteContext, get_placeholder, load_extensions
from tests.support.desk import PROJECT

load_extensions()
PAGE = PageInfo("agents/sla-policy.md", "The SLA policy in force")
HANDBOOK_PLACEHOLDERS = ("priority-matrix", "sla-policy", "ticket-statuses", "support-tiers", "agent-references")


def ctx_for(config: dict, root: Path = PROJECT) -> SiteContext:
    return SiteContext(root=root, config=build_config(config))


def html_of(md: str) -> str:
    return markdown.markdown(md, extensions=["tables", "attr_list", "md_in_html"])


def render(name: str, ctx: SiteContext, page: PageInfo = PAGE) -> str:
    fn = get_placeholder(name)
    assert fn is not None, f"placeholder {name} is not registered"
    return fn(ctx, page)


def test_every_handbook_placeholder_is_used_in_the_handbook():
    used = set()
    for page in (PROJECT / "kb" / "agents").glob("*.md"):
        used |= set(re.findall(r"<!--\s*gitdesk:([a-z-]+)\s*-->", page.read_text(encoding="utf-8")))
    assert set(HANDBOOK_PLACEHOLDERS) <= used


def test_priority_matrix_follows_the_configuration():
    ctx = ctx_for({
        "impact_levels": ["high", "low"], "urgency_levels": ["high", "low"],
        "priority_matrix": {"high": {"high": "critical", "low": "high"}, "low": {"high": "medium", "low": "low"}},
        "priorities": {"critical": {"label": "P1 - Outage"}},
    })
    table = html_of(render("priority-matrix", ctx))
    rows = [re.sub(r"<[^>]+>", "", r).split("\n") for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    cells = [[c.strip() for c in r if c.strip()] for r in rows]
    assert cells[0] == ["Impact ↓ / Urgency →", "High urgency", "Low urgency"]
    assert cells[1] == ["High impact", "P1 - Outage", "High"]
    assert cells[2] == ["Low impact", "Medium", "Low"]


def test_sla_policy_states_targets_calendars_holidays_and_rules():
    ctx = ctx_for({
        "timezone": "Europe/Madrid",
        "sla": {
            "warning": 0.5,
            "calendars": {"always": "24x7", "madrid": {"timezone": "Europe/Madrid", "hours": {
                "mon": ["09:00-14:00", "15:00-18:00"], "tue": ["09:00-14:00", "15:00-18:00"], "sat": ["10:00-12:00"]},
                "holidays": ["2027-01-06"]}},
            "policies": [
                {"name": "VIP", "priority": "high", "category": "security", "calendar": "always", "first_response": "15m", "resolution": "1d2h"},
                {"name": "Normal", "priority": "medium", "calendar": "madrid", "first_response": "2h", "next_update": "1h30m", "resolution": "3d"},
            ],
            "escalation": [
                {"when": "at-risk", "clock": "resolution", "team": "infrastructure", "add_tag": "hot"},
                {"when": "breached", "clock": "any", "priority": "medium", "raise_tier": True, "notify": True},
            ],
        },
    })
    md = render("sla-policy", ctx)
    text = re.sub(r"<[^>]+>", "", html_of(md))
    assert "| 1 | VIP | High | Security, phishing and lost devices (`security`) | always |" in md
    assert "| 2 | Normal | Medium | any ticket of that priority | madrid |" in md
    assert "| VIP | 15 minutes | — | 1 day 2 hours |" in md
    assert "| Normal | 2 hours | 1 hour 30 minutes | 3 business days |" in md  # a working day of madrid
    assert "madrid: Monday to Tuesday 09:00–14:00, 15:00–18:00; Saturday 10:00–12:00 (Europe/Madrid time)." in text
    assert "Closed on 1 holiday: 2027-01-06." in text
    assert "at risk once 50 % of its target is used" in text
    assert "When the resolution clock is at risk (50 % of its target used): the ticket goes to Infrastructure; it is tagged hot." in text
    assert "When any clock is breached (its target has passed) on a Medium ticket: the ticket moves up one support tier" in text
    assert "pauses while the ticket is Pending (waiting on requester)" in text


def test_statuses_and_tiers_follow_the_configuration():
    ctx = ctx_for({
        "statuses": {"new": {"label": "New"}, "open": {"label": "Open"}, "waiting": {"label": "Waiting", "pauses_sla": True},
                     "resolved": {"label": "Resolved", "open": False}, "closed": {"label": "Closed", "open": False}},
        "transitions": {"new": ["open"], "open": ["waiting", "resolved"], "waiting": ["open"], "resolved": ["closed", "open"], "closed": []},
        "teams": {"service-desk": {"name": "Front line", "tier": 1}, "desktop": {"name": "Desk side", "tier": 2},
                  "infrastructure": {"name": "Back room", "tier": 3}, "field": {"name": "Field team", "tier": 2}},
    })
    statuses = render("ticket-statuses", ctx)
    assert "| Waiting (`waiting`) | yes | paused | `open` |" in statuses
    assert "| Closed (`closed`) | no | stopped | — |" in statuses
    tiers = render("support-tiers", ctx)
    assert "| 2 | Desktop and application support: Deeper troubleshooting, on-site work. | Desk side (`desktop`), Field team (`field`) | Desk side (`desktop`) |" in tiers
    assert "New tickets go to Front line (`service-desk`)." in tiers


def test_configuration_text_is_inert_and_agents_are_never_named(tmp_path):
    hostile = '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>'
    ctx = ctx_for({
        "teams": {"service-desk": {"name": hostile, "tier": 1, "agents": ["Rosa Parkes <rosa.parkes@example.org>"]},
                  "desktop": {"name": "Desktop", "tier": 2}, "infrastructure": {"name": "Infra", "tier": 3}},
        "tiers": {"1": {"name": hostile, "description": hostile}},
        "priorities": {"critical": {"label": hostile}},
        "sla": {"calendars": {"other": "24x7"}, "policies": [{"name": hostile, "priority": "critical", "calendar": "other", "first_response": "1h"}],
                "escalation": [{"when": "breached", "team": "service-desk", "add_tag": "a`b"}]},
    }, root=tmp_path)
    people = known_people(tmp_path, ctx.config)
    assert people, "the agent must be known, or this test proves nothing"
    for name in HANDBOOK_PLACEHOLDERS:
        out = html_of(render(name, ctx, PageInfo("agents/index.md")))
        assert scan_html(out) == [], (name, scan_html(out))
        assert find_people(out, people) == [], name


def test_agent_references_link_relative_to_the_page():
    ctx = ctx_for({})
    assert "(commands.md)" in render("agent-references", ctx, PageInfo("agents/index.md"))
    assert "(agents/configuration.md)" in render("agent-references", ctx, PageInfo("index.md"))


def test_command_reference_never_names_the_desks_people(tmp_path):
    # an agent whose name and address are the same as an example in `gitdesk ticket new --help`
    ctx = ctx_for({"teams": {"service-desk": {"name": "SD", "tier": 1, "agents": ["Sam Reed <sam@example.com>"]}}}, root=tmp_path)
    plain = reference.commands_markdown()
    assert "Sam Reed" in plain, "the example this test relies on is gone: pick another"
    page = reference.commands_markdown(redact=reference.redactor(ctx))
    assert find_people(page, known_people(tmp_path, ctx.config)) == []
    assert "Name Surname <name@example.com>" in page


@pytest.mark.parametrize("text, expected", [("30m", "30 minutes"), ("1h", "1 hour"), ("1h30m", "1 hour 30 minutes"), ("2d", "2 days"), (None, "—")])
def test_durations_read_as_words(text, expected):
    assert handbook.duration(text) == expected
