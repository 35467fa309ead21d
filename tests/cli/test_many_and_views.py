"""Many tickets at once (REF..., --from -, --dry-run) and saved views in ``ticket list``."""

from __future__ import annotations

import json

import pytest

from tests.support.desk import git


def _new(run_cli, title, *extra):
    result = run_cli("ticket", "new", title, "--requester", "Sam Reed <sam@example.com>", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _status(run_cli, ref):
    return json.loads(run_cli("ticket", "show", ref, "--json").output)["status"]


def _files(repo):
    return sorted(p.name for p in (repo / "tickets").rglob("*.yml"))


def test_close_several_reports_each_and_fails_when_one_fails(run_cli):
    a, b, c = (_new(run_cli, f"Printer {n} jams") for n in range(3))
    assert run_cli("ticket", "close", c).exit_code == 0
    result = run_cli("ticket", "resolve", a, b, c, "-m", "Replaced the fuser")
    assert result.exit_code == 1
    assert f"Resolved HD-{a}: Printer 0 jams [resolved]" in result.output
    assert f"Resolved HD-{b}: Printer 1 jams [resolved]" in result.output
    assert f"FAILED HD-{c}: status: cannot go from closed to resolved" in result.output
    assert "2 changed, 1 failed" in result.output
    assert [_status(run_cli, t) for t in (a, b, c)] == ["resolved", "resolved", "closed"]


def test_from_stdin_takes_list_json_and_plain_references(run_cli):
    ids = [_new(run_cli, f"VPN drops {n}", "--category", "network/vpn") for n in range(3)]
    other = _new(run_cli, "Printer jams", "--category", "printing")
    listed = run_cli("ticket", "list", "--category", "network", "--json").output
    result = run_cli("ticket", "assign", "--from", "-", "--team", "desktop", "--to", "Chen Wei <chen@x.example>",
                     "--json", input=listed)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["changed"] == 3 and report["failed"] == 0
    assert [r["id"] for r in report["results"]] == ids
    shown = json.loads(run_cli("ticket", "show", other, "--json").output)
    assert shown["assignee"] is None
    # plain references, one per line or separated by spaces, with comments and repeats
    text = f"# from the morning list\nHD-{ids[0][:6]} {ids[1][:6]}\n{ids[0]}\n"
    result = run_cli("ticket", "set", "--from", "-", "priority=low", "--tag", "bulk", input=text)
    assert result.exit_code == 0, result.output
    assert "2 changed, 0 failed" in result.output  # ids[0] twice: changed once


def test_dry_run_writes_nothing_and_says_what_would_happen(run_cli, git_repo):
    a, b = _new(run_cli, "Laptop slow"), _new(run_cli, "Laptop hot")
    before = _files(git_repo)
    result = run_cli("ticket", "escalate", a, b, "--reason", "needs hardware", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would change HD-{a}: Laptop slow: HD-{a}: escalate (tier 2; team desktop" in result.output
    assert "2 would change, 0 failed" in result.output
    data = json.loads(run_cli("ticket", "reopen", a, b, "--dry-run", "--json").output)
    assert data["dry_run"] is True and data["failed"] == 2
    assert _files(git_repo) == before


def test_unknown_references_refuse_the_whole_run(run_cli, git_repo):
    a = _new(run_cli, "Laptop slow")
    before = _files(git_repo)
    result = run_cli("ticket", "close", a, "ZZZZZZ", "HD-../x", input="")
    assert result.exit_code == 2
    assert "2 of 3 references name no single ticket: 'ZZZZZZ' (not found); 'HD-../x' (not a ticket id" in result.output
    assert "nothing changed" in result.output and "Traceback" not in result.output
    result = run_cli("ticket", "close", "--from", "-", input='[{"title": "no id"}]')
    assert result.exit_code == 2 and "standard input: item 0 has no ticket id" in result.output
    result = run_cli("ticket", "close", "--from", "-", input="[not json")
    assert result.exit_code == 2 and "standard input: not valid JSON" in result.output
    result = run_cli("ticket", "close")
    assert result.exit_code == 2 and "give one or more ticket references" in result.output
    result = run_cli("ticket", "comment", "--from", "-", input=a)
    assert result.exit_code == 2 and "give the comment text as an argument" in result.output
    assert _files(git_repo) == before


def test_bulk_commit_is_one_commit(run_cli, git_repo):
    ids = [_new(run_cli, f"Monitor {n} flickers", "--commit") for n in range(3)]
    result = run_cli("ticket", "comment", *ids, "Ordered new cables", "--commit")
    assert result.exit_code == 0, result.output
    log = git(git_repo, "log", "--format=%s", "-1")
    assert log.startswith(f"HD-{ids[0]}: comment (status open; public comment) (+2 more)")
    assert git(git_repo, "status", "--porcelain", "tickets") == ""


@pytest.mark.parametrize("args,expected", [
    (["--channel", "email"], {"mail"}),
    (["--unassigned"], {"mail", "phone"}),
    (["--mine", "--as", "Chen Wei <chen@x.example>"], {"walk"}),
    (["--text", "TONER"], {"phone"}),
    (["--type", "request"], {"walk"}),
    (["--view", "triage"], {"mail", "phone"}),
    (["--view", "triage", "--channel", "phone"], {"phone"}),
])
def test_list_filters_and_views(run_cli, args, expected):
    made = {
        "mail": _new(run_cli, "Mailbox full", "--channel", "email"),
        "phone": _new(run_cli, "Printer", "--channel", "phone", "-d", "Out of toner again"),
        "walk": _new(run_cli, "New keyboard", "--channel", "walk-in", "--type", "request", "--assignee", "Chen Wei <chen@x.example>"),
    }
    result = run_cli("ticket", "list", *args, "--json")
    assert result.exit_code == 0, result.output
    names = {k for k, v in made.items() if v in {t["id"] for t in json.loads(result.output)}}
    assert names == expected


def test_view_columns_and_unknown_view(run_cli, git_repo):
    (git_repo / "helpdesk.yml").write_text((git_repo / "helpdesk.yml").read_text() + """
views:
  phones: {filters: {channel: [phone]}, sort: title, columns: [id, channel, title]}
""")
    _new(run_cli, "Zebra printer", "--channel", "phone")
    _new(run_cli, "Alpha phone", "--channel", "phone")
    _new(run_cli, "Mailbox full", "--channel", "email")
    lines = run_cli("ticket", "list", "--view", "phones").output.splitlines()
    assert lines[0].split() == ["ID", "CHANNEL", "TITLE"]
    assert [line.split(None, 2)[2] for line in lines[2:]] == ["Alpha phone", "Zebra printer"]
    result = run_cli("ticket", "list", "--view", "nope")
    assert result.exit_code == 2 and "helpdesk.yml: views: no view named 'nope' (views: my-open, phones, triage)" in result.output


def test_bad_view_in_config_names_the_field(run_cli, git_repo):
    (git_repo / "helpdesk.yml").write_text((git_repo / "helpdesk.yml").read_text() + """
views:
  broken: {filters: {colour: red}}
""")
    result = run_cli("ticket", "list", "--view", "broken")
    assert result.exit_code != 0 and "views" in result.output and "colour" in result.output
    assert "Traceback" not in result.output


def test_reply_fills_the_canned_response_for_each_ticket(run_cli):
    a = _new(run_cli, "Outlook will not open")
    b = run_cli("ticket", "new", "Teams crashes", "--requester", "Lucía Gómez <lucia@example.com>", "--json")
    b = json.loads(b.output)["id"]
    result = run_cli("ticket", "reply", a, b, "-t", "need-info", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would change HD-{a}" in result.output and f"would change HD-{b}" in result.output
    assert json.loads(run_cli("ticket", "show", a, "--json").output)["comment_count"] == 0
    assert run_cli("ticket", "reply", a, b, "-t", "need-info", "--edit").exit_code == 2  # one ticket at a time
    result = run_cli("ticket", "reply", "--from", "-", "-t", "need-info", "--json", input=f"{a}\n{b}\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["changed"] == 2
    bodies = [json.loads(run_cli("ticket", "show", t, "--json").output)["comments"][0]["body"] for t in (a, b)]
    assert bodies[0].startswith("Hello Sam") and bodies[1].startswith("Hello Lucía")  # filled per ticket
