"""``gitdesk sla check --apply`` on the GitHub backend, against the fake GitHub that validates
every request and response against GitHub's OpenAPI description: the same command, the same
rules, through the store interface only, and still escalating once."""

from __future__ import annotations

from tests.github.plugin import *  # noqa: F401,F403  the fake_github fixture and its OpenAPI check
from tests.support.github_backend import _fast_github, configure, form_body, run_gitdesk, writes  # noqa: F401

import pytest

BOT = "github-actions[bot]"


@pytest.fixture
def gh_desk(git_repo, fake_github):
    return configure(git_repo, fake_github, backend="github")


def test_apply_on_github_escalates_once(gh_desk, fake_github):
    fake_github.add_collaborator("ana-lima")
    # impact high x urgency high = critical: 24x7, first response 30m, resolution 4h (project helpdesk.yml)
    crit = fake_github.seed_issue("Payroll server down", form_body(category="storage", impact="high", urgency="high"),
                                  user="alice", created_at="2026-11-02T09:00:00Z", comments=[
                                      {"user": "alice", "body": "Still down", "created_at": "2026-11-02T09:10:00Z"}])
    answered = fake_github.seed_issue("Mouse please", form_body(category="hardware/peripherals", impact="high", urgency="high"),
                                      user="bob", created_at="2026-11-02T09:00:00Z", comments=[
                                          {"user": "ana-lima", "body": "On its way", "created_at": "2026-11-02T09:05:00Z"}])

    run = run_gitdesk(gh_desk, "sla", "check", "--json", "--at", "2026-11-02T09:25Z")
    assert run.code == 0, run.err
    listed = {t["ref"]: t["worst"] for t in run.json["tickets"]}
    assert list(listed.values()) == ["at-risk"] and len(listed) == 1  # 25m of 30m; the other was answered

    before = len(fake_github.requests)
    run = run_gitdesk(gh_desk, "sla", "check", "--apply", "--json", "--at", "2026-11-02T13:30Z", "--as", BOT,
                      "--fail-on", "breached")
    assert run.code == 1, run.err  # breached: --fail-on still applies after recording
    applied = sorted(a["marker"] for a in run.json["applied"])
    # the critical one: first response at risk (late) and breached, resolution breached; the answered
    # one only has its resolution (4h) breached
    assert applied == ["at-risk:first_response:0", "breached:first_response:1", "breached:resolution:2",
                       "breached:resolution:2"]
    assert writes(fake_github, before)  # the escalations went to GitHub
    tickets = {t["ref"]: t for t in run.json["tickets"]}
    assert len(tickets) == 2

    again = run_gitdesk(gh_desk, "sla", "check", "--apply", "--json", "--at", "2026-11-02T14:00Z", "--as", BOT)
    assert again.code == 0, again.err
    assert again.json["applied"] == []
    shown = run_gitdesk(gh_desk, "ticket", "show", f"#{crit.number}", "--json").json
    assert "breached:resolution:2" in shown["escalations"] and "notify:breached:resolution:2" in shown["escalations"]
    assert {"sla-at-risk", "sla-breached"} <= set(shown["tags"])
    assert shown["tier"] == 2
    assert sum(1 for h in shown["history"] if h["action"] == "sla") == 3
    other = run_gitdesk(gh_desk, "ticket", "show", f"#{answered.number}", "--json").json
    assert [c["name"] for c in other["sla"]][:1] == ["first_response"] and other["sla"][0]["state"] == "met"
