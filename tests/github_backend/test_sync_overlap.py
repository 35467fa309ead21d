"""Two `gitdesk sync` runs at once (real processes, the fake GitHub): one issue and one comment
per ticket, and the next pull imports no copies."""

from __future__ import annotations

import json

from tests.support.desk import HeldLock, gitdesk_processes

from tests.support.github_backend import TOKEN


def test_two_syncs_at_once_create_each_issue_and_comment_once(gd, sync_desk, fake_github):
    ids = []
    for n in range(4):
        new = gd(sync_desk, "ticket", "new", f"Dock {n} gives no picture", "--requester", f"User {n} <u{n}@northwind.example>",
                 "--channel", "walk-in", "--category", "hardware/peripherals", "--impact", "low", "--urgency", "low", "--json")
        ids.append(new.json["id"])
        assert gd(sync_desk, "ticket", "comment", ids[-1], f"Swapped the cable on dock {n}.").code == 0
    env = {"GITHUB_TOKEN": TOKEN}
    runs = gitdesk_processes(sync_desk, ["sync", "--json", "--wait", "300"], ["sync", "--json", "--wait", "300"], env=env)
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert sorted(json.loads(r.stdout)["issues_created"] for r in runs) == [0, 4]
    issues = fake_github.issues()
    assert len(issues) == 4
    assert [len(fake_github.comments(i.number)) for i in issues] == [1, 1, 1, 1]
    again = gd(sync_desk, "sync", "--json")
    assert again.code == 0 and again.json["tickets_created"] == again.json["issues_created"] == 0
    assert len(gd(sync_desk, "ticket", "list", "--json").json) == 4


def test_a_sync_that_cannot_get_the_lock_exits_75_and_writes_nothing(gd, sync_desk, fake_github):
    gd(sync_desk, "ticket", "new", "Dock gives no picture", "--requester", "User <u@northwind.example>", "--json")
    before = len(fake_github.requests)
    with HeldLock(sync_desk):
        [busy] = gitdesk_processes(sync_desk, ["sync", "--wait", "0"], env={"GITHUB_TOKEN": TOKEN})
    assert busy.returncode == 75 and "another gitdesk run holds the desk lock" in busy.stderr
    assert len(fake_github.requests) == before and fake_github.issues() == []
