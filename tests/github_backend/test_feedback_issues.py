"""A reader's vote sent as a GitHub issue (label kb-feedback, the site's marker line): sync and
triage record it as a feedback record, close the issue with one comment, and never make a ticket."""

from __future__ import annotations

from gitdesk.config import load_config
from gitdesk.kb.feedback import feedback_dir, load_feedback, marker_line
from tests.feedback.conftest import make_feedback_desk
from tests.support.github_backend import configure, form_body, writes

COMMENT_MARK = "<!-- gitdesk:kb-feedback -->"


def vote_body(article="accounts/reset-password.es.md", vote=False, reason="did-not-work", comment="Sigue sin ir."):
    return f"{comment}\n\n---\n{marker_line(article, vote, reason, 'es')}\n(Conserve la línea de abajo.)\n"


def test_sync_records_a_feedback_issue_closes_it_and_opens_no_ticket(gd, tmp_path, fake_github):
    desk = configure(make_feedback_desk(tmp_path / "desk"), fake_github)
    fake_github.seed_issue("Opinión sobre el artículo: Restablecer", vote_body(), user="reader1", labels=["kb-feedback"],
                           created_at="2026-12-01T10:00:00Z")
    fake_github.seed_issue("VPN drops", form_body(), user="alice", created_at="2026-12-01T11:00:00Z")
    # no label (the reader may not label issues): the marker alone makes it feedback
    fake_github.seed_issue("Article feedback", vote_body("printing/badge-release.md", True, None, ""), user="reader2",
                           created_at="2026-12-01T12:00:00Z")
    fake_github.seed_issue("Forged", "gitdesk-feedback:v1?article=accounts/nope.md&vote=no", user="mallory",
                           labels=["kb-feedback"], created_at="2026-12-01T13:00:00Z")
    run = gd(desk, "sync", "--commit")
    assert run.code == 0, run.err
    assert "2 vote(s) recorded" in run.out and "1 refused" in run.out
    assert "refused: #4: feedback refused: article: no article accounts/nope.md in kb/" in run.out
    votes = load_feedback(desk, load_config(desk))
    assert sorted((v.article, v.helpful, v.reason, v.channel) for v in votes) == [
        ("accounts/reset-password.es.md", False, "did-not-work", "github"), ("printing/badge-release.md", True, None, "github")]
    assert [v.comment for v in votes if not v.helpful] == ["Sigue sin ir."]
    for number, reason in ((1, "completed"), (3, "completed"), (4, "not_planned")):
        issue = fake_github.issue(number)
        assert (issue.state, issue.state_reason) == ("closed", reason)
        [comment] = fake_github.comments(number)
        assert COMMENT_MARK in comment.body
    assert "Gracias por valorar" in fake_github.comments(1)[0].body
    assert fake_github.issue(2).state == "open"
    run = gd(desk, "ticket", "list", "--json")
    assert [t["title"] for t in run.json] == ["VPN drops"]
    assert "reader1" not in "".join(p.read_text() for p in feedback_dir(desk).iterdir())
    # a second run: nothing recorded twice, nothing written to GitHub
    before = len(fake_github.requests)
    run = gd(desk, "sync")
    assert run.code == 0 and "vote(s) recorded" not in run.out
    assert len(load_feedback(desk, load_config(desk))) == 2
    assert [w for w in writes(fake_github, before) if "/issues/" in w.path and w.method == "POST"] == []


def test_triage_takes_a_feedback_issue_on_the_github_backend(gd, tmp_path, fake_github):
    desk = configure(make_feedback_desk(tmp_path / "desk"), fake_github, backend="github")
    fake_github.seed_issue("Opinión", vote_body(), user="reader1", labels=["kb-feedback"])
    run = gd(desk, "github", "triage", "1")
    assert run.code == 0, run.err
    assert "#1: feedback: feedback on accounts/reset-password.es.md: no (issue closed)" in run.out
    assert fake_github.issue(1).state == "closed" and len(fake_github.comments(1)) == 1
    assert len(load_feedback(desk, load_config(desk))) == 1
    run = gd(desk, "github", "triage", "1", "--json")  # again: recorded once, no second comment
    assert run.json["action"] == "duplicate" and len(fake_github.comments(1)) == 1
    assert len(load_feedback(desk, load_config(desk))) == 1
    run = gd(desk, "ticket", "list", "--json")
    assert run.code == 0 and run.json == []  # the issue is not a ticket on the GitHub backend either


def test_no_votes_from_issues_open_the_owners_review_task_through_sync(gd, tmp_path, fake_github):
    desk = configure(make_feedback_desk(tmp_path / "desk"), fake_github, extra="kb:\n  feedback: {review_after: 1}\n")
    fake_github.seed_issue("Opinión", vote_body(), user="reader1", labels=["kb-feedback"], created_at="2026-12-01T10:00:00Z")
    run = gd(desk, "sync", "--commit")
    assert run.code == 0, run.err
    assert "review task HD-" in run.err and "accounts/reset-password.md" in run.err
    run = gd(desk, "ticket", "list", "--json")
    [task] = run.json
    assert "kb-review" in task["tags"] and task["team"] == "service-desk" and task["kb"] == ["accounts/reset-password.md"]
