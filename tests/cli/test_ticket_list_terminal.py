"""``ticket list`` for people (issue 18): open tickets, most urgent first, colour and a pager on a
real terminal (a pseudo-terminal) and neither through a pipe, a table that keeps the title's
width at 80 columns, and short ids of one length in ``list`` and ``sla check``."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
from pathlib import Path

import pytest
from tests.support.sla import make_helpdesk

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MARK = "PAGER-RAN-HERE"
LONG = "Payroll export to the bank fails with error 0x80070005 every Monday morning"


@pytest.fixture
def desk(tmp_path):
    """Seven tickets on Monday 2026-11-23 (office hours 09:00-17:00 for high and medium):
    C and B high (C's first response due first), D high but pending (its clocks paused),
    A medium, E low (no policy), F critical but resolved, G closed as a duplicate of B."""
    hd = make_helpdesk(tmp_path)
    made = {}
    for name, when, prio, title in [("E", (7, 0), "low", "New mouse please"), ("D", (8, 0), "high", "Laptop will not boot"),
                                    ("A", (9, 0), "medium", "Shared drive slow"), ("C", (9, 30), "high", LONG),
                                    ("B", (10, 0), "high", "Cannot print payslips"), ("F", (10, 30), "critical", "Payroll server down"),
                                    ("G", (10, 45), "high", "Cannot print payslips either")]:
        hd.at(2026, 11, 23, *when)
        made[name] = hd.new(priority=prio, title=title).id
        if name == "D":
            hd.at(2026, 11, 23, 8, 30)
            hd.desk().pending(made["D"])  # before office hours: its clocks never ran
    hd.at(2026, 11, 23, 11, 0)
    desk_ = hd.desk()
    desk_.assign(made["C"], "Ana Lima <ana.lima@northwind.example>")
    desk_.resolve(made["F"])
    desk_.merge(made["G"], made["B"])
    hd.ids = made
    return hd


def _run(exe: str, root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "COLUMNS")}
    return subprocess.run([exe, *args, "--repo", str(root)], capture_output=True, text=True, env={**clean, **(env or {})})


def _pager(tmp_path: Path) -> str:
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\necho {MARK}\nexec cat\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def _on_terminal(exe: str, root: Path, *args: str, env: dict) -> str:
    """Run on a pseudo-terminal (stdin and stdout) and return all it wrote."""
    master, slave = os.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "COLUMNS")}
    proc = subprocess.Popen([exe, *args, "--repo", str(root)], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**clean, "TERM": "xterm", **env})
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                raise AssertionError(f"no output for 60 s; got {seen!r}")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=60) == 0, seen
    finally:
        proc.kill()
        os.close(master)
    return seen.decode(errors="replace").replace("\r\n", "\n")


def _rows(text: str) -> list[str]:
    return [line for line in ANSI.sub("", text).splitlines() if line.startswith("HD-")]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_the_list_is_paged_and_coloured(desk, gitdesk_exe, tmp_path):
    out = _on_terminal(gitdesk_exe, desk.root, "ticket", "list", env={"PAGER": _pager(tmp_path), "COLUMNS": "80"})
    assert MARK in out
    assert "\x1b[" in out  # priority, status, SLA state
    assert "\x1b[31m\x1b[1mbreached" in out or "\x1b[1m\x1b[31mbreached" in out or re.search(r"\x1b\[[0-9;]*m-\d", out)
    assert len(_rows(out)) == 5
    # NO_COLOR: paged, never coloured; --no-pager: coloured, not paged
    plain = _on_terminal(gitdesk_exe, desk.root, "ticket", "list", env={"PAGER": _pager(tmp_path), "NO_COLOR": "1"})
    assert MARK in plain and "\x1b[" not in plain
    direct = _on_terminal(gitdesk_exe, desk.root, "ticket", "list", "--no-pager", env={"PAGER": _pager(tmp_path)})
    assert MARK not in direct and "\x1b[" in direct
    # --json on a terminal: no pager, no colour
    as_json = _on_terminal(gitdesk_exe, desk.root, "ticket", "list", "--json", env={"PAGER": _pager(tmp_path)})
    assert MARK not in as_json and "\x1b[" not in as_json and json.loads(as_json)


def test_through_a_pipe_no_pager_and_no_colour_unless_forced(desk, gitdesk_exe, tmp_path):
    piped = _run(gitdesk_exe, desk.root, "ticket", "list", env={"PAGER": _pager(tmp_path)})
    assert piped.returncode == 0, piped.stderr
    assert MARK not in piped.stdout and "\x1b[" not in piped.stdout
    assert len(_rows(piped.stdout)) == 5
    forced = _run(gitdesk_exe, desk.root, "ticket", "list", env={"FORCE_COLOR": "1", "PAGER": _pager(tmp_path)})
    assert "\x1b[" in forced.stdout and MARK not in forced.stdout
    assert "\x1b[" in _run(gitdesk_exe, desk.root, "ticket", "list", "--color").stdout
    assert "\x1b[" not in _run(gitdesk_exe, desk.root, "ticket", "list", "--no-color", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in _run(gitdesk_exe, desk.root, "ticket", "list", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_at_80_columns_the_title_keeps_its_width(desk, gitdesk_exe):
    out = _run(gitdesk_exe, desk.root, "ticket", "list", env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    start = lines[0].index("TITLE")
    row = next(line for line in lines if LONG[:20] in line)
    assert len(row[start:]) >= 30, out
    assert "ASSIGNEE" in lines[0] and "Ana Lima" in row  # a name, never the address
    assert "TIER" not in lines[0] and "CATEGORY" not in lines[0]  # they gave way first
    wide = _run(gitdesk_exe, desk.root, "ticket", "list", env={"COLUMNS": "160"}).stdout
    assert wide.splitlines()[0].split() == ["ID", "PRIORITY", "STATUS", "SLA", "TIER", "CATEGORY", "ASSIGNEE", "UPDATED", "TITLE"]
    assert LONG in wide


def test_most_urgent_first_and_open_only_by_default(desk, gitdesk_exe):
    ids = desk.ids

    def order(*args: str) -> list[str]:
        run = _run(gitdesk_exe, desk.root, "ticket", "list", "--json", *args)
        assert run.returncode == 0, run.stderr
        return [next(k for k, v in ids.items() if v == t["id"]) for t in json.loads(run.stdout)]

    # high: C's first response is due before B's; D is pending (paused: no due time) so after them
    assert order() == ["C", "B", "D", "A", "E"]
    assert order("--reverse") == ["E", "A", "D", "B", "C"]
    assert order("--all") == ["F", "C", "B", "D", "G", "A", "E"]
    assert order("--status", "resolved") == ["F"] and order("--status", "closed") == ["G"]
    assert order("--sort", "created") == ["E", "D", "A", "C", "B"]
    assert order("-n", "2") == ["C", "B"]
    # --sort due: the earliest deadline whatever the priority; tickets with none last, by priority
    assert order("--sort", "due") == ["C", "B", "A", "D", "E"]
    # the order is the desk's to choose: cli.list_sort in helpdesk.yml
    config = desk.root / "helpdesk.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\ncli: {list_sort: created}\n", encoding="utf-8")
    assert order() == ["E", "D", "A", "C", "B"]
    text = _run(gitdesk_exe, desk.root, "ticket", "list").stdout
    assert [r.split()[0] for r in _rows(text)] == [f"HD-{ids[k][:6]}" for k in "EDACB"]


def test_sla_check_rows_fit_80_columns_with_names_and_the_ids_of_list(tmp_path, gitdesk_exe):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    # two ids alike in their first seven characters: the desk's short ids are eight long
    twins = [hd.new(priority="critical", title=LONG, ticket_id="7K2M9Q4B01").id,
             hd.new(priority="high", title="Cannot print payslips", ticket_id="7K2M9Q4C02").id]
    other = hd.new(priority="high", title="VPN drops every 10 minutes").id
    for tid in [*twins, other]:
        hd.desk().assign(tid, "Christopher Montgomery-Whitfield <christopher.montgomery-whitfield@northwind.example>")
    env = {"COLUMNS": "80"}
    check = _run(gitdesk_exe, hd.root, "sla", "check", "--at", "2026-11-23T16:00", env=env)
    assert check.returncode == 0, check.stderr
    rows = _rows(check.stdout)
    assert rows and all(len(r) <= 80 for r in rows), check.stdout
    assert "northwind.example" not in check.stdout and "Christo" in check.stdout, check.stdout
    listed = _rows(_run(gitdesk_exe, hd.root, "ticket", "list", env=env).stdout)
    assert {r.split()[0] for r in rows} == {r.split()[0] for r in listed} == {f"HD-{t[:8]}" for t in [*twins, other]}
    # the short id names the ticket
    shown = _run(gitdesk_exe, hd.root, "ticket", "show", f"HD-{other[:8]}", "--json")
    assert json.loads(shown.stdout)["id"] == other
    # ticket show names related tickets by the same short ids
    assert _run(gitdesk_exe, hd.root, "ticket", "link", other, "--related", twins[0]).returncode == 0
    detail = _run(gitdesk_exe, hd.root, "ticket", "show", other).stdout
    assert f"Related:        HD-{twins[0][:8]}\n" in detail
