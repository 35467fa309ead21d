"""open_review_task (gitdesk.kb.review): one review ticket per owning team and period, found
again by its tags, on the files store (a real git repository); the GitHub backend has the same
test against the fake GitHub in tests/github_backend/test_kb_review_github.py."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from tests.support.desk import AGENT, PROJECT, git


def _open(repo, **kw):
    from gitdesk.backend import open_store
    from gitdesk.config import load_config
    from gitdesk.kb.review import open_review_task
    from gitdesk.repo import Repo

    config = load_config(repo)
    store = open_store(Repo(repo), config)
    args = {"owner": "desktop", "articles": ["printing/print-job-stuck.md"], "reason": "Due for review.",
            "period": "2026-12", "actor": AGENT, **kw}
    return open_review_task(store, config, **args), store


def _event_files(repo):
    return sorted(p for p in (repo / "tickets").rglob("*.yml")) if (repo / "tickets").is_dir() else []


@pytest.fixture
def kb_repo(git_repo):
    shutil.copytree(PROJECT / "kb", git_repo / "kb")
    return git_repo


def test_one_ticket_per_owner_and_period_updated_with_new_articles_only(kb_repo):
    (tid, created), store = _open(kb_repo, articles=["printing/print-job-stuck.md", "hardware/slow-laptop.md"])
    assert created
    ticket = store.get(tid)
    assert set(ticket.tags) == {"kb-review", "kb-review-owner-desktop", "kb-review-period-2026-12"}
    assert ticket.team == "desktop" and ticket.status == "new"
    assert sorted(ticket.kb) == ["hardware/slow-laptop.md", "printing/print-job-stuck.md"]
    assert "Desktop Support" in ticket.title and "2026-12" in ticket.title
    assert "`kb/printing/print-job-stuck.md`" in ticket.description  # listed with its title and path
    assert "Due for review." in ticket.description
    files = _event_files(kb_repo)

    # the same articles again (in another order): nothing written
    (again, created), _ = _open(kb_repo, articles=["hardware/slow-laptop.md", "printing/print-job-stuck.md"])
    assert (again, created) == (tid, False)
    assert _event_files(kb_repo) == files

    # the title edited by someone: still found (by its tags); a new article is added to it
    from tests.support.desk import make_desk

    make_desk(kb_repo).set_fields(tid, {"title": "Desktop reviews (Chen)"})
    (same, created), store = _open(kb_repo, articles=["printing/print-job-stuck.md", "network/vpn-wont-connect.md"],
                                   reason="Readers said it did not help.")
    assert (same, created) == (tid, False)
    ticket = store.get(tid)
    assert sorted(ticket.kb) == ["hardware/slow-laptop.md", "network/vpn-wont-connect.md", "printing/print-job-stuck.md"]
    [note] = [c for c in ticket.comments if "vpn-wont-connect.md" in c["body"]]
    assert "Readers said it did not help." in note["body"] and "print-job-stuck" not in note["body"]
    assert len(store.list()) == 1

    # another team, and the next period: a ticket each
    (other, created), _ = _open(kb_repo, owner="security", articles=["accounts/mfa-new-phone.md"])
    assert created and other != tid
    (later, created), store = _open(kb_repo, period="2027-01")
    assert created and later not in (tid, other)
    assert len(store.list()) == 3


def test_a_closed_task_is_reopened_for_new_articles_of_its_period(kb_repo):
    from tests.support.desk import make_desk

    (tid, _), _ = _open(kb_repo)
    desk = make_desk(kb_repo)
    desk.resolve(tid, comment="Reviewed.")
    desk.close(tid)
    files = _event_files(kb_repo)
    assert _open(kb_repo)[0] == (tid, False) and _event_files(kb_repo) == files  # nothing new: left closed
    (same, created), store = _open(kb_repo, articles=["hardware/slow-laptop.md"])
    assert (same, created) == (tid, False)
    assert store.get(tid).status == "open"


def test_a_task_merged_into_another_ticket_is_not_updated(kb_repo):
    from tests.support.desk import make_desk

    (tid, _), _ = _open(kb_repo)
    desk = make_desk(kb_repo)
    keep = desk.new(title="Printing articles out of date", team="desktop")
    desk.merge(tid, keep.id)
    (new, created), store = _open(kb_repo, articles=["hardware/slow-laptop.md"])
    assert created and new not in (tid, keep.id)
    assert store.get(tid).kb == ["printing/print-job-stuck.md"]  # the merged one left as it was


@pytest.mark.parametrize("kw, message", [
    (dict(owner="nobody"), "unknown owner team 'nobody'"),
    (dict(period="December"), "not a review period: 'December'"),
    (dict(period="2026-13"), "not a review period"),
    (dict(articles=[]), "at least one article"),
    (dict(articles=["../helpdesk.yml"]), "not a knowledge base article path"),
])
def test_bad_input_is_refused_and_writes_nothing(kb_repo, kw, message):
    from gitdesk.errors import GitdeskError

    with pytest.raises(GitdeskError, match=message):
        _open(kb_repo, **kw)
    assert _event_files(kb_repo) == []


def test_periods():
    from gitdesk.kb.review import month_period, week_period

    assert month_period(dt.date(2026, 12, 6)) == "2026-12"
    assert week_period(dt.date(2026, 12, 6)) == "2026-W49"
    assert week_period(dt.date(2027, 1, 1)) == "2026-W53"
    assert git  # the repository helpers are imported for the fixtures' sake


def test_freshness_texts_are_written_in_every_language():
    import yaml

    from gitdesk.config import package_file

    areas = {lang: yaml.safe_load(package_file("data", "lang", lang, "freshness.yml").read_text(encoding="utf-8"))
             for lang in ("en", "es", "pt")}
    assert set(areas["es"]) == set(areas["en"]) == set(areas["pt"])
    for key, english in areas["en"].items():
        assert areas["es"][key] != english and areas["pt"][key] != english, key
        assert set(re.findall(r"{\w+}", areas["es"][key])) == set(re.findall(r"{\w+}", english)) == set(
            re.findall(r"{\w+}", areas["pt"][key])), key
