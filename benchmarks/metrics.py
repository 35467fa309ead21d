"""Metrics speed: ``gitdesk metrics --json`` over 100,000 tickets, through the console script.

Usage: python benchmarks/metrics.py [--tickets 100000] [--dir DIR] [--repeat 5] [--profile] [--uncached]

Generates the desk (benchmarks/generate.py, as a committed git repository) unless DIR already
holds one, warms the ticket cache (one ``ticket list --json``), then times end to end:

- ``python -c pass`` and ``gitdesk --version``: same-run baselines (start-up);
- the first ``metrics --json`` (cold facts: every ticket read whole and its SLA evaluated, once);
- ``metrics --json`` warm (the target: under 3 s), the same with ``--since``/``--until`` (one
  quarter), the text summary, and ``--out`` (JSON, report and four SVG charts);
- ``metrics --json`` after one new event (one ticket is read again; the event is removed after).

Every warm figure is the median of --repeat runs, with its ratio to ``python -c pass`` measured in
the same process (machines here are shared and noisy). ``--profile`` splits one in-process run into
its stages; ``--uncached`` also times the same figures computed from every ticket without the
facts cache (what the first run costs, and what the cache saves).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GITDESK, LAST_CPU, desk, timed  # noqa: E402
from generate import END  # noqa: E402

TARGET_S = 3.0


def profile(root: Path, uncached: bool) -> list[tuple[str, float, float]]:
    """One warm run in this process, split into its stages: ``(stage, wall s, CPU s)``."""
    from gitdesk.cli.options import Env
    from gitdesk.metrics import cache
    from gitdesk.metrics.compute import aggregate_columns, compute
    from gitdesk.metrics.knowledge import kb_categories
    from gitdesk.model.event import utcnow

    stages = []
    clock = [time.perf_counter(), time.process_time()]

    def stage(name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        stages.append((name, wall - clock[0], cpu - clock[1]))
        clock[:] = [time.perf_counter(), time.process_time()]

    env = Env(repo_path=str(root))
    config = env.config
    store = env.store()
    now = utcnow()
    stage("config and store")
    store.list(limit=0)
    stage("ticket cache refresh (git status runs in a child: its CPU is not counted here)")
    categories = kb_categories(root, config)
    stage("KB categories")
    store.list = lambda *a, **k: []  # already refreshed: time the facts alone
    columns = cache.cached_columns(store, config, now, store.revisions())
    stage(f"facts of {len(columns[0])} tickets from the cache")
    result = aggregate_columns(columns, config, since=None, until=None, now=now, kb_categories=categories)
    stage("aggregate")
    json.dumps(result, indent=2)
    stage("to JSON")
    if uncached:
        tickets = list(env.store().all())
        stage(f"uncached: store.all() ({len(tickets)} tickets parsed)")
        plain = compute(tickets, config, now=now, kb_categories=categories)
        stage("uncached: compute() (facts and SLA of every ticket)")
        assert plain == result, "cached and uncached figures differ"
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--uncached", action="store_true", help="with --profile: also time the figures without the cache")
    args = parser.parse_args()
    root = desk(args.dir, args.tickets, "gitdesk-metrics-bench-")
    warm_up, _ = timed([GITDESK, "ticket", "list", "--json"], root, 1)
    print(f"ticket cache warmed in {warm_up:.1f} s")
    facts = root / ".gitdesk" / "metrics-facts.bin"
    facts.unlink(missing_ok=True)
    r = args.repeat
    rows: list[tuple[str, float, float]] = []

    def add(name: str, secs: float) -> None:
        rows.append((name, secs, LAST_CPU[0]))

    base, _ = timed([sys.executable, "-c", "pass"], root, r)
    add("python -c pass (baseline)", base)
    version, _ = timed([GITDESK, "--version"], root, r)
    add("gitdesk --version", version)
    cold, out = timed([GITDESK, "metrics", "--json"], root, 1)
    data = json.loads(out)
    add(f"metrics --json, cold facts (1 run, {data['tickets']} tickets)", cold)
    warm, out = timed([GITDESK, "metrics", "--json"], root, r)
    assert json.loads(out)["tickets"] == data["tickets"]
    add("metrics --json, warm", warm)
    warm_cpu = LAST_CPU[0]
    quarter_end = END.strftime("%Y-%m-%d")
    quarter_start = (END - timedelta(days=91)).strftime("%Y-%m-%d")
    ranged, out = timed([GITDESK, "metrics", "--json", "--since", quarter_start, "--until", quarter_end], root, r)
    add(f"metrics --json --since {quarter_start} --until {quarter_end} ({json.loads(out)['tickets']} tickets)", ranged)
    add("metrics (text summary), warm", timed([GITDESK, "metrics"], root, r)[0])
    out_dir = Path(tempfile.mkdtemp(prefix="gitdesk-metrics-out-"))
    add("metrics --out DIR (JSON, report, 4 SVG), warm", timed([GITDESK, "metrics", "--out", str(out_dir)], root, r)[0])
    shutil.rmtree(out_dir, ignore_errors=True)
    # one new event: that ticket alone is read again
    ticket_id = json.loads(timed([GITDESK, "ticket", "list", "--json", "--limit", "1"], root, 1)[1])[0]["id"]
    timed([GITDESK, "ticket", "comment", ticket_id, "Benchmark: one more reply.", "--as", "Ana Lima <ana.lima@northwind.example>"], root, 1)
    try:
        after, _ = timed([GITDESK, "metrics", "--json"], root, 1)
        add("metrics --json after one new event (1 run)", after)
    finally:
        bucket = root / "tickets" / ticket_id[:2]
        newest = max(bucket.glob(f"{ticket_id}.*.yml"), key=lambda p: p.name)
        if "Benchmark: one more reply." in newest.read_text():
            newest.unlink()
        timed([GITDESK, "ticket", "list", "--json", "--limit", "1"], root, 1)

    width = max(len(n) for n, _, _ in rows)
    print(f"\nmetrics, {args.tickets} tickets, median of {r} runs (cold and after-one-event: 1 run each); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  {'':<{width}}  {'wall':>9}     {'ratio':>7}            {'CPU':>9}")
    for name, secs, cpu in rows:
        print(f"  {name:<{width}}  {secs * 1000:9.1f} ms  {secs / base:7.1f}x baseline  {cpu * 1000:9.1f} ms")
    print(f"\n  metrics --json warm = {warm:.2f} s (target < {TARGET_S:.0f} s): {'OK' if warm < TARGET_S else 'SLOWER THAN TARGET'}"
          f"; = {warm / version:.1f}x gitdesk --version; CPU {warm_cpu:.2f} s; cold = {cold:.1f} s")
    if args.profile:
        print("\nin-process profile (one warm run):")
        for name, secs, cpu in profile(root, args.uncached):
            print(f"  {name:<{width}}  {secs * 1000:9.1f} ms  {'':>18}  {cpu * 1000:9.1f} ms")
    print(f"  desk kept at {root}")


if __name__ == "__main__":
    main()
