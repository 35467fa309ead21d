"""The home page of each language, as a help centre's: search box, category cards, popular
articles, the urgent notice. Placeholders (a line ``<!-- gitdesk:NAME -->``):

- ``search-box``: a search field in the page itself, built by ``gitdesk.js`` (the page holds no
  input), which hands what is typed to the theme's search (the language's own index), so it
  works from ``file://`` too.
- ``categories``: one card per top-level section that has an index page in the page's language,
  with the first sentence of its index page and the number of articles it holds in that language.
- ``popular``: ``site.popular`` of helpdesk.yml (default-language paths), each shown in the page's
  language when translated; without that list, the most recently reviewed articles.
- ``urgent``: what to do when it cannot wait, with the phone number from ``site.contacts``.

Pages of the language's build are known from ``ctx.extra["pages"]`` (filled by the plugin's
``on_files``: ``{src_uri: {title, summary, last_reviewed}}``).
"""

from __future__ import annotations

import html

from gitdesk.kb import is_agents_page, is_article
from gitdesk.kb.placeholders import PageInfo, SiteContext, placeholder
from gitdesk.kb.placeholders.content import md_escape, plural, rel_link, site_settings, t
from gitdesk.languages import split_suffix, translated_rel

POPULAR_COUNT = 6


def _pages(ctx: SiteContext) -> dict[str, dict]:
    return ctx.extra.get("pages") or {}


def _base(rel: str) -> str:
    return split_suffix(rel)[0]


@placeholder("search-box")
def search_box(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    """A box gitdesk.js fills with a search field and button (pages may hold no inputs: see
    :mod:`gitdesk.kb.htmlsafety`); without script it says where the search box is."""
    label, hint, button, fallback = (html.escape(t(ctx, k)) for k in ("search_label", "search_placeholder", "search_button", "search_fallback"))
    return (
        f'<div class="gitdesk-search" role="search" aria-label="{label}" data-placeholder="{hint}" data-button="{button}">\n'
        f"<p>{fallback}</p>\n"
        "</div>\n"
    )


@placeholder("categories")
def categories(ctx: SiteContext, page: PageInfo) -> str:
    pages = _pages(ctx)
    sections: dict[str, str] = {}
    counts: dict[str, int] = {}
    for src in pages:
        base = _base(src)
        if "/" not in base or is_agents_page(base):
            continue
        top = base.split("/", 1)[0]
        if base == f"{top}/index.md":
            sections[top] = src
        elif is_article(base):
            counts[top] = counts.get(top, 0) + 1
    if not sections:
        return ""
    cards = []
    for top in sorted(sections, key=lambda s: pages[sections[s]]["title"].casefold()):
        info = pages[sections[top]]
        about = f"\n\n    {md_escape(info['summary'])}" if info.get("summary") else ""
        count = md_escape(plural(ctx, "articles", counts.get(top, 0)))
        cards.append(f"-   [**{md_escape(info['title'])}**]({rel_link(page, sections[top])}){about}\n\n    *{count}*")
    return '<div class="grid cards gitdesk-categories" markdown>\n\n' + "\n\n".join(cards) + "\n\n</div>\n"


@placeholder("popular")
def popular(ctx: SiteContext, page: PageInfo) -> str:
    pages = _pages(ctx)
    default = (ctx.extra.get("languages") or [ctx.language])[0]
    chosen: list[str] = []
    for rel in site_settings(ctx).get("popular") or []:
        src = translated_rel(str(rel), ctx.language, default)
        if src in pages and src not in chosen:
            chosen.append(src)
    if not chosen:
        articles = [s for s in pages if is_article(_base(s)) and "/" in s and not is_agents_page(s)]
        chosen = sorted(articles, key=lambda s: str(pages[s].get("last_reviewed") or ""), reverse=True)[:POPULAR_COUNT]
    if not chosen:
        return md_escape(t(ctx, "popular_none"))
    lines = []
    for src in chosen:
        info = pages[src]
        tail = f" — {md_escape(info['summary'])}" if info.get("summary") else ""
        lines.append(f"- [{md_escape(info['title'])}]({rel_link(page, src)}){tail}")
    return "\n".join(lines)


@placeholder("urgent")
def urgent(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    phone = str((site_settings(ctx).get("contacts") or {}).get("phone") or "").strip()
    where = f" {t(ctx, 'urgent_phone', phone=md_escape(phone))}" if phone else ""
    return (
        f'!!! danger "{t(ctx, "urgent_title").replace(chr(34), chr(39))}"\n'
        f"    {t(ctx, 'urgent_text')}{where}. {t(ctx, 'urgent_tail')}\n"
    )
