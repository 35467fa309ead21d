"""The labelled evaluation sets stay usable: every label names a real end-user article.

dev.yml (tuning) and test.yml (held out, reporting only) are hand-written user questions. A label
that points at a renamed or deleted article would silently turn a hit into a miss, so the paths,
the language mix, the coverage of every article and the separation of the two splits are checked
here; the retrieval figures themselves are measured by the search tests and benchmarks.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[3]
KB = PROJECT / "kb"
EVAL = Path(__file__).resolve().parent
SPLITS = ("dev", "test")


def _load(split: str) -> list[dict]:
    return yaml.safe_load((EVAL / f"{split}.yml").read_text(encoding="utf-8"))


def _targets() -> set[str]:
    """Pages a user question may be answered by: articles plus Get help and Open a ticket."""
    out = set()
    for path in KB.rglob("*.md"):
        rel = path.relative_to(KB).as_posix()
        if rel.startswith("agents/") or path.name in ("index.md", "tags.md") or path.name.endswith((".es.md", ".pt.md")):
            continue
        out.add(rel)
    return out


@pytest.mark.parametrize("split", SPLITS)
def test_every_label_names_an_english_end_user_page(split):
    targets = _targets()
    for item in _load(split):
        assert set(item) <= {"q", "lang", "expect", "also"}, item
        assert item["q"].strip() and item["lang"] in ("en", "es", "pt"), item
        for rel in [item["expect"], *item.get("also", [])]:
            assert rel in targets, f"{split}.yml: {item['q']!r} -> {rel} is not an English end-user page"
        assert item["expect"] not in item.get("also", []), item


def test_splits_are_large_mixed_disjoint_and_cover_every_article_twice():
    dev, test = _load("dev"), _load("test")
    assert len(dev) >= 140 and len(test) >= 100 and len(dev) + len(test) >= 250
    for items in (dev, test):
        share = collections.Counter(item["lang"] for item in items)
        assert 0.38 <= share["en"] / len(items) <= 0.52
        assert 0.24 <= share["es"] / len(items) <= 0.36
        assert 0.19 <= share["pt"] / len(items) <= 0.31
    def norm(text: str) -> str:
        return " ".join(text.lower().split())
    seen = {norm(q["q"]) for q in yaml.safe_load((PROJECT / "tests" / "kb" / "questions.yml").read_text(encoding="utf-8"))}
    for item in dev + test:
        assert norm(item["q"]) not in seen, f"repeated question: {item['q']!r}"
        seen.add(norm(item["q"]))
    covered = collections.Counter(item["expect"] for item in dev + test)
    thin = sorted(rel for rel in _targets() if covered[rel] < 2)
    assert not thin, thin
