"""The configured ticket store: the one place that names every concrete store.

Above ``store`` (the interface and the files store) and ``github`` (the GitHub store), so neither
package imports the other back; callers get a :class:`~gitdesk.store.base.TicketStore` and rely on
its interface only.
"""

from __future__ import annotations

from gitdesk.config import Config
from gitdesk.repo import Repo
from gitdesk.store import TicketStore, open_files


def open_store(repo: Repo, config: Config, backend: str | None = None) -> TicketStore:
    """The store ``backend`` names (by default ``helpdesk.yml``'s ``backend``): ``files`` or ``github``."""
    if (backend or config.get("backend")) == "github":
        from gitdesk.github.store import GitHubStore  # PyGithub is imported only here

        return GitHubStore.from_config(repo, config)
    return open_files(repo, config)
