"""Every `gitdesk ticket` command on the GitHub backend (backend: github), through the real CLI,
against the fake GitHub over HTTP; what each leaves on GitHub is read back from the server."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.github_backend import TOKEN, form_body, writes


def _new(gd, repo, *extra):
    run = gd(repo, "ticket", "new", "Printer jams on the 3rd floor", "--requester", "Sam Reed <sam.reed@northwind.example>",
             "--channel", "phone", "--category", "printing", "--impact", "low", "--urgency", "medium", "--json", *extra)
    assert run.code == 0, run.err
    return run.json


def test_new_opens_an_issue_with_the_form_sections_labels_and_a_ticket_marker(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk, "--asset", "NW-PR-0311")
    [issue] = fake_github.issues()
    assert issue.title == "Printer jams on the 3rd floor"
    assert sorted(fake_github.issue_labels(issue.number)) == ["category: printing", "channel: phone", "priority: low"]
    assert "### Requester\n\nSam Reed <sam.reed@northwind.example>" in issue.body
    assert "### Asset\n\nNW-PR-0311" in issue.body
    assert f"<!-- gitdesk:ticket={ticket['id']} -->" in issue.body
    assert ticket["status"] == "new" and ticket["priority"] == "low" and ticket["channel"] == "phone"
    assert ticket["requester"] == {"name": "Sam Reed", "email": "sam.reed@northwind.example"}
    assert ticket["external"]["number"] == issue.number and ticket["external"]["source"] == "github"
    # the same ticket, read back by id prefix, by issue number and by #number
    for ref in (ticket["id"][:5], str(issue.number), f"#{issue.number}"):
        shown = gd(gh_desk, "ticket", "show", ref, "--json")
        assert shown.code == 0, shown.err
        assert shown.json["id"] == ticket["id"]


def test_list_and_show_read_form_issues_and_ignore_pull_requests(gd, gh_desk, fake_github):
    fake_github.add_collaborator("ana-lima")
    fake_github.seed_issue("VPN drops every 10 minutes", form_body(), user="alice",
                           comments=[("alice", "It happened again just now."), ("ana-lima", "Looking into it.")])
    fake_github.seed_pull_request("Update VPN article", "kb change", user="ana-lima")
    fake_github.seed_issue("Outlook cannot connect", form_body(category="email", impact="high", urgency="high"), user="bob")
    listed = gd(gh_desk, "ticket", "list", "--json")
    assert listed.code == 0, listed.err
    titles = sorted(t["title"] for t in listed.json)
    assert titles == ["Outlook cannot connect", "VPN drops every 10 minutes"]
    assert all("comments" not in t for t in listed.json)
    shown = gd(gh_desk, "ticket", "show", "#1", "--json").json
    assert shown["category"] == "network/vpn" and shown["priority"] == "high"  # medium x high
    assert shown["requester"] == {"name": "alice", "department": "Finance"}
    assert shown["description"].startswith("The VPN disconnects")
    assert [c["by"] for c in shown["comments"]] == ["alice", "ana-lima"]
    # ana-lima's answer opened the ticket; alice's own comment did not
    assert [(h["action"], h.get("set", {}).get("status")) for h in shown["history"]] == [
        ("new", "new"), ("comment", None), ("comment", "open")]
    assert gd(gh_desk, "ticket", "list", "--priority", "critical", "--json").json[0]["title"] == "Outlook cannot connect"
    assert gd(gh_desk, "ticket", "show", "#2").code != 0  # the pull request is not a ticket


def test_first_response_is_the_first_comment_by_neither_the_author_nor_a_bot(gd, gh_desk, fake_github):
    sla = pytest.importorskip("gitdesk.sla.engine")
    fake_github.add_user("github-actions[bot]", type="Bot")
    fake_github.add_collaborator("chen-wei")
    issue = fake_github.seed_issue("Monitor flickers", form_body(category="hardware/peripherals"), user="alice",
                                   created_at="2026-11-02T09:00:00Z", comments=[
                                       {"user": "alice", "body": "Still flickering", "created_at": "2026-11-02T09:05:00Z"},
                                       {"user": "github-actions[bot]", "body": "Labelled", "created_at": "2026-11-02T09:06:00Z"},
                                       {"user": "chen-wei", "body": "Try the other cable", "created_at": "2026-11-02T09:30:00Z"},
                                   ])
    from gitdesk.config import load_config
    from gitdesk.model.ticket import Ticket

    shown = gd(gh_desk, "ticket", "show", f"#{issue.number}", "--json").json
    first = sla.first_response_at(Ticket(shown), load_config(gh_desk))
    assert first is not None and first.isoformat().startswith("2026-11-02T09:30:00")


def test_public_comment_is_an_issue_comment_and_an_internal_note_never_reaches_github(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    run = gd(gh_desk, "ticket", "comment", ticket["id"], "Restarted the spooler; please try again.", "--json")
    assert run.code == 0, run.err
    [comment] = fake_github.comments(1)
    assert comment.body.startswith("Restarted the spooler; please try again.")
    assert "gitdesk:event" in comment.body and "ana.lima@" not in comment.body  # names, never e-mails
    assert run.json["status"] == "open"
    assert run.json["comments"][0]["by"] == "Ana Lima"
    before = len(fake_github.requests)
    run = gd(gh_desk, "ticket", "comment", ticket["id"], "--internal", "Requester is the CFO's assistant.", "--json")
    assert run.code == 0, run.err
    assert len(fake_github.comments(1)) == 1  # nothing new on GitHub
    assert not [r for r in writes(fake_github, before) if r.path.endswith("/comments")]
    private = list((gh_desk / "tickets").rglob("*.yml"))
    assert len(private) == 1 and "CFO" in private[0].read_text()
    shown = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    assert [(c["body"][:10], c["public"]) for c in shown["comments"]] == [("Restarted ", True), ("Requester ", False)]


def test_assign_takes_a_github_login_and_refuses_a_name(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    fake_github.add_collaborator("chen-wei")
    run = gd(gh_desk, "ticket", "assign", ticket["id"], "chen-wei", "--json")
    assert run.code == 0, run.err
    assert fake_github.issue(1).assignees == ["chen-wei"]
    assert run.json["assignee"] == "chen-wei" and run.json["status"] == "open"
    run = gd(gh_desk, "ticket", "assign", ticket["id"], "Chen Wei <chen.wei@northwind.example>")
    assert run.code == 1
    assert run.err.startswith("gitdesk: error: assignee: on GitHub the assignee is a GitHub login")
    assert "Traceback" not in run.err
    run = gd(gh_desk, "ticket", "assign", ticket["id"], "not-a-collaborator")
    assert run.code == 1 and "GitHub refused" in run.err and "Traceback" not in run.err
    run = gd(gh_desk, "ticket", "assign", ticket["id"], "--unassign", "--json")
    assert run.code == 0 and fake_github.issue(1).assignees == [] and run.json["assignee"] is None


def test_escalate_moves_the_tier_label_and_keeps_team_and_reason_in_the_record(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    run = gd(gh_desk, "ticket", "escalate", ticket["id"], "--reason", "needs the network team", "--json")
    assert run.code == 0, run.err
    assert "tier: 2" in fake_github.issue_labels(1)
    assert run.json["tier"] == 2 and run.json["team"] == "desktop" and run.json["escalation_count"] == 1
    run = gd(gh_desk, "ticket", "escalate", ticket["id"], "--tier", "3", "--team", "security", "--json")
    labels = fake_github.issue_labels(1)
    assert "tier: 3" in labels and "tier: 2" not in labels
    records = [c for c in fake_github.comments(1) if c.body.startswith("<!-- gitdesk:record -->")]
    assert len(records) == 1  # one record comment, edited in place
    shutil.rmtree(gh_desk / ".gitdesk")  # nothing local is needed to know the history
    shown = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    assert (shown["tier"], shown["team"], shown["escalation_count"]) == (3, "security", 2)
    assert [h.get("reason") for h in shown["history"] if h["action"] == "escalate"] == ["needs the network team", None]


def test_set_edits_labels_and_body_sections_and_tags(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    run = gd(gh_desk, "ticket", "set", ticket["id"], "priority=high", "category=hardware/peripherals",
             "asset=NW-LT-0412", "--tag", "vip", "--json")
    assert run.code == 0, run.err
    labels = sorted(fake_github.issue_labels(1))
    assert labels == ["category: hardware/peripherals", "channel: phone", "priority: high", "vip"]
    assert "### Asset\n\nNW-LT-0412" in fake_github.issue(1).body
    assert run.json["tags"] == ["vip"] and run.json["asset"] == "NW-LT-0412"
    run = gd(gh_desk, "ticket", "set", ticket["id"], "--untag", "vip", "requester.department=Facilities", "--json")
    assert run.code == 0, run.err
    assert "vip" not in fake_github.issue_labels(1)
    assert "### Department\n\nFacilities" in fake_github.issue(1).body
    assert run.json["requester"]["department"] == "Facilities"
    run = gd(gh_desk, "ticket", "set", ticket["id"], "priority=urgent")
    assert run.code == 1 and "unknown priority" in run.err


def test_pending_resolve_reopen_close_map_to_labels_and_issue_state(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    ref = ticket["id"]
    assert gd(gh_desk, "ticket", "pending", ref, "-m", "Can you send a photo of the error?").code == 0
    assert "status: pending" in fake_github.issue_labels(1) and fake_github.issue(1).state == "open"
    run = gd(gh_desk, "ticket", "resolve", ref, "-m", "Replaced the fuser.", "--json")
    assert run.code == 0, run.err
    issue = fake_github.issue(1)
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    labels = fake_github.issue_labels(1)
    assert "status: resolved" in labels and "status: pending" not in labels
    assert run.json["resolved_at"] is not None
    run = gd(gh_desk, "ticket", "reopen", ref, "--reason", "Jams again", "--json")
    assert run.code == 0, run.err
    assert fake_github.issue(1).state == "open" and not [n for n in fake_github.issue_labels(1) if n.startswith("status:")]
    assert run.json["status"] == "open" and run.json["reopen_count"] == 1
    run = gd(gh_desk, "ticket", "close", ref, "--json")
    assert run.code == 0
    assert fake_github.issue(1).state == "closed" and "status: resolved" not in fake_github.issue_labels(1)
    shown = gd(gh_desk, "ticket", "show", ref, "--json").json
    assert [(h.get("from"), h["set"]["status"]) for h in shown["history"] if "status" in h.get("set", {})] == [
        (None, "new"), ("new", "pending"), ("pending", "resolved"), ("resolved", "open"), ("open", "closed")]
    assert len([c for c in fake_github.comments(1) if "gitdesk:event" in c.body]) == 2  # the -m texts
    run = gd(gh_desk, "ticket", "resolve", ref)
    assert run.code == 1 and "cannot go from closed to resolved" in run.err


def test_rate_stays_in_the_repository_and_link_goes_to_the_record(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    other = _new(gd, gh_desk)
    before = len(fake_github.requests)
    run = gd(gh_desk, "ticket", "rate", ticket["id"], "4", "--comment", "Quick, but I had to chase.", "--json")
    assert run.code == 0, run.err
    assert writes(fake_github, before) == []
    assert run.json["satisfaction"] == {"rating": 4, "comment": "Quick, but I had to chase."}
    assert "chase" not in json.dumps([c.body for c in fake_github.comments(1)])
    run = gd(gh_desk, "ticket", "link", ticket["id"], "--kb", "printing/printer-jams.md", "--related", "#2", "--json")
    assert run.code == 0, run.err
    assert run.json["kb"] == ["printing/printer-jams.md"] and run.json["related"] == [other["id"]]
    shutil.rmtree(gh_desk / ".gitdesk")
    shown = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    assert shown["kb"] == ["printing/printer-jams.md"] and shown["satisfaction"]["rating"] == 4


def test_merge_closes_the_duplicate_as_duplicate(gd, gh_desk, fake_github):
    first = _new(gd, gh_desk)
    second = _new(gd, gh_desk)
    run = gd(gh_desk, "ticket", "merge", second["id"], "--into", first["id"], "--json")
    assert run.code == 0, run.err
    issue = fake_github.issue(2)
    assert (issue.state, issue.state_reason) == ("closed", "duplicate")
    assert gd(gh_desk, "ticket", "show", "#2", "--json").json["duplicate_of"] == first["id"]
    assert gd(gh_desk, "ticket", "show", "#1", "--json").json["duplicates"] == [second["id"]]


def test_changes_made_on_github_show_up_in_the_ticket(gd, gh_desk, fake_github, github_client):
    ticket = _new(gd, gh_desk)
    issue = github_client.get_repo("octo-org/helpdesk").get_issue(1)
    issue.edit(labels=["priority: critical", "category: printing", "channel: phone", "sla: breached"], state="closed")
    shown = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    assert shown["priority"] == "critical" and shown["status"] == "closed" and "sla-breached" in shown["tags"]
    assert shown["closed_at"] is not None
    assert [h["action"] for h in shown["history"]][-2:] == ["close", "sync"]


def test_a_ticket_is_the_same_from_a_fresh_cache(gd, gh_desk, fake_github):
    ticket = _new(gd, gh_desk)
    for args in (("comment", ticket["id"], "First answer"), ("pending", ticket["id"]),
                 ("comment", ticket["id"], "--internal", "note"), ("escalate", ticket["id"])):
        assert gd(gh_desk, "ticket", *args).code == 0
    before = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    shutil.rmtree(gh_desk / ".gitdesk")
    after = gd(gh_desk, "ticket", "show", ticket["id"], "--json").json
    # the SLA clocks are read at "now", which moves between the two shows: compare their settings
    clocks = [[(c["name"], c["state"], c["target_seconds"]) for c in t.pop("sla")] for t in (before, after)]
    assert clocks[0] == clocks[1] and len(clocks[0]) == 3
    assert before == after


def test_sla_check_apply_writes_sla_labels_once(gd, gh_desk, fake_github):
    pytest.importorskip("gitdesk.cli.sla")
    fake_github.seed_issue("Everyone is locked out", form_body(category="accounts", impact="high", urgency="high"),
                           user="alice", created_at="2026-11-02T09:00:00Z")
    run = gd(gh_desk, "sla", "check", "--apply", "--at", "2026-11-02T15:00:00Z", "--json")
    assert run.code == 0, run.err
    labels = fake_github.issue_labels(1)
    assert "sla: breached" in labels and "tier: 2" in labels
    before = len(fake_github.requests)
    run = gd(gh_desk, "sla", "check", "--apply", "--at", "2026-11-02T15:00:00Z", "--json")
    assert run.code == 0, run.err
    assert writes(fake_github, before) == []  # idempotent: the second run records nothing


def test_token_only_from_the_environment_and_never_printed(gd, gh_desk, fake_github, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    run = gd(gh_desk, "ticket", "list")
    assert run.code == 1 and "no GitHub token: set GITHUB_TOKEN or GH_TOKEN" in run.err
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    assert gd(gh_desk, "ticket", "list", "--json").code == 0


@pytest.mark.fake_github(accept_any_token=False)
def test_a_refused_token_is_one_line_without_the_token(gd, gh_desk, fake_github):
    run = gd(gh_desk, "ticket", "list")
    assert run.code == 1
    assert run.err.startswith("gitdesk: error: GitHub refused the token") and run.err.count("\n") == 1
    assert TOKEN not in run.out + run.err
    assert not list(gh_desk.rglob("*token*"))
    for path in (gh_desk / ".gitdesk").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()


def test_list_reflects_every_kind_of_change_through_its_cache(gd, gh_desk, fake_github, github_client):
    fake_github.seed_issue("VPN drops", form_body(), user="alice")
    first = gd(gh_desk, "ticket", "list", "--json").json
    assert first[0]["priority"] == "high" and first[0]["comment_count"] == 0
    github_client.get_repo("octo-org/helpdesk").get_issue(1).set_labels("priority: low")
    assert gd(gh_desk, "ticket", "list", "--json").json[0]["priority"] == "low"
    assert gd(gh_desk, "ticket", "comment", "#1", "--internal", "private").code == 0
    assert gd(gh_desk, "ticket", "list", "--json").json[0]["comment_count"] == 1
    fake_github.seed_comment(1, "any news?", user="alice")
    listed = gd(gh_desk, "ticket", "list", "--json").json
    assert listed[0]["comment_count"] == 2
    before = len(fake_github.requests)
    assert gd(gh_desk, "ticket", "list", "--json").json == listed
    assert len(fake_github.requests) - before == 2
