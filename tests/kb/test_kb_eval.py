"""Hybrid retrieval quality on the shipped KB, over the held-out evaluation set.

tests/kb/eval/dev.yml was used to choose the fusion, weights and margin (kb.search defaults);
tests/kb/eval/test.yml never was: this test only reports it and holds floors under it, so a
broken analyzer, model, recipe or fusion fails here. Needs the ``semantic`` extra (the model);
without it the test skips and says why. Figures are printed (pytest -s) for the closing note.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitdesk.config import load_config
from gitdesk.kb.embedding import semantic_note
from gitdesk.kb.evaluate import load_questions, score
from gitdesk.kb.search import Searcher

PROJECT = Path(__file__).resolve().parents[2]
EVAL = PROJECT / "tests" / "kb" / "eval"
#: Floors for hybrid on test.yml, a little under what was measured (kb/ in English only:
#: 0.63 / 0.77; with the Spanish and Portuguese translations merged: 0.73 / 0.87-0.90; with a
#: vector per section as well as per page: 0.80 / 0.93, MRR 0.87, lexical 0.73 / 0.88).
HIT1_FLOOR = 0.76
HIT3_FLOOR = 0.89


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("eval") / "desk"
    root.mkdir()
    shutil.copytree(PROJECT / "kb", root / "kb")
    for name in ("helpdesk.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    reason = semantic_note(root, load_config(root))
    if reason:
        pytest.skip(f"the semantic extra is not usable here ({reason}); pip install -e '.[test,semantic]'")
    return root


@pytest.mark.slow
def test_hybrid_holds_its_floors_and_beats_lexical_on_held_out_questions(desk):
    questions = load_questions(EVAL / "test.yml")
    assert len(questions) >= 100
    with Searcher(desk, load_config(desk)) as s:
        assert s.mode == "hybrid", s.semantic_reason
        qvecs = s.model.embed_queries([q["q"] for q in questions])
        hybrid = score(s, questions, qvecs=qvecs)
        s.mode = "lexical"
        lexical = score(s, questions, qvecs=qvecs)
    print(f"\nheld-out {hybrid['n']} questions: lexical {lexical}, hybrid {hybrid}")
    assert hybrid["hit1"] >= HIT1_FLOOR and hybrid["hit3"] >= HIT3_FLOOR, hybrid
    assert hybrid["mrr"] > lexical["mrr"] and hybrid["hit3"] >= lexical["hit3"], (hybrid, lexical)


def test_eval_sets_have_the_documented_shape():
    dev, test = load_questions(EVAL / "dev.yml"), load_questions(EVAL / "test.yml")
    assert len(dev) + len(test) >= 200
    assert {q["lang"] for q in dev + test} == {"en", "es", "pt"}
    assert not {q["q"] for q in dev} & {q["q"] for q in test}
    for q in dev + test:
        assert (PROJECT / "kb" / q["expect"]).is_file(), q
