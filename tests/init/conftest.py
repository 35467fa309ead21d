"""Fixtures for the `gitdesk init` tests (helpers: tests/support/init.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def exe(gitdesk_exe) -> str:
    return gitdesk_exe
