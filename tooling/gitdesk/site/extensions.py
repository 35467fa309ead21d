"""Extension points of the site build: placeholders and generated pages.

Both are plain functions of a :class:`SiteContext` (no MkDocs types, so they are easy to test):

- ``@placeholder("name")``: a function ``(ctx, page) -> Markdown`` that replaces the line
  ``<!-- gitdesk:name -->`` in any KB page; they live in :mod:`gitdesk.kb.placeholders` (the KB
  checks and indexes them too) and are re-exported here.
- ``@generated_page("dashboard.md")``: a function ``(ctx) -> Markdown | None`` whose result is
  added to the site as that page (None leaves it out). The site's own (the command and
  configuration references, the metrics dashboard) are imported by :func:`load_extensions`;
  other modules are listed in ``mkdocs.yml`` under ``plugins: - gitdesk: extensions: [...]``.

Everything a registered function returns is checked like KB pages are: no script, no personal
data (see :mod:`gitdesk.site.plugin`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from gitdesk.errors import ConfigError
from gitdesk.kb.placeholders import PageInfo, SiteContext, get_placeholder, load, placeholder, placeholder_names

GeneratedPage = Callable[[SiteContext], "str | None"]

_PAGES: dict[str, GeneratedPage] = {}


def generated_page(src_uri: str) -> Callable[[GeneratedPage], GeneratedPage]:
    """Register ``fn`` as the Markdown source of the generated page ``src_uri``."""
    if src_uri.startswith("/") or ".." in src_uri.split("/") or not src_uri.endswith(".md"):
        raise ValueError(f"generated page must be a relative .md path: {src_uri!r}")

    def deco(fn: GeneratedPage) -> GeneratedPage:
        _PAGES[src_uri] = fn
        return fn

    return deco


def generated_pages() -> dict[str, GeneratedPage]:
    return dict(_PAGES)


def load_extensions(extra: list[str] | tuple[str, ...] = ()) -> None:
    """Import the placeholders, the default extension modules, then every module in ``extra``
    (``mkdocs.yml``)."""
    from gitdesk.site import dashboard, reference  # noqa: F401 - they register the site's own pages

    load()
    for name in extra:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"cannot import site extension {name!r}: {exc}", path="mkdocs.yml", field="plugins.gitdesk.extensions") from None


__all__ = ["PageInfo", "SiteContext", "generated_page", "generated_pages", "get_placeholder", "load_extensions",
           "placeholder", "placeholder_names"]
