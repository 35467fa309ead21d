"""`gitdesk sync` between the YAML store and the fake GitHub: import, export, both ways,
incremental, idempotent (a re-run writes nothing and creates nothing)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from gitdesk.config import load_config
from gitdesk.repo import Repo
from gitdesk.store.files import FileStore

from tests.support.github_backend import TOKEN, configure, form_body, writes


def store(repo: Path) -> FileStore:
    return FileStore(Repo(repo), load_config(repo))


def event_files(repo: Path) -> list[Path]:
    return sorted((repo / "tickets").rglob("*.yml")) if (repo / "tickets").exists() else []


def by_number(repo: Path) -> dict[int, dict]:
    return {t.external["number"]: t.to_dict() for t in store(repo).all() if t.external}


def seed_three(gh):
    gh.add_collaborator("ana-lima")
    gh.seed_issue("VPN drops", form_body(), user="alice", created_at="2026-11-02T09:00:00Z",
                  comments=[{"user": "ana-lima", "body": "Which VPN client version?", "created_at": "2026-11-02T09:20:00Z"},
                            {"user": "alice", "body": "6.1.3", "created_at": "2026-11-02T09:25:00Z"}])
    gh.seed_pull_request("Fix a KB typo", "typo", user="ana-lima")
    gh.seed_issue("Printer offline", form_body(category="printing", impact="low", urgency="low"), user="bob",
                  labels=["priority: low", "category: printing", "status: resolved"], state="closed",
                  created_at="2026-11-01T10:00:00Z", closed_at="2026-11-01T12:00:00Z")
    gh.seed_issue("Plain issue without the form", "Screen is flickering.", user="carol",
                  created_at="2026-11-03T08:00:00Z")


def test_import_makes_tickets_from_issues_and_skips_pull_requests(gd, sync_desk, fake_github):
    seed_three(fake_github)
    run = gd(sync_desk, "sync", "--pull-only", "--json")
    assert run.code == 0, run.err
    report = run.json
    assert (report["tickets_created"], report["comments_imported"], report["issues_created"]) == (3, 2, 0)
    tickets = by_number(sync_desk)
    assert sorted(tickets) == [1, 3, 4]  # #2 is the pull request
    vpn = tickets[1]
    assert (vpn["category"], vpn["priority"], vpn["status"]) == ("network/vpn", "high", "open")
    assert [(c["by"], c["body"]) for c in vpn["comments"]] == [("ana-lima", "Which VPN client version?"), ("alice", "6.1.3")]
    assert vpn["created_at"] == "2026-11-02T09:00:00.000000Z" and vpn["external"]["url"].endswith("/issues/1")
    printer = tickets[3]
    assert printer["status"] == "resolved" and printer["resolved_at"] == "2026-11-01T12:00:00.000000Z"
    plain = tickets[4]
    assert plain["description"] == "Screen is flickering." and plain["requester"] == {"name": "carol"}
    assert report["requests"] == 2  # one page of issues, one page of comments


def test_a_rerun_and_a_full_rerun_write_nothing(gd, sync_desk, fake_github):
    seed_three(fake_github)
    assert gd(sync_desk, "sync").code == 0
    files = event_files(sync_desk)
    before = len(fake_github.requests)
    again = gd(sync_desk, "sync", "--json").json
    assert again["events_written"] == 0 and again["write_requests"] == 0 and again["requests"] <= 2
    full = gd(sync_desk, "sync", "--full", "--json").json
    assert full["events_written"] == 0 and full["write_requests"] == 0
    assert event_files(sync_desk) == files
    assert writes(fake_github, before) == []


def test_the_same_issues_give_the_same_ticket_and_event_ids_in_every_clone(gd, tmp_path, fake_github):
    from tests.support.desk import init_repo

    seed_three(fake_github)
    one = configure(init_repo(tmp_path / "one"), fake_github)
    two = configure(init_repo(tmp_path / "two"), fake_github)
    assert gd(one, "sync", "--pull-only").code == 0
    assert gd(two, "sync", "--pull-only").code == 0
    names = lambda repo: [p.relative_to(repo).as_posix() for p in event_files(repo)]  # noqa: E731
    assert names(one) == names(two) and names(one)


def test_export_opens_one_issue_per_ticket_with_public_comments_only(gd, sync_desk, fake_github):
    new = gd(sync_desk, "ticket", "new", "Keyboard missing keys", "--requester", "Sam Reed <sam@northwind.example>",
             "--channel", "walk-in", "--category", "hardware/peripherals", "--impact", "low", "--urgency", "low", "--json")
    tid = new.json["id"]
    assert gd(sync_desk, "ticket", "comment", tid, "A new keyboard is on its way.").code == 0
    assert gd(sync_desk, "ticket", "comment", tid, "--internal", "Third keyboard this month.").code == 0
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert (run.json["issues_created"], run.json["comments_exported"], run.json["links_recorded"]) == (1, 1, 1)
    [issue] = fake_github.issues()
    assert f"<!-- gitdesk:ticket={tid} -->" in issue.body
    assert sorted(fake_github.issue_labels(1)) == ["category: hardware/peripherals", "channel: walk-in", "priority: low"]
    [comment] = fake_github.comments(1)
    assert comment.body.startswith("A new keyboard is on its way.") and "Third keyboard" not in comment.body
    ticket = store(sync_desk).get(tid)
    assert ticket.external["number"] == 1 and [h["action"] for h in ticket.history][-1] == "sync"
    before = len(fake_github.requests)
    for _ in range(2):
        again = gd(sync_desk, "sync", "--json").json
        assert again["issues_created"] == again["comments_exported"] == again["events_written"] == 0
    assert writes(fake_github, before) == []
    assert len(fake_github.issues()) == 1 and len(fake_github.comments(1)) == 1


def test_resolved_and_closed_tickets_are_exported_only_when_asked(gd, sync_desk, fake_github):
    tid = gd(sync_desk, "ticket", "new", "Old request", "--requester", "sam@northwind.example", "--json").json["id"]
    assert gd(sync_desk, "ticket", "resolve", tid, "-m", "Done").code == 0
    assert gd(sync_desk, "sync", "--json").json["issues_created"] == 0
    run = gd(sync_desk, "sync", "--include-closed", "--json")
    # the ticket did not change since it was looked at: --include-closed applies to changed tickets
    assert run.json["issues_created"] == 0
    assert gd(sync_desk, "ticket", "comment", tid, "Closing note").code == 0
    run = gd(sync_desk, "sync", "--include-closed", "--json")
    assert run.json["issues_created"] == 1
    issue = fake_github.issue(1)
    assert (issue.state, issue.state_reason) == ("closed", "completed") and "status: resolved" in fake_github.issue_labels(1)


def test_changes_flow_both_ways_and_settle(gd, sync_desk, fake_github, github_client):
    tid = gd(sync_desk, "ticket", "new", "Laptop battery", "--requester", "Sam Reed <sam@northwind.example>",
             "--category", "hardware", "--impact", "low", "--urgency", "low", "--json").json["id"]
    assert gd(sync_desk, "sync").code == 0
    # on GitHub: a reply and a new priority; here: waiting on the requester
    fake_github.add_collaborator("chen-wei")
    fake_github.seed_comment(1, "I can bring a spare battery.", user="chen-wei")
    issue = github_client.get_repo("octo-org/helpdesk").get_issue(1)
    issue.set_labels("priority: high", "category: hardware")
    assert gd(sync_desk, "ticket", "pending", tid, "-m", "Is the laptop under warranty?").code == 0
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    ticket = store(sync_desk).get(tid)
    assert ticket.priority == "high" and ticket.status == "pending"
    assert [c["body"] for c in ticket.comments][-1] == "I can bring a spare battery." or \
        "I can bring a spare battery." in [c["body"] for c in ticket.comments]
    assert "status: pending" in fake_github.issue_labels(1) and "priority: high" in fake_github.issue_labels(1)
    assert any(c.body.startswith("Is the laptop under warranty?") for c in fake_github.comments(1))
    counts = (len(fake_github.comments(1)), len(event_files(sync_desk)))
    before = len(fake_github.requests)
    for _ in range(2):
        assert gd(sync_desk, "sync").code == 0
    assert (len(fake_github.comments(1)), len(event_files(sync_desk))) == counts
    assert writes(fake_github, before) == []


def test_a_local_change_not_yet_pushed_survives_a_github_comment(gd, sync_desk, fake_github):
    tid = gd(sync_desk, "ticket", "new", "Mailbox full", "--requester", "sam@northwind.example", "--category", "email",
             "--priority", "low", "--json").json["id"]
    assert gd(sync_desk, "sync").code == 0
    assert gd(sync_desk, "ticket", "set", tid, "priority=high").code == 0
    fake_github.seed_comment(1, "Still cannot send mail", user="sam-reed")  # bumps the issue's updated_at
    assert gd(sync_desk, "sync").code == 0
    assert store(sync_desk).get(tid).priority == "high"
    assert "priority: high" in fake_github.issue_labels(1) and "priority: low" not in fake_github.issue_labels(1)


def test_a_later_change_on_github_wins_a_conflict(gd, sync_desk, fake_github, github_client):
    tid = gd(sync_desk, "ticket", "new", "Teams calls drop", "--requester", "sam@northwind.example", "--category", "phones",
             "--priority", "low", "--json").json["id"]
    assert gd(sync_desk, "sync").code == 0
    assert gd(sync_desk, "ticket", "set", tid, "priority=medium").code == 0
    fake_github.freeze_time()
    fake_github.advance(60)
    github_client.get_repo("octo-org/helpdesk").get_issue(1).set_labels("priority: critical", "category: phones")
    assert gd(sync_desk, "sync").code == 0
    assert store(sync_desk).get(tid).priority == "critical"
    labels = fake_github.issue_labels(1)
    assert "priority: critical" in labels and "priority: medium" not in labels


def test_a_marker_from_someone_without_write_access_is_not_trusted(gd, sync_desk, fake_github):
    tid = gd(sync_desk, "ticket", "new", "Real ticket", "--requester", "sam@northwind.example", "--json").json["id"]
    fake_github.seed_issue("Hijack", f"please merge me\n\n<!-- gitdesk:ticket={tid} -->", user="mallory")
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert run.json["tickets_created"] == 1 and run.json["issues_created"] == 1  # the real ticket got its own issue
    real = store(sync_desk).get(tid)
    assert real.title == "Real ticket" and real.external["number"] == 2
    hijack = by_number(sync_desk)[1]
    assert hijack["id"] != tid and hijack["title"] == "Hijack"


def test_sync_refuses_the_github_backend(gd, gh_desk):
    run = gd(gh_desk, "sync")
    assert run.code == 2 and "backend is github" in run.err


def test_commit_records_the_imported_events(gd, sync_desk, fake_github):
    seed_three(fake_github)
    run = gd(sync_desk, "sync", "--commit")
    assert run.code == 0, run.err
    log = subprocess.run(["git", "log", "--format=%s", "-1"], cwd=sync_desk, capture_output=True, text=True).stdout
    assert log.startswith("sync: ") and "from octo-org/helpdesk" in log
    status = subprocess.run(["git", "status", "--porcelain", "tickets"], cwd=sync_desk, capture_output=True, text=True).stdout
    assert status == ""


def test_summary_without_a_terminal_and_a_progress_bar_on_one(sync_desk, fake_github):
    seed_three(fake_github)
    env = {**os.environ, "GITDESK_REPO": str(sync_desk), "GITHUB_TOKEN": TOKEN}
    exe = str(Path(sys.executable).with_name("gitdesk"))
    piped = subprocess.run([exe, "sync", "--pull-only"], env=env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("Synced octo-org/helpdesk: imported 3 new tickets") and "Importing" not in piped.stdout
    assert TOKEN not in piped.stdout + piped.stderr
    fake_github.seed_issue("One more", form_body(), user="dave")
    controller, worker = pty.openpty()
    proc = subprocess.Popen([exe, "sync", "--pull-only"], env=env, stdout=worker, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(worker)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=120)
    os.close(controller)
    text = output.decode(errors="replace")
    assert proc.returncode == 0
    assert "Importing issues" in text and "Synced octo-org/helpdesk: imported 1 new tickets" in text


def test_a_change_is_seen_when_the_last_second_held_more_than_a_page(gd, sync_desk, fake_github, github_client):
    # 101 issues stamped with one second: `since` brings back two pages every time, and a 304 on
    # page 1 says nothing about page 2, where a changed issue goes (regression: it once hid this)
    for i in range(101):
        fake_github.seed_issue(f"Issue {i}", form_body(), user="alice", created_at="2026-11-02T09:00:00Z")
    for _ in range(3):
        assert gd(sync_desk, "sync", "--pull-only").code == 0
    github_client.get_repo("octo-org/helpdesk").get_issue(101).edit(title="Issue 100, retitled")  # on page 2
    run = gd(sync_desk, "sync", "--pull-only", "--json")
    assert run.json["tickets_updated"] == 1
    assert by_number(sync_desk)[101]["title"] == "Issue 100, retitled"


def test_an_assignee_github_refuses_is_reported_and_the_issue_still_opens(gd, sync_desk, fake_github):
    tid = gd(sync_desk, "ticket", "new", "Badge printer", "--requester", "sam@northwind.example",
             "--assignee", "not-a-member", "--json").json["id"]
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert run.json["issues_created"] == 1 and any("not-a-member" in s for s in run.json["skipped"])
    assert fake_github.issue(1).assignees == [] and store(sync_desk).get(tid).assignee == "not-a-member"
    assert gd(sync_desk, "sync", "--json").json["write_requests"] == 0


def test_an_issue_deleted_on_github_leaves_its_ticket_alone(gd, sync_desk, fake_github):
    seed_three(fake_github)
    assert gd(sync_desk, "sync").code == 0
    ticket = by_number(sync_desk)[1]
    assert gd(sync_desk, "ticket", "comment", ticket["id"], "Anyone there?").code == 0
    fake_github.delete_issue(1)
    run = gd(sync_desk, "sync", "--full", "--json")
    assert run.code == 0, run.err
    assert any("issue #1 is gone" in s for s in run.json["skipped"])
    assert store(sync_desk).get(ticket["id"]).title == "VPN drops"
