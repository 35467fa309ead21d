"""Real strict site builds and a headless browser for the site and accessibility tests.

Browser tests need Debian's Chromium (/usr/bin/chromium) and Playwright's Python package. Without
them they skip with the reason; under CI (CI=true) a missing browser fails instead, because
.ci/run installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.kb import PROJECT

CHROMIUM = os.environ.get("GITDESK_CHROMIUM", "/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def build(root: Path, site_dir: Path):
    from gitdesk.publish.build import build_site

    return build_site(root, site_dir=site_dir)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The shipped kb/ built strictly with the shipped mkdocs.yml and helpdesk.yml."""
    site = tmp_path_factory.mktemp("real") / "site"
    build(PROJECT, site)
    return site


@pytest.fixture
def require_browser():
    """Skip (locally) or fail (CI=true) when Chromium or Playwright is missing."""
    missing = []
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright's Python package is not installed (pip install playwright)")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def browser(require_browser):
    """Headless Chromium driven by Playwright (which gives every launch a fresh profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=require_browser, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
