"""open_review_task on the GitHub backend: the review ticket is one issue per team and period,
found again by its labels, against the fake GitHub over HTTP."""

from __future__ import annotations

import shutil

from tests.support.desk import AGENT, PROJECT


def _open(repo, **kw):
    from gitdesk.backend import open_store
    from gitdesk.config import load_config
    from gitdesk.kb.review import open_review_task
    from gitdesk.repo import Repo

    config = load_config(repo)
    store = open_store(Repo(repo), config)
    args = {"owner": "desktop", "articles": ["printing/print-job-stuck.md"], "reason": "Due for review.",
            "period": "2026-12", "actor": AGENT, **kw}
    return open_review_task(store, config, **args)


def test_one_issue_per_team_and_period_updated_with_new_articles(gh_desk, fake_github):
    shutil.copytree(PROJECT / "kb", gh_desk / "kb")  # the titles listed (no search index needed)
    tid, created = _open(gh_desk, articles=["printing/print-job-stuck.md", "hardware/slow-laptop.md"])
    assert created
    [issue] = fake_github.issues()
    assert {"kb-review", "kb-review-owner-desktop", "kb-review-period-2026-12"} <= set(fake_github.issue_labels(issue.number))
    assert "kb/hardware/slow-laptop.md" in issue.body
    comments = len(fake_github.comments(issue.number))

    assert _open(gh_desk, articles=["hardware/slow-laptop.md"]) == (tid, False)  # nothing new: nothing written
    assert len(fake_github.issues()) == 1 and len(fake_github.comments(issue.number)) == comments

    fake_github.issue(issue.number).title = "Edited by a person"
    assert _open(gh_desk, articles=["network/vpn-wont-connect.md"], reason="Readers said No.") == (tid, False)
    assert len(fake_github.issues()) == 1
    notes = [c.body for c in fake_github.comments(issue.number) if "vpn-wont-connect.md" in c.body and "gitdesk:record" not in c.body]
    assert len(notes) == 1 and "Readers said No." in notes[0]

    other, created = _open(gh_desk, period="2027-01")
    assert created and other != tid and len(fake_github.issues()) == 2


def test_kb_review_open_tickets_through_the_cli_opens_one_issue_per_team_once(gd, gh_desk, fake_github):
    shutil.copytree(PROJECT / "kb", gh_desk / "kb")
    first = gd(gh_desk, "kb", "review", "--at", "2026-12-06", "--open-tickets", "--json")
    assert first.code == 0, first.err
    assert [(t["owner"], t["created"]) for t in first.json["tickets"]] == [
        ("service-desk", True), ("desktop", True), ("infrastructure", True)]
    issues = fake_github.issues()
    assert len(issues) == 3
    labels = {i.number: set(fake_github.issue_labels(i.number)) for i in issues}
    assert all({"kb-review", "kb-review-period-2026-12"} <= names for names in labels.values())
    assert sorted(n for names in labels.values() for n in names if n.startswith("kb-review-owner-")) == [
        "kb-review-owner-desktop", "kb-review-owner-infrastructure", "kb-review-owner-service-desk"]
    comments = len(fake_github.comments())
    again = gd(gh_desk, "kb", "review", "--at", "2026-12-06", "--open-tickets", "--json")
    assert again.code == 0, again.err
    assert [(t["created"], t["changed"]) for t in again.json["tickets"]] == [(False, False)] * 3
    assert len(fake_github.issues()) == 3 and len(fake_github.comments()) == comments
    assert not (gh_desk / "tickets").exists() or not any((gh_desk / "tickets").rglob("*.yml"))  # nothing in the repository
