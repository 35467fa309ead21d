"""A tiny deterministic embedder for testing the vector store's bookkeeping fast.

Words hashed into 64 dimensions, L2-normalised: similar texts get similar vectors, no model
file is read. ``CALLS`` counts the passages embedded. The real model is exercised by
tests/kb/test_kb_eval.py (which skips where the ``semantic`` extra is absent).
"""

from __future__ import annotations

import hashlib
import re

NAME = "fake-hash-64"
CALLS = {"passages": 0, "queries": 0}


class FakeModel:
    name = NAME
    dim = 64

    def _rows(self, texts):
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out

    def embed_queries(self, texts):
        CALLS["queries"] += len(texts)
        return self._rows(texts)

    def embed_passages(self, texts):
        CALLS["passages"] += len(texts)
        return self._rows(texts)


def load(state_dir):
    model = FakeModel()
    model.name = NAME  # read at load time, so a test can change the module's NAME
    return model


def check(state_dir):
    return None
