"""Ticket stores: YAML events in git (``files``, the default) or GitHub issues (``github``)."""

from __future__ import annotations

from gitdesk.config import Config
from gitdesk.repo import Repo
from gitdesk.store.base import Filters, TicketStore


def open_store(repo: Repo, config: Config) -> TicketStore:
    """The store ``helpdesk.yml``'s ``backend`` names."""
    if config.get("backend") == "github":
        from gitdesk.store.github import GitHubStore  # PyGithub is imported only here

        return GitHubStore.from_config(repo, config)
    from gitdesk.store.files import FileStore

    return FileStore(repo, config)


__all__ = ["Filters", "TicketStore", "open_store"]
