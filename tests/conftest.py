"""Fixtures shared by every test folder: real git repositories in temporary folders."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support.cli import invoke as invoke_cli
from tests.support.desk import AGENT, PROJECT, FixedClock, HeldLock, git, gitdesk_processes, init_repo, make_desk  # noqa: F401 - fixtures' helpers

# One machine-wide embedding cache for the whole session, never the user's ~/.cache: test desks
# that hold the same articles embed them once (gitdesk/kb/embedcache.py).
if not os.environ.get("GITDESK_CACHE_DIR"):
    os.environ["GITDESK_CACHE_DIR"] = tempfile.mkdtemp(prefix="gitdesk-test-cache-")
    atexit.register(shutil.rmtree, os.environ["GITDESK_CACHE_DIR"], True)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "desk")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def desk(git_repo, clock):
    return make_desk(git_repo, clock=clock)


@pytest.fixture
def run_cli(git_repo):
    """Invoke ``gitdesk`` in-process (CliRunner) against ``git_repo``; returns the Result."""

    def invoke(*args: str, input: str | None = None, repo: Path | None = None, env: dict | None = None):
        return invoke_cli(*args, repo=repo or git_repo, input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def gitdesk_exe() -> str:
    """The installed console script (tests that need the real process boundary)."""
    exe = shutil.which("gitdesk", path=os.path.dirname(os.sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        pytest.fail("the gitdesk console script is not installed (pip install -e .)")
    return exe
