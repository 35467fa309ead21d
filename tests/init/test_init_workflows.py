"""What `gitdesk init` puts in the workflows: the setup action at this version, `--install`,
and the branch they run on (detected, or `--branch`)."""

from __future__ import annotations

import json

import yaml

from gitdesk import __version__
from tests.support.desk import git
from tests.support.init import run

SETUP = f"OWNER/gitdesk/.github/actions/setup@v{__version__}"


def workflow(root, name: str) -> dict:
    data = yaml.safe_load((root / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True)
    return data


def setup_steps(root) -> list[dict]:
    out = []
    for path in sorted((root / ".github" / "workflows").glob("*.yml")):
        for job in workflow(root, path.name)["jobs"].values():
            out += [s for s in job.get("steps", []) if "/.github/actions/setup" in s.get("uses", "")]
    return out


def pages_branch(root) -> tuple[list[str], str]:
    data = workflow(root, "pages.yml")
    return data["on"]["push"]["branches"], data["jobs"]["deploy"]["if"]


def test_every_job_that_runs_gitdesk_uses_the_setup_action_of_this_version(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), cwd=tmp_path).returncode == 0
    steps = setup_steps(root)
    assert len(steps) == 8 and all(s == {"name": "Set up gitdesk", "uses": SETUP} for s in steps)
    for path in (root / ".github" / "workflows").glob("*.yml"):
        assert "pip install" not in path.read_text(encoding="utf-8"), path.name


def test_install_overrides_what_the_action_installs(exe, tmp_path):
    root = tmp_path / "desk"
    spec = "https://example.com/dist/gitdesk-0.1.0-py3-none-any.whl"
    assert run(exe, "init", str(root), "--install", spec, cwd=tmp_path).returncode == 0
    assert {json.dumps(s, sort_keys=True) for s in setup_steps(root)} == {
        json.dumps({"name": "Set up gitdesk", "uses": SETUP, "with": {"install": spec}}, sort_keys=True)}


def test_a_new_repository_is_created_on_gits_default_branch_and_the_workflows_follow_it(exe, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = trunk\n", encoding="utf-8")
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), "--json", cwd=tmp_path, env={"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["branch"] == "trunk"
    assert git(root, "symbolic-ref", "--short", "HEAD").strip() == "trunk"
    assert pages_branch(root) == (["trunk"], "github.ref == 'refs/heads/trunk'")


def test_without_any_setting_a_new_repository_is_on_main(exe, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), "--github", "acme/helpdesk", cwd=tmp_path,
               env={"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"})
    assert proc.returncode == 0, proc.stderr
    assert git(root, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert pages_branch(root) == (["main"], "github.ref == 'refs/heads/main'")
    assert "HEAD:main" in proc.stdout


def test_a_clone_follows_its_remotes_default_branch_and_branch_overrides(exe, tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "--initial-branch=production")
    git(origin, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "start")
    git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    git(clone, "checkout", "-q", "-b", "feature")  # working on a branch: the workflows still run on the default
    proc = run(exe, "init", "--github", "acme/helpdesk", cwd=clone)
    assert proc.returncode == 0, proc.stderr
    assert pages_branch(clone) == (["production"], "github.ref == 'refs/heads/production'")
    assert "HEAD:production" in proc.stdout
    proc = run(exe, "init", "--force", "--branch", "release/v2", cwd=clone)
    assert proc.returncode == 0, proc.stderr
    assert pages_branch(clone) == (["release/v2"], "github.ref == 'refs/heads/release/v2'")


def test_a_bad_branch_name_writes_nothing(exe, tmp_path):
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), "--branch", "main'; echo", cwd=tmp_path)
    assert proc.returncode == 2 and "--branch: not a branch name" in proc.stderr
    assert not root.exists()
