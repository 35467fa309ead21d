"""SLA check speed: ``gitdesk sla check --json`` over 100,000 tickets, through the console script.

Usage: python benchmarks/sla_check.py [--tickets 100000] [--dir DIR] [--repeat 5] [--profile]

Generates the desk (benchmarks/generate.py, as a committed git repository) unless DIR already
holds one, warms the ticket cache (one ``ticket list --json``), then times end to end, as the SLA
workflow runs it:

- ``python -c pass`` and ``gitdesk --version``: same-run baselines (start-up);
- ``gitdesk sla check --json`` at the generator's end date (about 15,000 open tickets with clocks
  to evaluate; a past ``--at`` also asks for tickets changed since) and now (the same tickets,
  weeks later: everything overdue);
- ``gitdesk sla check`` (the table) and ``--apply`` once then again (the second records nothing;
  the events the first wrote are deleted afterwards).

Target: ``sla check --json`` under 3 s warm. Every figure is the median of --repeat runs, with
its ratio to ``python -c pass`` measured in the same process (machines here are noisy).
``--profile`` also prints where one in-process check spends its time (store, evaluation, output).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import GITDESK, LAST_CPU, desk  # noqa: E402
from common import timed as common_timed  # noqa: E402
from generate import END  # noqa: E402

TARGET_S = 3.0

CPU: dict[str, float] = {}  # command label -> median CPU seconds (user + sys, with its children)


def timed(cmd: list[str], cwd: Path, repeat: int = 1, label: str | None = None) -> tuple[float, str]:
    """:func:`common.timed`, keeping the median CPU seconds under ``label``."""
    wall, out = common_timed(cmd, cwd, repeat)
    if label is not None:
        CPU[label] = LAST_CPU[0]
    return wall, out


def profile(root: Path, at: str) -> list[tuple[str, float]]:
    """One check in this process, split into its stages (what the command does, in order)."""
    from gitdesk.cli.options import Env
    from gitdesk.cli.jsonout import dumps
    from gitdesk.cli.sla import parse_at
    from gitdesk.sla.engine import SlaEngine, check_tickets, tickets_to_check

    stages = []
    t0 = time.perf_counter()
    env = Env(repo_path=str(root))
    config = env.config
    store = env.store()
    now = parse_at(at, config["timezone"])
    engine = SlaEngine(config)
    stages.append(("config, store, engine", time.perf_counter() - t0))
    t0 = time.perf_counter()
    store.cache.refresh()
    stages.append(("cache check (git status over tickets/)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    tickets = list(tickets_to_check(store, config, now, past=True))
    stages.append((f"read {len(tickets)} tickets open then (summary + timeline)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    report = check_tickets(tickets, config, now, engine)
    stages.append((f"evaluate {report.counts['open']} open tickets", time.perf_counter() - t0))
    t0 = time.perf_counter()
    out = {"at": at, "counts": report.counts, "tickets": [
        {"id": s.id, "worst": s.live_worst, "clocks": [c.to_dict() for c in s.clocks]} for _, s in report.flagged]}
    text = dumps(out, config.id_prefix)
    stages.append((f"JSON, {len(report.flagged)} listed ({len(text) / 1e6:.1f} MB)", time.perf_counter() - t0))
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-apply", action="store_true", help="skip the --apply runs (the first takes minutes)")
    args = parser.parse_args()
    root = desk(args.dir, args.tickets, "gitdesk-sla-bench-")
    warm_up, _ = timed([GITDESK, "ticket", "list", "--json"], root, 1)
    print(f"cache warmed in {warm_up:.1f} s")
    at_end = END.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = args.repeat
    rows = []
    name = "python -c pass (baseline)"
    base, _ = timed([sys.executable, "-c", "pass"], root, r, name)
    rows.append((name, base))
    version, _ = timed([GITDESK, "--version"], root, r, "gitdesk --version")
    rows.append(("gitdesk --version", version))
    name = "sla check --json --at END"
    check_end, out = timed([GITDESK, "sla", "check", "--json", "--at", at_end], root, r, name)
    data = json.loads(out)
    counts = data["counts"]
    rows.append((f"{name} ({counts['open']} open, {len(data['tickets'])} listed)", check_end))
    CPU[rows[-1][0]] = CPU.pop(name)
    name = "sla check --json, now"
    check_now, out = timed([GITDESK, "sla", "check", "--json"], root, r, name)
    rows.append((f"{name} ({len(json.loads(out)['tickets'])} listed)", check_now))
    CPU[rows[-1][0]] = CPU.pop(name)
    name = "sla check (table), now"
    rows.append((name, timed([GITDESK, "sla", "check"], root, r, name)[0]))
    # --apply writes events; the files it wrote are deleted afterwards (by ticket and event id),
    # so the generated desk stays as generated
    if not args.no_apply:
        apply_runs(root, at_end, rows)
    report(args, rows, base, version, check_end, check_now, root, at_end)


def apply_runs(root: Path, at_end: str, rows: list) -> None:
    apply_cmd = [GITDESK, "sla", "check", "--json", "--apply", "--at", at_end, "--as", "github-actions[bot]"]
    first, out = timed(apply_cmd, root, 1)
    applied = json.loads(out)["applied"]
    try:
        rows.append((f"sla check --apply, first run ({len(applied)} escalations)", first))
        again, out = timed(apply_cmd, root, 1)
        assert json.loads(out)["applied"] == [], "second --apply recorded escalations again"
        rows.append(("sla check --apply, second run (0 escalations)", again))
    finally:
        for a in applied:
            (root / "tickets" / a["ticket"][:2] / f"{a['ticket']}.{a['event']}.yml").unlink(missing_ok=True)
        timed([GITDESK, "ticket", "list", "--json"], root, 1)  # let the cache see the deletions


def report(args, rows, base, version, check_end, check_now, root, at_end) -> None:
    r = args.repeat
    width = max(len(n) for n, _ in rows)
    print(f"\nsla check, {args.tickets} tickets, median of {r} runs (--apply: 1 run each)")
    for name, secs in rows:
        cpu = f"  cpu {CPU[name]:6.2f} s" if name in CPU else ""
        print(f"  {name:<{width}}  {secs * 1000:9.1f} ms  {secs / base:7.1f}x baseline{cpu}")
    print(f"\n  sla check --json (at the data's end) = {check_end:.2f} s, now = {check_now:.2f} s "
          f"(target < {TARGET_S:.0f} s warm): {'OK' if max(check_end, check_now) < TARGET_S else 'SLOWER THAN TARGET'}")
    print(f"  = {max(check_end, check_now) / version:.1f}x gitdesk --version")
    if args.profile:
        print("\nin-process profile (one run, at the data's end):")
        for name, secs in profile(root, at_end):
            print(f"  {name:<{width}}  {secs * 1000:9.1f} ms")
    print(f"  desk kept at {root}")


if __name__ == "__main__":
    main()
