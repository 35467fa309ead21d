"""Issue 11, smaller holes: a comment on a merged ticket is refused with the id of the ticket kept,
and ``ticket link --related`` is recorded on both tickets."""

from __future__ import annotations

import json

from tests.support.cli import run_main


def _new(run_cli, title: str) -> str:
    result = run_cli("ticket", "new", title, "--requester", "Sam Reed <sam@example.com>", "--priority", "low", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _show(run_cli, ref: str) -> dict:
    return json.loads(run_cli("ticket", "show", ref, "--json").output)


def test_a_comment_on_a_merged_ticket_is_refused_naming_the_master(run_cli, git_repo):
    dup, master = _new(run_cli, "VPN down (again)"), _new(run_cli, "VPN down")
    assert run_cli("ticket", "merge", dup, "--into", master).exit_code == 0
    before = sorted(p.name for p in (git_repo / "tickets").rglob("*.yml"))
    for extra in ([], ["--internal"]):
        code, out, err = run_main("ticket", "comment", dup, "Any news?", *extra, repo=git_repo)
        assert code != 0 and "Traceback" not in err
        assert f"HD-{dup} was merged into HD-{master}: comment on HD-{master} instead" in err, err
    assert sorted(p.name for p in (git_repo / "tickets").rglob("*.yml")) == before  # nothing written
    assert run_cli("ticket", "comment", master, "Any news?").exit_code == 0


def test_related_links_are_recorded_on_both_sides(run_cli):
    a, b, c = (_new(run_cli, f"Printer {n} jams") for n in "ABC")
    assert run_cli("ticket", "link", a, "--related", b, "--related", c).exit_code == 0
    assert _show(run_cli, a)["related"] == sorted([b, c])
    assert _show(run_cli, b)["related"] == [a] and _show(run_cli, c)["related"] == [a]
    # from the other side again: nothing new on either (no duplicate link event)
    events = len(_show(run_cli, a)["history"])
    assert run_cli("ticket", "link", b, "--related", a).exit_code == 0
    assert len(_show(run_cli, a)["history"]) == events
    # removed on both sides
    assert run_cli("ticket", "link", b, "--related", a, "--remove").exit_code == 0
    assert _show(run_cli, a)["related"] == [c] and not _show(run_cli, b)["related"]
