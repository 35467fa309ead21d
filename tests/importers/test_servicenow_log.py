"""The whole real ServiceNow incident log, imported with the shipped mapping, against figures
computed here directly from the CSV.

Slow (several minutes: about 112,000 event files are written and read back). Skipped where the
data set is absent: it lives outside the project, in ``../shared/data/servicenow-incident-log/``.

What must agree, and why some reference figures differ by definition:

- Ticket count, counts by priority and by channel, the resolved count, the reopen rate and the
  share with a KB article: each incident's final values, mapped with the same value maps. They
  must be equal.
- Resolution time. The project notes give a reference of 22.1 h (median of ``resolved_at -
  opened_at`` over the incidents whose last row has a ``resolved_at``). gitdesk measures from
  the creation to the moment the ticket's status last *became* resolved (or closed, if it never
  was resolved), for every resolved ticket. The two differ by definition on exactly these
  incidents (asserted one by one below): 1,543 were saved for the first time already in state
  Resolved and have no ``resolved_at`` (gitdesk: resolved at that first save, usually the minute
  they were opened); 13 were closed without ever being resolved (gitdesk: resolved when closed);
  295 were saved again while resolved and ServiceNow moved ``resolved_at`` to that later save
  (gitdesk keeps the time the state changed); and INC0000137, whose rows' update times are out
  of order (ordered by time, it is resolved, reopened and closed). The test recomputes
  gitdesk's definition from the CSV rows with its own loop and requires the metrics to equal it;
  every other incident's resolution time equals ServiceNow's to the minute.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.support.importers import PROJECT, make_repo

DATA = PROJECT.parent / "shared" / "data" / "servicenow-incident-log" / "incident_event_log.csv.gz"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.exists(), reason=f"the ServiceNow incident log is not at {DATA} "
                                                 "(see ../shared/data/servicenow-incident-log/SOURCE.md)"),
]

# the value maps, written out again independently of the shipped mapping file
STATE = {"New": "new", "Active": "open", "Awaiting User Info": "pending", "Awaiting Evidence": "pending",
         "Awaiting Problem": "open", "Awaiting Vendor": "open", "Resolved": "resolved", "Closed": "closed", "-100": None}
PRIORITY = {"1 - Critical": "critical", "2 - High": "high", "3 - Moderate": "medium", "4 - Low": "low"}
CHANNEL = {"Phone": "phone", "IVR": "phone", "Email": "email", "Self service": "web", "Direct opening": "walk-in"}
CLOSED = ("resolved", "closed")


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=timezone.utc)


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    pos = (len(values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (pos - lo) * (values[hi] - values[lo])


@pytest.fixture(scope="module")
def facts() -> dict:
    """Figures straight from the CSV, with no gitdesk code involved."""
    rows: dict[str, list] = defaultdict(list)
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as fh:
        for order, row in enumerate(csv.DictReader(fh)):
            rows[row["number"]].append((_time(row["sys_updated_at"]), order, row))
    out: dict = {"rows": sum(len(r) for r in rows.values()), "incidents": len(rows), "priority": Counter(),
                 "channel": Counter(), "resolved": 0, "reference_hours": [], "hours": [], "reopened": 0, "kb": 0,
                 "resolved_at": {}, "sn_resolved_at": {}, "reopen_column_differs": [], "first_state": {},
                 "resolved_rows": {}}
    for number, updates in rows.items():
        last = updates[-1][2]  # the incident's last row in the file
        out["priority"][PRIORITY[last["priority"]]] += 1
        out["channel"][CHANNEL[last["contact_type"]]] += 1
        out["resolved"] += STATE[last["incident_state"]] in CLOSED
        opened = _time(last["opened_at"])
        if last["resolved_at"] != "?":
            out["reference_hours"].append((_time(last["resolved_at"]) - opened).total_seconds() / 3600)
            out["sn_resolved_at"][number] = _time(last["resolved_at"])
        # gitdesk's definition, recomputed: replay the states in update-time order from opened_at
        updates.sort(key=lambda u: (u[0], u[1]))
        out["first_state"][number] = updates[0][2]["incident_state"]
        out["resolved_rows"][number] = {at for at, _, row in updates if row["incident_state"] == "Resolved"}
        status, resolved_at, reopens = "new", None, 0  # opened in the initial status
        for at, _, row in updates:
            new = STATE[row["incident_state"]]
            if new is None or new == status:
                continue
            at = max(at, opened)
            if status in CLOSED and new not in CLOSED:
                reopens += 1
                resolved_at = None
            if new == "resolved":
                resolved_at = at
            elif new == "closed":
                resolved_at = resolved_at or at
            status = new
        if status in CLOSED:
            out["hours"].append((resolved_at - opened).total_seconds() / 3600)
            out["resolved_at"][number] = resolved_at
            out["kb"] += updates[-1][2]["knowledge"] == "true"
        out["reopened"] += reopens > 0
        if reopens != int(last["reopen_count"]):
            out["reopen_column_differs"].append(number)
    return out


def _gitdesk(*args: str) -> subprocess.CompletedProcess:
    exe = os.path.join(os.path.dirname(sys.executable), "gitdesk")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=3600)


def _count_files(repo: Path) -> int:
    return sum(1 for bucket in os.scandir(repo / "tickets") for _ in os.scandir(bucket.path))


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    repo = make_repo(tmp_path_factory.mktemp("servicenow") / "desk")
    proc = _gitdesk("import", "csv", str(DATA), "--mapping", "servicenow-incident-log", "--json", "--repo", str(repo))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {"repo": repo, "report": json.loads(proc.stdout)}


def test_the_csv_is_the_documented_one(facts):
    assert (facts["rows"], facts["incidents"]) == (141_712, 24_918)
    assert round(_quantile(facts["reference_hours"], 0.5), 1) == 22.1  # the project notes' reference figure
    # gitdesk's reopen count agrees with ServiceNow's column except where the rows' times are out of order
    assert facts["reopen_column_differs"] == ["INC0000137"]


def test_every_row_is_imported(imported, facts):
    report = imported["report"]
    assert report["ok"] is True and report["rows_skipped"] == 0 and report["skipped"] == []
    assert (report["rows_read"], report["tickets"], report["tickets_new"]) == (facts["rows"], facts["incidents"], facts["incidents"])
    # one import event per ticket, then one per row that changed something
    assert report["events"] == report["events_written"] == report["tickets"] + report["rows_read"] - report["rows_unchanged"]
    assert _count_files(imported["repo"]) == report["events_written"]


def test_metrics_agree_with_the_csv(imported, facts):
    proc = _gitdesk("metrics", "--json", "--repo", str(imported["repo"]))
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = json.loads(proc.stdout)
    assert m["tickets"] == facts["incidents"] == 24_918
    assert {k: v for k, v in m["by_priority"].items() if v} == dict(facts["priority"])
    assert {k: v for k, v in m["by_channel"].items() if v} == dict(facts["channel"])
    assert (m["resolved"], m["open"]) == (facts["resolved"], facts["incidents"] - facts["resolved"])
    assert m["by_category"] == {"other": facts["incidents"]}
    hours = m["resolution_hours"]
    assert hours["count"] == len(facts["hours"])
    assert hours["median"] == round(_quantile(facts["hours"], 0.5), 2)
    assert hours["p90"] == round(_quantile(facts["hours"], 0.9), 2)
    assert m["reopen_rate"] == round(facts["reopened"] / facts["resolved"], 4)
    assert m["kb_linked_share"] == round(facts["kb"] / facts["resolved"], 4)
    # no personal data in the metrics: no caller names
    assert "Caller " not in proc.stdout


def test_resolution_times_match_servicenow_except_where_the_definitions_differ(imported, facts):
    from gitdesk.config import load_config
    from gitdesk.model.event import parse_time
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    repo = imported["repo"]
    store = open_store(Repo(repo), load_config(repo))
    # events of one ticket that share a minute are spaced by microseconds (module doc of the importer)
    ours = {t.data["external"]["id"]: parse_time(t.data["resolved_at"]).replace(microsecond=0) for t in store.all()}
    assert ours == facts["resolved_at"]  # the import is exactly the recomputation above
    sn = facts["sn_resolved_at"]
    same = [n for n in sn if ours[n] == sn[n]]
    later_save = [n for n in sn if ours[n] < sn[n]]
    assert (len(same), len(later_save)) == (23_066, 295)
    assert all(sn[n] in facts["resolved_rows"][n] for n in later_save)  # a later save while resolved
    assert [n for n in sn if ours[n] > sn[n]] == ["INC0000137"]
    no_sn_time = [n for n in ours if n not in sn]
    first_resolved = [n for n in no_sn_time if facts["first_state"][n] == "Resolved"]
    never_resolved = [n for n in no_sn_time if not facts["resolved_rows"][n]]
    assert (len(no_sn_time), len(first_resolved), len(never_resolved)) == (1_556, 1_543, 13)


def test_reimport_adds_nothing(imported):
    repo = imported["repo"]
    before = _count_files(repo)
    proc = _gitdesk("import", "csv", str(DATA), "--mapping", "servicenow-incident-log", "--json", "--repo", str(repo))
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert (report["events_written"], report["tickets_new"]) == (0, 0)
    assert report["events_present"] == imported["report"]["events_written"]
    assert _count_files(repo) == before
