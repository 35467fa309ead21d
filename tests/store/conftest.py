"""Every ticket store behind one fixture, ``store``: the files store, the GitHub store over the
fake GitHub (real HTTP, every exchange checked against GitHub's OpenAPI), and the dry run over
the files store. A contract test takes ``store`` and runs once per store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.github.plugin import *  # noqa: F401,F403  fixtures and the OpenAPI failure hook

STORES = ("files", "github", "dryrun")
GITHUB_REPOSITORY = "octo-org/helpdesk"
AGENT = "Ana Lima <ana.lima@northwind.example>"


@dataclass
class Setup:
    """A store under test and what a test needs beside it."""

    kind: str
    store: object
    root: Path
    config: object
    fake: object = None  # the fake GitHub, for the github store


def _quiet_github(monkeypatch) -> None:
    """No pacing sleeps and no retry sleeps; the token only from GITHUB_TOKEN."""
    from urllib3.util.retry import Retry

    from gitdesk.github import client

    monkeypatch.setitem(client.PACING, "seconds_between_requests", None)
    monkeypatch.setitem(client.PACING, "seconds_between_writes", None)
    monkeypatch.setattr(client, "_wait", lambda seconds: None)
    monkeypatch.setattr(Retry, "sleep", lambda self, response=None: None)
    for name in ("GH_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_contract_test_token_0123456789")


@pytest.fixture(params=STORES)
def store_setup(request, git_repo, monkeypatch) -> Setup:
    from gitdesk.config import load_config
    from gitdesk.intake.ingest import DryRunStore
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    kind = request.param
    fake = None
    if kind == "github":
        fake = request.getfixturevalue("fake_github")
        _quiet_github(monkeypatch)
        text = (git_repo / "helpdesk.yml").read_text()
        (git_repo / "helpdesk.yml").write_text(
            f"{text}\ngithub:\n  repository: {GITHUB_REPOSITORY}\n  api_url: {fake.base_url}\nbackend: github\n")
    config = load_config(git_repo)
    store = open_store(Repo(git_repo), config)
    if kind == "dryrun":
        store = DryRunStore(store, config.id_prefix)
    return Setup(kind, store, git_repo, config, fake)


@pytest.fixture
def store(store_setup):
    return store_setup.store


class Clock:
    """Readings a minute apart from now (GitHub dates an issue when it opens it), so events have
    a total order by time."""

    def __init__(self):
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def desk(store_setup):
    """The desk's rules over the store under test (its events go through ``store.append``)."""
    from gitdesk.operations import Desk

    return Desk(store_setup.store, store_setup.config, AGENT, clock=Clock())
