"""``gitdesk check``: the history rule and the attachment folders."""

from __future__ import annotations

import json

from tests.support.desk import git


def _problems(run_cli):
    result = run_cli("check", "--json")
    return result.exit_code, [p["path"] + ": " + p["message"] for p in json.loads(result.output)["problems"]]


def test_clean_desk_passes(run_cli, desk):
    desk.new(title="x", requester={"name": "y"})
    assert _problems(run_cli) == (0, [])


def test_history_rewrites_are_reported(run_cli, desk, git_repo):
    t = desk.new(title="x", requester={"name": "y"})
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "t")
    [path] = sorted((git_repo / "tickets").glob("*/*.yml"))
    path.write_text(path.read_text().replace("title: x", "title: rewritten"))
    git(git_repo, "commit", "-q", "-am", "rewrite history")
    path.unlink()
    code, problems = _problems(run_cli)
    assert code == 1
    rel = path.relative_to(git_repo).as_posix()
    assert any(p.startswith(rel) and "was modified in commit" in p for p in problems), problems
    assert any(p.startswith(rel) and "was deleted" in p for p in problems), problems
    assert t.id in rel


def test_attachment_folders(run_cli, desk, git_repo, tmp_path):
    t = desk.new(title="x", requester={"name": "y"})
    folder = git_repo / "tickets" / t.id[:2] / f"{t.id}.attachments"
    folder.mkdir()
    good = "01M84VB3T2QJ0K3HRJEDH7Z0TN-error.png"
    (folder / good).write_bytes(b"png")
    assert _problems(run_cli) == (0, [])
    (folder / "evil name.sh").write_text("x")
    (tmp_path / "secret").write_text("s")
    (folder / "01M84VB3T2QJ0K3HRJEDH7Z0TN-link").symlink_to(tmp_path / "secret")
    stray = git_repo / "tickets" / "ZZ" / "ZZZZZZZZZZ.attachments"
    stray.mkdir(parents=True)
    code, problems = _problems(run_cli)
    assert code == 1
    assert any("evil name.sh: attachment name is not" in p for p in problems), problems
    assert any("-link: attachments are regular files only" in p for p in problems), problems
    assert any("ZZZZZZZZZZ.attachments: attachments of an unknown ticket" in p for p in problems), problems
