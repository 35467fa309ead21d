"""Run the workflows' own scripts, as GitHub's runner would, in a clone of this repository.

For every job that works on the files backend (SLA check, metrics, KB check, pages build), the
`run:` steps are executed with bash -eo pipefail (what `shell: bash` means on GitHub), with the
step's `env:` resolved and the runner's default variables set. `actions/checkout` is the clone,
gitdesk's setup action (`.github/actions/setup`) is this virtualenv, an upload step checks that its
path holds files. The SLA job pushes to a local bare "origin" and is run twice: the first run
may only add new event files under tickets/, the second must change nothing.

Triage needs the GitHub API: its command is parsed in test_workflow_commands.py and exercised by
the GitHub backend's tests against the local test server. Steps that call commands not landed
yet make a job xfail (strict), like the parse tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.github.plugin import *  # noqa: F401,F403  (the fake GitHub: fake_github)

from tests.support.workflows import ROOT, WORKFLOWS_DIR, gitdesk_calls, load_workflow
from .test_workflow_commands import MISSING

# The only expressions a step's env or if may use; anything else must be added here on purpose.
EXPRESSIONS = {
    "${{ secrets.GITHUB_TOKEN }}": "test-token-never-sent",
    "${{ secrets.GITDESK_IMAP_PASSWORD }}": "imap-password-never-sent",
    "${{ secrets.GITDESK_SMTP_PASSWORD }}": "smtp-password-never-sent",
    "${{ github.event.issue.number }}": "7",
}
CONDITIONS = {"github.ref_type == 'branch'": True, "${{ !cancelled() && github.ref_type == 'branch' }}": True}
# setup: this virtualenv; cache: the runs here keep .gitdesk/ in the checkout or start cold
SKIPPED_ACTIONS = {"actions/checkout", "actions/setup-python", "./.github/actions/setup", "actions/cache",
                   "OWNER/gitdesk/.github/actions/setup"}  # (the last: what `gitdesk init` writes)
UPLOAD_ACTIONS = {"actions/upload-artifact", "actions/upload-pages-artifact"}


def git(*args, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def runner_env(home: Path, bin_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITDESK_", "GITHUB_", "GH_", "GIT_"))}
    path = [str(p) for p in (bin_dir, Path(sys.executable).parent) if p] + [env.get("PATH", "")]
    env.update(
        PATH=os.pathsep.join(path),
        HOME=str(home), CI="true", GITHUB_ACTIONS="true", GIT_CONFIG_NOSYSTEM="1",
        GITHUB_REF="refs/heads/main", GITHUB_REF_NAME="main", GITHUB_REF_TYPE="branch",
        GITHUB_REPOSITORY="northwind/helpdesk",
    )
    return env


def missing_commands(workflow: str, job: str) -> list[str]:
    return sorted({c.chain for c in gitdesk_calls() if c.step.workflow == workflow and c.step.job == job} & set(MISSING))


def run_job(workflow: str, job_id: str, work: Path, home: Path, bin_dir: Path | None = None,
            workflows: Path = WORKFLOWS_DIR) -> dict[str, subprocess.CompletedProcess]:
    """Execute a job's steps in ``work``; return each run step's result by step name.

    ``bin_dir`` goes first on PATH (a stand-in ``gitdesk`` for testing the plumbing alone);
    ``workflows``: where the workflow files are (another desk's, e.g. one `gitdesk init` made).
    """
    job = load_workflow(workflows / workflow)["jobs"][job_id]
    results = {}
    for i, step in enumerate(job["steps"]):
        where = f"{workflow}: jobs.{job_id}.steps[{i}] ({step.get('name')})"
        if "if" in step:
            assert step["if"] in CONDITIONS, f"{where}: teach this test the condition {step['if']!r}"
            if not CONDITIONS[step["if"]]:
                continue
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action in UPLOAD_ACTIONS:
                folder = work / step["with"]["path"]
                assert folder.is_dir() and any(folder.iterdir()), f"{where}: nothing to upload in {folder}"
            else:
                assert action in SKIPPED_ACTIONS, f"{where}: teach this test the action {action}"
            continue
        script = step["run"]
        env = runner_env(home, bin_dir)
        for key, value in (step.get("env") or {}).items():
            assert value in EXPRESSIONS, f"{where}: teach this test the value {value!r}"
            env[key] = EXPRESSIONS[value]
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work, env=env, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, f"{where} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        results[step.get("name", script)] = proc
    return results


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare copy of this repository's committed HEAD, standing in for GitHub."""
    bare = tmp_path / "origin.git"
    git("clone", "--quiet", "--bare", "--no-hardlinks", str(ROOT), str(bare), cwd=tmp_path)
    branch = git("symbolic-ref", "--short", "HEAD", cwd=bare)
    if branch != "main":
        git("branch", "-M", branch, "main", cwd=bare)  # -M: a worktree's clone also has the old main
    return bare


def checkout(origin: Path, where: Path) -> Path:
    git("clone", "--quiet", "--branch", "main", str(origin), str(where), cwd=origin.parent)
    return where


def xfail_if_missing(workflow: str, job: str):
    missing = missing_commands(workflow, job)
    if missing:
        return pytest.mark.xfail(strict=True, reason="; ".join(MISSING[m] for m in missing))
    return []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("workflow", "job"),
    [pytest.param(w, j, marks=xfail_if_missing(w, j), id=f"{w}:{j}")
     for w, j in [("kb.yml", "kb"), ("pages.yml", "build"), ("metrics.yml", "metrics")]],
)
def test_job_runs_on_a_fresh_checkout(workflow, job, origin, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    work = checkout(origin, tmp_path / "work")
    run_job(workflow, job, work, home)
    if workflow == "pages.yml":
        assert (work / "site" / "index.html").is_file()
    # a job that only reads changes no tracked file; its only new files are its report
    status = git("status", "--porcelain", "--untracked-files=all", cwd=work).splitlines()
    assert [line for line in status if not line.startswith("?? metrics/")] == []


@pytest.mark.slow
@pytest.mark.xfail(bool(missing_commands("sla.yml", "check")), strict=True,
                   reason="; ".join(MISSING[m] for m in missing_commands("sla.yml", "check")) or "n/a")
def test_sla_job_is_safe_to_run_twice(origin, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    before = git("rev-parse", "main", cwd=origin)

    first = run_job("sla.yml", "check", checkout(origin, tmp_path / "run1"), home)
    report = next(p for name, p in first.items() if "SLA" in name)
    json.loads(report.stdout)  # --json prints one JSON document
    after_first = git("rev-parse", "main", cwd=origin)
    if after_first != before:
        changes = git("diff", "--name-status", before, after_first, cwd=origin).splitlines()
        assert changes, "an empty commit was pushed"
        for line in changes:
            status, path = line.split("\t", 1)
            assert status == "A" and path.startswith("tickets/"), f"the SLA job may only add event files: {line}"
        author = git("log", "-1", "--format=%an <%ae>", "main", cwd=origin)
        assert author == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"

    # the next scheduled run (or a late duplicate) checks out the new tip and records nothing new
    run_job("sla.yml", "check", checkout(origin, tmp_path / "run2"), home)
    assert git("rev-parse", "main", cwd=origin) == after_first


# -- the SLA job's commit-and-push plumbing, with a stand-in for `gitdesk sla check --apply` ----

FAKE_GITDESK = """#!/bin/sh
# Stand-in for `gitdesk sla check --apply --json`: records one escalation event, once
# (and for `gitdesk notify --if-configured --json` on a desk without a mail server).
if [ "$*" = "notify --if-configured --json" ]; then echo '{"configured": false}'; exit 0; fi
[ "$1 $2 $3 $4" = "sla check --apply --json" ] || { echo "unexpected: $*" >&2; exit 64; }
event=tickets/HD-01TEST/20260101T000000Z-escalation.yml
if [ ! -e "$event" ]; then
  mkdir -p "${event%/*}"
  printf 'type: escalation\\nclock: first_response\\n' > "$event"
fi
echo '{"breached": 1}'
"""


@pytest.fixture
def fake_gitdesk(tmp_path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "gitdesk"
    script.write_text(FAKE_GITDESK, encoding="utf-8")
    script.chmod(0o755)
    return bin_dir


def test_sla_plumbing_commits_new_events_once_as_the_bot(origin, fake_gitdesk, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    before = git("rev-parse", "main", cwd=origin)
    first = run_job("sla.yml", "check", checkout(origin, tmp_path / "run1"), home, fake_gitdesk)
    assert json.loads(next(p for n, p in first.items() if "SLA" in n).stdout) == {"breached": 1}
    after = git("rev-parse", "main", cwd=origin)
    assert git("rev-list", "--count", f"{before}..{after}", cwd=origin) == "1"
    assert git("diff", "--name-status", before, after, cwd=origin) == "A\ttickets/HD-01TEST/20260101T000000Z-escalation.yml"
    assert git("log", "-1", "--format=%an <%ae>|%s", "main", cwd=origin) == (
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|sla: record escalations from the scheduled check")

    second = run_job("sla.yml", "check", checkout(origin, tmp_path / "run2"), home, fake_gitdesk)
    assert git("rev-parse", "main", cwd=origin) == after
    assert "Nothing new to record." in second["Commit and push what was recorded"].stdout


def test_sla_plumbing_lands_on_top_of_a_push_made_while_it_ran(origin, fake_gitdesk, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    stale = checkout(origin, tmp_path / "run")  # checked out, then an agent pushes
    agent = checkout(origin, tmp_path / "agent")
    (agent / "tickets" / "HD-01AGENT").mkdir(parents=True)
    (agent / "tickets" / "HD-01AGENT" / "reply.yml").write_text("type: comment\n", encoding="utf-8")
    git("add", "tickets", cwd=agent)
    git("-c", "user.name=Ana Lima", "-c", "user.email=ana.lima@northwind.example", "commit", "-q", "-m", "reply", cwd=agent)
    git("push", "-q", "origin", "HEAD:main", cwd=agent)
    agent_tip = git("rev-parse", "main", cwd=origin)

    run_job("sla.yml", "check", stale, home, fake_gitdesk)
    tip = git("rev-parse", "main", cwd=origin)
    assert git("rev-parse", f"{tip}~1", cwd=origin) == agent_tip  # rebased, nothing lost
    assert git("show", "--name-only", "--format=", tip, cwd=origin) == "tickets/HD-01TEST/20260101T000000Z-escalation.yml"


@pytest.mark.slow
def test_operations_jobs_do_nothing_on_a_desk_without_mail_or_sync(origin, tmp_path):
    """This repository's desk sets no mail server and no GitHub repository: its scheduled intake,
    notify and sync runs must stay green and push nothing."""
    home = tmp_path / "home"
    home.mkdir()
    before = git("rev-parse", "main", cwd=origin)
    for workflow, job in (("intake.yml", "intake"), ("notify.yml", "notify"), ("sync.yml", "sync")):
        results = run_job(workflow, job, checkout(origin, tmp_path / workflow), home)
        outputs = [json.loads(p.stdout) for name, p in results.items() if p.stdout.startswith("{")]
        assert outputs and all(o["configured"] is False for o in outputs), (workflow, outputs)
        assert "Nothing new to record." in results["Commit and push what was recorded"].stdout
    assert git("rev-parse", "main", cwd=origin) == before


@pytest.mark.slow
def test_a_new_desks_workflows_run_on_its_first_push(tmp_path, fake_github):
    """`gitdesk init --github`, commit, push: every job of every workflow it wrote runs green on a
    fresh checkout (intake and notify as no-ops: no mail server; sync against the fake GitHub,
    an empty repository), the Pages build produces the site, and nothing is pushed back."""
    from gitdesk.scaffold import scaffold

    home = tmp_path / "home"
    home.mkdir()
    desk = scaffold(tmp_path / "desk", repository="octo-org/helpdesk", branch="main").root
    config = (desk / "helpdesk.yml").read_text(encoding="utf-8")
    (desk / "helpdesk.yml").write_text(config.replace("  api_url: https://api.github.com", f"  api_url: {fake_github.base_url}", 1),
                                       encoding="utf-8")
    git("add", "-A", cwd=desk)
    git("-c", "user.name=Ana", "-c", "user.email=ana@example.com", "commit", "-q", "-m", "Start the help desk", cwd=desk)
    bare = tmp_path / "origin.git"
    git("clone", "--quiet", "--bare", str(desk), str(bare), cwd=tmp_path)
    before = git("rev-parse", "main", cwd=bare)
    workflows = desk / ".github" / "workflows"
    ran = []
    for path in sorted(workflows.glob("*.yml")):
        for job_id, job in load_workflow(path)["jobs"].items():
            if path.name == "triage.yml" or job_id == "deploy":
                continue  # an issue event and GitHub's Pages service: see the module docstring
            work = checkout(bare, tmp_path / f"{path.stem}-{job_id}")
            results = run_job(path.name, job_id, work, home, workflows=workflows)
            ran.append(f"{path.name}:{job_id}")
            if path.name == "sync.yml":  # a real sync: the desk keeps tickets in files and on GitHub
                assert json.loads(results["Sync issues and tickets"].stdout)["repository"] == "octo-org/helpdesk"
            if path.name == "pages.yml":
                assert (work / "site" / "index.html").is_file()
    assert ran == ["intake.yml:intake", "kb.yml:kb", "metrics.yml:metrics", "notify.yml:notify", "pages.yml:build",
                   "sla.yml:check", "sync.yml:sync"]
    assert git("rev-parse", "main", cwd=bare) == before
