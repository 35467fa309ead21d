"""Shared helpers for the SLA tests: a real git repository with a known configuration, and a
:class:`~gitdesk.operations.Desk` whose clock the test moves by hand.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gitdesk.config import load_config
from gitdesk.operations import Desk
from gitdesk.repo import Repo
from gitdesk.backend import open_store

UTC = timezone.utc
H = 3600
M = 60

AGENT = "Ana Lima <ana.lima@northwind.example>"
AGENT2 = "Ben Okafor <ben.okafor@northwind.example>"
REQUESTER = {"name": "Sam Reed", "email": "sam.reed@northwind.example", "department": "Finance"}
SAM = "Sam Reed <sam.reed@northwind.example>"
BOT = "github-actions[bot]"

# London is on GMT (UTC+0) in November and December, so the office hours below are UTC hours
# on the dates the tests use (2026-11-23 is a Monday, 2026-12-25 a Friday and a holiday).
CONFIG = """\
name: SLA test desk
timezone: Europe/London
teams:
  service-desk: {name: Service Desk, tier: 1, agents: []}
  desktop: {name: Desktop Support, tier: 2, agents: []}
  infrastructure: {name: Infrastructure, tier: 3, agents: []}
sla:
  warning: 0.75
  calendars:
    always: 24x7
    office:
      timezone: Europe/London
      hours:
        mon: ["09:00-17:00"]
        tue: ["09:00-17:00"]
        wed: ["09:00-17:00"]
        thu: ["09:00-17:00"]
        fri: ["09:00-17:00"]
      holidays: ["2026-12-25"]
  policies:
    - {name: Critical, priority: critical, calendar: always, first_response: 30m, next_update: 1h, resolution: 4h}
    - {name: Network high, priority: high, category: network, calendar: always, first_response: 15m, next_update: 1h, resolution: 2h}
    - {name: High, priority: high, calendar: office, first_response: 1h, next_update: 4h, resolution: 8h}
    - {name: Infra medium, priority: medium, team: infrastructure, calendar: always, first_response: 2h, resolution: 1d}
    - {name: Medium, priority: medium, calendar: office, first_response: 4h, next_update: 8h, resolution: 3d}
  escalation:
    - {when: at-risk, clock: first_response, add_tag: sla-at-risk, notify: true}
    - {when: breached, clock: first_response, add_tag: sla-breached, notify: true}
    - {when: breached, clock: resolution, raise_tier: true, add_tag: sla-breached, notify: true}
    - {when: breached, clock: any, priority: critical, team: infrastructure}
"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def init_repo(root: Path, config_text: str = CONFIG) -> Path:
    """A real git repository with ``helpdesk.yml`` committed and an identity set."""
    from tests.support.desk import init_repo as project_init_repo

    return project_init_repo(root, config_text=config_text)


@dataclass
class ManualClock:
    """A clock the test sets; every Desk action happens at ``now``."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, *args) -> datetime:
        self.now = utc(*args)
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now = self.now + timedelta(seconds=seconds)
        return self.now


class Helpdesk:
    """A repository, its store and desks acting as different people at a manual time."""

    def __init__(self, root: Path):
        self.root = root
        self.repo = Repo.discover(root)
        self.config = load_config(root)
        self.store = open_store(self.repo, self.config)
        self.clock = ManualClock(utc(2026, 11, 23, 9, 0))

    def desk(self, actor: str = AGENT) -> Desk:
        return Desk(self.store, self.config, actor, clock=self.clock)

    def at(self, *args) -> "Helpdesk":
        self.clock.set(*args)
        return self

    def new(self, *, priority="high", category=None, team=None, title="Cannot print payslips", **kw):
        return self.desk().new(title=title, requester=dict(REQUESTER), priority=priority, category=category,
                               team=team, **kw)


def cli_run(root: Path, *args: str, code: int | None = None):
    """``gitdesk ARGS --repo ROOT`` through CliRunner; a Python exception is raised as itself."""
    from tests.support.cli import invoke

    result = invoke(*args, "--repo", root)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def make_helpdesk(tmp_path: Path, config_text: str = CONFIG) -> Helpdesk:
    return Helpdesk(init_repo(tmp_path / "desk", config_text))
