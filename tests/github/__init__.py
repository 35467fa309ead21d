"""Test support for the GitHub backend: a GitHub-compatible server, its OpenAPI checks, fixtures.

Import it as ``tests.github`` (``from tests.github.server import FakeGitHub``). Imported as a
top-level ``github`` package (pytest does that when ``tests/`` is not itself a package) it
would hide PyGithub, so refuse loudly instead.
"""

if __name__ == "github":
    raise ImportError(
        "tests/github was imported as the top-level package 'github', which hides PyGithub. "
        "Make tests/ a package (an empty tests/__init__.py) or run pytest with "
        "-o consider_namespace_packages=true from the repository root."
    )
