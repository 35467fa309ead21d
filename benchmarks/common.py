"""What every benchmark script shares: the console script, timing a command, a generated desk."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

GITDESK = shutil.which("gitdesk", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")) or "gitdesk"
LAST_CPU = [0.0]  # median CPU seconds (user + system, with its children) of the last timed command


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, repeat: int = 1, env: dict | None = None) -> tuple[float, str]:
    """Median wall-clock seconds of ``repeat`` runs and the last output (stdout read through a
    pipe, as a script reads it); the median CPU time
    lands in ``LAST_CPU`` (steadier than wall time on a machine shared by several users)."""
    runs, cpus = [], []
    out = ""
    for _ in range(repeat):
        cpu0 = _children_cpu()
        start = time.perf_counter()
        # bytes through a pipe, decoded after the clock stops: the command's time, not this
        # script's (decoding 90 MB of JSON into a str costs the reader a tenth of a second)
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, env={**os.environ, **(env or {})})
        runs.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace').strip()}")
        out = proc.stdout.decode("utf-8")
    LAST_CPU[0] = statistics.median(cpus)
    return statistics.median(runs), out


def desk(folder: Path | None, tickets: int, prefix: str) -> Path:
    """``folder`` if it already holds a desk, else a new committed desk of ``tickets`` tickets."""
    root = folder or Path(tempfile.mkdtemp(prefix=prefix))
    if not (root / "tickets").exists():
        start = time.perf_counter()
        files = generate(root, tickets, git=True, quiet=False)
        print(f"generated {tickets} tickets ({files} event files, committed) in {time.perf_counter() - start:.0f} s")
    return root
