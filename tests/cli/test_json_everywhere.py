"""Every command takes ``--json``; all of them print one shape (tickets carry ``ref``, times to the
second in UTC, two spaces of indentation); errors under ``--json`` are one JSON object on stderr
with the text mode's exit code; a mistyped command or choice gets "Did you mean ...?"."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone

import click
import pytest

from tests.support.cli import run_main
from tests.support.desk import make_desk

# commands without --json, and why (keep it short: everything else prints JSON for scripts)
EXEMPT = {
    ("completion",): "prints a shell script to eval, not data",
}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
ONE_TIME_FORMAT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TICKET_ID = re.compile(r"[0-9A-HJKMNP-TV-Z]{10}")


def _tree():
    """(path, command) of every leaf command under ``gitdesk``, and every group on the way."""
    from gitdesk.cli import cli

    ctx = click.Context(cli)
    groups, leaves = [((), cli)], []
    todo = [((), cli)]
    while todo:
        path, group = todo.pop()
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                groups.append(((*path, name), command))
                todo.append(((*path, name), command))
            else:
                leaves.append(((*path, name), command))
    return groups, leaves


def test_every_command_takes_json_or_says_why_not():
    _, leaves = _tree()
    assert len(leaves) > 40
    missing = [" ".join(path) for path, command in leaves
               if path not in EXEMPT and not any("--json" in getattr(p, "opts", ()) for p in command.params)]
    assert missing == [], f"commands without --json (add json_option, or an exemption with a reason): {missing}"
    stale = [path for path in EXEMPT if path not in {p for p, _ in leaves}]
    assert stale == []


def test_every_group_suggests_and_every_desk_value_completes():
    from gitdesk.cli.clickbase import Group

    groups, leaves = _tree()
    assert [" ".join(p) for p, g in groups if not isinstance(g, Group)] == []
    # an option or argument naming a desk value completes it, in every command
    completed = {"category", "channel", "assignee", "template_name", "kb", "ref", "refs", "into", "related", "problem", "team"}
    bare = []
    for path, command in leaves:
        for p in command.params:
            if p.name not in completed or getattr(p, "_custom_shell_complete", None) is not None:
                continue
            if isinstance(p, click.Option) and (p.is_flag or isinstance(p.type, click.Choice)):
                continue
            bare.append(f"{' '.join(path)} {p.name}")
    # incident refs are incident ids, not tickets
    assert [b for b in bare if not b.startswith("incident ")] == []


def _walk(value, seen):
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and TICKET_ID.fullmatch(value["id"]):
            seen["tickets"] += 1
            assert value.get("ref") == f"HD-{value['id']}", value
        for item in value.values():
            _walk(item, seen)
    elif isinstance(value, list):
        for item in value:
            _walk(item, seen)
    elif isinstance(value, str) and TIME.match(value) and len(value) > 10:
        seen["times"] += 1
        assert ONE_TIME_FORMAT.fullmatch(value), value


def _json(code_out_err):
    code, out, err = code_out_err
    assert code == 0, err
    data = json.loads(out)
    lines = out.splitlines()
    if len(lines) > 1:  # two spaces of indentation, whichever command
        assert lines[1].startswith("  ") and not lines[1].startswith("   "), lines[:3]
    seen = {"tickets": 0, "times": 0}
    _walk(data, seen)
    return data, seen


def test_representative_commands_print_one_shape(git_repo):
    run = lambda *args: _json(run_main(*args, "--json", repo=git_repo))  # noqa: E731
    new, seen = run("ticket", "new", "VPN drops", "-r", "Sam Reed <sam@example.com>", "--impact", "high", "--urgency", "high")
    assert new["ref"] == f"HD-{new['id']}" and seen["times"] >= 3
    assert list(new)[:2] == ["id", "ref"]
    other, _ = run("ticket", "new", "Printer jams", "-r", "sam@example.com")
    shown, seen = run("ticket", "show", new["id"][:6])
    assert shown["ref"] == new["ref"] and seen["times"] >= 3 and shown["sla"]
    listed, seen = run("ticket", "list")
    assert {t["ref"] for t in listed} == {new["ref"], other["ref"]} and seen["tickets"] == 2
    bulk, seen = run("ticket", "comment", new["id"], other["id"], "Looking")
    assert seen["tickets"] == 2 and all(r["ref"].startswith("HD-") for r in bulk["results"])
    run("ticket", "assign", new["id"], "--me")
    run("ticket", "similar", new["id"])
    later = (datetime.now(timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sla, seen = run("sla", "check", "--at", later)
    assert sla["tickets"] and seen["tickets"] == len(sla["tickets"]) and ONE_TIME_FORMAT.fullmatch(sla["at"])
    for args in (("metrics",), ("check",), ("config", "show"), ("config", "schema"), ("report",),
                 ("ticket", "reply", "--list"), ("ticket", "reply", new["id"], "-t", "acknowledge", "--dry-run")):
        run(*args)
    resolved, _ = run("ticket", "resolve", new["id"], "-m", "Fixed")
    assert ONE_TIME_FORMAT.fullmatch(resolved["resolved_at"])


def test_a_long_list_prints_one_shaped_ticket_per_line(git_repo):
    from gitdesk.cli.jsonout import LONG

    desk = make_desk(git_repo)
    for n in range(LONG + 1):
        desk.new(title=f"Ticket {n} with \"quotes\" and 2026-11-02T09:00:00.123456Z in it", requester={"email": "sam@example.com"})
    code, out, err = run_main("ticket", "list", "--json", repo=git_repo)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == LONG + 3
    rows = [json.loads(line.strip().rstrip(",")) for line in lines[1:-1]]
    assert all(r["ref"] == f"HD-{r['id']}" and ONE_TIME_FORMAT.fullmatch(r["created_at"]) for r in rows)
    assert rows[0]["title"].endswith("2026-11-02T09:00:00.123456Z in it")  # text is never touched
    assert json.loads(out) == rows
    code, compact, _ = run_main("ticket", "list", "--json", repo=git_repo, env={"GITDESK_JSON_COMPACT": "1"})
    assert code == 0 and len(compact.splitlines()) == 1 and json.loads(compact) == rows


def _error(code_out_err, exit_code):
    code, out, err = code_out_err
    assert code == exit_code and out == "", (code, out, err)
    body = json.loads(err)
    assert set(body) == {"error"} and body["error"]["exit_code"] == exit_code
    assert {"type", "message", "file", "field", "exit_code"} <= set(body["error"])
    return body["error"]


def test_errors_under_json_are_one_object_on_stderr_with_the_same_exit_codes(git_repo):
    error = _error(run_main("ticket", "show", "ZZZZ", "--json", repo=git_repo), 1)
    assert error["type"] == "NotFoundError" and "ZZZZ" in error["message"]
    assert run_main("ticket", "show", "ZZZZ", repo=git_repo)[0] == 1
    error = _error(run_main("ticket", "list", "--priority", "hihg", "--json", repo=git_repo), 2)
    assert error["field"] == "--priority" and "Did you mean 'high'?" in error["message"]
    error = _error(run_main("tiket", "list", "--json", repo=git_repo), 2)
    assert error["type"] == "NoSuchCommand" and "Did you mean 'ticket'?" in error["message"]
    error = _error(run_main("ticket", "rate", "ZZZZ", "9", "--json", repo=git_repo), 2)
    assert error["field"] == "RATING"
    (git_repo / "helpdesk.yml").write_text("priorities: 7\n", encoding="utf-8")
    error = _error(run_main("ticket", "list", "--json", repo=git_repo), 1)
    assert error["type"] == "ConfigError" and error["file"].endswith("helpdesk.yml")
    code, out, err = run_main("ticket", "list", repo=git_repo)
    assert code == 1 and err.startswith("gitdesk: error: ") and not err.lstrip().startswith("{")


@pytest.mark.parametrize(("args", "meant"), [
    (["tiket"], "ticket"), (["ticket", "lsit"], "list"), (["config", "shwo"], "show"), (["kb", "serch", "x"], "search"),
    (["sla", "chek"], "check"), (["site", "biuld"], "build"), (["suggets"], "suggest"), (["completoin", "bash"], "completion"),
])
def test_did_you_mean_at_every_level(git_repo, args, meant):
    code, out, err = run_main(*args, repo=git_repo)
    typo = args[0] if meant in {"ticket", "suggest", "completion"} else args[1]
    assert code == 2 and f"No such command {typo!r}. Did you mean {meant!r}?" in err, err


def test_did_you_mean_for_a_choice_and_through_the_console_script(git_repo, gitdesk_exe):
    proc = subprocess.run([gitdesk_exe, "ticket", "new", "x", "-r", "a@b.c", "--impact", "hihg"], cwd=git_repo,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Did you mean 'high'?" in proc.stderr
    proc = subprocess.run([gitdesk_exe, "tiket"], cwd=git_repo, capture_output=True, text=True)
    assert proc.returncode == 2 and "No such command 'tiket'. Did you mean 'ticket'?" in proc.stderr
