"""Helpers shared by the import tests (fixture files, reading back what was imported)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def write_text(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    if gz:
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def event_files(repo: Path) -> list[Path]:
    tickets = repo / "tickets"
    return sorted(tickets.glob("*/*.yml")) if tickets.exists() else []


# the desk's lock (gitdesk.locking), taken before anything is read: not data, and never removed
LOCK_PATHS = {".gitdesk", ".gitdesk/.gitignore", ".gitdesk/desk.lock"}


def tree(repo: Path) -> list[str]:
    """Every path under ``repo`` except .git and the desk's lock (to prove a run writes nothing)."""
    return sorted(str(p.relative_to(repo)) for p in repo.rglob("*")
                  if ".git" not in p.relative_to(repo).parts[:1] and p.relative_to(repo).as_posix() not in LOCK_PATHS)


def store_for(repo: Path):
    from gitdesk.config import load_config
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    config = load_config(repo)
    return open_store(Repo(repo), config), config


def tickets_by_external_id(repo: Path) -> dict[str, dict]:
    store, _ = store_for(repo)
    return {t.data["external"]["id"]: t.data for t in store.all()}


def run_import(run_cli, *args: str):
    """``gitdesk import csv ... --json``: (exit code, report dict, stderr)."""
    result = run_cli("import", "csv", *args, "--json")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = None
    return result.exit_code, report, result.stderr


# -- one row per ticket --------------------------------------------------------------------------
# Line numbers matter: T-1's description spans lines 2-3, so T-2 is on line 4 ... T-8 on line 10.
TICKETS_CSV = (
    "Ticket ID,Subject,Description,Status,Priority,Category,Source,Requester,Email,Department,Asset,Agent,Group,Tier,Tags,Created,Resolved,Closed\n"
    'T-1,VPN drops every 10 minutes,"It drops.\nThen it comes back.",Closed,1 - Critical,Network,Phone,Sam Reed,sam@example.com,Finance,LT-0412,Ana Lima,Service Desk,1,"vpn; Remote Work",03/11/2026 09:15,03/11/2026 11:45,04/11/2026 09:00\n'
    "T-2,Printer jam,,Open,3 - Moderate,Printing,E-mail,Kim Park,kim@example.com,Sales,?,?,Desktop,2,,01/07/2026 10:00,?,?\n"
    "T-3,Need a new mouse,,Awaiting User Info,4 - Low,Hardware,Web form,?,?,?,?,?,?,?,,02/07/2026 23:30,?,?\n"
    "T-4,Bad date,,Open,3 - Moderate,Other,Phone,?,?,?,?,?,?,?,,31/02/2026 10:00,?,?\n"
    "T-5,Fax machine,,Open,3 - Moderate,Other,Fax,?,?,?,?,?,?,?,,05/11/2026 10:00,?,?\n"
    "T-6,=cmd|' /C calc'!A0,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",Resolved,2 - High,Other,Phone,@SUM(1+1),+1-555-0100,-2+3,?,?,?,?,,05/11/2026 08:00,05/11/2026 09:30,?\n"
    "T-7,Short row,Open\n"
    'T-8,"Quotes ""inside"", and commas",,Closed,3 - Moderate,Other,Phone,?,?,?,?,?,?,?,,06/11/2026 10:00,?,06/11/2026 12:00\n'
)

MAPPING_TICKETS = """\
source: acme-desk
mode: tickets
dates: {format: "%d/%m/%Y %H:%M", timezone: Europe/London}
missing: ["?"]
columns:
  id: Ticket ID
  title: Subject
  description: Description
  status: Status
  priority: Priority
  category: Category
  channel: Source
  requester: {name: Requester, email: Email, department: Department}
  asset: Asset
  assignee: Agent
  team: Group
  tier: Tier
  created: Created
  resolved: Resolved
  closed: Closed
values:
  status: {map: {Open: open, Closed: closed, Resolved: resolved, "Awaiting User Info": pending}}
  priority: {map: {"1 - Critical": critical, "2 - High": high, "3 - Moderate": medium, "4 - Low": low}}
  category: {map: {Network: network/vpn, Printing: printing, Hardware: hardware/peripherals, Other: other}}
  channel: {map: {Phone: phone, E-mail: email, Web form: web}}
  team: {map: {Service Desk: service-desk, Desktop: desktop}}
tags:
  - {column: Tags, split: ";"}
"""


# -- one row per update --------------------------------------------------------------------------
# INC1: opened 08:55, rows out of file order, a reopen, two changes in the same minute, a row that
# changes nothing, an unknown state (-100) that keeps the status, a group change (tag swap).
# INC2: two rows stamped before the ticket was opened (the first becomes the creation, the second
# is recorded at the creation time). INC3: one unmapped state (line 16) skipped.
AUDIT_CSV = """\
number,incident_state,sys_updated_at,sys_updated_by,opened_at,opened_by,priority,contact_type,assignment_group,assigned_to,made_sla,knowledge,work_notes
INC1,New,01/03/2016 09:00,Updated by 1,01/03/2016 08:55,Opened by 7,3 - Moderate,Phone,Group 1,?,true,false,?
INC2,Active,02/03/2016 08:00,Updated by 2,02/03/2016 09:00,Opened by 7,2 - High,Email,Group 2,Resolver 2,true,false,?
INC1,Active,01/03/2016 09:30,Updated by 2,01/03/2016 08:55,Opened by 7,3 - Moderate,Phone,Group 1,Resolver 1,true,false,?
INC1,Resolved,02/03/2016 12:00,Updated by 2,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 1,true,true,Fixed the VPN profile
INC1,Awaiting User Info,01/03/2016 10:00,Updated by 2,01/03/2016 08:55,Opened by 7,3 - Moderate,Phone,Group 1,Resolver 1,true,false,?
INC1,Active,01/03/2016 10:00,Updated by 3,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 1,true,false,?
INC1,Active,01/03/2016 10:00,Updated by 3,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 1,true,false,?
INC1,-100,01/03/2016 11:00,Updated by 3,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 1,true,false,?
INC1,Active,02/03/2016 13:00,Updated by 4,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 4,true,false,Caller says it is back
INC2,Active,02/03/2016 08:30,Updated by 9,02/03/2016 09:00,Opened by 7,2 - High,Email,Group 2,Resolver 3,true,false,?
INC1,Resolved,02/03/2016 14:00,Updated by 4,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 4,false,true,?
INC2,Closed,03/03/2016 10:00,Updated by 2,02/03/2016 09:00,Opened by 7,2 - High,Email,Group 2,Resolver 3,true,false,?
INC1,Closed,07/03/2016 14:00,Updated by 5,01/03/2016 08:55,Opened by 7,2 - High,Phone,Group 5,Resolver 4,false,true,?
INC3,New,04/03/2016 09:00,Updated by 1,04/03/2016 09:00,Opened by 7,4 - Low,Self service,?,?,true,false,?
INC3,Sleeping,04/03/2016 09:05,Updated by 1,04/03/2016 09:00,Opened by 7,4 - Low,Self service,?,?,true,false,?
INC3,Active,04/03/2016 09:10,Updated by 1,04/03/2016 09:00,Opened by 7,4 - Low,Self service,?,?,true,false,?
"""

MAPPING_AUDIT = """\
source: sn-test
mode: audit
dates: {format: "%d/%m/%Y %H:%M", timezone: UTC}
missing: ["?"]
actor: sn-import
columns:
  id: number
  updated: sys_updated_at
  updated_by: sys_updated_by
  created: opened_at
  created_by: opened_by
  status: incident_state
  priority: priority
  channel: contact_type
  assignee: assigned_to
  comment: work_notes
values:
  status:
    map: {New: new, Active: open, Awaiting User Info: pending, Resolved: resolved, Closed: closed, "-100": null}
  priority: {map: {"1 - Critical": critical, "2 - High": high, "3 - Moderate": medium, "4 - Low": low}}
  channel: {map: {Phone: phone, Email: email, Self service: web}}
tags:
  - {column: assignment_group, prefix: "sn-"}
  - {column: made_sla, map: {"false": sla-missed}}
kb:
  - {column: knowledge, map: {"true": "servicenow:knowledge"}}
"""


def make_repo(path: Path) -> Path:
    """Another help desk repository (like the ``git_repo`` fixture), for tests that need two."""
    import shutil
    import subprocess

    path.mkdir(parents=True)
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Ana Lima"],
                 ["config", "user.email", "ana.lima@northwind.example"]):
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)
    shutil.copy(PROJECT / "helpdesk.yml", path / "helpdesk.yml")
    return path
