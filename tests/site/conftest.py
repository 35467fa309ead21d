"""Fixtures for the site tests: real strict builds (the shipped KB and samples) and a browser
(tests/support/site.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.kb import make_sample
from tests.support.site import browser, build, real_site, require_browser  # noqa: F401 - fixtures (and build, for the tests)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return make_sample(tmp_path / "desk")
