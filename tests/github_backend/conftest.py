"""Fixtures: a help desk repository wired to the fake GitHub, and the CLI run as a user runs it.

The fake GitHub (``fake_github``, from tests/github) validates every request and response
against GitHub's OpenAPI description; a mismatch fails the test. PyGithub's pacing (a second
between writes) is switched off and retry waits are recorded instead of slept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.github.plugin import *  # noqa: F401,F403  fixtures and the OpenAPI failure hook
from tests.support.desk import PROJECT
from tests.support.github_backend import _fast_github, configure, run_gitdesk  # noqa: F401 - an autouse fixture


@pytest.fixture
def retry_waits(_fast_github):
    return _fast_github


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


@pytest.fixture
def gd():
    """``gd(repo, *args)`` -> Run(code, out, err)."""
    return run_gitdesk
