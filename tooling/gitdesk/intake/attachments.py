"""Attachments saved beside their ticket, under names a hostile sender cannot steer.

A message's files go to ``tickets/<bucket>/<ticket id>.attachments/<event id>-<safe name>``:
inside the ticket's own bucket (the top level of a help desk repository is fixed), prefixed by
the id of the event that brought them, so two messages never collide and a re-run writes the
same names. The sender's file name is reduced to a safe base name (no folders, no ``..``, no
hidden files, no control or shell characters, bounded length, extension kept). Files above
``mail.attachment_max_bytes`` are not saved; the ticket says so instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from gitdesk.errors import ValidationError
from gitdesk.yamlio import atomic_write

MAX_NAME = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(name: str | None, fallback: str = "attachment") -> str:
    """A file name that is safe on every OS: ASCII letters, digits, ``._+-``; no path parts."""
    text = (name or "").replace("\\", "/").split("/")[-1]
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("_", text).strip("._-+ ")
    text = re.sub(r"_{2,}", "_", text)
    if not text or text.lower().split(".")[0] in _RESERVED:
        text = f"{fallback}_{text}" if text else fallback
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_NAME - len(ext) - 1].rstrip("._-") + "." + ext
        else:
            text = text[:MAX_NAME]
    return text


def attachments_dir(tickets_dir: Path, ticket_id: str) -> Path:
    return tickets_dir / ticket_id[:2] / f"{ticket_id}.attachments"


def _check_folder(folder: Path, tickets_dir: Path, root: Path) -> None:
    """A repository can carry symlinks: never write through one to somewhere outside tickets/."""
    for path in (tickets_dir, folder.parent, folder):
        if path.is_symlink():
            raise ValidationError("is a symbolic link: refusing to write attachments through it",
                                  path=path.relative_to(root).as_posix())
    if folder.exists() and not folder.is_dir():
        raise ValidationError("is not a folder", path=folder.relative_to(root).as_posix())


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


@dataclass
class PlannedFile:
    original: str  # the sender's name (for the note in the ticket)
    name: str  # <event id>-<safe name>
    size: int
    data: bytes | None  # None: too large, not saved
    path: Path | None
    rel: str | None  # repository-relative path, listed in the ticket's ``attachments``

    @property
    def saved(self) -> bool:
        return self.data is not None


def plan(attachments, *, root: Path, tickets_dir: Path, ticket_id: str, event_id: str, max_bytes: int) -> list[PlannedFile]:
    """Decide names and which files are saved (nothing is written yet)."""
    folder = attachments_dir(tickets_dir, ticket_id)
    if attachments:
        _check_folder(folder, tickets_dir, root)
    used: set[str] = set()
    out = []
    for att in attachments:
        base = safe_name(att.filename)
        candidate = base
        n = 2
        while candidate.lower() in used:
            stem, dot, ext = base.rpartition(".")
            candidate = f"{stem}-{n}.{ext}" if dot and stem else f"{base}-{n}"
            n += 1
        used.add(candidate.lower())
        name = f"{event_id}-{candidate}"
        size = len(att.data)
        if size > max_bytes:
            out.append(PlannedFile(att.filename, name, size, None, None, None))
        else:
            path = folder / name
            out.append(PlannedFile(att.filename, name, size, att.data, path, path.relative_to(root).as_posix()))
    return out


def write(files: list[PlannedFile]) -> list[Path]:
    """Write the saved files (atomically; an identical file left by a crashed run is kept)."""
    written: list[Path] = []
    for f in files:
        if f.data is None or f.path is None:  # not saved (too large)
            continue
        if f.path.exists() and f.path.read_bytes() == f.data:
            written.append(f.path)
            continue
        atomic_write(f.path, f.data)
        written.append(f.path)
    return written


def note(files: list[PlannedFile], max_bytes: int) -> str:
    """The lines a ticket shows about a message's files."""
    if not files:
        return ""
    lines = ["Attachments:"]
    for f in files:
        if f.saved:
            lines.append(f"- {f.name.split('-', 1)[1]} ({human_size(f.size)})")
        else:
            lines.append(f"- {safe_name(f.original)} ({human_size(f.size)}): not saved, larger than the limit of {human_size(max_bytes)}")
    return "\n".join(lines)
