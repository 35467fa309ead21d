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

The proof of issue 15 (test_a_new_desk_runs_its_operations_loop) runs a desk fresh from `gitdesk
init` through all of it, triage included, with the fake GitHub, Dovecot and aiosmtpd standing in
for the network: `run_job(values=...)` gives the run its secrets and event, `run_job(cache=...)`
carries `.gitdesk/` from run to run as `actions/cache` would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
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
            workflows: Path = WORKFLOWS_DIR, values: dict[str, str] | None = None,
            cache: Path | None = None) -> dict[str, subprocess.CompletedProcess]:
    """Execute a job's steps in ``work``; return each run step's result by step name.

    ``bin_dir`` goes first on PATH (a stand-in ``gitdesk`` for testing the plumbing alone);
    ``workflows``: where the workflow files are (another desk's, e.g. one `gitdesk init` made);
    ``values``: what expressions stand for in this run (the repository's secrets, the event),
    over :data:`EXPRESSIONS`; ``cache``: the runner's cache store: `actions/cache` restores it
    into ``.gitdesk/`` and, as its post step does, the job's ``.gitdesk/`` is saved back to it.
    """
    job = load_workflow(workflows / workflow)["jobs"][job_id]
    expressions = {**EXPRESSIONS, **(values or {})}
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
            elif action == "actions/cache" and cache is not None:
                assert step["with"]["path"] == ".gitdesk", f"{where}: teach this test the cache path"
                if cache.is_dir():
                    shutil.copytree(cache, work / ".gitdesk", dirs_exist_ok=True)
            else:
                assert action in SKIPPED_ACTIONS, f"{where}: teach this test the action {action}"
            continue
        script = step["run"]
        env = runner_env(home, bin_dir)
        for key, value in (step.get("env") or {}).items():
            assert value in expressions, f"{where}: teach this test the value {value!r}"
            env[key] = expressions[value]
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work, env=env, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, f"{where} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        results[step.get("name", script)] = proc
    if cache is not None and (work / ".gitdesk").is_dir() and any(s.get("uses", "").startswith("actions/cache@") for s in job["steps"]):
        shutil.rmtree(cache, ignore_errors=True)  # the post step saves what the job left
        shutil.copytree(work / ".gitdesk", cache)
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
def test_kb_review_job_asks_each_team_once_and_pushes_as_the_bot(tmp_path):
    """A desk fresh from `gitdesk init` with one article long overdue: the weekly job opens one
    review ticket (its events committed by the bot and pushed); the next run records nothing."""
    from gitdesk.scaffold import scaffold

    home = tmp_path / "home"
    home.mkdir()
    desk = scaffold(tmp_path / "desk", branch="main").root
    article = desk / "kb" / "accounts" / "reset-password.md"
    article.write_text(re.sub(r"(?m)^last_reviewed: .*$", "last_reviewed: 2020-01-02", article.read_text(encoding="utf-8")),
                       encoding="utf-8")
    git("add", "-A", cwd=desk)
    git("-c", "user.name=Ana", "-c", "user.email=ana@example.com", "commit", "-q", "-m", "Start the help desk", cwd=desk)
    bare = tmp_path / "origin.git"
    git("clone", "--quiet", "--bare", str(desk), str(bare), cwd=tmp_path)
    workflows = desk / ".github" / "workflows"
    first = run_job("kb-review.yml", "review", checkout(bare, tmp_path / "run1"), home, workflows=workflows)
    report = json.loads(first["Open or update the review tickets"].stdout)
    assert [(t["owner"], t["created"], t["articles"]) for t in report["tickets"]] == [
        ("service-desk", True, ["accounts/reset-password.md"])]
    assert git("log", "-1", "--format=%an: %s", "main", cwd=bare).strip() == (
        "github-actions[bot]: kb review: record the review tickets from the scheduled check")
    events = [n for n in git("ls-tree", "-r", "--name-only", "main", "--", "tickets", cwd=bare).splitlines() if n.endswith(".yml")]
    assert len(events) == 1 and report["tickets"][0]["id"] in events[0]
    tip = git("rev-parse", "main", cwd=bare)
    second = run_job("kb-review.yml", "review", checkout(bare, tmp_path / "run2"), home, workflows=workflows)
    assert [t["changed"] for t in json.loads(second["Open or update the review tickets"].stdout)["tickets"]] == [False]
    assert "Nothing new to record." in second["Commit and push what was recorded"].stdout
    assert git("rev-parse", "main", cwd=bare) == tip


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
    assert ran == ["intake.yml:intake", "kb-review.yml:review", "kb.yml:kb", "metrics.yml:metrics", "notify.yml:notify",
                   "pages.yml:build", "sla.yml:check", "sync.yml:sync"]
    assert git("rev-parse", "main", cwd=bare) == before


# -- the proof: a desk fresh from `gitdesk init` runs its operations loop on local servers ----------

def _mail(sent: datetime) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = "Sam Carter <sam.carter@northwind.example>"
    msg["To"] = "helpdesk@northwind.example"
    msg["Subject"] = "The VPN drops every few minutes"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = "<vpn-drops-0001@northwind.example>"
    msg.set_content("Since this morning the VPN disconnects every few minutes when I work from home.\n\nSam")
    return msg.as_bytes()


def _form_issue_body(form: dict) -> str:
    """An issue body as GitHub renders the support form: "### label", a blank line, the answer."""
    answers = {"description": "Outlook asks for my password again and again since this morning."}
    parts = []
    for item in form["body"]:
        if item.get("type") == "markdown":
            continue
        attrs = item["attributes"]
        if item["id"] == "category":
            answer = next(o for o in attrs["options"] if "mail" in o.casefold())
        elif "options" in attrs:
            answer = attrs["options"][0]
        else:
            answer = answers.get(item["id"], "_No response_")
        parts.append(f"### {attrs['label']}\n\n{answer}")
    return "\n\n".join(parts)


@pytest.fixture
def dovecot():
    from tests.support.mail_servers import dovecot_binary, start_dovecot

    binary = dovecot_binary()
    if binary is None:
        from tests.intake.conftest import skip_or_fail

        skip_or_fail("Dovecot is not installed (apt-get install dovecot-imapd): the proof needs a real IMAP server")
    server = start_dovecot(binary)
    yield server
    server.stop()


@pytest.fixture
def smtp_server():
    from tests.support.mail_servers import start_smtp

    server = start_smtp()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_new_desk_runs_its_operations_loop(tmp_path, fake_github, dovecot, smtp_server):
    """The issue's proof. `gitdesk init --github octo-org/helpdesk`, mail and GitHub configured
    as a desk that takes requests by mail and as issues would (tickets in files, synced with the
    repository's issues), pushed to a bare origin; then each workflow's job runs as the runner
    would, one after the other, every run on a fresh clone with the secrets in env and .gitdesk/
    carried between runs by the cache:

    intake takes the mail into a ticket and acknowledges it; triage labels an issue opened from
    the form; sync brings that issue into tickets and the mail's ticket to GitHub; the SLA run
    escalates the mail's ticket (the message is dated two days back: it sat in the mailbox over a
    weekend, so its first-response clock is breached at the SLA run); notify, run twice more,
    sends nothing again: the server received each message once; the Pages build makes the site.
    """
    import yaml

    from tests.support.init import run as run_cli
    from tests.intake.conftest import update_config

    exe = str(Path(sys.executable).with_name("gitdesk"))
    home = tmp_path / "home"
    home.mkdir()
    desk = tmp_path / "desk"
    made = run_cli(exe, "init", str(desk), "--github", "octo-org/helpdesk", "--branch", "main", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    imap = {**dovecot.settings(), "password_env": "GITDESK_IMAP_PASSWORD"}
    smtp = {"host": smtp_server.host, "port": smtp_server.port, "starttls": False, "tls": False, "user": ""}
    agents = {team: {"agents": ["Ana Lima <ana.lima@northwind.example>"]}  # whom SLA warnings reach
              for team in ("service-desk", "desktop", "infrastructure")}
    update_config(desk, mail={"imap": imap, "smtp": smtp}, github={"api_url": fake_github.base_url}, teams=agents)
    config = yaml.safe_load((desk / "helpdesk.yml").read_text(encoding="utf-8"))
    assert config.get("backend", "files") == "files" and config["github"]["repository"] == "octo-org/helpdesk"
    git("add", "-A", cwd=desk)
    git("-c", "user.name=Ana", "-c", "user.email=ana@example.com", "commit", "-q", "-m", "Start the help desk", cwd=desk)
    bare = tmp_path / "origin.git"
    git("clone", "--quiet", "--bare", str(desk), str(bare), cwd=tmp_path)
    workflows = desk / ".github" / "workflows"
    secrets = {"${{ secrets.GITDESK_IMAP_PASSWORD }}": dovecot.password,
               "${{ secrets.GITDESK_SMTP_PASSWORD }}": "unused-the-local-server-needs-no-login"}
    cache = tmp_path / "runner-cache"
    ran: list[str] = []

    def job(workflow: str, job_id: str, **values: str) -> dict[str, subprocess.CompletedProcess]:
        ran.append(f"{workflow}:{job_id}")
        work = checkout(bare, tmp_path / f"{len(ran):02d}-{workflow.removesuffix('.yml')}")
        return run_job(workflow, job_id, work, home, workflows=workflows, values={**secrets, **values}, cache=cache)

    def out(results, step: str) -> dict:
        return json.loads(results[step].stdout)

    def tickets() -> dict[str, list[dict]]:
        """Every ticket's events on origin's main, oldest first."""
        names = git("ls-tree", "-r", "--name-only", "main", "--", "tickets", cwd=bare).splitlines()
        found: dict[str, list[dict]] = {}
        for name in sorted(n for n in names if n.endswith(".yml")):
            found.setdefault(name.split("/")[1], []).append(yaml.safe_load(git("show", f"main:{name}", cwd=bare)))
        return found

    # 1. intake: the mail becomes a ticket, its acknowledgement is sent once
    sent_at = datetime.now(timezone.utc) - timedelta(days=2)
    dovecot.append(_mail(sent_at))
    first = job("intake.yml", "intake")
    assert out(first, "Take in new mail").get("configured", True) is not False, first["Take in new mail"].stdout
    [(mail_ticket, events)] = tickets().items()
    assert events[0]["action"] == "new" and "VPN" in events[0]["set"]["title"]
    acknowledged = [m for m in smtp_server.received if "sam.carter@northwind.example" in m.recipients]
    assert len(acknowledged) == 1, [m.recipients for m in smtp_server.received]
    again = job("intake.yml", "intake")  # the next scheduled run: the message is taken once
    assert "Nothing new to record." in again["Commit and push what was recorded"].stdout
    assert len(tickets()) == 1

    # 2. triage: an issue opened from the desk's form is labelled
    form = yaml.safe_load((desk / ".github/ISSUE_TEMPLATE/support-request.yml").read_text(encoding="utf-8"))
    issue = fake_github.seed_issue("Outlook keeps asking for my password", _form_issue_body(form), user="maria")
    job("triage.yml", "triage", **{"${{ github.event.issue.number }}": str(issue.number)})
    labels = sorted(fake_github.issue_labels(issue.number))
    assert "category: email" in labels and any(lab.startswith("priority: ") for lab in labels), labels
    assert "needs-triage" not in labels

    # 3. sync: the issue becomes a ticket, the mail's ticket an issue
    synced = out(job("sync.yml", "sync"), "Sync issues and tickets")
    assert synced["repository"] == "octo-org/helpdesk", synced
    assert len(tickets()) == 2
    assert any("VPN" in i.title for i in fake_github.issues()), [i.title for i in fake_github.issues()]

    # 4. SLA: the mail's ticket (two days in the mailbox) is escalated, once
    before = {tid: len(evs) for tid, evs in tickets().items()}
    escalated = job("sla.yml", "check")
    report = out(escalated, "Check SLAs and record escalations")
    after = tickets()
    new_events = after[mail_ticket][before[mail_ticket]:]
    assert any((e.get("add") or {}).get("escalations") for e in new_events), (report, new_events)
    warned = [m for m in smtp_server.received if "ana.lima@northwind.example" in m.recipients]
    assert warned, [(m.recipients, m.message()["Subject"]) for m in smtp_server.received]  # sent by the SLA job
    tip = git("rev-parse", "main", cwd=bare)
    job("sla.yml", "check")
    assert git("rev-parse", "main", cwd=bare) == tip  # nothing new to record on the next run

    # 5. notify twice more: every message was sent once, nothing is sent again
    received = len(smtp_server.received)
    for _ in range(2):
        job("notify.yml", "notify")
    assert len(smtp_server.received) == received
    ids = [m.message()["Message-ID"] for m in smtp_server.received]
    assert len(ids) == len(set(ids)), ids
    acknowledged = [m for m in smtp_server.received if "sam.carter@northwind.example" in m.recipients]
    assert len(acknowledged) == 1, [(m.recipients, m.message()["Subject"]) for m in smtp_server.received]

    # 6. the Pages build passes on the desk as the loop left it (its upload step finds site/),
    # and so do the KB check and the metrics report
    built = job("pages.yml", "build")
    assert "Build the site (strict)" in built
    job("kb.yml", "kb")
    job("metrics.yml", "metrics")
    # 7. the weekly KB review: the starter articles were reviewed today, so nothing to ask
    review = job("kb-review.yml", "review")
    assert out(review, "Open or update the review tickets")["owners"] == []
    assert "Nothing new to record." in review["Commit and push what was recorded"].stdout
    every = {f"{p.name}:{j}" for p in workflows.glob("*.yml") for j in load_workflow(p)["jobs"]}
    assert every - set(ran) == {"pages.yml:deploy"}  # GitHub's Pages service: see the report of issue 15
    assert json.loads(git("show", "main:.github/gitdesk.lock", cwd=bare))["inputs"]["branch"] == "main"
    assert cache.is_dir() and any(cache.iterdir())  # the runs handed .gitdesk/ on through the cache
    authors = git("log", "--format=%an", "main", cwd=bare).splitlines()  # newest first
    assert authors[-1] == "Ana" and set(authors[:-1]) == {"github-actions[bot]"}, authors  # each push since: the bot
