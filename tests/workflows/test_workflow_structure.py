"""Security and shape rules for every workflow, checked on the parsed YAML and the raw text.

What zizmor and actionlint do not pin down for this project: `permissions: {}` at the top and an
exact grant per job, no `${{ }}` anywhere in a script, actions pinned to full commit SHAs with a
version comment, credentials not persisted except where a job pushes, concurrency and timeouts,
and scripts that call gitdesk rather than carrying logic of their own.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from tests.support.workflows import ROOT, WORKFLOW_FILES, all_steps, load_workflow, load_yaml, logical_lines, steps

WORKFLOWS = {p.name: p for p in WORKFLOW_FILES}

# Least privilege: the exact permissions of every job. A new grant must be added here on purpose.
JOB_PERMISSIONS = {
    ("triage.yml", "triage"): {"contents": "read", "issues": "write"},
    ("sla.yml", "check"): {"contents": "write", "issues": "write"},
    ("kb-review.yml", "review"): {"contents": "write", "issues": "write"},
    ("metrics.yml", "metrics"): {"contents": "read", "issues": "read"},
    ("kb.yml", "kb"): {"contents": "read"},
    ("pages.yml", "build"): {"contents": "read", "issues": "read"},
    ("pages.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("tests.yml", "tests"): {"contents": "read"},
    ("intake.yml", "intake"): {"contents": "write", "issues": "write"},
    ("notify.yml", "notify"): {"contents": "write", "issues": "write"},
    ("sync.yml", "sync"): {"contents": "write", "issues": "write"},
    ("release.yml", "build"): {"contents": "read"},
    ("release.yml", "publish"): {"id-token": "write"},
    ("release.yml", "github-release"): {"contents": "write"},
}
#: The jobs that may mint an OIDC token: Pages' deployment and the package index's trusted publishing.
OIDC_JOBS = {("pages.yml", "deploy"), ("release.yml", "publish")}

# Jobs allowed to keep checkout's credentials, because they push.
PUSHING_JOBS = {("sla.yml", "check"), ("kb-review.yml", "review"), ("intake.yml", "intake"), ("notify.yml", "notify"), ("sync.yml", "sync")}
#: The secrets a workflow may read (each only through a step's env:), and by whom.
SECRETS = {"GITHUB_TOKEN": None, "GITDESK_IMAP_PASSWORD": {"intake.yml"},
           "GITDESK_SMTP_PASSWORD": {"intake.yml", "notify.yml", "sla.yml"}}

LOCAL_SETUP = "./.github/actions/setup"
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+#\s+v\d+\.\d+\.\d+\s*$")

# What a `run:` line may be: a gitdesk command, installing gitdesk, the CI script, or the git
# plumbing (and its shell control words) of a job that commits what gitdesk wrote.
ALLOWED_RUN_LINE = re.compile(
    r"^(gitdesk( |$)|python -m pip install \.$|bash \.ci/run$|git |if git |then$|fi$|else$|echo \"[^\"$`]*\"$|exit 0$"
    # the release: gitdesk's own build and check scripts, the build tools, the GitHub release
    r"|bash \.ci/release\.sh \"\$TAG\" dist$|python3 \.ci/release_notes\.py |python -m pip install --quiet build twine$"
    r"|gh release create \"\$TAG\" )"
)


@pytest.fixture(params=sorted(WORKFLOWS), ids=str)
def wf(request):
    return request.param, load_workflow(WORKFLOWS[request.param])


def test_every_job_is_listed_in_the_permission_table():
    jobs = {(name, job) for name, path in WORKFLOWS.items() for job in load_workflow(path)["jobs"]}
    assert jobs == set(JOB_PERMISSIONS)


def test_top_level_permissions_are_empty(wf):
    name, data = wf
    assert "permissions" in data, f"{name}: no top-level permissions"
    assert data["permissions"] == {}, f"{name}: top-level permissions must be {{}}"


def test_each_job_has_exactly_its_permissions(wf):
    name, data = wf
    for job_id, job in data["jobs"].items():
        assert job.get("permissions") == JOB_PERMISSIONS[(name, job_id)], f"{name}: jobs.{job_id}.permissions"


def test_only_the_deploy_and_publish_jobs_can_mint_an_oidc_token_or_write_pages():
    for (name, job), perms in JOB_PERMISSIONS.items():
        if (name, job) not in OIDC_JOBS:
            assert "id-token" not in perms and "pages" not in perms, (name, job)
    assert "pages" not in JOB_PERMISSIONS[("release.yml", "publish")]


def test_every_job_has_a_timeout_and_a_runner(wf):
    name, data = wf
    for job_id, job in data["jobs"].items():
        timeout = job.get("timeout-minutes")
        assert isinstance(timeout, int) and 0 < timeout <= 90, f"{name}: jobs.{job_id}.timeout-minutes"
        assert job.get("runs-on") == "ubuntu-latest", f"{name}: jobs.{job_id}.runs-on"


def test_no_job_runs_a_step_twice(wf):
    """Two merges once left pages.yml checking the KB twice in a row."""
    name, data = wf
    for job_id, job in data["jobs"].items():
        seen = [json.dumps(step, sort_keys=True) for step in job.get("steps") or []]
        assert len(seen) == len(set(seen)), f"{name}: jobs.{job_id} repeats a step"


def test_every_workflow_has_a_concurrency_group(wf):
    name, data = wf
    conc = data.get("concurrency")
    assert isinstance(conc, dict) and conc.get("group"), f"{name}: no concurrency group"
    assert isinstance(conc.get("cancel-in-progress"), bool)


def test_no_dangerous_triggers(wf):
    name, data = wf
    triggers = data["on"] if isinstance(data["on"], dict) else {t: None for t in data["on"]}
    assert "pull_request_target" not in triggers, name
    assert "workflow_run" not in triggers, name


def test_no_expression_inside_any_script():
    """Values reach scripts through `env:` only: no `${{ }}` in `run:`, whatever the context."""
    offenders = [s.where for s in all_steps() if "${{" in (s.data.get("run") or "")]
    assert offenders == []
    for path in WORKFLOW_FILES:
        data = load_workflow(path)
        for job_id, job in data["jobs"].items():
            assert "${{" not in str((job.get("defaults") or {}).get("run", "")), f"{path.name}: {job_id}"


def test_secrets_only_reach_steps_through_env():
    for path in WORKFLOW_FILES:
        text = path.read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), 1):
            if "secrets." in line.split("#", 1)[0] or "${{ secrets" in line:
                m = re.fullmatch(r"\s+([A-Z_]+): \$\{\{ secrets\.\1 \}\}( # zizmor: ignore\[secrets-outside-env\])?", line)
                assert m, f"{path.name}:{lineno}: {line.strip()}"
                assert m.group(1) in SECRETS and path.name in (SECRETS[m.group(1)] or {path.name}), f"{path.name}:{lineno}"
                assert bool(m.group(2)) == (m.group(1) != "GITHUB_TOKEN"), f"{path.name}:{lineno}"
    for s in all_steps():
        for key, value in (s.data.get("with") or {}).items():
            assert "secrets." not in str(value), f"{s.where}: with.{key}"


def test_every_action_is_pinned_to_a_commit_sha_with_a_version_comment():
    seen: dict[str, set[str]] = defaultdict(set)
    count = 0
    for path in WORKFLOW_FILES:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = USES_LINE.match(line)
            if not m:
                continue
            count += 1
            where = f"{path.name}:{lineno}"
            ref = m.group("ref")
            if ref.startswith("./"):  # the one local action: gitdesk's setup, from the working tree
                assert ref == LOCAL_SETUP and m.group("rest").strip() == "# zizmor: ignore[self-repository]", where
                continue
            pin = PINNED.match(ref)
            assert pin, f"{where}: {ref} is not pinned to a full 40-hex commit SHA"
            assert VERSION_COMMENT.match(m.group("rest")), f"{where}: add a `# vX.Y.Z` comment naming the release"
            seen[pin.group("action")].add(ref + m.group("rest").strip())
    assert count >= 10  # the checkouts, Python setups, artifact and Pages actions
    # one version of each action everywhere
    assert {action: len(pins) for action, pins in seen.items() if len(pins) > 1} == {}
    # and every `uses:` line was seen by the regex (no other spelling slipped through)
    parsed = sum(1 for s in all_steps() if "uses" in s.data)
    assert parsed == count
    # the setup action pins its own actions the same way, with the same versions
    action = (ROOT / ".github/actions/setup/action.yml").read_text(encoding="utf-8")
    for m in filter(None, map(USES_LINE.match, action.splitlines())):
        pin = PINNED.match(m.group("ref"))
        assert pin and VERSION_COMMENT.match(m.group("rest")), m.group(0)
        assert seen.get(pin.group("action"), {m.group("ref") + m.group("rest").strip()}) == {m.group("ref") + m.group("rest").strip()}


def test_checkout_does_not_persist_credentials_unless_the_job_pushes():
    checkouts = [s for s in all_steps() if str(s.data.get("uses", "")).startswith("actions/checkout@")]
    assert len(checkouts) == 12
    for s in checkouts:
        persist = (s.data.get("with") or {}).get("persist-credentials")
        if (s.workflow, s.job) in PUSHING_JOBS:
            assert persist is True, s.where
            assert any("git push" in (o.data.get("run") or "") for o in steps(ROOT / ".github/workflows" / s.workflow) if o.job == s.job)
        else:
            assert persist is False, f"{s.where}: set persist-credentials: false"


def test_python_is_3_12_and_gitdesk_is_installed_from_the_checkout():
    action = load_yaml(ROOT / ".github/actions/setup/action.yml")
    assert action["inputs"]["python-version"]["default"] == "3.12"
    for path in WORKFLOW_FILES:
        data = load_workflow(path)
        for job_id, job in data["jobs"].items():
            job_steps = job.get("steps") or []
            runs = [st.get("run", "") for st in job_steps]
            uses = [str(st.get("uses", "")) for st in job_steps]
            uses_gitdesk = any(line.startswith("gitdesk ") for r in runs for line in logical_lines(r))
            setups = [st for st in job_steps if str(st.get("uses", "")).startswith("actions/setup-python@")]
            if "bash .ci/run" in runs or (path.name, job_id) == ("release.yml", "build"):
                assert [st["with"]["python-version"] for st in setups] == ["3.12"], f"{path.name}: {job_id}"
            if uses_gitdesk:
                assert setups == [], f"{path.name}: {job_id}: Python comes from the setup action"
                install = uses.index(LOCAL_SETUP)
                assert "with" not in job_steps[install], f"{path.name}: {job_id}: gitdesk from the working tree"
                first_call = min(i for i, r in enumerate(runs) if r.startswith("gitdesk "))
                assert install < first_call, f"{path.name}: {job_id} calls gitdesk before installing it"


def test_scripts_call_gitdesk_instead_of_carrying_logic():
    for s in all_steps():
        for line in logical_lines(s.data.get("run") or ""):
            assert ALLOWED_RUN_LINE.match(line), f"{s.where}: {line!r} is logic that belongs in a gitdesk command"


def test_every_workflow_runs_gitdesk_or_the_test_suite():
    for path in WORKFLOW_FILES:
        scripts = " ".join(s.data.get("run", "") for s in steps(path))
        assert "gitdesk " in scripts or "bash .ci/" in scripts, path.name


def test_shell_is_bash_with_pipefail_semantics(wf):
    # `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}` on GitHub's runners.
    name, data = wf
    assert data.get("defaults", {}).get("run", {}).get("shell") == "bash", name


# -- what each workflow is for ---------------------------------------------------------------


def on(name: str) -> dict:
    return load_workflow(WORKFLOWS[name])["on"]


def env_of(name: str, job: str, needle: str) -> tuple[dict, str]:
    for s in steps(WORKFLOWS[name]):
        if s.job == job and needle in (s.data.get("run") or ""):
            return s.data.get("env") or {}, s.data["run"].strip()
    raise AssertionError(f"{name}: no step running {needle!r}")


def test_triage_runs_on_issue_changes_with_the_number_passed_through_env():
    # not issue_comment: zizmor rates it a dangerous trigger, and the requester's answer is picked
    # up by the next triage of that issue (edits, reopen) and by the SLA clocks from the comments
    assert on("triage.yml") == {"issues": {"types": ["opened", "edited", "reopened"]}}
    env, script = env_of("triage.yml", "triage", "gitdesk github triage")
    assert script == 'gitdesk github triage "$ISSUE_NUMBER"'
    assert env == {"ISSUE_NUMBER": "${{ github.event.issue.number }}", "GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}


def test_sla_runs_on_a_schedule_and_by_hand_and_commits_as_the_bot():
    triggers = on("sla.yml")
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert triggers["schedule"] == [{"cron": "*/30 * * * *"}]
    data = load_workflow(WORKFLOWS["sla.yml"])
    assert data["concurrency"] == {"group": "helpdesk-writes", "cancel-in-progress": False}
    _, script = env_of("sla.yml", "check", "gitdesk sla check")
    assert script == "gitdesk sla check --apply --json"  # a breach must not fail the run (see sla.yml)
    _, ident = env_of("sla.yml", "check", "git config user.name")
    assert '"github-actions[bot]"' in ident
    checkout = next(s for s in steps(WORKFLOWS["sla.yml"]) if "checkout" in str(s.data.get("uses")))
    assert checkout.data["with"]["ref"] == "${{ github.ref }}"  # the branch tip, not the queued SHA
    _, push = env_of("sla.yml", "check", "git push")
    assert "git add -- tickets" in push and "git pull --rebase" in push


OPERATIONS = {"intake.yml": ["gitdesk intake email --imap --if-configured --json", "gitdesk notify --if-configured --json"],
              "notify.yml": ["gitdesk notify --if-configured --json"],
              "sla.yml": ["gitdesk sla check --apply --json", "gitdesk notify --if-configured --json"],
              "sync.yml": ["gitdesk sync --if-configured --json"],
              "kb-review.yml": ["gitdesk kb review --open-tickets --json"]}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operations_run_on_a_schedule_in_one_group_commit_what_they_record_and_keep_their_caches(name):
    data = load_workflow(WORKFLOWS[name])
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    # never two at once, across the four: each would push events the other has not seen
    assert data["concurrency"] == {"group": "helpdesk-writes", "cancel-in-progress": False}
    (job,) = data["jobs"].values()
    runs = [s["run"].strip() for s in job["steps"] if "run" in s]
    assert [r for r in runs if r.startswith("gitdesk ")] == OPERATIONS[name]
    commit = job["steps"][-1]
    assert commit["if"] == "${{ !cancelled() && github.ref_type == 'branch' }}"  # what was recorded is pushed
    assert "git add -- tickets" in commit["run"] and 'git push --quiet origin "HEAD:$GITHUB_REF_NAME"' in commit["run"]
    uses = [str(s.get("uses", "")) for s in job["steps"]]
    cache_at = next(i for i, u in enumerate(uses) if u.startswith("actions/cache@"))
    cache = job["steps"][cache_at]
    # the key names the commit, so a run saves at most one copy per commit; any older copy is
    # restored as a head start and refreshed by gitdesk's own checks, never trusted as it is
    assert cache["with"] == {"path": ".gitdesk", "key": "gitdesk-derived-${{ runner.os }}-${{ github.sha }}",
                             "restore-keys": "gitdesk-derived-${{ runner.os }}-"}
    first_call = min(i for i, s in enumerate(job["steps"]) if s.get("run", "").startswith("gitdesk "))
    assert uses.index(LOCAL_SETUP) < cache_at < first_call


def test_kb_review_runs_weekly_and_commits_as_the_bot():
    """Weekly (a review ticket per team and month: a run a week adds what fell due since), and
    overdue articles never fail the run (see kb-review.yml)."""
    triggers = on("kb-review.yml")
    [cron] = triggers["schedule"]
    minute, hour, day, month, weekday = cron["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit() and minute.isdigit() and hour.isdigit()
    _, script = env_of("kb-review.yml", "review", "gitdesk kb review")
    assert script == "gitdesk kb review --open-tickets --json"
    _, ident = env_of("kb-review.yml", "review", "git config user.name")
    assert '"github-actions[bot]"' in ident
    checkout = next(s for s in steps(WORKFLOWS["kb-review.yml"]) if "checkout" in str(s.data.get("uses")))
    assert checkout.data["with"]["ref"] == "${{ github.ref }}"


def test_metrics_runs_on_a_schedule_and_keeps_its_report():
    assert "schedule" in on("metrics.yml")
    _, script = env_of("metrics.yml", "metrics", "gitdesk metrics")
    assert script == "gitdesk metrics --out metrics/"
    upload = [s for s in steps(WORKFLOWS["metrics.yml"]) if "upload-artifact" in str(s.data.get("uses"))]
    assert [u.data["with"]["path"] for u in upload] == ["metrics/"]


def test_kb_checks_pull_requests_that_touch_the_knowledge_base():
    triggers = on("kb.yml")
    assert set(triggers) == {"pull_request"}
    assert {"kb/**", "mkdocs.yml", "helpdesk.yml"} <= set(triggers["pull_request"]["paths"])
    scripts = [s.data.get("run", "").strip() for s in steps(WORKFLOWS["kb.yml"])]
    assert scripts.index("gitdesk kb check") < scripts.index("gitdesk site build")


def test_pages_builds_then_deploys_main_only():
    triggers = on("pages.yml")
    assert triggers["push"] == {"branches": ["main"]}
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    # the site (and its dashboard) is rebuilt after the daily metrics run
    pages_cron = triggers["schedule"][0]["cron"].split()
    metrics_cron = on("metrics.yml")["schedule"][0]["cron"].split()
    assert (int(pages_cron[1]), int(pages_cron[0])) > (int(metrics_cron[1]), int(metrics_cron[0]))
    data = load_workflow(WORKFLOWS["pages.yml"])
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["environment"]["name"] == "github-pages"
    assert [str(s.get("uses", "")).split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    build_steps = data["jobs"]["build"]["steps"]
    scripts = [s.get("run", "") for s in build_steps]
    assert "gitdesk site build" in scripts
    upload = [s for s in build_steps if "upload-pages-artifact" in str(s.get("uses"))]
    assert [u["with"]["path"] for u in upload] == ["site/"]


def test_tests_run_the_ci_script():
    triggers = on("tests.yml")
    assert {"push", "pull_request"} <= set(triggers)
    scripts = [s.data.get("run", "").strip() for s in steps(WORKFLOWS["tests.yml"]) if s.data.get("run")]
    assert scripts == ["bash .ci/run"]
