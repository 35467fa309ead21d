"""Fixtures for the import tests. ``git_repo`` comes from the project's ``tests/conftest.py``."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def run_cli(git_repo):
    """``gitdesk`` in-process against ``git_repo``, with stdout and stderr kept apart."""
    from click.testing import CliRunner

    from gitdesk.cli import cli

    def invoke(*args: str, repo: Path | None = None):
        try:
            runner = CliRunner(mix_stderr=False)
        except TypeError:  # Click 8.2+: stderr is always separate
            runner = CliRunner()
        return runner.invoke(cli, list(args), env={"GITDESK_REPO": str(repo or git_repo)}, catch_exceptions=False)

    return invoke
