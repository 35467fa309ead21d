"""What other repositories and shells get from gitdesk: pre-commit hooks, completion, version.

The hooks file is read the way pre-commit reads a manifest, and its entries are run the way
pre-commit runs them (no file names, from the repository's top level) on a scaffolded desk.
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex

import click
import pytest
import yaml

from gitdesk import __version__
from gitdesk.cli import cli
from gitdesk.scaffold import scaffold
from tests.support.desk import PROJECT, git, init_repo
from tests.support.init import run

HOOKS = PROJECT / ".pre-commit-hooks.yaml"
#: The keys pre-commit accepts in a hook manifest (pre_commit/clientlib.py, MANIFEST_HOOK_DICT).
MANIFEST_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}


def hooks() -> list[dict]:
    data = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(data, list) and data, "the manifest is a non-empty list of hooks"
    return data


def resolve(words: list[str]) -> click.Command:
    """The Click command a command line names (lazily loaded groups included)."""
    ctx = click.Context(cli, info_name="gitdesk")
    cmd: click.Command = cli
    for word in words:
        assert isinstance(cmd, click.Group), f"{' '.join(words)}: {cmd.name} has no subcommands"
        sub = cmd.get_command(ctx, word)
        assert sub is not None, f"no command {word!r} in {' '.join(words)}"
        ctx = click.Context(sub, info_name=word, parent=ctx)
        cmd = sub
    return cmd


def test_hook_manifest_shape():
    scripts = {ep.name for ep in importlib.metadata.distribution("gitdesk").entry_points if ep.group == "console_scripts"}
    ids = [h["id"] for h in hooks()]
    assert ids == ["gitdesk-check", "gitdesk-kb-check"]
    for hook in hooks():
        assert set(hook) <= MANIFEST_KEYS, set(hook) - MANIFEST_KEYS
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        words = shlex.split(hook["entry"])
        assert words[0] in scripts, f"{words[0]} is not a console script of the package"
        command = resolve(words[1:])
        assert not isinstance(command, click.Group) and (command.help or "").strip()
        re.compile(hook["files"])


@pytest.mark.parametrize("hook_id, matches, ignores", [
    ("gitdesk-check", ["helpdesk.yml", "tickets/7K/7K2M9Q4XZB.01JD5Z6Q8W9X0Y1Z2A3B4C5D6E.yml"], ["kb/index.md", "README.md", "tickets/.gitkeep"]),
    ("gitdesk-kb-check", ["kb/index.md", "kb/accounts/reset-password.md", "kb/img/a.png", "mkdocs.yml", "helpdesk.yml"], ["tickets/7K/x.yml", "README.md"]),
])
def test_hook_file_patterns(hook_id, matches, ignores):
    pattern = re.compile(next(h for h in hooks() if h["id"] == hook_id)["files"])
    for path in matches:
        assert pattern.search(path), f"{hook_id} should run when {path} changes"
    for path in ignores:
        assert not pattern.search(path), f"{hook_id} should not run for {path}"


def test_hook_entries_pass_on_a_sound_desk_and_fail_on_a_broken_one(gitdesk_exe, tmp_path):
    root = init_repo(tmp_path / "desk")  # the project's helpdesk.yml, kept by init
    scaffold(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "desk")
    for hook in hooks():
        words = shlex.split(hook["entry"])
        proc = run(gitdesk_exe, *words[1:], cwd=root)
        assert proc.returncode == 0, f"{hook['id']}: {proc.stdout}{proc.stderr}"
    (root / "kb" / "accounts" / "reset-password.md").write_text("---\ntitle: x\n---\n# x\n")
    (root / "tickets" / "7K").mkdir(parents=True)
    (root / "tickets" / "7K" / "not-an-event.yml").write_text("a: [\n")
    for hook in hooks():
        proc = run(gitdesk_exe, *shlex.split(hook["entry"])[1:], cwd=root)
        assert proc.returncode == 1, f"{hook['id']} must fail on a broken desk: {proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o nosort -F _gitdesk_completion gitdesk"),
    ("zsh", "#compdef gitdesk"),
    ("fish", "complete --no-files --command gitdesk"),
])
def test_completion_script_is_printed(gitdesk_exe, tmp_path, shell, marker):
    proc = run(gitdesk_exe, cwd=tmp_path, env={"_GITDESK_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0 and marker in proc.stdout, proc.stdout[:500] + proc.stderr
    assert f"gitdesk completion {shell}" in (PROJECT / "README.md").read_text(encoding="utf-8")
    printed = run(gitdesk_exe, "completion", shell, cwd=tmp_path)
    assert printed.returncode == 0 and marker in printed.stdout, printed.stdout[:500] + printed.stderr


@pytest.mark.parametrize("words, cword, expected", [
    ("gitdesk tic", "1", "plain,ticket"),
    ("gitdesk ticket esc", "2", "plain,escalate"),
    ("gitdesk in", "1", {"plain,incident", "plain,init", "plain,intake"}),
])
def test_completion_completes_lazily_loaded_commands(gitdesk_exe, tmp_path, words, cword, expected):
    proc = run(gitdesk_exe, cwd=tmp_path, env={"_GITDESK_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert proc.returncode == 0, proc.stderr
    got = set(proc.stdout.split())
    assert got == ({expected} if isinstance(expected, str) else expected)


def test_version_matches_the_installed_package(gitdesk_exe, tmp_path):
    proc = run(gitdesk_exe, "--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == f"gitdesk {importlib.metadata.version('gitdesk')}\n"
    assert importlib.metadata.version("gitdesk") == __version__


def test_changelog_has_an_entry_for_this_version():
    text = (PROJECT / "tooling" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in text and "## [Unreleased]" in text
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, re.M)
    assert releases, "no release heading like '## [0.1.0] - 2026-11-23'"
    assert releases[0][0] == __version__, "the newest release in the changelog is not gitdesk.__version__"
    assert "### Added" in text
    assert "(tooling/CHANGELOG.md)" in (PROJECT / "README.md").read_text(encoding="utf-8")
