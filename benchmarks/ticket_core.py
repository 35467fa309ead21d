"""Ticket core speed: the store with 100,000 tickets, through the real console script.

Usage: python benchmarks/ticket_core.py [--tickets 100000] [--dir DIR] [--repeat 5]

Generates the desk (benchmarks/generate.py, as a committed git repository) unless DIR already
holds one, then times, end to end as a user runs them:

- ``python -c pass`` and ``gitdesk --version`` (start-up; target: --version within 5x);
- ``gitdesk ticket list --json`` cold (no cache) and warm (target: warm under 1 s);
- ``gitdesk ticket show PREFIX`` and ``gitdesk ticket new ...`` (target: under 0.3 s);
- a warm list after one new file and after one hand edit (the cache refreshes only that).

Every figure is the median of --repeat runs, printed with its ratio to ``python -c pass`` run in
the same process, because machines here are noisy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GITDESK, desk, timed  # noqa: E402

class Rows(list):
    """Figures, printed as they are measured (a long run that fails still shows what it had)."""

    base = 1.0

    def append(self, row) -> None:
        super().append(row)
        name, secs = row
        print(f"  {name:<58}  {secs * 1000:9.1f} ms  {secs / self.base:7.1f}x baseline", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = desk(args.dir, args.tickets, "gitdesk-bench-")
    shutil.rmtree(root / ".gitdesk", ignore_errors=True)
    r = args.repeat
    rows = Rows()
    base, _ = timed([sys.executable, "-c", "pass"], root, r)
    rows.base = base
    rows.append(("python -c pass (baseline)", base))
    rows.append(("gitdesk --version", timed([GITDESK, "--version"], root, r)[0]))
    rows.append(("gitdesk --help", timed([GITDESK, "--help"], root, r)[0]))
    print(f"ticket core, median of {r} runs (cold: 1 run)", flush=True)
    cold, out = timed([GITDESK, "ticket", "list", "--all", "--sort", "created", "--json"], root, 1)
    count = len(json.loads(out))
    rows.append((f"ticket list --json, cold ({count} tickets)", cold))
    warm, out = timed([GITDESK, "ticket", "list", "--all", "--sort", "created", "--json"], root, r)
    rows.append(("ticket list --json, warm", warm))
    rows.append(("ticket list --status open --priority high (table), warm", timed([GITDESK, "ticket", "list", "--status", "open", "--priority", "high"], root, r)[0]))
    some = json.loads(out)[count // 2]["id"]
    rows.append(("ticket show PREFIX (6 chars)", timed([GITDESK, "ticket", "show", some[:6]], root, r)[0]))
    rows.append(("ticket show --json", timed([GITDESK, "ticket", "show", some, "--json"], root, r)[0]))
    rows.append(("ticket new (flags)", timed([GITDESK, "ticket", "new", "Benchmark ticket", "-r", "bench@example.com", "-c", "email", "--channel", "email", "--as", "Bench <b@x>"], root, r)[0]))
    rows.append(("ticket comment", timed([GITDESK, "ticket", "comment", some, "benchmark", "--as", "Bench <b@x>"], root, r)[0]))
    rows.append(("ticket list --json, warm after new files", timed([GITDESK, "ticket", "list", "--all", "--sort", "created", "--json"], root, 1)[0]))
    victim = sorted((root / "tickets" / some[:2]).glob(f"{some}.*.yml"))[0]  # its committed "new" event
    original = victim.read_bytes()
    with open(victim, "a", encoding="utf-8") as fh:  # a hand edit in place (undone below)
        fh.write("reason: hand edit\n")
    try:
        edited, out = timed([GITDESK, "ticket", "show", some, "--json"], root, 1)
        assert any(h.get("reason") == "hand edit" for h in json.loads(out)["history"]), "hand edit not seen"
        rows.append(("ticket show after a hand edit (seen)", edited))
    finally:
        victim.write_bytes(original)
    version = rows[1][1]
    print(f"\n  --version / python -c pass = {version / base:.1f}x (target <= 5x)")
    named = dict(rows)
    print(f"  warm list = {warm:.2f} s (target < 1 s); show = {named['ticket show PREFIX (6 chars)']:.2f} s, "
          f"new = {named['ticket new (flags)']:.2f} s (target < 0.3 s)")
    print(f"  desk kept at {root}")


if __name__ == "__main__":
    main()
