"""Cache-building worker processes end with their parent: `kill -9` of a command while it reads
thousands of new event files leaves no worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from gitdesk.model.event import Event
from gitdesk.model.ids import new_event_id, new_ticket_id
from gitdesk.store.cache import PARALLEL_PARSE_MIN
from gitdesk.store.files import event_path
from gitdesk.yamlio import atomic_write, dump_yaml
from tests.support.waiting import wait_until


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2, reason="needs /proc and two cores")
def test_kill_9_of_the_parent_mid_build_leaves_no_worker(git_repo):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    for n in range(PARALLEL_PARSE_MIN + 2000):
        at = start + timedelta(seconds=n)
        event = Event(id=new_event_id(at), ticket=new_ticket_id(), at=at, by="Ana Lima <ana@northwind.example>",
                      action="new", set={"title": f"Printer {n} jams", "status": "new"})
        atomic_write(event_path(git_repo / "tickets", event), dump_yaml(event.to_dict()), exclusive=True, durable=False)
    exe = str(Path(sys.executable).with_name("gitdesk"))
    proc = subprocess.Popen([exe, "ticket", "list", "--json"], env={**os.environ, "GITDESK_REPO": str(git_repo)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()

    def pool_started() -> bool:
        for pid in children(proc.pid):
            try:
                if b"python" in Path(f"/proc/{pid}/cmdline").read_bytes():  # a worker, not git status
                    workers.add(pid)
            except OSError:
                pass
        return len(workers) >= 2 or proc.poll() is not None

    try:
        assert wait_until(pool_started, every=0.02) and proc.poll() is None and workers, "the build ended before its workers were seen"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in workers), every=0.02), f"workers outlived their parent: {sorted(workers)}"
    finally:
        for pid in workers:  # never leave them behind, even when the test fails
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
