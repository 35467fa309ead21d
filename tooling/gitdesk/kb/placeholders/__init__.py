"""Placeholders: ``<!-- gitdesk:name -->`` lines of KB pages replaced by Markdown made from
``helpdesk.yml`` (hours, channels, SLA targets, the home page's search box and categories, the
agents' handbook tables).

They live under ``kb`` because the KB needs them below the site: ``kb check`` knows their names,
the search index indexes what they render, ``gitdesk init`` writes pages that use them; the
site plugin (:mod:`gitdesk.site.plugin`) renders them too. The renderers are plain functions of
a :class:`SiteContext` and a :class:`PageInfo` (no MkDocs types), registered with
``@placeholder("name")`` by the modules :func:`load` imports: ``content``, ``home``, ``handbook``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.config import Config


@dataclass
class SiteContext:
    """What a placeholder or generated page may use: the repo, its config, the site language."""

    root: Path
    config: Config
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageInfo:
    """The page a placeholder is rendered into (``src_uri`` relative to kb/)."""

    src_uri: str
    title: str = ""
    meta: dict = field(default_factory=dict)


Placeholder = Callable[[SiteContext, PageInfo], str]

_PLACEHOLDERS: dict[str, Placeholder] = {}


def placeholder(name: str) -> Callable[[Placeholder], Placeholder]:
    """Register ``fn`` as the renderer of ``<!-- gitdesk:NAME -->``."""

    def deco(fn: Placeholder) -> Placeholder:
        _PLACEHOLDERS[name] = fn
        return fn

    return deco


def load() -> None:
    """Import the modules that define the shipped placeholders (they register on import)."""
    from gitdesk.kb.placeholders import content, handbook, home  # noqa: F401


def placeholder_names() -> list[str]:
    load()
    return sorted(_PLACEHOLDERS)


def get_placeholder(name: str) -> Placeholder | None:
    load()
    return _PLACEHOLDERS.get(name)
