"""A small help desk whose every figure is worked out by hand in the tests.

Tickets are made through the real :class:`gitdesk.operations.Desk` (events written by the real
FileStore into a real git repository) with a clock set before each action. The configuration is
written here, not copied from the project, so the hand computations do not move when the
project's helpdesk.yml does: time zone UTC, an office calendar Monday-Friday 09:00-17:00 and a
24x7 one, no next-update targets.

Requesters, titles and texts are distinctive so the tests can assert they appear nowhere in the
output.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

CONFIG = """\
name: Metrics Test Desk
timezone: UTC
teams:
  service-desk: {name: Service Desk, tier: 1, agents: ["Alice Agent <alice@desk.example>", "Bob Builder <bob@desk.example>"]}
  desktop: {name: Desktop, tier: 2, agents: ["Carol Desktop <carol@desk.example>"]}
  infrastructure: {name: Infrastructure, tier: 3, agents: []}
sla:
  warning: 0.75
  calendars:
    always: 24x7
    office:
      timezone: UTC
      hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
      holidays: []
  policies:
    - {name: Critical, priority: critical, calendar: always, first_response: 30m, resolution: 4h}
    - {name: High, priority: high, calendar: office, first_response: 1h, resolution: 8h}
    - {name: Medium, priority: medium, calendar: office, first_response: 4h, resolution: 3d}
    - {name: Low, priority: low, calendar: office, first_response: 8h, resolution: 5d}
  escalation: []
site:
  title: Metrics Test Help
  dashboard: true
"""

ALICE = "Alice Agent <alice@desk.example>"
BOB = "Bob Builder <bob@desk.example>"
CAROL = "Carol Desktop <carol@desk.example>"
CONTRACTOR = "Temp Contractor <temp.contractor@agency.example>"

ZEB = {"name": "Zebulon Quixote", "email": "zebulon.quixote@private.example", "department": "Finance"}
MARG = {"name": "Marguerite Vantablack", "email": "m.vantablack@private.example", "department": "Finance"}
OCT = {"name": "Octavia Plumtree", "email": "octavia.plumtree@private.example", "department": "Sales"}
WAL = {"name": "Walter Fiddlesticks", "email": "walter.fiddlesticks@private.example", "department": "Sales"}

TITLES = {
    "A": "Zebulon cannot reach the payroll VPN from the yacht",
    "B": "Marguerite forgot the Vantablack vault password",
    "C": "Octavia's plum-coloured printer ate the board minutes",
    "D": "Zebulon's laptop smells of burnt toast",
    "E": "Marguerite asks how to set an out-of-office on Mars",
    "F": "Octavia again: printer ate the minutes twice",
    "G": "Walter walked in with a mysterious dongle",
    "H": "Octavia reported a phishing email about pineapples",
    "I": "Zebulon found a USB stick in the car park",
}
DESCRIPTION = "Confidential: the quarterly figures for Project Quetzalcoatlus are on this laptop."
COMMENTS = ("We are on it, Zebulon", "Reset link sent to Marguerite", "Could you photograph the jam, Octavia?",
            "Here is the photograph of the jam", "Replaced the toner drum for Octavia", "Secret rating remark about Bob",
            "Internal note: Zebulon keeps spilling coffee", "Still broken, says Octavia", "Out-of-office guide for Marguerite")

#: every piece of personal data or ticket text the scenario puts in the store
PERSONAL = [
    *(p[k] for p in (ZEB, MARG, OCT, WAL) for k in ("name", "email")),
    "Zebulon", "Quixote", "Marguerite", "Vantablack", "Octavia", "Plumtree", "Walter", "Fiddlesticks",
    "Temp Contractor", "temp.contractor@agency.example", "Quetzalcoatlus", *TITLES.values(), *COMMENTS,
]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
SINCE = datetime(2026, 11, 1, tzinfo=timezone.utc)
UNTIL = datetime(2026, 11, 21, tzinfo=timezone.utc)  # --until 2026-11-20 includes that whole day


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class SetClock:
    """A clock that reads whatever time the scenario set last."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def make_repo(root: Path, config: str = CONFIG) -> Path:
    """A git repository at ``root`` (files already there are kept and committed) with ``config``."""
    from tests.support.desk import init_repo

    return init_repo(root, config_text=config, name="Alice Agent", email="alice@desk.example")


class Scenario:
    """Desks for each person over one store and one settable clock."""

    def __init__(self, root: Path):
        from gitdesk.config import load_config
        from gitdesk.repo import Repo
        from gitdesk.backend import open_store

        self.root = root
        self.repo = Repo(root)
        self.config = load_config(root)
        self.store = open_store(self.repo, self.config)
        self.clock = SetClock()
        self.ids: dict[str, str] = {}

    def desk(self, actor: str | dict):
        from gitdesk.operations import Desk

        if isinstance(actor, dict):
            actor = f"{actor['name']} <{actor['email']}>"
        return Desk(self.store, self.config, actor, clock=self.clock)

    def at(self, text: str) -> "Scenario":
        self.clock.now = utc(text)
        return self


def build(root: Path) -> Scenario:
    """The nine tickets A-I described in test_compute.py."""
    s = Scenario(make_repo(root))
    alice, bob, carol = s.desk(ALICE), s.desk(BOB), s.desk(CAROL)
    zeb, marg, octa = s.desk(ZEB), s.desk(MARG), s.desk(OCT)

    # A: critical, phone, answered after 20 min, resolved after 2 h by its only reply, rated 4
    s.at("2026-11-02T09:00")
    a = alice.new(title=TITLES["A"], requester=ZEB, description=DESCRIPTION, priority="critical",
                  category="network/vpn", channel="phone", asset="LT-1").id
    s.at("2026-11-02T09:10"); alice.assign(a, ALICE)
    s.at("2026-11-02T09:20"); alice.comment(a, COMMENTS[0])
    s.at("2026-11-02T11:00"); alice.resolve(a)
    s.at("2026-11-02T12:00"); zeb.rate(a, 4, comment=COMMENTS[5])

    # B: high, email, how-to, answered after 2 h (breach of 1 h), KB link, resolved after 3 h
    s.at("2026-11-02T10:00")
    b = marg.new(title=TITLES["B"], requester=MARG, priority="high", category="accounts/password",
                 channel="email", asset="LT-1", tags=["how-to"]).id
    s.at("2026-11-02T11:00"); alice.assign(b, ALICE)
    s.at("2026-11-02T12:00"); alice.comment(b, COMMENTS[1])
    s.at("2026-11-02T12:05"); alice.link(b, kb=["accounts/reset-password.md"])
    s.at("2026-11-02T13:00"); alice.resolve(b, comment=COMMENTS[8])

    # C: medium, web, opened Friday 16:00, answered Monday 10:00, pending, reopened, rated 2
    s.at("2026-11-06T16:00")
    c = octa.new(title=TITLES["C"], requester=OCT, priority="medium", category="printing", channel="web", asset="PR-9").id
    s.at("2026-11-06T16:30"); bob.assign(c, BOB)
    s.at("2026-11-09T10:00"); bob.comment(c, COMMENTS[2])
    s.at("2026-11-09T10:30"); bob.pending(c, comment=COMMENTS[2] + " (again)")
    s.at("2026-11-10T09:30"); octa.comment(c, COMMENTS[3])
    s.at("2026-11-10T11:00"); bob.resolve(c)
    s.at("2026-11-10T12:00"); octa.reopen(c, reason=COMMENTS[7])
    s.at("2026-11-10T13:00"); bob.link(c, kb=["printing/print-job-stuck.md"])
    s.at("2026-11-10T14:00"); bob.resolve(c, comment=COMMENTS[4])
    s.at("2026-11-11T09:00"); octa.rate(c, 2)

    # D: high, chat, escalated to tier 2, only an internal note: open and breached
    s.at("2026-11-03T09:00")
    d = zeb.new(title=TITLES["D"], requester=ZEB, priority="high", category="hardware/performance", channel="chat", asset="LT-1").id
    s.at("2026-11-03T09:05"); alice.assign(d, ALICE)
    s.at("2026-11-03T09:30"); alice.escalate(d, reason="needs a desk-side visit", assignee=CAROL)
    s.at("2026-11-03T10:00"); carol.comment(d, COMMENTS[6], public=False)

    # E: low, email, how-to, answered after 30 min, pending since Thursday 16:00 (undecided)
    s.at("2026-11-19T15:00")
    e = marg.new(title=TITLES["E"], requester=MARG, priority="low", category="email", channel="email", tags=["how-to"]).id
    s.at("2026-11-19T15:30"); bob.comment(e, COMMENTS[8])
    s.at("2026-11-19T16:00"); bob.pending(e)

    # F: a duplicate of C, merged
    s.at("2026-11-10T08:00")
    f = octa.new(title=TITLES["F"], requester=OCT, priority="medium", category="email", channel="email", asset="PR-9").id
    s.at("2026-11-10T08:30"); bob.merge(f, c)

    # G: no priority, walk-in, assigned to someone who is not a listed agent
    s.at("2026-11-11T10:00")
    g = bob.new(title=TITLES["G"], requester=WAL, channel="walk-in", assignee=CONTRACTOR).id

    # H: before the range; I: at its end (excluded)
    s.at("2026-10-20T09:00")
    h = alice.new(title=TITLES["H"], requester=OCT, priority="medium", category="security", channel="phone").id
    s.at("2026-10-20T10:00"); alice.comment(h, COMMENTS[0])
    s.at("2026-10-20T11:00"); alice.close(h)
    s.at("2026-11-21T00:00")
    i = zeb.new(title=TITLES["I"], requester=ZEB, priority="low", category="security", channel="web").id

    s.ids = dict(zip("ABCDEFGHI", (a, b, c, d, e, f, g, h, i)))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tickets")
    return s
