"""The release: notes from the changelog, the workflow's shape, and the build-and-check script.

`.ci/release_notes.py` is run on the real changelog and on small ones; the workflow is read for
the order of its jobs and what each may do; `.ci/release.sh` builds and checks a copy of the
sources (slow: a build and a clean virtual environment, dependencies from the package index).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitdesk import __version__

from tests.support.workflows import ROOT, WORKFLOWS_DIR, load_workflow

spec = importlib.util.spec_from_file_location("release_notes", ROOT / ".ci" / "release_notes.py")
release_notes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_notes)

SMALL = """# Changelog

## [Unreleased]

### Added

- Not released yet.

## [0.2.0] - 2026-12-24

### Added

- Mail intake on a schedule.

### Fixed

- A bug.

## [0.1.1] - 2026-12-01

## [0.1.0] - 2026-11-23

The first release.
"""


def notes(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "release_notes.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_the_notes_of_this_version_are_its_changelog_section():
    proc = notes(f"v{__version__}")
    assert proc.returncode == 0, proc.stderr
    text = (ROOT / "tooling" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert proc.stdout.strip() and proc.stdout.strip() in text
    assert not [line for line in proc.stdout.splitlines() if line.startswith("## ")] and "[Unreleased]" not in proc.stdout


def test_a_section_ends_at_the_next_release_and_loses_its_heading():
    assert release_notes.section(SMALL, "v0.2.0") == "### Added\n\n- Mail intake on a schedule.\n\n### Fixed\n\n- A bug.\n"
    assert release_notes.section(SMALL, "0.1.0") == "The first release.\n"


@pytest.mark.parametrize("tag, message", [
    ("v0.3.0", "no section '## [0.3.0] - YYYY-MM-DD'"),
    ("v0.1.1", "the section of 0.1.1 is empty"),
    ("Unreleased", "not a version tag"),
    ("v0.2", "not a version tag"),
])
def test_no_notes_no_release(tmp_path, tag, message):
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(SMALL, encoding="utf-8")
    proc = notes(tag, str(changelog))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("release_notes: CHANGELOG.md: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_workflow_checks_before_it_publishes_and_publishes_before_it_releases():
    wf = load_workflow(WORKFLOWS_DIR / "release.yml")
    assert wf["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+*"]}}
    jobs = wf["jobs"]
    assert list(jobs) == ["build", "publish", "github-release"]
    assert jobs["publish"]["needs"] == "build" and jobs["github-release"]["needs"] == "publish"
    build_runs = [s.get("run", "") for s in jobs["build"]["steps"]]
    assert 'bash .ci/release.sh "$TAG" dist' in build_runs
    publish = [s.get("uses", "").split("@")[0] for s in jobs["publish"]["steps"]]
    assert publish == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert jobs["publish"]["environment"] == {"name": "pypi"}
    assert "with" not in jobs["publish"]["steps"][1]  # trusted publishing: no password, no token
    release_runs = [s.get("run", "") for s in jobs["github-release"]["steps"]]
    assert release_runs[-2:] == ['python3 .ci/release_notes.py "$TAG" > "$RUNNER_TEMP/notes.md"',
                                 'gh release create "$TAG" dist/* --verify-tag --title "gitdesk $TAG" --notes-file "$RUNNER_TEMP/notes.md"']
    text = (WORKFLOWS_DIR / "release.yml").read_text(encoding="utf-8")
    assert "actions/cache" not in text and "cache:" not in text  # nothing restored into a release


def sources(tmp_path: Path) -> Path:
    copy = tmp_path / "src"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, copy / name)
    for folder in ("tooling", ".ci"):
        shutil.copytree(ROOT / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "node_modules"))
    return copy


def release(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GITDESK_REPO")}
    env["PYTHON"] = sys.executable
    return subprocess.run(["bash", str(copy / ".ci" / "release.sh"), *args], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=1800)


def test_release_script_refuses_a_tag_without_notes_or_a_used_output_folder(tmp_path):
    copy = sources(tmp_path)
    proc = release(copy, "v9.9.9")
    assert proc.returncode == 1 and "no section '## [9.9.9]" in proc.stderr
    (copy / "dist").mkdir()
    proc = release(copy, f"v{__version__}")
    assert proc.returncode == 1 and "dist exists" in proc.stdout
    assert release(copy, "latest").returncode == 1


@pytest.mark.slow
def test_release_script_builds_checks_and_installs_what_the_tag_names(tmp_path):
    if importlib.util.find_spec("twine") is None:
        pytest.fail("twine is not installed (it is in the test extra)")
    copy = sources(tmp_path)
    proc = release(copy, f"v{__version__}", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"gitdesk-{__version__}-py3-none-any.whl", f"gitdesk-{__version__}.tar.gz"]
    assert f"checked: gitdesk {__version__}" in proc.stdout
    # a tag the sources do not carry: the changelog has the section, the wheel says otherwise
    changelog = copy / "tooling" / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(
        "## [Unreleased]", "## [Unreleased]\n\n## [9.9.9] - 2026-12-31\n\n- A version nobody set.", 1), encoding="utf-8")
    proc = release(copy, "v9.9.9", str(tmp_path / "out2"))
    assert proc.returncode == 1 and f"the wheel says 'gitdesk {__version__}', the tag says v9.9.9" in proc.stdout
