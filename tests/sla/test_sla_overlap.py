"""Two `gitdesk sla check --apply` runs at once (real processes): each due escalation is recorded
once; a run that cannot get the desk's lock in time exits 75 and records nothing."""

from __future__ import annotations

import json

from tests.support.sla import BOT, make_helpdesk

from tests.support.desk import HeldLock, gitdesk_processes

APPLY = ["sla", "check", "--at", "2026-11-23T10:05", "--apply", "--json", "--as", BOT]


def test_two_apply_runs_at_once_record_each_escalation_once(tmp_path):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    ids = [hd.new(priority="critical", title=f"Payroll server {n} down").id for n in range(30)]
    runs = gitdesk_processes(hd.root, [*APPLY, "--wait", "120"], [*APPLY, "--wait", "120"])
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    applied = [len(json.loads(r.stdout)["applied"]) for r in runs]
    assert min(applied) == 0 and max(applied) == 3 * len(ids)
    for tid in ids:
        assert sum(1 for h in hd.store.get(tid).history if h["action"] == "sla") == 3


def test_an_apply_run_that_cannot_get_the_lock_exits_75(tmp_path):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    tid = hd.new(priority="critical").id
    with HeldLock(hd.root):
        [busy] = gitdesk_processes(hd.root, [*APPLY, "--wait", "0"])
        [look] = gitdesk_processes(hd.root, ["sla", "check", "--at", "2026-11-23T10:05", "--json"])  # reads only
    assert busy.returncode == 75 and busy.stdout == "" and "holds the desk lock" in busy.stderr
    assert look.returncode == 0 and json.loads(look.stdout)["tickets"]
    assert not any(h["action"] == "sla" for h in hd.store.get(tid).history)
