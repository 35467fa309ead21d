"""Ticket types and problems: ``ticket new --type``, ``ticket link ... --problem``, ``ticket show``."""

from __future__ import annotations

import json

from tests.support.clones import pull_both_ways, two_clones
from tests.support.desk import init_repo


def _new(run_cli, title, *extra, repo=None):
    result = run_cli("ticket", "new", title, "--requester", "Sam Reed <sam@example.com>", "--json", *extra, repo=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _show(run_cli, ref, repo=None):
    result = run_cli("ticket", "show", ref, "--json", repo=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_new_records_the_type_and_refuses_an_unknown_one(run_cli):
    problem = _new(run_cli, "Mail server drops connections", "--type", "problem")
    assert _show(run_cli, problem)["type"] == "problem"
    plain = _new(run_cli, "No mail")
    assert _show(run_cli, plain)["type"] == "incident"  # the first of ticket_types
    bad = run_cli("ticket", "new", "x", "--requester", "a@b.c", "--type", "bug")
    assert bad.exit_code != 0
    assert "unknown ticket type 'bug' (known: incident, request, problem)" in bad.output
    assert "Traceback" not in bad.output


def test_problem_shows_its_incidents_count_assets_and_categories(run_cli):
    problem = _new(run_cli, "Mail server drops connections", "--type", "problem")
    one = _new(run_cli, "No mail since 9", "--asset", "SRV-MAIL1", "--category", "email")
    two = _new(run_cli, "Outlook disconnected", "--asset", "LT-0412", "--category", "network/vpn")
    result = run_cli("ticket", "link", one, two, "--problem", problem[:6])
    assert result.exit_code == 0, result.output
    shown = _show(run_cli, problem)
    assert shown["incident_count"] == 2 and shown["open_incidents"] == 2
    assert {i["id"] for i in shown["incidents"]} == {one, two}
    assert shown["assets"] == ["LT-0412", "SRV-MAIL1"]
    assert shown["categories"] == ["email", "network/vpn"]
    incident = _show(run_cli, one)
    assert incident["problem"] == problem and incident["problem_title"] == "Mail server drops connections"
    text = run_cli("ticket", "show", problem).output
    assert "Incidents:      2 (2 open)" in text and "Assets:         LT-0412, SRV-MAIL1" in text
    assert f"Problem:        HD-{problem} Mail server drops connections" in run_cli("ticket", "show", one).output


def _event_count(repo):
    return len(list((repo / "tickets").rglob("*.yml")))


def test_bad_links_are_refused_whole(run_cli, git_repo):
    top = _new(run_cli, "Storage array firmware", "--type", "problem")
    mid = _new(run_cli, "Mail server drops connections", "--type", "problem")
    incident = _new(run_cli, "No mail")
    not_problem = _new(run_cli, "Printer jam")
    assert run_cli("ticket", "link", mid, "--problem", top).exit_code == 0
    before = _event_count(git_repo)
    # linking a problem to itself: refused, and the incident listed with it is not linked either
    result = run_cli("ticket", "link", incident, mid, "--problem", mid)
    assert result.exit_code == 2
    assert f"HD-{mid}: a problem cannot be linked to itself" in result.output
    # a cycle: top would belong to mid, which already belongs to top
    result = run_cli("ticket", "link", incident, top, "--problem", mid)
    assert result.exit_code == 2 and "would make a cycle of problems" in result.output
    assert f"HD-{mid} -> HD-{top} -> HD-{mid}" in result.output
    # the target must be a problem
    result = run_cli("ticket", "link", incident, "--problem", not_problem)
    assert result.exit_code == 2 and "is of type incident, not a problem" in result.output
    # an unknown reference among good ones
    result = run_cli("ticket", "link", incident, "ZZZZZZ", "--problem", mid)
    assert result.exit_code == 2 and "'ZZZZZZ' (not found)" in result.output and "nothing changed" in result.output
    assert _event_count(git_repo) == before
    assert _show(run_cli, incident)["problem"] is None
    assert "Traceback" not in result.output


def test_unlink_and_relink(run_cli):
    problem = _new(run_cli, "Mail server drops connections", "--type", "problem")
    incident = _new(run_cli, "No mail")
    assert run_cli("ticket", "link", incident, "--problem", problem).exit_code == 0
    assert run_cli("ticket", "link", incident, "--remove").exit_code == 0
    assert _show(run_cli, incident)["problem"] is None
    assert _show(run_cli, problem)["incident_count"] == 0


def test_problem_links_merge_across_two_clones(run_cli, tmp_path):
    origin = init_repo(tmp_path / "origin")
    p1 = _new(run_cli, "Mail server drops connections", "--type", "problem", "--commit", repo=origin)
    p2 = _new(run_cli, "Certificate expired", "--type", "problem", "--commit", repo=origin)
    incidents = [_new(run_cli, f"No mail {n}", "--commit", repo=origin) for n in range(3)]
    a, b = two_clones(origin, tmp_path)
    assert run_cli("ticket", "link", *incidents[:2], "--problem", p1, "--commit", repo=a).exit_code == 0
    assert run_cli("ticket", "link", incidents[1], incidents[2], "--problem", p2, "--commit", repo=b).exit_code == 0
    # the same two problems linked to each other in opposite directions in each clone
    assert run_cli("ticket", "link", p2, "--problem", p1, "--commit", repo=a).exit_code == 0
    assert run_cli("ticket", "link", p1, "--problem", p2, "--commit", repo=b).exit_code == 0
    pull_both_ways(a, b)
    views = []
    for clone in (a, b):
        views.append({t: _show(run_cli, t, repo=clone).get("problem") for t in [p1, p2, *incidents]})
    assert views[0] == views[1]  # both clones derive the same links
    assert views[0][incidents[0]] == p1 and views[0][incidents[2]] == p2
    # the later writer of incidents[1] wins (clone b linked it after clone a)
    assert views[0][incidents[1]] == p2
    # a cycle made by the merge still shows (no endless walk) and blocks further links under it
    assert _show(run_cli, p1, repo=a)["type"] == "problem"
    result = run_cli("ticket", "link", p1, "--problem", p2, repo=a)
    assert result.exit_code in (0, 2) and "Traceback" not in result.output
