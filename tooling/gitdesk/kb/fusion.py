"""Fusing ranked lists (lexical BM25, semantic cosine) into one ranking.

Two methods, both measured by ``benchmarks/kb_search.py`` on the evaluation set:

- ``rrf``: weighted reciprocal rank fusion, ``sum(w / (k + rank))``; only ranks matter, so
  BM25's unbounded scores and cosine's narrow band need no calibration;
- ``scores``: each list's scores divided by its best one (scores are >= 0: BM25, and cosine
  minus the KB's median cosine), then a weighted sum (an item absent from a list scores 0 there).
  Min-max over the candidates was measured too and did worse: it stretched the narrow cosine
  band so that the sixth semantic candidate scored 0 however close it was.
"""

from __future__ import annotations

METHODS = ("rrf", "scores")


def fuse(lists: list[list[tuple[str, float]]], weights: list[float], *, method: str = "rrf", k: float = 60.0) -> list[tuple[str, float]]:
    """``lists``: ``[(id, score), ...]`` best first. Returns ``(id, fused)`` best first (ties by id)."""
    total: dict[str, float] = {}
    for items, weight in zip(lists, weights, strict=False):
        if not items or weight <= 0:
            continue
        if method == "rrf":
            for rank, (key, _) in enumerate(items, 1):
                total[key] = total.get(key, 0.0) + weight / (k + rank)
        elif method == "scores":
            hi = max(s for _, s in items)
            for key, s in items:
                total[key] = total.get(key, 0.0) + weight * (s / hi if hi > 0 else 1.0)
        else:
            raise ValueError(f"unknown fusion method {method!r}")
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
