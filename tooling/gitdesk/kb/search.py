"""Ranked KB search over the persistent index: query text in, results with snippets out.

The query is analysed with the index's own analyzer (stemming, stop words, accent folding) and
turned into an OR of term queries over title, tags, summary and body; BM25F with the field
boosts does the ranking, so articles matching more of the words, and matching them in the title,
come first. No query syntax is interpreted: ``C++ crash: what?`` is just words, never a
wildcard or a field name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from gitdesk.config import Config
from gitdesk.errors import UsageError
from gitdesk.kb.index import SEARCH_FIELDS, KBIndex

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 64


@dataclass
class Result:
    path: str  # relative to kb/
    title: str
    score: float
    snippet: str
    summary: str = ""
    category: str = ""
    type: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _make_formatter():
    from whoosh import highlight

    class MarkFormatter(highlight.Formatter):
        """``**word**`` around matches: readable in a terminal, in JSON and in Markdown."""

        between = " … "

        def format_token(self, text, token, replace=False):
            return "**" + highlight.get_text(text, token, replace) + "**"

    return MarkFormatter()


class Searcher:
    """Search one repository's KB; keeps the index open for many queries (``--batch``)."""

    def __init__(self, root: Path, config: Config, *, update: bool = True):
        self.kb = KBIndex(root, config)
        self.stats = self.kb.update() if update else None
        self.ix = self.kb.open(update=False)
        self.analyzer = self.ix.schema["title"].analyzer
        self._searcher = self.ix.searcher()

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def terms(self, text: str) -> list[str]:
        """The analysed words of ``text`` (unique, in order, at most :data:`MAX_TERMS`)."""
        seen: dict[str, None] = {}
        for token in self.analyzer(text[:MAX_QUERY_CHARS]):
            if token.text and token.text not in seen:
                seen[token.text] = None
                if len(seen) >= MAX_TERMS:
                    break
        return list(seen)

    def query(self, text: str, *, limit: int = 10, boost_categories: dict[str, float] | None = None,
              snippets: bool = True) -> list[Result]:
        """Ranked results; ``snippets=False`` skips highlighting (the costly part) for scripts."""
        from whoosh import highlight
        from whoosh.query import Or, Term

        if limit < 1:
            raise UsageError("--limit must be at least 1", field="limit")
        terms = self.terms(text or "")
        if not terms:
            return []
        q = Or([Term(f, t) for t in terms for f in SEARCH_FIELDS])
        fetch = limit * 3 if boost_categories else limit
        hits = self._searcher.search(q, limit=fetch, terms=True)
        hits.formatter = _make_formatter()
        hits.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        out: list[Result] = []
        for hit in hits:
            score = float(hit.score)
            if boost_categories:
                score *= boost_categories.get(hit.get("category", ""), 1.0)
            snippet = (hit.highlights("body", top=2) or hit.highlights("summary") or hit.get("summary", "")) if snippets else ""
            out.append(Result(
                path=hit["path"], title=hit.get("title", ""), score=round(score, 4),
                snippet=" ".join(snippet.split()), summary=hit.get("summary", ""),
                category=hit.get("category", ""), type=hit.get("type", ""),
            ))
        out.sort(key=lambda r: (-r.score, r.path))
        return out[:limit]


def search(root: Path, config: Config, text: str, *, limit: int = 10) -> list[Result]:
    """One query against the KB of ``root`` (the index is brought up to date first)."""
    with Searcher(root, config) as s:
        return s.query(text, limit=limit)
