"""Bad data planted in tickets/ by hand, a merge or a killed writer: every read path (a cold
`ticket show`, `ticket list`, a show after a list, `check`) answers the same way, with one line
naming the file and the field, never an internal error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gitdesk.model.event import Event
from gitdesk.model.ids import new_event_id
from gitdesk.store.files import event_path
from gitdesk.yamlio import atomic_write, dump_yaml
from tests.support.desk import git, gitdesk_processes, make_desk


def plant(repo: Path, ticket: str, at_text: str, *, eid_at: datetime | None = None, name: str | None = None,
          bucket: str | None = None, action: str = "set", changes: dict | None = None) -> Path:
    """An event file written by hand: ``at`` exactly as given (text), the file where asked."""
    eid = new_event_id(eid_at or datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc))
    event = Event(id=eid, ticket=ticket, at=datetime(2026, 11, 3, tzinfo=timezone.utc), by="Mallory <m@x>", action=action,
                  set=changes or {"priority": "low"})
    data = event.to_dict()
    data["at"] = at_text
    path = event_path(repo / "tickets", event)
    if bucket is not None or name is not None:
        path = repo / "tickets" / (bucket or path.parent.name) / (name or path.name)
    atomic_write(path, dump_yaml(data), exclusive=True)
    return path


@pytest.fixture
def ticket(git_repo):
    return make_desk(git_repo).new(title="Laptop will not start", channel="phone").id


@pytest.mark.parametrize("at_text", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "1492-10-12T00:00:00Z"])
def test_an_unreadable_time_is_one_line_naming_file_and_field_on_every_path(git_repo, ticket, at_text):
    path = plant(git_repo, ticket, at_text)
    rel = path.relative_to(git_repo).as_posix()
    shutil.rmtree(git_repo / ".gitdesk")
    runs = gitdesk_processes(git_repo, ["ticket", "show", ticket])  # cold: the first read of all
    runs += gitdesk_processes(git_repo, ["ticket", "list"], ["ticket", "show", ticket], ["ticket", "list", "--json"])
    for run in runs:
        assert run.returncode == 1 and run.stderr.count("\n") == 1, run.stderr
        if "--json" in run.args:  # the same error as one JSON object on one line
            error = json.loads(run.stderr)["error"]
            assert (error["file"], error["field"], error["exit_code"]) == (rel, "at", 1)
            assert error["message"].startswith(f"time '{at_text}' is outside the years 1900-2199")
            continue
        assert run.stderr.startswith(f"gitdesk: error: {rel}: at: time '{at_text}' is outside the years 1900-2199")
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1 and f"{rel}: at: time '{at_text}' is outside the years" in check.stdout + check.stderr
    assert "internal error" not in check.stdout + check.stderr


def test_an_event_dated_far_ahead_is_reported_and_does_not_date_later_changes(git_repo, ticket):
    future = plant(git_repo, ticket, "2099-01-01T00:00:00Z")
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1
    assert f"{future.relative_to(git_repo).as_posix()}: at: dated 2099-01-01T00:00:00.000000Z, more than a day in the future" in check.stdout
    [comment] = gitdesk_processes(git_repo, ["ticket", "comment", ticket, "Replaced the battery.", "--json"])
    assert comment.returncode == 0, comment.stderr
    data = json.loads(comment.stdout)
    assert data["comments"][-1]["at"] < "2030"  # dated now, not dragged after the 2099 event
    [late] = [p for p in git_repo.glob("tickets/*/*.yml") if "Replaced the battery." in p.read_text()]
    assert "2099" not in late.read_text()


def show_json(repo: Path, ref: str) -> dict:
    [run] = gitdesk_processes(repo, ["ticket", "show", ref, "--json"])
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def list_json(repo: Path) -> list[dict]:
    [run] = gitdesk_processes(repo, ["ticket", "list", "--json"])
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("where", ["wrong bucket", "newline in the name"])
def test_a_misplaced_event_file_is_refused_the_same_way_on_every_path(git_repo, ticket, where):
    if where == "wrong bucket":
        path = plant(git_repo, ticket, "2026-11-03T10:00:00Z", bucket="ZZ" if not ticket.startswith("ZZ") else "YY")
    else:
        real = plant(git_repo, ticket, "2026-11-03T10:00:00Z")
        path = real.with_name(real.name[:20] + "\n" + real.name[20:])
        real.rename(path)
    shutil.rmtree(git_repo / ".gitdesk")
    cold = show_json(git_repo, ticket)
    listed = [t for t in list_json(git_repo) if t["id"] == ticket]
    warm = show_json(git_repo, ticket)
    assert cold["priority"] is None and listed[0]["priority"] is None and warm["priority"] is None
    assert len(cold["history"]) == len(warm["history"]) == 1
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1
    problem = "file is in folder" if where == "wrong bucket" else "file name is not <ticket id>.<event id>.yml"
    [line] = [line for line in check.stdout.splitlines() if problem in line]
    assert line.startswith(f"tickets/{path.parent.name}/{path.name[:20]}") and "not read as an event" in line


@pytest.mark.parametrize("keep", ["cp -p", "touch -r"])
def test_a_same_size_edit_that_keeps_the_mtime_is_noticed(git_repo, ticket, keep):
    make_desk(git_repo).set_fields(ticket, {"title": "Printer AAAA jams"})
    [path] = [p for p in git_repo.glob("tickets/*/*.yml") if "Printer AAAA jams" in p.read_text()]
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "tickets")
    old = path.stat()
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 10_000_000_000))  # outside the racy window
    assert show_json(git_repo, ticket)["title"] == "Printer AAAA jams"  # the cache has taken the file in
    assert [t["title"] for t in list_json(git_repo) if t["id"] == ticket] == ["Printer AAAA jams"]
    before = path.stat()
    edited = git_repo / "edited.tmp"
    edited.write_text(path.read_text().replace("AAAA", "BBBB"))
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    if keep == "cp -p":
        subprocess.run(["cp", "-p", str(edited), str(path)], check=True)
    else:
        path.write_text(edited.read_text())
        subprocess.run(["touch", "-r", str(edited), str(path)], check=True)
    edited.unlink()
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (before.st_mtime_ns, before.st_size)
    assert [t["title"] for t in list_json(git_repo) if t["id"] == ticket] == ["Printer BBBB jams"]
    assert show_json(git_repo, ticket)["title"] == "Printer BBBB jams"


def test_check_reports_a_forbidden_transition_two_clones_merged_into(git_repo, ticket):
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "ticket")
    other = git_repo.parent / "clone"
    git(git_repo.parent, "clone", "-q", str(git_repo), str(other))
    git(other, "config", "user.name", "Chen Wei")
    git(other, "config", "user.email", "chen.wei@northwind.example")
    [closed] = gitdesk_processes(git_repo, ["ticket", "close", ticket, "--commit"])
    [pending] = gitdesk_processes(other, ["ticket", "pending", ticket, "-m", "Waiting for the part.", "--commit"])
    assert closed.returncode == pending.returncode == 0, closed.stderr + pending.stderr
    git(git_repo, "pull", "-q", "--no-rebase", "--no-edit", str(other), "main")
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1
    [line] = [line for line in check.stdout.splitlines() if "not allowed by the workflow" in line]
    close_file = next(p for p in git_repo.glob("tickets/*/*.yml") if "action: close" in p.read_text())
    pending_file = next(p for p in git_repo.glob("tickets/*/*.yml") if "action: pending" in p.read_text())
    assert line.startswith(f"{pending_file.relative_to(git_repo).as_posix()}: set.status: closed -> pending is not allowed")
    assert f"closed was set by {close_file.relative_to(git_repo).as_posix()}" in line


@pytest.mark.parametrize("value", ["abc", "2.5", "²", ""])
def test_ticket_set_tier_with_a_non_number_is_a_field_error(git_repo, ticket, value):
    [run] = gitdesk_processes(git_repo, ["ticket", "set", ticket, f"tier={value}"])
    if value == "":  # an empty value clears the field
        assert run.returncode == 0, run.stderr
        return
    assert run.returncode == 1 and run.stderr == f"gitdesk: error: tier: not a tier number: {value!r} (known: 1, 2, 3)\n"


def test_a_stale_temporary_file_of_a_killed_writer_is_cleaned_by_the_next_writer(git_repo, ticket):
    bucket = git_repo / "tickets" / ticket[:2]
    stale, fresh = bucket / ".tmp-killed1.part", bucket / ".tmp-writing.part"
    stale.write_text("gitdesk: 1\nid: 01M6")
    fresh.write_text("gitdesk: 1\n")
    old = stale.stat().st_mtime - 3600
    os.utime(stale, (old, old))
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1 and f"tickets/{ticket[:2]}/.tmp-killed1.part: left-over temporary file" in check.stdout
    assert ".tmp-writing.part" not in check.stdout  # a write in progress is nobody's problem
    [comment] = gitdesk_processes(git_repo, ["ticket", "comment", ticket, "Ordered a new battery."])
    assert comment.returncode == 0, comment.stderr
    assert not stale.exists() and fresh.exists()
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 0, check.stdout


def test_helpdesk_yml_is_read_by_yaml_1_2_core_rules(git_repo):
    config = git_repo / "helpdesk.yml"
    config.write_text(config.read_text().replace("id_prefix: HD", "id_prefix: NO"))
    [made] = gitdesk_processes(git_repo, ["ticket", "new", "Norway office VPN", "--requester", "Sam <sam@x.example>", "--json"])
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["id"] and "NO-" in gitdesk_processes(git_repo, ["ticket", "list"])[0].stdout
    from gitdesk.config import load_config

    loaded = load_config(git_repo)
    assert loaded.id_prefix == "NO"


def test_every_schema_error_of_helpdesk_yml_is_reported_in_one_run(git_repo):
    config = git_repo / "helpdesk.yml"
    text = config.read_text().replace("calendar: office, first_response: 1h,", "calendar: office, first_response: 1:30,")
    config.write_text(text + "default_team: 42\nnot_a_key: yes\n")
    [check] = gitdesk_processes(git_repo, ["check"])
    assert check.returncode == 1
    lines = [line for line in (check.stdout + check.stderr).splitlines() if line.startswith("helpdesk.yml")]
    assert any(line.startswith("helpdesk.yml: sla.policies[2].first_response: '1:30' does not match") for line in lines), lines
    assert any(line.startswith("helpdesk.yml: default_team: 42 is not of type 'string'") for line in lines), lines
    assert any(line.startswith("helpdesk.yml: not_a_key: unknown key 'not_a_key'") for line in lines), lines
    [listed] = gitdesk_processes(git_repo, ["ticket", "list"])
    assert listed.returncode == 1 and listed.stderr.count("\n") == 1
    assert listed.stderr.startswith("gitdesk: error: helpdesk.yml: 3 problems: ")


@pytest.mark.parametrize("text,value", [
    ("NO", "NO"), ("yes", "yes"), ("off", "off"), ("1:30", "1:30"), ("2026-12-25", "2026-12-25"), ("010", 10),
    ("0o17", 15), ("0x1F", 31), ("-3", -3), ("1_000", "1_000"), ("true", True), ("False", False), ("1.5", 1.5),
    ("~", None), ("null", None),
])
def test_yaml_1_2_core_scalars(text, value):
    from gitdesk.yamlio import load_yaml_text

    assert load_yaml_text(f"key: {text}\n", core12=True) == {"key": value}
