"""Hit@1, hit@3 and MRR of KB search over a labelled question set (``tests/kb/eval/*.yml``).

A question is ``{q, lang, expect, also?}``; ``expect`` (and ``also``) name default-language
articles, and a result on any language version of them counts as a hit.
"""

from __future__ import annotations

from pathlib import Path


def load_questions(path: Path) -> list[dict]:
    from gitdesk.yamlio import load_yaml_text

    data = load_yaml_text(Path(path).read_text(encoding="utf-8"), path=str(path))
    return [q for q in data if isinstance(q, dict) and q.get("q") and q.get("expect")]


def score(searcher, questions: list[dict], *, qvecs=None, use_language: bool = False) -> dict:
    """``{"n", "hit1", "hit3", "mrr"}`` of ``searcher`` (its mode and settings as they are)."""
    from gitdesk.languages import split_suffix

    hit1 = hit3 = rr = 0.0
    for i, item in enumerate(questions):
        also = item.get("also") or []
        wanted = {item["expect"], *([also] if isinstance(also, str) else also)}
        results = searcher.query(item["q"], limit=10, snippets=False, qvec=None if qvecs is None else qvecs[i],
                                 language=item.get("lang") if use_language else None)
        ranks = [n for n, r in enumerate(results, 1) if split_suffix(r.path)[0] in wanted]
        if ranks:
            hit1 += ranks[0] == 1
            hit3 += ranks[0] <= 3
            rr += 1 / ranks[0]
    n = len(questions) or 1
    return {"n": len(questions), "hit1": round(hit1 / n, 3), "hit3": round(hit3 / n, 3), "mrr": round(rr / n, 3)}
