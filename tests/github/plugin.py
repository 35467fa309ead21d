"""pytest fixtures for tests that talk to the fake GitHub over real HTTP.

Use from any test folder by importing into its ``conftest.py``::

    from tests.github.plugin import *  # noqa: F401,F403  (fixtures and the checking hooks)

Fixtures:

* ``fake_github`` -- a started :class:`~tests.github.server.FakeGitHub` (repository
  ``octo-org/helpdesk``, user ``gitdesk-bot``). Every request/response pair it handles is
  checked against GitHub's OpenAPI description; any mismatch fails the test. Options through
  the marker ``@pytest.mark.fake_github(validate=False, path_prefix="/api/v3", ...)`` (any
  ``FakeGitHub`` keyword).
* ``fake_github_factory`` -- ``make(**kwargs)`` for more servers in one test (same checks).
* ``github_client`` -- a PyGithub ``Github`` for ``fake_github`` with PyGithub's default retry
  and no request throttling; :func:`make_github_client` builds others.

Helpers: :func:`make_github_client`, :func:`recording_retry` (PyGithub's ``GithubRetry`` that
records the waits it would make instead of sleeping).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from tests.github.openapi_check import OpenAPIChecker
from tests.github.server import FakeGitHub

__all__ = [
    "fake_github", "fake_github_factory", "github_client", "make_github_client",
    "recording_retry", "start_fake_github", "pytest_configure", "pytest_runtest_call",
]

_SERVERS = pytest.StashKey[list]()
_DEFAULT = object()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_github(validate=True, **kwargs): options for the fake_github fixture "
        "(validate=False turns the OpenAPI checks off; other keywords go to FakeGitHub)",
    )


def start_fake_github(request: pytest.FixtureRequest, *, validate: bool = True,
                      **kwargs: Any) -> FakeGitHub:
    """Start a server for the requesting test, checked against OpenAPI unless told not to."""
    gh = FakeGitHub(**kwargs)
    if validate:
        gh.openapi = OpenAPIChecker()
        gh.observers.append(gh.openapi)
    gh.start()
    request.node.stash.setdefault(_SERVERS, []).append(gh)
    request.addfinalizer(gh.stop)
    return gh


@pytest.fixture
def fake_github(request: pytest.FixtureRequest) -> FakeGitHub:
    marker = request.node.get_closest_marker("fake_github")
    return start_fake_github(request, **(dict(marker.kwargs) if marker else {}))


@pytest.fixture
def fake_github_factory(request: pytest.FixtureRequest) -> Callable[..., FakeGitHub]:
    def make(**kwargs: Any) -> FakeGitHub:
        return start_fake_github(request, **kwargs)
    return make


def make_github_client(gh: FakeGitHub, *, token: str = "x", retry: Any = _DEFAULT,
                       per_page: int = 30, **kwargs: Any) -> Any:
    """PyGithub client for ``gh``: real HTTP, no throttling sleeps, PyGithub's default retry
    unless ``retry`` is given (``None`` = no retry at all)."""
    from github import Auth, Github, GithubRetry

    return Github(base_url=gh.base_url, auth=Auth.Token(token), per_page=per_page,
                  seconds_between_requests=None, seconds_between_writes=None,
                  retry=GithubRetry() if retry is _DEFAULT else retry, **kwargs)


@pytest.fixture
def github_client(fake_github: FakeGitHub) -> Any:
    client = make_github_client(fake_github)
    yield client
    client.close()


def recording_retry(on_sleep: Callable[[float], None] | None = None,
                    **kwargs: Any) -> tuple[Any, list[float]]:
    """``(retry, waits)``: a ``GithubRetry`` whose waits are appended to ``waits`` instead of
    slept (``on_sleep(seconds)`` runs in their place). It mirrors ``urllib3.Retry.sleep``:
    a positive ``Retry-After`` wins, otherwise the (GitHub-adjusted) backoff time."""
    from github import GithubRetry

    waits: list[float] = []

    class RecordingRetry(GithubRetry):
        def sleep(self, response: Any = None) -> None:
            seconds: float | None = None
            if self.respect_retry_after_header and response is not None:
                seconds = self.get_retry_after(response) or None
            if seconds is None:
                seconds = self.get_backoff_time()
            waits.append(seconds)
            if on_sleep is not None:
                on_sleep(seconds)

    return RecordingRetry(**kwargs), waits


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    result = yield
    errors = [error for gh in item.stash.get(_SERVERS, []) if gh.openapi is not None
              for error in gh.openapi.errors]
    if errors:
        shown = "\n  ".join(errors[:25])
        more = f"\n  ... and {len(errors) - 25} more" if len(errors) > 25 else ""
        pytest.fail(f"fake GitHub: {len(errors)} request/response pair(s) do not match "
                    f"GitHub's OpenAPI description:\n  {shown}{more}", pytrace=False)
    return result
