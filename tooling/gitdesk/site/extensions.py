"""Extension points of the site build: placeholders and generated pages, by registration.

Two registries, both plain functions of a :class:`SiteContext` (no MkDocs types, so they are
easy to test):

- ``@placeholder("name")``: a function ``(ctx, page) -> Markdown`` that replaces the line
  ``<!-- gitdesk:name -->`` in any KB page at build time.
- ``@generated_page("dashboard.md")``: a function ``(ctx) -> Markdown | None`` whose result is
  added to the site as that page (None leaves it out). This is how the metrics dashboard
  plugs in: a module ``gitdesk.metrics.site`` that registers ``dashboard.md`` is imported
  automatically when it exists (see :data:`DEFAULT_EXTENSIONS`); other modules are listed in
  ``mkdocs.yml`` under ``plugins: - gitdesk: extensions: [...]``.

Everything a registered function returns is checked like KB pages are: no script, no personal
data (see :mod:`gitdesk.site.plugin`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import ConfigError

#: Imported when present; a missing one is skipped (the metrics module may not exist yet).
DEFAULT_EXTENSIONS = ("gitdesk.site.content", "gitdesk.site.home", "gitdesk.site.handbook", "gitdesk.site.reference", "gitdesk.metrics.site")


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
GeneratedPage = Callable[[SiteContext], "str | None"]

_PLACEHOLDERS: dict[str, Placeholder] = {}
_PAGES: dict[str, GeneratedPage] = {}


def placeholder(name: str) -> Callable[[Placeholder], Placeholder]:
    """Register ``fn`` as the renderer of ``<!-- gitdesk:NAME -->``."""

    def deco(fn: Placeholder) -> Placeholder:
        _PLACEHOLDERS[name] = fn
        return fn

    return deco


def generated_page(src_uri: str) -> Callable[[GeneratedPage], GeneratedPage]:
    """Register ``fn`` as the Markdown source of the generated page ``src_uri``."""
    if src_uri.startswith("/") or ".." in src_uri.split("/") or not src_uri.endswith(".md"):
        raise ValueError(f"generated page must be a relative .md path: {src_uri!r}")

    def deco(fn: GeneratedPage) -> GeneratedPage:
        _PAGES[src_uri] = fn
        return fn

    return deco


def placeholder_names() -> list[str]:
    return sorted(_PLACEHOLDERS)


def get_placeholder(name: str) -> Placeholder | None:
    return _PLACEHOLDERS.get(name)


def generated_pages() -> dict[str, GeneratedPage]:
    return dict(_PAGES)


def load_extensions(extra: list[str] | tuple[str, ...] = ()) -> None:
    """Import the default extension modules that exist, then every module in ``extra``."""
    for name in DEFAULT_EXTENSIONS:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            importlib.import_module(name)
    for name in extra:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"cannot import site extension {name!r}: {exc}", path="mkdocs.yml", field="plugins.gitdesk.extensions") from None
