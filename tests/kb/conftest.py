"""Fixtures for the KB tests: a sample KB in a temporary folder, its config, and lint/CLI runners."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.support.kb import make_sample
from tests.support.cli import run_main


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A clean sample help desk (helpdesk.yml, mkdocs.yml, kb/) in English."""
    return make_sample(tmp_path / "desk")


@pytest.fixture
def lint(sample):
    """Run `kb check` on the sample; returns the problems as `path:line: rule: message` lines."""
    from gitdesk.config import load_config
    from gitdesk.kb.lint import check_kb

    def run(root: Path | None = None, today: dt.date | None = None) -> list[str]:
        root = root or sample
        return [str(p) for p in check_kb(root, load_config(root), today=today)]

    return run


@pytest.fixture
def cli():
    """`run_main` as a fixture: cli("kb", "check", repo=path) -> (code, stdout, stderr)."""
    return run_main
