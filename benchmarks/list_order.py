"""``ticket list`` in its urgency order against the old order (created), on a large desk.

Usage: python benchmarks/list_order.py [--tickets 30000] [--dir DIR] [--repeat 5]

The urgency order (priority, then the earliest SLA due time, then untouched longest) evaluates
the SLA clocks of every open ticket listed; the old order was one SQL ``ORDER BY``. Each figure
is the median of --repeat runs through the console script, output piped (no pager, no colour),
printed with its ratio to the same listing in the old order.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GITDESK, desk, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=30_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = desk(args.dir, args.tickets, "gitdesk-bench-")
    r = args.repeat
    timed([GITDESK, "ticket", "list", "--json", "--all", "--sort", "created"], root, 1)  # the cache, warm
    print(f"ticket list on {args.tickets} tickets, median of {r} runs", flush=True)
    for label, extra in (("open tickets (the default)", []), ("every ticket (--all)", ["--all"]),
                         ("open tickets, --json", ["--json"]), ("every ticket, --json", ["--all", "--json"])):
        old, _ = timed([GITDESK, "ticket", "list", "--sort", "created", *extra], root, r)
        new, _ = timed([GITDESK, "ticket", "list", *extra], root, r)
        print(f"  {label:<28}  created {old * 1000:8.0f} ms  urgency {new * 1000:8.0f} ms  ratio {new / old:5.2f}x", flush=True)
    print(f"  desk kept at {root}")


if __name__ == "__main__":
    main()
