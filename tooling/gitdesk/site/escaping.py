"""Front matter made inert before any template prints it.

MkDocs renders themes with Jinja's autoescape off, so Material prints ``page.meta.title``,
``page.meta.description``, the tags and every nav title as raw HTML (in ``<title>``, in the nav of
every page, on the tags page, in ``tags.json`` and in the search index). Escaping once, where the
plugin first sees a page's metadata, covers all of them, and any page the gitdesk plugin
generates, because every one of those places reads ``page.meta`` or ``page.title``.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def escape_value(value: Any) -> Any:
    """Strings HTML-escaped (quotes too: some are printed inside attributes) as ``Markup``, so a
    template that escapes again (``| e``) does not print ``&amp;lt;``; lists and mappings
    walked; other values (dates, numbers, booleans) unchanged."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [escape_value(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_value(v) for k, v in value.items()}
    return value


def escape_front_matter(meta: dict) -> None:
    """Escape a page's metadata in place (call once per page, before the templates run)."""
    for key, value in list(meta.items()):
        meta[key] = escape_value(value)


def pin_title(page) -> None:
    """Keep a title taken from the page's H1 (already escaped HTML text) as ``meta.title``:
    without it Material prints ``page.title | striptags``, and ``striptags`` un-escapes. (The
    home page's ``<title>`` is the site name, already escaped by the plugin.)"""
    if isinstance(page.meta, dict) and "title" not in page.meta and page.title and not page.is_homepage:
        page.meta["title"] = page.title
