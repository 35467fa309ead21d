"""Ticket stores: the interface (``base``) and YAML events in git (``files``, the default).

The GitHub store lives in :mod:`gitdesk.github`; :func:`gitdesk.backend.open_store` picks the
configured one. Code that must read the event files whatever the backend (``gitdesk sync``, the
privacy check's list of requesters) opens them with :func:`open_files`.
"""

from __future__ import annotations

from gitdesk.config import Config
from gitdesk.repo import Repo
from gitdesk.store.base import Filters, TicketStore


def open_files(repo: Repo, config: Config) -> TicketStore:
    """The YAML event files under ``tickets/``, whatever ``backend`` says."""
    from gitdesk.store.files import FileStore

    return FileStore(repo, config)


__all__ = ["Filters", "TicketStore", "open_files"]
