"""Article vectors for semantic search, in one file beside the Whoosh index (``.gitdesk/``).

``kb-vectors.bin``: an 8-byte magic, a little-endian uint32 header length, a JSON header
(format, model name, dimension, passage recipe, one ``[path, key]`` row per vector, SHA-256 of
the matrix), then the float32 matrix. A page may have several rows, next to each other: the
first is the page's own passage (title, summary, start of the body; what related articles
compare), the others its sections. ``key`` is the page's content hash from the index
manifest (plus the config digest for pages with placeholders), so the index's own change
detection decides what to re-embed: an edit re-embeds that page only, a different model or
recipe re-embeds everything. Any file that does not parse, check out or match is rebuilt,
never trusted. Like the index, it is a derived cache: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk.kb.embedding import PASSAGE_RECIPE, passage_text, section_texts
from gitdesk.yamlio import atomic_write

if TYPE_CHECKING:  # numpy is optional (the semantic extra); imported where it is used
    from numpy.typing import NDArray

VECTORS_FILE = Path(".gitdesk") / "kb-vectors.bin"
#: The per-section rows, apart: only search reads them, and they cost about six times as much
#: to embed as the page rows that the site's related articles need.
SECTIONS_FILE = Path(".gitdesk") / "kb-sections.bin"
MAGIC = b"GDKBVEC1"
FORMAT = 1
BATCH = 16


@dataclass
class VectorMatrix:
    """The vectors of the indexed pages: ``paths[i]`` is row ``i`` of ``matrix`` (a page's rows
    are consecutive, its own passage first, then its sections)."""

    paths: list[str]
    keys: list[str]
    matrix: NDArray[Any]  # numpy (n, dim) float32
    #: pages that have no passage in this file (a page without sections), with their key, so
    #: that an unchanged page is not read again on every search
    empty: dict[str, str] = field(default_factory=dict)

    def row_of(self) -> dict[str, int]:
        """Each page's first row (its own passage)."""
        rows: dict[str, int] = {}
        for i, p in enumerate(self.paths):
            rows.setdefault(p, i)
        return rows

    def pages(self):
        """``(page paths, page of each row, first row of each page)``, for scoring by page."""
        import numpy as np

        first = self.row_of()
        order = list(first)
        number = {p: n for n, p in enumerate(order)}
        return order, np.array([number[p] for p in self.paths], dtype=np.int64), np.array([first[p] for p in order], dtype=np.int64)


def vectors_path(root: Path) -> Path:
    return Path(root) / VECTORS_FILE


def sections_path(root: Path) -> Path:
    return Path(root) / SECTIONS_FILE


def combine(pages: VectorMatrix, sections: VectorMatrix) -> VectorMatrix:
    """One matrix for scoring: each page's own row, then its section rows (pages without a
    section row of their own keep just the page row)."""
    import numpy as np

    by_page: dict[str, list[int]] = {}
    for i, p in enumerate(sections.paths):
        by_page.setdefault(p, []).append(i)
    offset = len(pages.paths)
    select: list[int] = []
    paths: list[str] = []
    keys: list[str] = []
    for i, p in enumerate(pages.paths):
        rows = [i, *(offset + j for j in by_page.get(p, []))]
        select += rows
        paths += [p] * len(rows)
        keys += [pages.keys[i]] * len(rows)
    matrix = np.concatenate([pages.matrix, sections.matrix]) if len(sections.paths) else pages.matrix
    return VectorMatrix(paths, keys, matrix[select] if select else matrix[:0])


def _header(model, paths, keys, digest, empty=None) -> dict:
    return {"format": FORMAT, "model": model.name, "dim": model.dim, "recipe": PASSAGE_RECIPE,
            "rows": [[p, k] for p, k in zip(paths, keys, strict=True)], "empty": sorted([p, k] for p, k in (empty or {}).items()),
            "sha256": digest}


def read(path: Path, model) -> VectorMatrix | None:
    """The stored vectors if the file is whole and made by ``model``; else None (rebuild)."""
    import numpy as np

    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    try:
        if data[:8] != MAGIC:
            return None
        (hlen,) = struct.unpack("<I", data[8:12])
        header = json.loads(data[12:12 + hlen].decode("utf-8"))
        body = data[12 + hlen:]
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("model") != model.name \
                or header.get("dim") != model.dim or header.get("recipe") != PASSAGE_RECIPE:
            return None
        rows = header.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in rows):
            return None
        if len(body) != len(rows) * model.dim * 4 or hashlib.sha256(body).hexdigest() != header.get("sha256"):
            return None
        matrix = np.frombuffer(body, dtype="<f4").reshape(len(rows), model.dim)
        if not np.isfinite(matrix).all():
            return None
    except (ValueError, UnicodeDecodeError, struct.error, TypeError):
        return None
    empty = header.get("empty") or []
    if not isinstance(empty, list) or not all(isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in empty):
        return None
    return VectorMatrix([r[0] for r in rows], [r[1] for r in rows], matrix, {r[0]: r[1] for r in empty})


def write(path: Path, model, vm: VectorMatrix) -> None:
    import numpy as np

    body = np.ascontiguousarray(vm.matrix, dtype="<f4").tobytes()
    header = json.dumps(_header(model, vm.paths, vm.keys, hashlib.sha256(body).hexdigest(), vm.empty), separators=(",", ":")).encode()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(Path(path), MAGIC + struct.pack("<I", len(header)) + header + body)


def update(path: Path, model, wanted: dict[str, str], text_of: Callable[[str], str | list[str] | None], *,
           progress: Callable[[int, int], None] | None = None) -> tuple[VectorMatrix, dict]:
    """Make the stored vectors match ``wanted`` (path -> key): keep the rows of pages whose key
    is the same, embed the others (``text_of(path)`` gives the passage text, or a list of them,
    the page's own first; None to skip the page).

    Returns the vectors and ``{"embedded": pages, "passages": n, "rebuilt": bool, "removed": n}``."""
    import numpy as np

    old = read(path, model)
    rebuilt = old is None
    old_rows: dict[str, tuple[str, list[int]]] = {}
    if old is not None:
        for i, (p, k) in enumerate(zip(old.paths, old.keys, strict=True)):
            old_rows.setdefault(p, (k, []))[1].append(i)
        for p, k in old.empty.items():
            old_rows.setdefault(p, (k, []))
    keep: list[str] = []
    todo: list[str] = []
    for rel in sorted(wanted):
        hit = old_rows.get(rel)
        (keep if hit and hit[0] == wanted[rel] else todo).append(rel)
    removed = len(set(old_rows) - set(wanted))
    if not todo and not removed and old is not None:
        return old, {"embedded": 0, "passages": 0, "rebuilt": False, "removed": 0}
    texts: list[tuple[str, str]] = []
    empty = {rel: old_rows[rel][0] for rel in keep if not old_rows[rel][1]}
    for rel in todo:
        text = text_of(rel)
        passages = [text] if isinstance(text, str) else text or []
        if text is not None and not passages:
            empty[rel] = wanted[rel]
        texts += [(rel, passage) for passage in passages]
    new_vecs = []
    for start in range(0, len(texts), BATCH):
        chunk = texts[start:start + BATCH]
        new_vecs.append(model.embed_passages([t for _, t in chunk]))
        if progress:
            progress(min(start + BATCH, len(texts)), len(texts))
    kept_rows = [i for rel in keep for i in old_rows[rel][1]]
    # rows are kept only from an old file (no old file, no rows to keep)
    kept = old if old is not None and kept_rows else None
    paths = ([kept.paths[i] for i in kept_rows] if kept is not None else []) + [rel for rel, _ in texts]
    parts = ([kept.matrix[kept_rows]] if kept is not None else []) + new_vecs
    matrix = np.concatenate(parts) if parts else np.zeros((0, model.dim), dtype=np.float32)
    order = sorted(range(len(paths)), key=lambda i: (paths[i], i))  # stable: a page's own row stays first
    vm = VectorMatrix([paths[i] for i in order], [wanted[paths[i]] for i in order], matrix[order] if len(order) else matrix, empty)
    write(path, model, vm)
    return vm, {"embedded": len({rel for rel, _ in texts}), "passages": len(texts), "rebuilt": rebuilt, "removed": removed}


def article_texts(doc: dict, lang: str, sections: list[tuple[str, str]]) -> list[str]:
    """The passages of an index document (see :meth:`KBIndex._document`): its own, then one per
    section (``sections``: :func:`gitdesk.kb.embedding.split_sections` of its Markdown)."""
    return [page_text(doc, lang), *section_texts(doc.get(f"title_{lang}", ""), sections)]


def page_text(doc: dict, lang: str) -> str:
    """The page's own passage: title, summary and the start of the body."""
    return passage_text(doc.get(f"title_{lang}", ""), doc.get(f"summary_{lang}", ""), doc.get(f"body_{lang}", ""))
