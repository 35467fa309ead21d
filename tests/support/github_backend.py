"""Helpers for the tests that run a desk against the fake GitHub server (tests/github)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import run_main

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


def configure(repo: Path, gh, *, backend: str | None = None, extra: str = "") -> Path:
    """Point the repository's helpdesk.yml at ``gh`` (appended keys: the file has none of them)."""
    text = (repo / "helpdesk.yml").read_text()
    lines = ["", f"github:\n  repository: {REPO}\n  api_url: {gh.base_url}"]
    if backend:
        lines.append(f"backend: {backend}")
    (repo / "helpdesk.yml").write_text(text + "\n".join(lines) + "\n" + extra)
    return repo


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
    return Run(*run_main(*args, repo=repo, input=input, env={"GITDESK_JSON_COMPACT": "1", **(env or {})}))


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
