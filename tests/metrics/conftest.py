"""Fixtures for the metrics tests: the hand-computed scenario (tests/support/metrics.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.metrics import Scenario, build


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    """The nine-ticket desk, built once per test module; tests must not change it."""
    return build(tmp_path_factory.mktemp("metrics") / "desk")


@pytest.fixture
def fresh_scenario(tmp_path: Path) -> Scenario:
    """The same desk, for a test that adds events or edits files."""
    return build(tmp_path / "desk")
