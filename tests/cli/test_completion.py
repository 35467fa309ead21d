"""Shell completion of the desk's own values, through the real console script and Click's
``_GITDESK_COMPLETE`` protocol (what the shell's completion function runs on TAB)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.desk import make_desk


def complete(exe: str, repo: Path, line: str, shell: str = "bash") -> list[tuple[str, str]]:
    """What ``gitdesk`` offers for the last word of ``line`` (a trailing space: a new word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    env = {**os.environ, "_GITDESK_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, "COMP_CWORD": str(cword),
           "GITDESK_REPO": ""}
    proc = subprocess.run([exe], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    if shell == "zsh":  # type, value, help, three lines each
        lines = proc.stdout.splitlines()
        return [(lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]
    return [(row.split(",", 1)[1], "") for row in proc.stdout.splitlines() if row]


def values(exe, repo, line, shell="bash") -> list[str]:
    return [v for v, _ in complete(exe, repo, line, shell)]


@pytest.fixture
def worked_desk(git_repo):
    desk = make_desk(git_repo)
    opened = [desk.new(title=f"VPN drops {n}", requester={"email": "sam@example.com"}) for n in range(3)]
    closed = desk.new(title="Old printer", requester={"email": "sam@example.com"})
    desk.resolve(closed.id, comment="Fixed")
    desk.close(closed.id)
    kb = git_repo / "kb" / "network"
    kb.mkdir(parents=True)
    (kb / "vpn-wont-connect.md").write_text("# VPN\n", encoding="utf-8")
    (kb / "index.md").write_text("# Network\n", encoding="utf-8")
    return git_repo, opened, closed


def test_ticket_references_are_the_open_tickets_short_ids(worked_desk, gitdesk_exe):
    repo, opened, closed = worked_desk
    offered = values(gitdesk_exe, repo, "gitdesk ticket show ")
    assert sorted(offered) == sorted(t.id[:6] for t in opened)  # short ids as `ticket list` shows them
    assert closed.id[:6] not in offered
    first = opened[0].id
    assert values(gitdesk_exe, repo, f"gitdesk ticket comment {first[:3].lower()}") == [first[:6]]
    assert values(gitdesk_exe, repo, f"gitdesk ticket resolve HD-{first[:4]}") == [f"HD-{first[:6]}"]
    assert values(gitdesk_exe, repo, f"gitdesk ticket show {first[:8]}") == [first]  # longer than the short id: the id
    assert values(gitdesk_exe, repo, f"gitdesk ticket merge {first[:6]} --into {opened[1].id[:4]}") == [opened[1].id[:6]]
    titles = dict(complete(gitdesk_exe, repo, f"gitdesk ticket show {first[:4]}", shell="zsh"))
    assert titles == {first[:6]: "VPN drops 0"}  # zsh shows the title next to the id


def test_categories_channels_agents_templates_and_articles(worked_desk, gitdesk_exe):
    repo, opened, _ = worked_desk
    assert "network/vpn" in values(gitdesk_exe, repo, "gitdesk ticket new --category network/")
    assert all(v.startswith("network") for v in values(gitdesk_exe, repo, "gitdesk ticket list -c net"))
    assert values(gitdesk_exe, repo, "gitdesk ticket new --channel ph") == ["phone"]
    assert values(gitdesk_exe, repo, "gitdesk ticket list --channel wa") == ["walk-in"]
    assert values(gitdesk_exe, repo, f"gitdesk ticket assign {opened[0].id[:6]} --to Chen") == ["Chen Wei <chen.wei@northwind.example>"]
    assert "Ana Lima <ana.lima@northwind.example>" in values(gitdesk_exe, repo, "gitdesk ticket new --assignee ")
    # ticket assign REF ASSIGNEE: after a ticket, the agents too
    assert values(gitdesk_exe, repo, f"gitdesk ticket assign {opened[0].id[:6]} Da") == ["Dana Novak <dana.novak@northwind.example>"]
    assert not any(v.startswith("Dana") for v in values(gitdesk_exe, repo, "gitdesk ticket assign Da"))  # first: a ticket
    assert values(gitdesk_exe, repo, "gitdesk ticket escalate x --team sec") == ["security"]
    assert values(gitdesk_exe, repo, "gitdesk ticket reply x -t need") == ["need-info"]
    assert values(gitdesk_exe, repo, "gitdesk ticket link x --kb net") == ["network/vpn-wont-connect.md"]  # no index.md
    assert values(gitdesk_exe, repo, "gitdesk ticket new --impact h") == ["high"]  # choices, as Click does
    assert values(gitdesk_exe, repo, "gitdesk tic") == ["ticket"]


def test_outside_a_desk_completion_offers_nothing_and_prints_no_error(tmp_path, gitdesk_exe):
    assert values(gitdesk_exe, tmp_path, "gitdesk ticket show ") == []
    assert values(gitdesk_exe, tmp_path, "gitdesk ticket link x --kb ") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_the_script(gitdesk_exe, tmp_path, shell):
    proc = subprocess.run([gitdesk_exe, "completion", shell], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and f"_GITDESK_COMPLETE={shell}_complete" in proc.stdout
    if shell == "bash":
        check = subprocess.run(["bash", "-n"], input=proc.stdout, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_a_desk_without_a_cache_yet_still_completes(worked_desk, gitdesk_exe):
    import shutil

    repo, opened, _ = worked_desk
    shutil.rmtree(repo / ".gitdesk")  # a fresh clone: no cache until the first command builds it
    assert sorted(values(gitdesk_exe, repo, "gitdesk ticket show ")) == sorted(t.id[:6] for t in opened)


def test_a_draft_is_written_from_a_solved_ticket_and_resolve_kb_completes_articles(worked_desk, gitdesk_exe):
    repo, opened, closed = worked_desk
    assert values(gitdesk_exe, repo, "gitdesk kb draft --from-ticket ") == [closed.id[:6]]  # not the open ones
    assert values(gitdesk_exe, repo, f"gitdesk ticket resolve {opened[0].id[:6]} --kb network/") == ["network/vpn-wont-connect.md"]
