"""Fixtures: a help desk repository wired to the fake GitHub, and the CLI run as a user runs it.

The fake GitHub (``fake_github``, from tests/github) validates every request and response
against GitHub's OpenAPI description; a mismatch fails the test. PyGithub's pacing (a second
between writes) is switched off and retry waits are recorded instead of slept.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import PROJECT
from tests.github.plugin import *  # noqa: F401,F403  fixtures and the OpenAPI failure hook

TOKEN = "ghp_testtoken_never_printed_0123456789"
REPO = "octo-org/helpdesk"


@pytest.fixture(autouse=True)
def _fast_github(monkeypatch):
    """No pacing sleeps; waits before retries recorded, not slept; only GITHUB_TOKEN set."""
    from urllib3.util.retry import Retry

    from gitdesk.github import client

    monkeypatch.setitem(client.PACING, "seconds_between_requests", None)
    monkeypatch.setitem(client.PACING, "seconds_between_writes", None)
    waits: list[float] = []
    monkeypatch.setattr(client, "_wait", waits.append)

    def fake_sleep(self, response=None):
        after = self.get_retry_after(response) if response is not None else None
        waits.append(after if after is not None else self.get_backoff_time())

    monkeypatch.setattr(Retry, "sleep", fake_sleep)
    for name in ("GH_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return waits


@pytest.fixture
def retry_waits(_fast_github):
    return _fast_github


def configure(repo: Path, gh, *, backend: str | None = None, extra: str = "") -> Path:
    """Point the repository's helpdesk.yml at ``gh`` (appended keys: the file has none of them)."""
    text = (repo / "helpdesk.yml").read_text()
    lines = ["", f"github:\n  repository: {REPO}\n  api_url: {gh.base_url}"]
    if backend:
        lines.append(f"backend: {backend}")
    (repo / "helpdesk.yml").write_text(text + "\n".join(lines) + "\n" + extra)
    return repo


@pytest.fixture
def gh_desk(git_repo, fake_github):
    """A help desk whose tickets are the fake GitHub's issues (backend: github)."""
    return configure(git_repo, fake_github, backend="github")


@pytest.fixture
def sync_desk(git_repo, fake_github):
    """A help desk with YAML tickets, synced with the fake GitHub."""
    return configure(git_repo, fake_github)


@pytest.fixture(scope="session")
def _kb_built(tmp_path_factory) -> Path:
    """The project's KB with its search index built once for the session (about 8 s)."""
    from gitdesk.config import load_config
    from gitdesk.kb.search import Searcher

    root = tmp_path_factory.mktemp("kb-template")
    shutil.copy(PROJECT / "helpdesk.yml", root / "helpdesk.yml")
    shutil.copytree(PROJECT / "kb", root / "kb")
    Searcher(root, load_config(root)).close()
    return root


@pytest.fixture
def kb_copy(_kb_built):
    """``kb_copy(repo)``: give ``repo`` the project's KB and its ready index."""
    def copy(repo: Path) -> Path:
        shutil.copytree(_kb_built / "kb", repo / "kb")
        shutil.copytree(_kb_built / ".gitdesk", repo / ".gitdesk", dirs_exist_ok=True)
        return repo / "kb"

    return copy


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def run_gitdesk(repo: Path, *args: str, input: str | None = None, env: dict | None = None) -> Run:
    """``gitdesk ARGS`` in-process through the real entry point (errors become exit codes)."""
    from gitdesk.cli import main

    runner = CliRunner()
    full_env = {"GITDESK_REPO": str(repo), "GITDESK_JSON_COMPACT": "1", **(env or {})}
    with runner.isolation(input=input, env=full_env) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def gd():
    """``gd(repo, *args)`` -> Run(code, out, err)."""
    return run_gitdesk


FORM_BODY = """### Category

{category}

### Impact

{impact}

### Urgency

{urgency}

### Channel

{channel}

### Asset

{asset}

### Description

{description}

### Steps tried

_No response_

### Linked article

{article}

### Department

{department}"""


def form_body(*, category="network/vpn", impact="medium", urgency="high", channel="web", asset="_No response_",
              description="The VPN disconnects every ten minutes when I work from home.",
              article="_No response_", department="Finance") -> str:
    """An issue body exactly as GitHub renders the support-request form."""
    return FORM_BODY.format(category=category, impact=impact, urgency=urgency, channel=channel, asset=asset,
                            description=description, article=article, department=department)


def writes(gh, since: int = 0) -> list:
    """Write requests (anything but GET) the server received after index ``since``."""
    return [r for r in gh.requests[since:] if r.method not in ("GET", "HEAD")]
