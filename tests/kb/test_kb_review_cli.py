"""`gitdesk kb review` on a real repository holding the shipped KB: the articles due, by owning
team; `--open-tickets` opens one review ticket per team and month, once (run twice: nothing new),
updates it with articles that fall due later, and opens new ones for another month."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.support.cli import run_main
from tests.support.desk import PROJECT, HeldLock, git, gitdesk_processes

DAY = "2026-12-06"  # the day the sample KB's review dates were set for
REVIEW = ("kb", "review", "--at", DAY)


@pytest.fixture
def repo(git_repo):
    shutil.copytree(PROJECT / "kb", git_repo / "kb")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "kb")
    return git_repo


def _json(repo, *args):
    code, out, err = run_main(*args, "--json", repo=repo)
    assert code == 0, err
    return json.loads(out)


def _set_front(repo, rel, key, value):
    path = repo / "kb" / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M), encoding="utf-8")


def _review_tickets(repo):
    return _json(repo, "ticket", "list", "--tag", "kb-review")


def test_lists_the_sample_articles_due_by_owner(repo):
    data = _json(repo, *REVIEW)
    owners = {o["owner"]: [(a["path"], a["state"], a["days_overdue"]) for a in o["articles"]] for o in data["owners"]}
    assert owners == {
        "service-desk": [("accounts/request-access.md", "overdue", 19), ("accounts/mfa-lost-phone.md", "overdue", 7)],
        "desktop": [("hardware/battery-not-charging.md", "due", -2)],
        "infrastructure": [("network/home-wifi-slow.md", "overdue", 31), ("phones/desk-phone-no-dial-tone.md", "overdue", 12)],
    }
    first = data["owners"][0]["articles"][0]
    assert first["last_reviewed"] == "2026-08-19" and first["review_every"] == 90 and first["due"] == "2026-11-17"
    assert data["period"] == "2026-12" and data["owners"][0]["name"] == "Service Desk"
    code, out, _ = run_main(*REVIEW, repo=repo)
    assert code == 0
    assert "Service Desk (service-desk): 2 article(s)" in out and "Infrastructure (infrastructure): 2 article(s)" in out
    assert re.search(r"kb/network/home-wifi-slow\.md\s+2026-07-08\s+2026-11-05\s+31d overdue\s+Slow or dropping home Wi-Fi", out)
    assert "kb review on 2026-12-06: 4 overdue, 1 due within 14 days, 0 with translations to update." in out
    # --within 0: only what is due today or overdue; --owner: one team
    assert [o["owner"] for o in _json(repo, *REVIEW, "--within", "0")["owners"]] == ["service-desk", "infrastructure"]
    assert [o["owner"] for o in _json(repo, *REVIEW, "--owner", "desktop")["owners"]] == ["desktop"]
    # a team with nothing due: said so, and no ticket for it
    assert run_main(*REVIEW, "--owner", "security", repo=repo)[1] == "No articles due for review by 2026-12-20.\n"
    assert _json(repo, *REVIEW, "--owner", "security", "--open-tickets") == {
        "at": DAY, "within": 14, "period": "2026-12", "owners": [], "tickets": []}
    assert not (repo / "tickets").exists() or not any((repo / "tickets").rglob("*.yml"))
    code, _, err = run_main(*REVIEW, "--owner", "nobody", repo=repo)
    assert code != 0 and "unknown team 'nobody'" in err and "Traceback" not in err


def test_translations_reviewed_before_their_original_are_listed_with_it(repo):
    _set_front(repo, "storage/onedrive-sync.es.md", "last_reviewed", "2026-11-01")  # the original: 2026-11-18
    data = _json(repo, *REVIEW, "--owner", "infrastructure")
    [item] = [a for a in data["owners"][0]["articles"] if a["path"] == "storage/onedrive-sync.md"]
    assert item["state"] == "translations"
    assert item["stale_translations"] == [{"path": "storage/onedrive-sync.es.md", "language": "es", "last_reviewed": "2026-11-01"}]
    code, out, _ = run_main(*REVIEW, "--owner", "infrastructure", repo=repo)
    assert re.search(r"kb/storage/onedrive-sync\.es\.md\s+2026-11-01\s+-\s+translation\s+older than the 2026-11-18 review", out)
    tickets = _json(repo, *REVIEW, "--owner", "infrastructure", "--open-tickets")["tickets"]
    assert "storage/onedrive-sync.es.md" in tickets[0]["articles"] and "storage/onedrive-sync.md" not in tickets[0]["articles"]


def test_open_tickets_once_per_owner_and_month_then_updated_then_a_new_month(repo):
    commits = git(repo, "rev-list", "--count", "HEAD")
    first = _json(repo, *REVIEW, "--open-tickets", "--commit")["tickets"]
    assert [(t["owner"], t["created"]) for t in first] == [("service-desk", True), ("desktop", True), ("infrastructure", True)]
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(commits) + 1
    assert git(repo, "status", "--porcelain") == ""  # every event file committed
    assert "kb review: review tickets for 2026-12" in git(repo, "log", "-1", "--format=%B")
    tickets = _review_tickets(repo)
    assert len(tickets) == 3
    infra = next(t for t in tickets if t["team"] == "infrastructure")
    shown = _json(repo, "ticket", "show", infra["id"])
    assert sorted(shown["kb"]) == ["network/home-wifi-slow.md", "phones/desk-phone-no-dial-tone.md"]
    assert "kb-review-period-2026-12" in shown["tags"] and shown["priority"] == "low"
    assert "Slow or dropping home Wi-Fi (`kb/network/home-wifi-slow.md`)" in shown["description"]
    assert "2 overdue, 0 due soon" in shown["description"]

    # the same run again (the workflow runs weekly): nothing written, nothing committed
    files = sorted((repo / "tickets").rglob("*.yml"))
    again = _json(repo, *REVIEW, "--open-tickets", "--commit")["tickets"]
    assert [(t["created"], t["changed"]) for t in again] == [(False, False)] * 3
    assert [t["id"] for t in again] == [t["id"] for t in first]
    assert sorted((repo / "tickets").rglob("*.yml")) == files
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(commits) + 1
    code, out, _ = run_main(*REVIEW, "--open-tickets", repo=repo)
    assert code == 0 and f"Review ticket HD-{infra['id']} for infrastructure: unchanged (2 article(s))." in out

    # another desktop article falls due (its review date corrected): added to desktop's ticket only
    _set_front(repo, "hardware/slow-laptop.md", "last_reviewed", "2026-05-01")
    later = _json(repo, *REVIEW, "--open-tickets")["tickets"]
    assert [(t["owner"], t["created"], t["changed"]) for t in later] == [
        ("service-desk", False, False), ("desktop", False, True), ("infrastructure", False, False)]
    desktop = _json(repo, "ticket", "show", later[1]["id"])
    assert sorted(desktop["kb"]) == ["hardware/battery-not-charging.md", "hardware/slow-laptop.md"]
    assert any("slow-laptop.md" in c["body"] and "battery" not in c["body"] for c in desktop["comments"])
    assert len(_review_tickets(repo)) == 3

    # another month (--at may not be in the future, so an earlier one): a ticket per team of its own
    november = _json(repo, "kb", "review", "--at", "2026-11-30", "--open-tickets")["tickets"]
    assert november and all(t["created"] for t in november) and not {t["id"] for t in november} & {t["id"] for t in first}
    assert len(_review_tickets(repo)) == 3 + len(november)
    assert all("kb-review-period-2026-11" in _json(repo, "ticket", "show", t["id"])["tags"] for t in november)


def test_open_tickets_honours_the_desk_lock_and_refuses_a_future_date(repo):
    with HeldLock(repo):
        [busy] = gitdesk_processes(repo, [*REVIEW, "--open-tickets", "--wait", "0"])
    assert busy.returncode == 75 and "holds the desk lock" in busy.stderr
    assert not (repo / "tickets").exists() or not any((repo / "tickets").rglob("*.yml"))
    code, _, err = run_main("kb", "review", "--at", "2999-01-01", "--open-tickets", repo=repo)
    assert code != 0 and "--at cannot be in the future" in err
    code, _, err = run_main("kb", "review", "--at", "06/12/2026", repo=repo)
    assert code != 0 and "not a date: '06/12/2026'" in err
