"""Wait for a condition, never for a fixed time: a bound on how long, not a measure of it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, every: float = 0.01) -> bool:
    """``predicate()`` becoming true, checked every ``every`` seconds up to ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


def wait_for_later_mtime(path: Path, scratch: Path) -> None:
    """Until a file written now gets a later modification time than ``path`` (file systems keep
    times in ticks): an edit made next then shows as a change. ``scratch``: a folder on the same
    file system, outside the desk."""
    probe = scratch / ".mtime-probe"

    def later() -> bool:
        probe.write_bytes(b"")
        return probe.stat().st_mtime_ns > path.stat().st_mtime_ns

    try:
        assert wait_until(later, timeout=10), f"the clock never passed {path}'s modification time"
    finally:
        probe.unlink(missing_ok=True)
