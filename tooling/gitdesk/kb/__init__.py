"""The knowledge base service: articles under ``kb/`` parsed, checked, indexed and searched.

``article`` reads one Markdown file (front matter, headings, links); ``lint`` checks the whole
KB (``gitdesk kb check``); ``index`` keeps a persistent, incremental Whoosh index under
``.gitdesk/kb-index/``; ``search`` and ``suggest`` query it; ``new`` writes an article from a
shipped template. Nothing here imports Click, and Whoosh/Markdown are imported only inside the
functions that need them.
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.config import Config

#: The agents' material (handbook, references): never in the end-user navigation or search.
AGENTS_DIR = "agents/"

#: Pages at the KB root that are not articles (no article front matter, no required sections).
SPECIAL_PAGES = ("index.md", "get-help.md", "open-a-ticket.md", "tags.md")


def kb_dir(root: Path, config: Config) -> Path:
    """The docs folder of the KB (``kb.dir`` in helpdesk.yml, ``kb`` by default)."""
    return Path(root, (config.get("kb") or {}).get("dir") or "kb")


def is_internal(rel: str) -> bool:
    """Pages for agents only (the handbook under :data:`AGENTS_DIR`): never suggested to a requester."""
    return rel.startswith(AGENTS_DIR)


def is_article(rel: str) -> bool:
    """Articles are every page except section ``index.md`` files and the special root pages."""
    from gitdesk.languages import split_suffix

    rel = split_suffix(rel)[0]  # a translation is an article when its original is one
    name = rel.rsplit("/", 1)[-1]
    if name == "index.md":
        return False
    return not ("/" not in rel and rel in SPECIAL_PAGES)


def article_paths(root: Path, config: Config) -> set[str]:
    """The KB's articles, as paths relative to its folder (links to them are recognised)."""
    folder = kb_dir(root, config)
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.md") if is_article(p.relative_to(folder).as_posix())}


def is_agents_page(rel: str) -> bool:
    """Agents' material (handbook, references): never in the end-user navigation or search."""
    return rel.startswith(AGENTS_DIR)
