""""Related articles" at the end of each article, from the article vectors, at build time.

The plugin calls :func:`related_markdown` for every article (the hook point of
:mod:`gitdesk.site.plugin`). The list is the front matter's ``related:`` first (the author's
choice, translated paths normalised to the original's), then the articles whose vectors are
nearest this one's, up to :data:`MAX_ITEMS`. Both sides are taken in the build's language
(``ctx.language``): a page's translation when it exists, else its default-language version, so
a Spanish page is compared with Spanish pages where there are some. The browser runs no model:
the links are plain Markdown. Without the ``semantic`` extra the front matter's list alone is
shown (what :func:`gitdesk.kb.placeholders.content.related_markdown` does).
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.kb import is_article
from gitdesk.kb.placeholders import content
from gitdesk.languages import split_suffix, translated_rel
from gitdesk.site.extensions import PageInfo, SiteContext

MAX_ITEMS = 4
#: A neighbour is listed when its cosine is within this of the nearest one's: e5 puts any two
#: help-desk pages at 0.85-0.93, so an absolute floor says little, while pages on the same
#: subject sit together at the top (measured on the shipped kb/: locked account -> password
#: reset, password FAQ, Outlook password prompts, lost MFA phone).
WINDOW = 0.025

_cache: dict[str, object] = {}


def _vectors(ctx: SiteContext):
    """The KB's vectors (index and vectors brought up to date once per build process)."""
    key = str(Path(ctx.root).resolve())
    if key not in _cache:
        from gitdesk.kb.embedding import load_model
        from gitdesk.kb.index import KBIndex, SearchIndexError

        index = KBIndex(ctx.root, ctx.config)
        model, _ = load_model(ctx.config, index.dir.parent)
        vm = None
        if model is not None:
            try:
                index.update()
                vm, _ = index.update_vectors(model, sections=False)  # related articles compare page rows
            except SearchIndexError:
                vm = None
        _cache[key] = vm
    return _cache[key]


def warm(ctx: SiteContext) -> None:
    """Bring the index and vectors up to date before the pages render (the build's "index" stage)."""
    _vectors(ctx)


def forget_vectors() -> None:
    """Drop the vectors kept for this process: the next build reads the KB again (``serve``)."""
    _cache.clear()


def neighbours(vm, base: str, language: str, default: str, limit: int) -> list[tuple[str, float]]:
    """Articles (their original paths) nearest ``base`` in ``language``, best first."""
    rows = vm.row_of()

    def version(b: str):
        own = translated_rel(b, language, default)
        return rows.get(own, rows.get(b))

    me = version(base)
    if me is None:
        return []
    bases = sorted({split_suffix(p)[0] for p in vm.paths} - {base})
    bases = [b for b in bases if is_article(b) and version(b) is not None]
    if not bases:
        return []
    sims = vm.matrix[[version(b) for b in bases]] @ vm.matrix[me]
    ranked = sorted(zip(bases, (float(s) for s in sims), strict=True), key=lambda kv: (-kv[1], kv[0]))
    floor = ranked[0][1] - WINDOW
    return [(b, s) for b, s in ranked if s >= floor][:limit]


def related_markdown(ctx: SiteContext, page: PageInfo, titles: dict[str, str]) -> str:
    vm = _vectors(ctx)
    if vm is None:
        return content.related_markdown(ctx, page, titles)
    base = split_suffix(page.src_uri)[0]
    chosen: list[str] = []
    listed = page.meta.get("related") if isinstance(page.meta, dict) else None
    for target in listed if isinstance(listed, list) else []:
        if isinstance(target, str):
            target = split_suffix(target)[0]
            if target in titles and target != base and target not in chosen:
                chosen.append(target)
    default = ctx.config.language
    for target, _ in neighbours(vm, base, ctx.language, default, MAX_ITEMS + len(chosen)):
        if len(chosen) >= MAX_ITEMS:
            break
        if target in titles and target not in chosen:
            chosen.append(target)
    if not chosen:
        return ""
    items = [f"- [{content.md_escape(titles[t])}]({content.rel_link(page, t)})" for t in chosen]
    return f"\n\n**{content.md_escape(content.t(ctx, 'related'))}**\n\n" + "\n".join(items) + "\n"
