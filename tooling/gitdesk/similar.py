"""Tickets like a given one: ``gitdesk ticket similar`` and the "possible duplicate" hint.

Each open ticket is represented by its title (twice, it is what people read) and the start of
its description. With the embedding model (``semantic`` extra) similarity is the cosine of the
model's query vectors, cached in ``.gitdesk/ticket-vectors.bin`` (keyed by a hash of that text,
so an unchanged ticket is never embedded twice); without it, the cosine of the stemmed word
counts (the KB analyzer of the text's language). Everything runs on this machine: no ticket
text leaves it. ``kb.search.duplicate_threshold`` is the score from which a new ticket is
reported as a possible duplicate.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TEXT_CHARS = 600
VECTORS_FILE = Path(".gitdesk") / "ticket-vectors.bin"


@dataclass
class Match:
    score: float
    id: str
    title: str
    status: str

    def as_dict(self) -> dict:
        return {"score": self.score, "id": self.id, "title": self.title, "status": self.status}


def ticket_text(title: str | None, description: str | None) -> str:
    title = (title or "").strip()
    return f"{title}\n{title}\n{' '.join((description or '').split())[:TEXT_CHARS]}"


def _words(text: str, default_language: str) -> Counter:
    from gitdesk.kb.index import analyzer
    from gitdesk.kb.querylang import detect

    return Counter(t.text for t in analyzer(detect(text, default_language))(text) if t.text)


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def similar(root: Path, config, store, text: str, *, exclude: str | None = None, limit: int = 5) -> tuple[list[Match], str]:
    """The open tickets most like ``text`` (best first) and the mode used (hybrid/lexical)."""
    from gitdesk.kb.embedding import load_model
    from gitdesk.store.base import Filters

    tickets = [t for t in store.all(Filters(open_only=True, open_statuses=tuple(config.open_statuses))) if t.id != exclude]
    if not tickets or not text.strip():
        return [], "lexical"
    texts = {t.id: ticket_text(t.title, getattr(t, "description", "")) for t in tickets}
    mode = str((((config.get("kb") or {}).get("search")) or {}).get("mode") or "hybrid")
    model, _ = load_model(config, Path(root) / ".gitdesk") if mode != "lexical" else (None, "")
    if model is not None:
        scores = _semantic_scores(root, model, text, texts)
        mode = "semantic"
    else:
        query = _words(text, config.language)
        scores = {tid: _cosine(query, _words(body, config.language)) for tid, body in texts.items()}
        mode = "lexical"
    by_id = {t.id: t for t in tickets}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Match(round(s, 3), tid, by_id[tid].title or "", by_id[tid].status or "") for tid, s in ranked], mode


class _QueryModel:
    """Tickets are short questions: embed them as queries (both sides of the comparison)."""

    def __init__(self, model):
        self.name, self.dim, self._m = model.name + "/query", model.dim, model

    def embed_passages(self, texts):
        return self._m.embed_queries(texts)


def _semantic_scores(root: Path, model, text: str, texts: dict[str, str]) -> dict[str, float]:
    from gitdesk.kb import vectors

    qm = _QueryModel(model)
    wanted = {tid: hashlib.sha256(body.encode("utf-8")).hexdigest() for tid, body in texts.items()}
    vm, _ = vectors.update(Path(root) / VECTORS_FILE, qm, wanted, texts.get)
    qvec = model.embed_queries([text])[0]
    sims = vm.matrix @ qvec
    return {tid: float(sims[i]) for i, tid in enumerate(vm.paths)}


def possible_duplicate(root: Path, config, store, ticket) -> Match | None:
    """The open ticket a new ``ticket`` most likely duplicates, if it is close enough."""
    threshold = float((((config.get("kb") or {}).get("search")) or {}).get("duplicate_threshold", 0.95))
    matches, _ = similar(root, config, store, ticket_text(ticket.title, getattr(ticket, "description", "")), exclude=ticket.id, limit=1)
    return matches[0] if matches and matches[0].score >= threshold else None


def duplicate_notice(root: Path, config, store, ticket) -> str:
    """"possible duplicate of HD-... (title, score 0.97) (gitdesk ticket merge ...)", or ""."""
    from gitdesk.languages import text

    match = possible_duplicate(root, config, store, ticket)
    if match is None:
        return ""
    line = text("search.possible_duplicate", config.language, id=f"{config.id_prefix}-{match.id}", title=match.title, score=match.score)
    from gitdesk.shortref import desk_id_length

    n = desk_id_length(store, [ticket.id, match.id])
    return f"{config.id_prefix}-{ticket.id}: {line} (gitdesk ticket merge {ticket.id[:n]} --into {match.id[:n]})"
