"""Time per call of business-time arithmetic, against wall-clock subtraction in the same process.

The SLA check evaluates a few clocks per ticket over 100,000 tickets in about 3 s, so one call
must cost microseconds whatever the span. For 1-day, 1-week and 3-month spans starting at random
instants of 2025-2027 this prints the time per call of ``business_seconds`` (plain, and with two
pauses) and ``add_business`` on a London office calendar with holidays, a New York calendar with
a lunch break, and 24x7; the baseline is the naive 24x7 answer, ``(end - start).total_seconds()``
over the same pairs. Run: ``.venv/bin/python benchmarks/business_time.py [--calls N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from gitdesk.model.calendar import Calendar

UTC = timezone.utc
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SPANS = {"1 day": timedelta(days=1), "1 week": timedelta(weeks=1), "3 months": timedelta(days=91)}


def calendars() -> dict[str, Calendar]:
    return {
        "london office": Calendar.from_config("office", {
            "timezone": "Europe/London",
            "hours": {d: ["08:30-18:00"] for d in WEEKDAYS},
            "holidays": ["2025-12-25", "2025-12-26", "2026-04-03", "2026-04-06", "2026-12-25", "2026-12-28", "2027-01-01"],
        }),
        "new york lunch": Calendar.from_config("ny", {
            "timezone": "America/New_York",
            "hours": {**{d: ["08:00-12:00", "13:00-18:00"] for d in WEEKDAYS}, "sat": ["10:00-14:00"]},
            "holidays": ["2026-07-03", "2026-11-26"],
        }),
        "24x7": Calendar.from_config("always", "24x7"),
    }


def per_call(fn, items, repeats: int = 3) -> float:
    """Best of ``repeats`` runs, in microseconds per call."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for item in items:
            fn(*item)
        best = min(best, time.perf_counter() - t0)
    return best / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per measurement (default 20000)")
    args = parser.parse_args()
    rnd = random.Random(4)
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    starts = [origin + timedelta(seconds=rnd.randrange(3 * 365 * 86400)) for _ in range(args.calls)]

    cals = calendars()
    t0 = time.perf_counter()
    cold = Calendar.from_config("cold", {"timezone": "Europe/London", "hours": {d: ["09:00-17:00"] for d in WEEKDAYS}})
    cold.business_seconds(origin, origin + timedelta(days=1))
    print(f"cold start: first call builds one year of tables in {(time.perf_counter() - t0) * 1e3:.2f} ms")
    for cal in cals.values():  # warm: the years the benchmark touches
        cal.business_seconds(origin, origin + timedelta(days=4 * 365))

    print(f"{'calendar':<16} {'span':<9} {'baseline':>9} {'business':>9} {'ratio':>6} {'+2 pauses':>10} {'add_business':>13}")
    plains, pauseds = [], []
    for span_name, span in SPANS.items():
        pairs = [(s, s + span) for s in starts]
        baseline = per_call(lambda s, e: (e - s).total_seconds(), pairs)
        for cal_name, cal in cals.items():
            plain = per_call(cal.business_seconds, pairs)
            paused = [(s, e, [(s + span / 4, s + span / 3), (s + span / 2, None)]) for s, e in pairs]
            with_pauses = per_call(cal.business_seconds, paused)
            targets = [(s, span.total_seconds() / 10) for s, _ in pairs]
            adding = per_call(cal.add_business, targets)
            if cal_name != "24x7":
                plains.append(plain)
                pauseds.append(with_pauses)
            print(f"{cal_name:<16} {span_name:<9} {baseline:8.2f}µs {plain:8.2f}µs {plain / baseline:5.1f}x "
                  f"{with_pauses:8.2f}µs {adding:11.2f}µs")
    clocks = 3 * 100_000
    plain, paused = statistics.median(plains), statistics.median(pauseds)
    print(f"100,000 tickets x 3 clocks on office hours (median figures): {clocks * plain / 1e6:.2f} s without pauses, "
          f"{clocks * paused / 1e6:.2f} s if every clock had two pauses")


if __name__ == "__main__":
    main()
