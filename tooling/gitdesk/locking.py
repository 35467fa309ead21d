"""One lock per desk, so two runs of a command that reads, decides and writes never overlap.

``sync``, ``notify``, ``intake email``, ``sla check --apply`` and ``import`` each read what is
there (issues already opened, messages already sent or taken), decide what is missing and write
it. Two such runs at once both see the same gap and both fill it: every issue, comment, message
or ticket twice. Each of them holds :func:`desk_lock` from before its first read to after its
last write, so the second run starts reading only once the first has written everything.

The lock is an advisory ``flock`` (``fcntl``, in the standard library) on
``.gitdesk/desk.lock``. The kernel drops it when its holder ends in any way (``kill -9``, a lost
SSH session), so there is never a stale lock to clean up and no process id to guess about; the
file's text (who holds it, since when) only makes the "busy" message useful. ``filelock`` would
do the same ``flock`` call behind a larger API; Windows gets ``msvcrt.locking`` here instead.
A second run waits up to ``wait`` seconds, then raises :class:`BusyError` (exit 75).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from gitdesk.errors import BusyError

DEFAULT_WAIT = 5.0
LOCK_NAME = "desk.lock"

# roots this process holds already: a command that calls another locked step does not wait on itself
_held: dict[str, int] = {}
_held_guard = threading.Lock()

if sys.platform != "win32":  # a platform check mypy understands, so each branch is typed for its OS
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
else:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def lock_path(root: Path) -> Path:
    return Path(root) / ".gitdesk" / LOCK_NAME


@contextmanager
def desk_lock(root: Path, command: str, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the desk's lock for the ``with`` block, waiting up to ``wait`` seconds for it."""
    key = str(Path(root).resolve())
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    path = lock_path(Path(root))
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, path, command, max(0.0, float(wait)))
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            _unlock(fd)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, command: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    pause = 0.02
    while not _try_lock(fd):
        left = deadline - time.monotonic()
        if left <= 0:
            raise BusyError(f"another gitdesk run holds the desk lock ({_holder(path)}); waited {wait:g} s: "
                            "nothing was done, run again later or pass --wait SECONDS", path=".gitdesk/" + LOCK_NAME)
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.25)
    # who holds it, for the message of anyone who has to wait
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"pid {os.getpid()}, `gitdesk {command}`, since {stamp}\n".encode()
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        text = []
    return text[0][:200] if text else "holder unknown"


__all__ = ["DEFAULT_WAIT", "desk_lock", "lock_path"]
