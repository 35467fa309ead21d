"""The language of a query: ``--language`` when given, else guessed from its words.

Guessing counts, for each supported language, the query's words that are distinctive of it:
its stop words that the other languages do not share, and a short list of frequent help-desk
words (``detect_words`` in ``gitdesk/data/lang/<code>/search.yml``, so a language is data);
ñ/¿/¡ mark Spanish and ã/õ/ç Portuguese. No signal, or a tie, means the desk's default
language. Short questions are what users type, so this is deliberately a vote, not a model.
"""

from __future__ import annotations

import functools
import re

from gitdesk.languages import SUPPORTED

_MARKS = {"es": "ñ¿¡", "pt": "ãõç"}


@functools.cache
def _vocab() -> dict[str, frozenset[str]]:
    from gitdesk.kb.index import fold, stop_words
    from gitdesk.languages import text

    words = {}
    for lang in SUPPORTED:
        own = {w for w in text("search.detect_words", lang).lower().split()}
        words[lang] = set(stop_words(lang)) | own | {fold(w) for w in own}
    return {lang: frozenset(w for w in ws if not any(w in words[o] for o in SUPPORTED if o != lang))
            for lang, ws in words.items()}


def detect(text: str, default: str) -> str:
    """The most likely language of ``text`` among the supported ones, else ``default``."""
    lowered = (text or "").lower()
    tokens = re.findall(r"\w+(?:'\w+)?", lowered)
    vocab = _vocab()
    scores = {lang: sum(1 for t in tokens if t in vocab[lang]) for lang in SUPPORTED}
    for lang, marks in _MARKS.items():
        scores[lang] += 2 * sum(lowered.count(ch) for ch in marks)
    best = max(scores.values())
    if best == 0:
        return default
    winners = [lang for lang in SUPPORTED if scores[lang] == best]
    return default if default in winners else winners[0] if len(winners) == 1 else default
