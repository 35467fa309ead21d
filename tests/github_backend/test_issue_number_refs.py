"""``#N`` names the ticket of GitHub issue N: on a files desk synced with GitHub (the ticket's
``external.number``) and on the GitHub backend."""

from __future__ import annotations

from tests.support.github_backend import form_body


def test_a_ticket_synced_from_github_is_found_by_its_issue_number(gd, sync_desk, fake_github):
    fake_github.seed_issue("VPN drops", form_body(), user="alice", created_at="2026-11-02T09:00:00Z")
    fake_github.seed_issue("Printer offline", form_body(category="printing"), user="bob", created_at="2026-11-02T10:00:00Z")
    assert gd(sync_desk, "sync", "--pull-only", "--json").code == 0
    shown = gd(sync_desk, "ticket", "show", "#2", "--json")
    assert shown.code == 0, shown.err
    assert shown.json["title"] == "Printer offline" and shown.json["external"]["number"] == 2
    assert gd(sync_desk, "ticket", "comment", "#1", "--internal", "checked the logs").code == 0
    assert gd(sync_desk, "ticket", "show", "#1", "--json").json["comments"][-1]["body"] == "checked the logs"


def test_show_by_issue_number_on_the_github_backend(gd, gh_desk, fake_github):
    fake_github.seed_issue("VPN drops every 10 minutes", form_body(), user="alice")
    shown = gd(gh_desk, "ticket", "show", "#1")
    assert shown.code == 0, shown.err
    assert "VPN drops every 10 minutes" in shown.out
