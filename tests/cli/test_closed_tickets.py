"""Acting on a resolved, closed or merged ticket (issue 18): changes that matter are refused
without --force, naming the ticket and its state, and write nothing; the rest go ahead with a
warning on standard error."""

from __future__ import annotations

import json

import pytest
from tests.support.cli import run_main


def _new(run_cli, title: str) -> str:
    result = run_cli("ticket", "new", title, "--requester", "Sam Reed <sam@example.com>", "--priority", "low", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _files(repo) -> list[str]:
    return sorted(p.name for p in (repo / "tickets").rglob("*.yml"))


@pytest.fixture
def finished(run_cli):
    """A closed ticket, a resolved one, and one merged into an open one."""
    closed, resolved, dup, kept = (_new(run_cli, t) for t in ("Printer jams", "VPN drops", "Mail down again", "Mail down"))
    assert run_cli("ticket", "close", closed).exit_code == 0
    assert run_cli("ticket", "resolve", resolved, "-m", "Replaced the cable").exit_code == 0
    assert run_cli("ticket", "merge", dup, "--into", kept).exit_code == 0
    return {"closed": closed, "resolved": resolved, "merged": dup, "kept": kept}


@pytest.mark.parametrize("which, state", [("closed", "closed"), ("resolved", "resolved"), ("merged", "merged into HD-")])
@pytest.mark.parametrize("args", [
    ["assign", "{id}", "--me"], ["assign", "{id}", "Ana Lima <ana@example.com>"], ["escalate", "{id}"],
    ["set", "{id}", "priority=high"], ["set", "{id}", "--tag", "vip"],
])
def test_changes_that_matter_are_refused_without_force_and_write_nothing(run_cli, git_repo, finished, which, state, args):
    tid = finished[which]
    before = _files(git_repo)
    code, out, err = run_main("ticket", *[a.format(id=tid) for a in args], repo=git_repo)
    assert code != 0 and "Traceback" not in err
    line = err.strip()
    assert "\n" not in line and f"HD-{tid} is {state}" in line and "--force" in line, err
    assert _files(git_repo) == before
    # --force goes ahead, and says so
    code, out, err = run_main("ticket", *[a.format(id=tid) for a in args], "--force", repo=git_repo)
    assert code == 0, err
    assert f"warning: HD-{tid} is {state}" in err and "--force" in err
    assert len(_files(git_repo)) == len(before) + 1


def test_a_refusal_in_a_batch_fails_that_ticket_only(run_cli, git_repo, finished):
    open_one = finished["kept"]
    code, out, err = run_main("ticket", "assign", finished["closed"], open_one, "--to", "Ana Lima <ana@example.com>", repo=git_repo)
    assert code == 1
    assert f"FAILED HD-{finished['closed']}: ticket: HD-{finished['closed']} is closed" in out
    assert f"Assigned HD-{open_one}" in out
    assert json.loads(run_cli("ticket", "show", finished["closed"], "--json").output)["assignee"] is None


def test_comments_on_finished_tickets_warn_and_a_merged_ticket_needs_force(run_cli, git_repo, finished):
    for which in ("closed", "resolved"):
        tid = finished[which]
        code, out, err = run_main("ticket", "comment", tid, "Did that fix it?", repo=git_repo)
        assert code == 0, err
        assert f"warning: HD-{tid} is {which}: it stays {which}" in err
        shown = json.loads(run_cli("ticket", "show", tid, "--json").output)
        assert shown["comments"][-1]["body"] == "Did that fix it?" and shown["status"] == which
    dup, kept = finished["merged"], finished["kept"]
    before = _files(git_repo)
    code, out, err = run_main("ticket", "comment", dup, "Any news?", repo=git_repo)
    assert code != 0 and f"HD-{dup} was merged into HD-{kept}: comment on HD-{kept} instead (or --force)" in err
    code, out, err = run_main("ticket", "reply", dup, "-t", "acknowledge", repo=git_repo)
    assert code != 0 and f"HD-{dup} was merged into HD-{kept}" in err
    assert _files(git_repo) == before
    code, out, err = run_main("ticket", "comment", dup, "Any news?", "--internal", "--force", repo=git_repo)
    assert code == 0 and f"warning: HD-{dup} is merged into HD-{kept}: going ahead (--force)" in err


def test_warnings_only_for_links_time_and_life_cycle_moves(run_cli, git_repo, finished):
    tid = finished["closed"]
    for args in (["link", tid, "--kb", "printing/printer-jams.md"], ["log", tid, "15m", "wrote it up"], ["set", tid, "status=open"]):
        code, out, err = run_main("ticket", *args, repo=git_repo)
        assert code == 0, err
        assert f"warning: HD-{tid} is closed" in err
    # reopened now (set status=open): nothing to warn about
    code, out, err = run_main("ticket", "assign", tid, "--me", repo=git_repo)
    assert code == 0 and "warning" not in err
    # reopen and rate are never checked
    code, out, err = run_main("ticket", "rate", finished["resolved"], "5", repo=git_repo)
    assert code == 0 and "warning" not in err
    code, out, err = run_main("ticket", "reopen", finished["resolved"], repo=git_repo)
    assert code == 0 and "warning" not in err


def test_dry_run_shows_the_refusal(run_cli, git_repo, finished):
    before = _files(git_repo)
    code, out, err = run_main("ticket", "assign", finished["closed"], "--me", "--dry-run", repo=git_repo)
    assert code == 1 and f"FAILED HD-{finished['closed']}" in out and "--force" in out
    assert _files(git_repo) == before
