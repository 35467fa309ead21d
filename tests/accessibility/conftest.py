"""Fixtures for the accessibility tests: the site tests' browser and real site, plus axe-core.

The browser (headless Debian Chromium driven by Playwright) and the strict build of the shipped
KB are the site tests' own fixtures, imported here rather than written twice. axe-core comes from
the npm registry into .ci/node (`npm ci --prefix .ci/node`, which .ci/run does): without it these
tests skip with the reason, and under CI (CI=true) they fail instead.
"""

from __future__ import annotations

import os

import pytest

from tests.support.desk import PROJECT
from tests.support.site import browser, real_site, require_browser  # noqa: F401 - shared fixtures

AXE = PROJECT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.is_file():
        reason = f"axe-core not found at {AXE.relative_to(PROJECT)} (npm ci --prefix .ci/node)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"accessibility test cannot run under CI: {reason}")
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")
