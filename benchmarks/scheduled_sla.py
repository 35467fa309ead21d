"""The scheduled SLA run as GitHub runs it: a fresh checkout, with and without the derived caches
(``.gitdesk/``) restored by ``actions/cache``.

Usage: python benchmarks/scheduled_sla.py [--tickets 20000] [--dir DIR] [--repeat 3]

Generates the desk (benchmarks/generate.py, as a committed git repository) unless DIR already
holds one. Each run clones it afresh with ``--depth 1`` (as ``actions/checkout`` does: every file
and folder is new, the commit the cache last saw is absent), then times
``gitdesk sla check --json`` at the generator's end date:

- cold: no ``.gitdesk/`` (a first run, or a cache that was evicted);
- restored: ``.gitdesk/`` copied from an earlier run (what the workflow's ``actions/cache`` step
  restores); the cache checks every file against its bytes (git's blob id) and parses none
  whose bytes it has already parsed;
- restored, one commit later: the same, after a commit that adds one event (a comment), as
  when the cache was saved before the last push;
- warm: a second run in the same checkout (a machine that keeps its folder).

Baseline: ``python -c pass`` in the same run. The outputs of every variant must be identical.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GITDESK, desk, timed  # noqa: E402
from generate import END  # noqa: E402


def checkout(origin: Path, where: Path) -> Path:
    if where.exists():
        shutil.rmtree(where)
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(where)], check=True)
    return where


def add_comment(root: Path) -> None:
    """One new event committed in the desk (a colleague's reply pushed after the cache was saved)."""
    first = sorted((root / "tickets").glob("*/*.yml"))[0].name.split(".")[0]
    subprocess.run([GITDESK, "ticket", "comment", first, "Any news?", "--as", "Sam Reed <sam@example.com>"],
                   cwd=root, check=True, capture_output=True)
    subprocess.run(["git", "add", "-A", "tickets"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "reply"],
                   cwd=root, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    origin = desk(args.dir, args.tickets, "gitdesk-scheduled-sla-")
    at = END.strftime("%Y-%m-%dT%H:%M:%SZ")
    cmd = [GITDESK, "sla", "check", "--json", "--at", at]
    work = Path(tempfile.mkdtemp(prefix="gitdesk-scheduled-"))
    try:
        base, _ = timed([sys.executable, "-c", "pass"], work, 5)
        rows, outputs = [], {}

        def run(label: str, prepare) -> None:
            times = []
            for i in range(args.repeat):
                root = prepare(work / f"run{i}")
                secs, out = timed(cmd, root, 1)
                times.append(secs)
                outputs[label] = out
            times.sort()
            rows.append((label, times[len(times) // 2]))

        run("cold: fresh checkout, no cache", lambda w: checkout(origin, w))
        saved = work / "saved"
        saved_from = checkout(origin, work / "saver")
        timed(cmd, saved_from, 1)
        shutil.copytree(saved_from / ".gitdesk", saved / ".gitdesk")

        def restored(w: Path) -> Path:
            root = checkout(origin, w)
            shutil.copytree(saved / ".gitdesk", root / ".gitdesk")
            return root

        run("restored: fresh checkout + .gitdesk/ from an earlier run", restored)
        warm_root = restored(work / "warm")
        timed(cmd, warm_root, 1)
        run("warm: the same checkout again", lambda w: warm_root)
        same = len(set(outputs.values())) == 1
        add_comment(origin)
        try:
            run("restored, one commit after the cache was saved", restored)
        finally:
            subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=origin, check=True)

        width = max(len(n) for n, _ in rows)
        print(f"\nscheduled sla check --json, {args.tickets} tickets, median of {args.repeat} runs")
        for name, secs in rows:
            print(f"  {name:<{width}}  {secs:8.2f} s  {secs / base:8.1f}x baseline")
        cold, restored_s = rows[0][1], rows[1][1]
        print(f"\n  restored cache: {cold / restored_s:.1f}x faster than cold ({cold:.1f} s -> {restored_s:.1f} s); "
              f"outputs identical: {same}")
        if not same:
            raise SystemExit("the outputs differ")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
