"""Fusing ranked lists (lexical BM25, semantic cosine) into one ranking.

Two methods, both measured by ``benchmarks/kb_search.py`` on the evaluation set:

- ``rrf``: weighted reciprocal rank fusion, ``sum(w / (k + rank))``; only ranks matter, so
  BM25's unbounded scores and cosine's narrow band need no calibration;
- ``scores``: each list's scores min-max normalised to [0, 1] over its candidates, then a
  weighted sum (an item absent from a list scores 0 there).
"""

from __future__ import annotations

METHODS = ("rrf", "scores")


def fuse(lists: list[list[tuple[str, float]]], weights: list[float], *, method: str = "rrf", k: float = 60.0) -> list[tuple[str, float]]:
    """``lists``: ``[(id, score), ...]`` best first. Returns ``(id, fused)`` best first (ties by id)."""
    total: dict[str, float] = {}
    for items, weight in zip(lists, weights):
        if not items or weight <= 0:
            continue
        if method == "rrf":
            for rank, (key, _) in enumerate(items, 1):
                total[key] = total.get(key, 0.0) + weight / (k + rank)
        elif method == "scores":
            hi = max(s for _, s in items)
            lo = min(s for _, s in items)
            span = hi - lo
            for key, s in items:
                total[key] = total.get(key, 0.0) + weight * ((s - lo) / span if span > 0 else 1.0)
        else:
            raise ValueError(f"unknown fusion method {method!r}")
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
