"""Fixtures for tests/github (and the pattern other folders copy: import the plugin)."""

from tests.github.plugin import *  # noqa: F401,F403
