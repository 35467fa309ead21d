"""Generate a realistic help desk of N tickets, deterministically, for benchmarks.

Usage: python benchmarks/generate.py DIR [--tickets 100000] [--seed 1] [--git]
       python benchmarks/generate.py . --tickets 160 --seed 7 --sample   (the committed sample desk)

Writes DIR/helpdesk.yml (the project's own) and DIR/tickets/ as real event files, the same
format ``gitdesk`` writes (through :class:`gitdesk.model.event.Event` and the YAML dumper), so
every benchmark reads exactly what a real desk holds: 1-8 events per ticket, agents and
requesters commenting, escalations, pending periods, resolutions, reopenings and ratings, a
skewed asset population (repeat failures) and a year of creation dates.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gitdesk.model.event import Event
from gitdesk.model.ids import ALPHABET, event_id_from
from gitdesk.yamlio import dump_yaml

PROJECT = Path(__file__).resolve().parent.parent
END = datetime(2026, 11, 1, tzinfo=timezone.utc)

AGENTS = {
    "service-desk": ["Ana Lima <ana.lima@northwind.example>", "Ben Okafor <ben.okafor@northwind.example>"],
    "desktop": ["Chen Wei <chen.wei@northwind.example>"],
    "infrastructure": ["Dana Novak <dana.novak@northwind.example>"],
}
CATEGORIES = [
    ("accounts/password", 14, "Password expired and cannot sign in"), ("accounts/mfa", 6, "MFA prompt not arriving on new phone"),
    ("accounts/access", 6, "Need access to the finance shared folder"), ("network/vpn", 10, "VPN disconnects every few minutes"),
    ("network/wifi", 7, "Wi-Fi drops in meeting room"), ("email", 12, "Outlook not syncing new mail"),
    ("hardware/performance", 9, "Laptop very slow after update"), ("hardware/peripherals", 6, "Second monitor not detected on dock"),
    ("printing", 9, "Print jobs stuck in queue"), ("phones", 4, "Desk phone has no dial tone"),
    ("software", 8, "Request to install Visio"), ("storage", 5, "S: drive missing after restart"),
    ("security", 3, "Suspicious email with invoice attachment"), ("onboarding", 1, "New starter laptop setup"),
]
CHANNELS = [("email", 35), ("web", 25), ("phone", 20), ("chat", 12), ("walk-in", 6), ("social", 2)]
PRIORITIES = [("critical", 3), ("high", 17), ("medium", 50), ("low", 30)]
DEPARTMENTS = ["Finance", "Sales", "Marketing", "Operations", "HR", "Legal", "Engineering", "Facilities"]


def _pick(rng: random.Random, weighted):
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _ticket_id(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(10))


def ticket_events(rng: random.Random, index: int, end: datetime = END, days: int = 365, numbered: bool = True) -> list[Event]:
    """The events of one generated ticket, in time order."""
    tid = _ticket_id(rng)
    created = end - timedelta(seconds=rng.randrange(days * 86400))
    category, _, title = next(c for c in rng.choices(CATEGORIES, weights=[c[1] for c in CATEGORIES]))
    person = rng.randrange(2000)
    requester = {"name": f"Requester {person}", "email": f"user{person}@northwind.example",
                 "department": DEPARTMENTS[person % len(DEPARTMENTS)]}
    who_req = f"{requester['name']} <{requester['email']}>"
    agent = rng.choice(AGENTS["service-desk"])
    events: list[Event] = []
    t = created
    counter = 0

    def add(action: str, by: str, **parts) -> None:
        nonlocal counter
        counter += 1
        events.append(Event(id=event_id_from(t, f"bench:{index}:{counter}"), ticket=tid, at=t, by=by, action=action, **parts))

    fields = {
        "status": "new", "title": f"{title} (#{index})" if numbered else title, "description": "Reported by the requester; details in the first comment.",
        "priority": _pick(rng, PRIORITIES), "category": category, "channel": _pick(rng, CHANNELS),
        "requester": requester, "team": "service-desk", "tier": 1,
    }
    if rng.random() < 0.7:
        fields["asset"] = f"LT-{int(rng.paretovariate(1.2) * 10) % 3000:04d}"
    add("new", who_req if fields["channel"] in ("web", "email") else agent, set=fields,
        add={"tags": [category.split("/")[0]]} if rng.random() < 0.3 else {})
    if rng.random() < 0.9:
        t += timedelta(minutes=rng.randrange(5, 600))
        add("comment", agent, set={"status": "open", "assignee": agent}, comment={"body": "Thanks, looking into it now.", "public": True})
    if rng.random() < 0.2:
        t += timedelta(minutes=rng.randrange(30, 1440))
        add("escalate", agent, set={"tier": 2, "team": "desktop", "assignee": AGENTS["desktop"][0]}, reason="needs desk-side visit")
    if rng.random() < 0.15:
        t += timedelta(minutes=rng.randrange(10, 300))
        add("pending", agent, set={"status": "pending"}, comment={"body": "Could you send a screenshot of the error?", "public": True})
        t += timedelta(minutes=rng.randrange(60, 2880))
        add("comment", who_req, set={"status": "open"}, comment={"body": "Screenshot attached.", "public": True})
    age = (end - t).total_seconds()
    if rng.random() < 0.85 and age > 7200:
        t += timedelta(seconds=rng.randrange(3600, int(min(age, 5 * 86400))))
        add("resolve", agent, set={"status": "resolved"}, comment={"body": "Fixed; please confirm.", "public": True})
        if rng.random() < 0.05:
            t += timedelta(hours=rng.randrange(1, 48))
            add("reopen", who_req, set={"status": "open"}, reason="still happening")
            t += timedelta(hours=rng.randrange(1, 48))
            add("resolve", agent, set={"status": "resolved"}, comment={"body": "Replaced the part.", "public": True})
        if rng.random() < 0.4:
            t += timedelta(hours=rng.randrange(1, 72))
            add("rate", who_req, set={"satisfaction": {"rating": rng.choices([1, 2, 3, 4, 5], [3, 4, 10, 33, 50])[0]}})
        if rng.random() < 0.6:
            t += timedelta(days=rng.randrange(1, 6))
            add("close", "gitdesk-bot", set={"status": "closed"})
    return [e for e in events if e.at <= end]


def generate(root: Path, tickets: int, seed: int = 1, git: bool = False, quiet: bool = True,
             end: datetime = END, days: int = 365, numbered: bool = True) -> int:
    """Write ``tickets`` tickets under ``root``; return the number of event files."""
    root = Path(root)
    (root / "tickets").mkdir(parents=True, exist_ok=True)
    if root.resolve() != PROJECT:
        shutil.copy(PROJECT / "helpdesk.yml", root / "helpdesk.yml")
    rng = random.Random(seed)
    files = 0
    made_dirs: set[str] = set()
    for i in range(tickets):
        for event in ticket_events(rng, i, end, days, numbered):
            bucket = event.ticket[:2]
            if bucket not in made_dirs:
                (root / "tickets" / bucket).mkdir(exist_ok=True)
                made_dirs.add(bucket)
            path = root / "tickets" / bucket / f"{event.ticket}.{event.id}.yml"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(dump_yaml(event.to_dict()))
            files += 1
        if not quiet and i and i % 10000 == 0:
            print(f"  {i} tickets...", file=sys.stderr)
    if git:
        env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / ".gitignore").write_text(".gitdesk/\nsite/\n")
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "-m", "generated tickets"], cwd=root, check=True, env=env)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git", action="store_true", help="make it a git repository and commit")
    parser.add_argument("--sample", action="store_true",
                        help="the project's sample desk: 90 days up to 2026-11-20, plain titles")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.sample:
        files = generate(args.dir, args.tickets, args.seed, args.git, quiet=False,
                         end=datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc), days=90, numbered=False)
    else:
        files = generate(args.dir, args.tickets, args.seed, args.git, quiet=False)
    print(f"generated {args.tickets} tickets, {files} event files in {time.perf_counter() - start:.1f} s -> {args.dir}")


if __name__ == "__main__":
    main()
