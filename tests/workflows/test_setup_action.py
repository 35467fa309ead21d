"""gitdesk's setup action (.github/actions/setup): what it installs, run as the runner runs it.

Its two scripts run here with the variables the runner gives a composite action's steps
(GITHUB_ACTION_PATH, GITHUB_OUTPUT); `python` and `gitdesk` are stand-ins that record what they
were asked, so nothing is installed. The action file itself is checked against GitHub's schema.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.workflows import ROOT, load_yaml, tool

ACTION = ROOT / ".github" / "actions" / "setup"

STUB_PYTHON = """#!/bin/sh
# Stand-in for python: `-m pip cache dir` answers a folder, `-m pip install ...` is recorded.
if [ "$1 $2 $3 $4" = "-m pip cache dir" ]; then echo "$HOME/.cache/pip"; exit 0; fi
echo "$*" >> "$STUB_LOG"
"""
STUB_GITDESK = """#!/bin/sh
[ "$1" = "--version" ] && echo "gitdesk 9.8.7"
"""


@pytest.fixture
def runner(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("python", STUB_PYTHON), ("gitdesk", STUB_GITDESK)):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)

    def run(script: str, action_path: Path = ACTION, **env: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
        out = tmp_path / "output"
        out.write_text("", encoding="utf-8")
        full = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), "GITHUB_OUTPUT": str(out),
                "GITHUB_ACTION_PATH": str(action_path), "STUB_LOG": str(tmp_path / "log"), **env}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(ACTION / script)],
                              env=full, capture_output=True, text=True, timeout=60)
        outputs = dict(line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines())
        return proc, outputs

    return run


def test_by_default_it_installs_the_gitdesk_of_its_own_ref(runner):
    proc, out = runner("spec.sh")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert Path(out["spec"]) == ROOT  # the action's copy of the repository: the version in `uses:`
    assert len(out["key"]) == 16 and out["pip-cache"].endswith("/.cache/pip")


def test_version_installs_that_release_and_install_any_requirement(runner):
    _, by_version = runner("spec.sh", GITDESK_VERSION="v0.2.0")
    assert by_version["spec"] == "gitdesk==0.2.0"
    _, by_spec = runner("spec.sh", GITDESK_INSTALL="git+https://example.com/acme/gitdesk@v1#egg=gitdesk")
    assert by_spec["spec"] == "git+https://example.com/acme/gitdesk@v1#egg=gitdesk"
    _, default = runner("spec.sh")
    assert len({by_version["key"], by_spec["key"], default["key"]}) == 3  # pip's cache is kept per requirement


@pytest.mark.parametrize("env, message", [
    ({"GITDESK_VERSION": "0.2.0", "GITDESK_INSTALL": "gitdesk"}, "not both"),
    ({"GITDESK_VERSION": "0.2; rm -rf /"}, "not a version number"),
    ({"GITDESK_INSTALL": "gitdesk --index-url http://evil"}, "without spaces"),
])
def test_bad_inputs_stop_the_job_with_an_annotation(runner, env, message):
    proc, out = runner("spec.sh", **env)
    assert proc.returncode == 1 and out == {}
    assert proc.stdout.startswith("::error title=gitdesk setup::") and message in proc.stdout


def test_outside_a_gitdesk_repository_the_ref_alone_is_not_enough(runner, tmp_path):
    elsewhere = tmp_path / "a" / "b" / "c" / "setup"
    elsewhere.mkdir(parents=True)
    proc, _ = runner("spec.sh", action_path=elsewhere)
    assert proc.returncode == 1 and "give the input version or install" in proc.stdout


def test_install_passes_the_requirement_as_one_argument_and_reports_the_version(runner, tmp_path):
    proc, out = runner("install.sh", GITDESK_SPEC="gitdesk>=0.1,<0.3")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "log").read_text().splitlines() == ["-m pip install --disable-pip-version-check --quiet gitdesk>=0.1,<0.3"]
    assert out == {"version": "9.8.7"} and "Installed gitdesk 9.8.7" in proc.stdout


def test_the_action_file_validates_and_passes_inputs_through_env_only():
    checker = tool("check-jsonschema")
    assert checker, "check-jsonschema is in the test extra"
    proc = subprocess.run([checker, "--builtin-schema", "vendor.github-actions", str(ACTION / "action.yml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    action = load_yaml(ACTION / "action.yml")
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]
        if "run" in step:
            assert step["shell"] == "bash" and step["run"].startswith('bash "$GITHUB_ACTION_PATH/')


def test_zizmor_finds_nothing_in_the_action():
    proc = subprocess.run([tool("zizmor"), "--offline", "--persona=auditor", str(ACTION)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0 and "No findings to report" in proc.stdout, proc.stdout + proc.stderr
