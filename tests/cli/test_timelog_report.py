"""``ticket log`` (time spent) and ``gitdesk report`` (the agents' own report)."""

from __future__ import annotations

import json

import pytest

from tests.support.clones import pull_both_ways, two_clones
from tests.support.desk import init_repo

CHEN = "Chen Wei <chen.wei@northwind.example>"


def _new(run_cli, title, *extra, repo=None):
    result = run_cli("ticket", "new", title, "--json", *extra, repo=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _files(repo):
    return sorted(p.name for p in (repo / "tickets").rglob("*.yml"))


@pytest.mark.parametrize("text,minutes", [("25m", 25), ("1h", 60), ("1h30m", 90), ("1.5h", 90), ("45min", 45)])
def test_durations(text, minutes):
    from gitdesk.timelog import parse_minutes

    assert parse_minutes(text) == minutes


def test_log_time_shows_on_the_ticket_and_refuses_bad_input(run_cli, git_repo):
    tid = _new(run_cli, "Printer driver broken", "--requester", "sam@example.com", "--category", "printing")
    result = run_cli("ticket", "log", tid, "25m", "reinstalled the driver")
    assert result.exit_code == 0, result.output
    assert run_cli("ticket", "log", tid, "1h", "--as", CHEN).exit_code == 0
    shown = json.loads(run_cli("ticket", "show", tid, "--json").output)
    assert shown["time_spent"] == 85
    assert shown["comments"][-1]["body"] == "reinstalled the driver" and shown["comments"][-1]["public"] is False
    text = run_cli("ticket", "show", tid).output
    assert "Time spent:     1h25m" in text and "25 min spent" in text
    before = _files(git_repo)
    for args, message in [
        ((tid, "25x"), "not a duration: '25x'"),
        ((tid, "0m"), "from 1 minute"),
        ((tid,), "give REF... DURATION"),
        ((tid, "ZZZZZZ", "10m"), "'ZZZZZZ' (not found)"),
    ]:
        result = run_cli("ticket", "log", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
    assert _files(git_repo) == before


def test_time_logged_in_two_clones_adds_up(run_cli, tmp_path):
    origin = init_repo(tmp_path / "origin")
    tid = _new(run_cli, "VPN drops", "--requester", "sam@example.com", "--commit", repo=origin)
    clones = two_clones(origin, tmp_path)
    assert run_cli("ticket", "log", tid, "20m", "--commit", repo=clones[0]).exit_code == 0
    assert run_cli("ticket", "log", tid, "40m", "--commit", repo=clones[1]).exit_code == 0
    pull_both_ways(*clones)
    assert json.loads(run_cli("ticket", "show", tid, "--json", repo=clones[0]).output)["time_spent"] == 60


def test_report_sums_time_and_lists_training_needs_by_privacy_setting(run_cli, git_repo):
    (git_repo / "kb" / "email").mkdir(parents=True)
    (git_repo / "kb" / "email" / "out-of-office.md").write_text(
        "---\ntitle: Set up an out of office reply\ncategory: email\n---\n# Set up an out of office reply\n")
    a = _new(run_cli, "Printer jam", "--requester", "sam@example.com", "--category", "printing", "--tier", "2")
    b = _new(run_cli, "Mailbox full", "--requester", "sam@example.com", "--category", "email")
    run_cli("ticket", "log", a, "30m", "--as", CHEN)
    run_cli("ticket", "log", b, "15m", "--as", CHEN)
    run_cli("ticket", "log", b, "10m", "--as", "Someone Else <x@example.com>")
    for n in range(2):
        _new(run_cli, f"How do I set up an out of office reply ({n})", "--requester", "Sam Reed <sam@example.com>",
             "--department", "Finance", "--category", "email", "--tag", "how-to")
    _new(run_cli, "How do I print double-sided", "--requester", "Kim <kim@example.com>", "--tag", "how-to")
    data = json.loads(run_cli("report", "--json").output)
    spent = data["time_spent_minutes"]
    assert spent["total"] == 55
    assert spent["by_category"] == {"email": 25, "printing": 30}
    assert spent["by_tier"] == {"1": 25, "2": 30}
    assert spent["by_agent"] == {"(not an agent)": 10, "Chen Wei": 45}
    needs = data["training_needs"]["requesters"]
    assert needs == [{"requester": "Sam Reed <sam@example.com>", "how_to_tickets": 2, "categories": ["email"],
                      "articles": ["email/out-of-office.md"]}]
    text = run_cli("report").output
    assert "per agent: (not an agent) 10m; Chen Wei 45m" in text and "would have answered: email/out-of-office.md" in text
    for mode, shown in (("pseudonym", "requester-"), ("department", "Finance")):
        (git_repo / "helpdesk.yml").write_text((git_repo / "helpdesk.yml").read_text().split("\nagents_report:")[0]
                                               + f"\nagents_report: {{requesters: {mode}}}\n")
        out = run_cli("report").output
        assert shown in out and "sam@example.com" not in out and "Sam Reed" not in out
    # the public metrics never carry time by person (nor the training list by requester)
    public = run_cli("metrics", "--json").output
    assert "time_spent" not in public and "sam@example.com" not in public
