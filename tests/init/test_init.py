"""`gitdesk init`: a new folder, an existing repository with files, --force, re-runs, bad input.

Every scaffold is checked the way its users will meet it: the real console script in a real
folder, then `gitdesk check`, `gitdesk kb check` and a strict `gitdesk site build`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from gitdesk import __version__
from gitdesk.config import defaults_text, load_config
from gitdesk.scaffold import language_files, modeline, template_files
from tests.support.init import assert_checks_pass, run, tree
from tests.support.desk import git, init_repo

EXPECTED = {
    "helpdesk.yml", "mkdocs.yml", ".gitignore", "tickets/.gitkeep",
    "kb/index.md", "kb/get-help.md", "kb/open-a-ticket.md", "kb/tags.md",
    "kb/accounts/index.md", "kb/accounts/reset-password.md", "kb/accounts/password-faq.md",
    *("kb/" + rel for rel in language_files("en")),  # the English starter articles
    "kb/agents/index.md", "kb/agents/working-with-requesters.md", "kb/agents/ticket-lifecycle.md",
    "kb/agents/prioritising.md", "kb/agents/sla-policy.md", "kb/agents/escalate-a-ticket.md",
    "kb/agents/ticket-to-kb-article.md", "kb/agents/requester-privacy.md",
    ".github/workflows/kb.yml", ".github/workflows/kb-review.yml", ".github/workflows/metrics.yml", ".github/workflows/pages.yml",
    ".github/workflows/sla.yml", ".github/workflows/triage.yml",
    ".github/workflows/intake.yml", ".github/workflows/notify.yml", ".github/workflows/sync.yml",
    ".github/gitdesk.lock",
    ".github/ISSUE_TEMPLATE/support-request.yml", ".github/ISSUE_TEMPLATE/kb-correction.yml",
    ".github/ISSUE_TEMPLATE/config.yml",
}


def test_new_folder_with_github_and_name(exe, tmp_path):
    root = tmp_path / "acme-desk"
    proc = run(exe, "init", str(root), "--github", "acme/helpdesk", "--name", "Acme IT Help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (root / ".git").is_dir(), "init must create the git repository"
    assert "Initialised a git repository" in proc.stdout
    assert set(tree(root)) == EXPECTED
    config = load_config(root)
    assert config.name == "Acme IT Help"
    assert config["site"]["title"] == "Acme IT Help"
    assert config["github"]["repository"] == "acme/helpdesk"
    # every other line of helpdesk.yml is the commented defaults, every key with its default
    written = (root / "helpdesk.yml").read_text(encoding="utf-8").splitlines()
    assert written.pop(0) == modeline().strip()  # editors check it against this version's schema
    shipped = defaults_text().splitlines()
    assert len(written) == len(shipped)
    changed = [(a, b) for a, b in zip(shipped, written) if a != b]
    assert [b.strip() for _, b in changed] == ['name: "Acme IT Help"', 'title: "Acme IT Help"', "repository: acme/helpdesk"]
    contact = yaml.safe_load((root / ".github/ISSUE_TEMPLATE/config.yml").read_text())["contact_links"][0]
    assert contact["url"] == "https://acme.github.io/helpdesk/"
    workflow = yaml.safe_load((root / ".github/workflows/kb.yml").read_text())
    setup = [s for s in workflow["jobs"]["kb"]["steps"] if "/.github/actions/setup@" in s.get("uses", "")]
    assert [s["uses"] for s in setup] == [f"OWNER/gitdesk/.github/actions/setup@v{__version__}"]
    assert "with" not in setup[0]  # the action installs the gitdesk of its own tag
    assert "# Acme IT Help" in (root / "kb/index.md").read_text()
    lines = proc.stdout.split("Next steps:")[1].strip().splitlines()
    assert [line.split(".")[0].strip() for line in lines] == ["1", "2", "3"]
    assert "gitdesk serve" in lines[1] and "https://acme.github.io/helpdesk/" in lines[2]
    assert_checks_pass(exe, root)
    site = root / "site"
    assert (site / "agents" / "commands.html").is_file() and (site / "agents" / "configuration.html").is_file()
    assert "Acme IT Help" in (site / "index.html").read_text(encoding="utf-8")


def test_current_folder_without_options_writes_the_defaults(exe, tmp_path):
    root = tmp_path / "desk"
    root.mkdir()
    proc = run(exe, "init", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "helpdesk.yml").read_text(encoding="utf-8") == modeline() + defaults_text()
    # without a repository the issue-form config (a link to the site on GitHub Pages) is left out, and said so
    assert set(tree(root)) == EXPECTED - {".github/ISSUE_TEMPLATE/config.yml", ".github/workflows/sync.yml"}
    assert "not written  .github/ISSUE_TEMPLATE/config.yml" in proc.stdout
    assert "not written  .github/workflows/sync.yml: it syncs tickets" in proc.stdout
    steps = proc.stdout.split("Next steps:")[1].strip().splitlines()
    assert len(steps) == 3 and "cd " not in steps[0], "in the desk's own folder the steps need no cd"
    assert_checks_pass(exe, root)


def test_existing_repository_keeps_its_files(exe, tmp_path):
    root = init_repo(tmp_path / "existing")  # a git repo with the project's helpdesk.yml and a .gitignore
    (root / "README.md").write_text("# Our repository\n")
    (root / "kb").mkdir()
    home = "# Our help\n\nSee [Get help](get-help.md) and the [agents' handbook](agents/index.md).\n"
    (root / "kb" / "index.md").write_text(home)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "ours")
    before = tree(root)
    proc = run(exe, "init", "--json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["git_initialised"] is False
    assert sorted(result["skipped"]) == [".gitignore", "helpdesk.yml", "kb/index.md"]
    assert set(result["created"]) == EXPECTED - {".gitignore", "helpdesk.yml", "kb/index.md", ".github/ISSUE_TEMPLATE/config.yml",
                                                 ".github/workflows/sync.yml"}
    after = tree(root)
    for rel, data in before.items():
        assert after[rel] == data, f"{rel} was changed"
    assert load_config(root).name == "Northwind IT Help Desk"
    assert_checks_pass(exe, root)


def test_rerun_changes_nothing_and_force_restores(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), "--github", "acme/helpdesk", cwd=tmp_path).returncode == 0
    (root / "kb" / "index.md").write_text("# Changed by hand\n")
    (root / "kb" / "accounts" / "password-faq.md").unlink()
    before = tree(root)
    proc = run(exe, "init", str(root), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "created      kb/accounts/password-faq.md" in proc.stdout
    assert "skipped      kb/index.md (exists; --force replaces it)" in proc.stdout
    after = tree(root)
    assert {k: v for k, v in after.items() if k != "kb/accounts/password-faq.md"} == before
    proc = run(exe, "init", str(root), "--force", "--github", "acme/helpdesk", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "overwritten  kb/index.md" in proc.stdout
    assert (root / "kb" / "index.md").read_text().startswith("# IT Help Desk\n")


def test_folder_inside_another_repository_is_not_a_new_repository(exe, tmp_path):
    outer = init_repo(tmp_path / "outer", config=False)
    inner = outer / "desk"
    proc = run(exe, "init", str(inner), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not (inner / ".git").exists()
    assert "only from .github/ at a repository's top level" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--github", "not a repository"], "--github: not an OWNER/NAME GitHub repository"),
    (["--github", "acme/.."], "--github: not an OWNER/NAME GitHub repository"),
    (["--name", "two\nlines"], "--name: must be one line"),
    (["--install", "gitdesk; curl evil"], "--install: not a pip requirement"),
])
def test_bad_options_write_nothing(exe, tmp_path, args, message):
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("gitdesk: error:") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, "one line, no traceback"
    assert not root.exists()


def test_unusable_destinations_write_nothing(exe, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    proc = run(exe, "init", str(afile), cwd=tmp_path)
    assert proc.returncode == 2 and "is a file" in proc.stderr and not (tmp_path / ".git").exists()
    root = tmp_path / "desk"
    (root / "kb" / "index.md").mkdir(parents=True)  # a folder where a page must go
    proc = run(exe, "init", str(root), "--force", cwd=tmp_path)
    assert proc.returncode == 2 and "kb/index.md exists and is not a file" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == ["kb", "kb/index.md"]
    assert not (root / ".git").exists()


def test_hostile_name_is_inert(exe, tmp_path):
    name = 'Acme <script>alert("x")</script> & [Co](javascript:alert(1)) # IT'
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), "--name", name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert load_config(root).name == name  # the YAML holds it exactly
    home = (root / "kb" / "index.md").read_text()
    assert home.startswith("# Acme &lt;script&gt;") and "<script>" not in home
    assert_checks_pass(exe, root)  # the plugin refuses any page that could run script
    built = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in built and 'href="javascript:' not in built
    # the site name reaches <title> and aria-label escaped, so its quotes cannot end the attribute
    assert 'aria-label="Acme &lt;script&gt;alert(&#34;x&#34;)' in built


def test_written_yaml_parses_and_every_template_is_used(tmp_path):
    from gitdesk.scaffold import scaffold

    result = scaffold(tmp_path / "desk", repository="acme/helpdesk", name="Acme")
    assert set(result.created) == EXPECTED
    forms = {".github/ISSUE_TEMPLATE/support-request.yml", ".github/ISSUE_TEMPLATE/kb-correction.yml"}  # generated
    assert set(template_files()) | {"helpdesk.yml", ".github/gitdesk.lock"} | {"kb/" + rel for rel in language_files("en")} | forms == EXPECTED
    for rel in result.created:
        if rel.endswith((".yml", ".yaml", ".lock")):
            assert yaml.safe_load((result.root / rel).read_text()) is not None, rel
        assert "@@" not in (result.root / rel).read_text(), f"{rel}: a template value was not filled in"


def test_workflows_and_forms_validate_against_githubs_schemas(tmp_path):
    checker = shutil.which("check-jsonschema", path=str(Path(__import__("sys").executable).parent))
    if checker is None:
        pytest.fail("check-jsonschema is not installed (it is in the test extra)")
    from gitdesk.scaffold import scaffold

    root = scaffold(tmp_path / "desk", repository="acme/helpdesk").root
    import subprocess

    workflows = sorted(str(p) for p in (root / ".github/workflows").glob("*.yml"))
    forms = [str(root / ".github/ISSUE_TEMPLATE" / n) for n in ("support-request.yml", "kb-correction.yml")]
    for schema, files in (("vendor.github-workflows", workflows), ("vendor.github-issue-forms", forms),
                          ("vendor.github-issue-config", [str(root / ".github/ISSUE_TEMPLATE/config.yml")])):
        proc = subprocess.run([checker, "--builtin-schema", schema, *files], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr

