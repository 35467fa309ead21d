"""The test suite. A package, so that ``tests.github`` (the fake GitHub server) never shadows PyGithub
and shared helpers import as ``tests.support``."""
