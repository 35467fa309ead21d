"""Importing the real ServiceNow incident log (141,712 rows, 24,918 incidents) end to end.

Usage: python benchmarks/import_servicenow.py [--data FILE] [--dir DIR] [--repeat 3]

Times, through the real console script as a user runs them:

- ``gitdesk import csv incident_event_log.csv.gz --mapping servicenow-incident-log`` into a fresh
  git repository (rows/s, events/s; this includes the one ``os.sync()`` and the cache update that
  parses every new event file);
- ``gitdesk ticket list --json`` right after it (the event files are not committed yet);
- the same import again (adds nothing: reads, checks and stats every event file);
- ``git add`` + ``git commit`` of the event files, and a listing after it with the same cache;
- the first read of the store with no cache (a fresh clone: every YAML file parsed), as
  ``gitdesk ticket list --json``;
- a warm ``gitdesk ticket list --json`` (median of --repeat) and a warm ``gitdesk metrics --json``.

Baselines measured in the same process: ``python -c pass`` and the floor of any import, reading
the gzip CSV with the standard ``csv`` module and nothing else. The data set lives outside the
project (``../shared/data/servicenow-incident-log/``, see its SOURCE.md).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DATA = PROJECT.parent / "shared" / "data" / "servicenow-incident-log" / "incident_event_log.csv.gz"
GITDESK = shutil.which("gitdesk", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")) or "gitdesk"


def run(cmd: list[str], repeat: int = 1) -> tuple[float, str]:
    runs, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        runs.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        out = proc.stdout
    return statistics.median(runs), out


def read_floor(path: Path) -> tuple[float, int]:
    """Decompress and split every row, nothing else: no import can be faster than this."""
    start = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    return time.perf_counter() - start, rows


def count_files(root: Path) -> int:
    tickets = root / "tickets"
    return sum(1 for b in os.scandir(tickets) for _ in os.scandir(b.path)) if tickets.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the gzip CSV (default: ../shared/data/...)")
    parser.add_argument("--dir", type=Path, help="desk to import into (default: a new temporary git repository)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the warm commands (median)")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"no data set at {args.data} (see ../shared/data/servicenow-incident-log/SOURCE.md)")
    root = args.dir or Path(tempfile.mkdtemp(prefix="gitdesk-sn-"))
    if count_files(root):
        raise SystemExit(f"{root} already holds tickets: give an empty folder")
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    shutil.copy(PROJECT / "helpdesk.yml", root / "helpdesk.yml")

    base, _ = run([sys.executable, "-c", "pass"], 3)
    floor, rows = read_floor(args.data)
    importing = [GITDESK, "import", "csv", str(args.data), "--mapping", "servicenow-incident-log", "--json", "--repo", str(root)]
    first, out = run(importing)
    report = json.loads(out)
    events = report["events_written"]
    listing = [GITDESK, "ticket", "list", "--json", "--repo", str(root)]
    after_import, _ = run(listing, args.repeat)
    again, out = run(importing)
    assert json.loads(out)["events_written"] == 0, "the second import wrote events"
    files = count_files(root)
    start = time.perf_counter()
    subprocess.run(["git", "add", "--", "tickets", "helpdesk.yml"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m",
                    "import the ServiceNow incident log"], cwd=root, check=True)
    commit = time.perf_counter() - start
    after_commit, _ = run(listing, args.repeat)
    shutil.rmtree(root / ".gitdesk")  # as in a fresh clone
    cold, out = run(listing)
    tickets = len(json.loads(out))
    warm, _ = run(listing, args.repeat)
    metrics, out = run([GITDESK, "metrics", "--json", "--repo", str(root)])
    median = json.loads(out)["resolution_hours"]

    print(f"ServiceNow incident log: {rows:,} rows -> {report['tickets']:,} tickets, {events:,} event files "
          f"({report['rows_unchanged']:,} rows changed nothing), {files:,} files on disk")
    lines = [
        ("python -c pass (baseline)", base, ""),
        ("read the gzip CSV, csv module only (floor)", floor, f"{rows / floor:,.0f} rows/s"),
        ("gitdesk import csv (fresh desk)", first, f"{rows / first:,.0f} rows/s, {events / first:,.0f} events/s"),
        (f"ticket list --json right after (untracked files, median of {args.repeat})", after_import, ""),
        ("gitdesk import csv again (adds nothing)", again, f"{rows / again:,.0f} rows/s"),
        ("git add + git commit of the event files", commit, ""),
        (f"ticket list --json after the commit, same cache (median of {args.repeat})", after_commit, ""),
        ("first read, no cache (fresh clone): ticket list --json", cold, f"{files / cold:,.0f} files/s, {tickets:,} tickets"),
        (f"ticket list --json, warm (median of {args.repeat})", warm, ""),
        ("metrics --json, warm", metrics, f"resolution median {median['median']} h, p90 {median['p90']} h"),
    ]
    width = max(len(n) for n, _, _ in lines)
    for name, secs, note in lines:
        print(f"  {name:<{width}}  {secs:8.2f} s  {secs / floor:7.1f}x floor  {note}")
    print(f"  desk kept at {root}")


if __name__ == "__main__":
    main()
