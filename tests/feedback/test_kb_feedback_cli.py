"""``gitdesk kb feedback``: votes per article, worst first; a run of "No" votes opens one review task."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from gitdesk.config import load_config
from gitdesk.kb.feedback import record_feedback
from tests.support.cli import run_main
from tests.support.desk import git
from tests.support.intake import update_config

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)  # after the sample's last_reviewed dates


def vote(root, article, helpful, reason=None, comment=None, n=0, language=None):
    record_feedback(root, load_config(root), article=article, helpful=helpful, reason=reason, comment=comment,
                    channel="email", language=language, at=T0 - timedelta(minutes=n))


def seed(root):
    vote(root, "accounts/reset-password.md", True, n=1)
    vote(root, "accounts/reset-password.es.md", False, "outdated", "El enlace ha cambiado", n=2)
    vote(root, "printing/badge-release.md", False, "unclear", "Where is the badge reader?", n=3)
    vote(root, "printing/badge-release.md", False, "unclear", n=4)
    vote(root, "printing/badge-release.md", True, n=5)
    vote(root, "network/vpn-wont-connect.md", True, n=6)


def test_votes_per_article_worst_first(fdesk):
    seed(fdesk)
    code, out, err = run_main("kb", "feedback", "--json", repo=fdesk)
    assert code == 0, err
    rows = json.loads(out)["articles"]
    assert [r["article"] for r in rows] == ["printing/badge-release.md", "accounts/reset-password.md",
                                            "network/vpn-wont-connect.md"]
    badge, reset, vpn = rows
    assert (badge["yes"], badge["no"], badge["helpful_share"], badge["reasons"]) == (1, 2, 0.333, {"unclear": 2})
    assert badge["comments"][0]["comment"] == "Where is the badge reader?"
    assert (reset["yes"], reset["no"], reset["languages"]) == (1, 1, {"en": 1, "es": 1})
    assert vpn["helpful_share"] == 1.0
    code, out, _ = run_main("kb", "feedback", "accounts/reset-password.es.md", repo=fdesk)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("accounts/reset-password.md  ")
    assert "yes 1, no 1 (50% helpful); reasons: outdated 1" in lines[1]
    assert "no (es): El enlace ha cambiado" in lines[2]
    assert "badge" not in out


def test_no_feedback_yet(fdesk):
    code, out, _ = run_main("kb", "feedback", repo=fdesk)
    assert code == 0 and out.strip() == "No feedback recorded."


def _review_tickets(root):
    code, out, _ = run_main("ticket", "list", "--tag", "kb-review", "--json", repo=root)
    assert code == 0
    return json.loads(out)


def test_a_run_of_no_votes_opens_one_review_task_for_the_owner(fdesk):
    update_config(fdesk, kb={"feedback": {"review_after": 3}})
    seed(fdesk)  # badge-release: 2 "No" so far
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    assert code == 0 and "\nreview " not in out and _review_tickets(fdesk) == []
    vote(fdesk, "printing/badge-release.pt.md", False, "did-not-work", n=7)
    code, out, err = run_main("kb", "feedback", "--open-reviews", "--dry-run", repo=fdesk)
    assert "review printing/badge-release.md: would ask" in out and _review_tickets(fdesk) == []
    code, out, err = run_main("kb", "feedback", "--open-reviews", "--commit", repo=fdesk)
    assert code == 0, err
    assert "review printing/badge-release.md: opened HD-" in out
    [task] = _review_tickets(fdesk)
    owner = "desktop"  # printing/badge-release.md's front matter
    assert task["team"] == owner and task["kb"] == ["printing/badge-release.md"]
    status = git(fdesk, "status", "--porcelain", "--untracked-files=all", "--", "tickets").splitlines()
    assert all(".feedback/" in line for line in status)  # the task's event is committed
    assert "review tasks from readers' votes" in git(fdesk, "log", "-1", "--format=%B")
    # again, and with more "No" votes while the task is open: never a second task
    for n in range(8, 12):
        vote(fdesk, "printing/badge-release.md", False, n=n)
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    assert "an open review task lists it already" in out
    assert len(_review_tickets(fdesk)) == 1


def test_after_the_task_is_closed_a_new_run_of_no_votes_asks_again_once(fdesk):
    update_config(fdesk, kb={"feedback": {"review_after": 2}})
    earlier = datetime.now(timezone.utc) - timedelta(hours=1)  # after its last review, before the task
    for n in range(2):
        record_feedback(fdesk, load_config(fdesk), article="network/vpn-wont-connect.md", helpful=False,
                        reason="outdated", channel="serve", at=earlier + timedelta(seconds=n))
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    [task] = _review_tickets(fdesk)
    assert "opened" in out
    code, out, err = run_main("ticket", "close", task["id"], repo=fdesk)
    assert code == 0, err
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    assert "\nreview " not in "\n" + out  # the votes before the task was closed do not count again
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    for n in range(2):
        record_feedback(fdesk, load_config(fdesk), article="network/vpn-wont-connect.md", helpful=False,
                        channel="serve", at=later + timedelta(seconds=n))
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    assert "reopened HD-" in out
    [again] = _review_tickets(fdesk)
    assert again["id"] == task["id"] and again["status"] not in ("closed", "resolved")
    code, out, _ = run_main("kb", "feedback", "--open-reviews", repo=fdesk)
    assert "an open review task lists it already" in out
