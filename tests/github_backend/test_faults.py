"""Faults GitHub produces, injected by the fake server: 5xx, secondary rate limits (403/429 with
Retry-After), a connection dropped or cut in the middle of pagination, a crash between creating an
issue and recording it. Afterwards nothing is lost and nothing is duplicated: issues, comments,
tickets and event files are counted."""

from __future__ import annotations

import pytest

from gitdesk.sync import engine as engine_module
from gitdesk.github.mirror import Mirror

from tests.support.github_backend import form_body
from .test_sync import by_number, event_files, store


def counts(repo, gh):
    tickets = list(store(repo).all())
    return {
        "issues": len(gh.issues()),
        "comments": len(gh.comments()),
        "tickets": len(tickets),
        "events": len(event_files(repo)),
        "linked": sorted(t.external["number"] for t in tickets if t.external),
    }


def new_ticket(gd, repo, title="Docking station dead", comment=None):
    tid = gd(repo, "ticket", "new", title, "--requester", "Sam Reed <sam@northwind.example>",
             "--category", "hardware/peripherals", "--impact", "low", "--urgency", "medium", "--json").json["id"]
    if comment:
        assert gd(repo, "ticket", "comment", tid, comment).code == 0
    return tid


def test_server_errors_are_retried(gd, sync_desk, fake_github, retry_waits):
    fake_github.seed_issue("VPN drops", form_body(), user="alice", comments=["again"])
    new_ticket(gd, sync_desk, comment="On it")
    fake_github.fail_next("GET", "/repos/*/*/issues", times=2)
    fake_github.fail_next("GET", "/repos/*/*/issues/comments", status=502)
    fake_github.fail_next("PATCH", "/repos/*/*/issues/*", status=503)
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert fake_github.count(status=500) == 2 and fake_github.count(status=502) == 1
    assert len(retry_waits) >= 3
    assert counts(sync_desk, fake_github)["issues"] == 2


def test_secondary_rate_limits_wait_for_retry_after(gd, sync_desk, fake_github, retry_waits):
    fake_github.seed_issue("VPN drops", form_body(), user="alice")
    new_ticket(gd, sync_desk, comment="On it")
    fake_github.secondary_rate_limit_next("GET", "/repos/*/*/issues", retry_after=7)
    fake_github.too_many_requests_next("POST", "/repos/*/*/issues", retry_after=3)
    fake_github.secondary_rate_limit_next("POST", "/repos/*/*/issues/*/comments", retry_after=5)
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert 7 in retry_waits and 3 in retry_waits and 5 in retry_waits
    assert fake_github.count(status=403) == 2 and fake_github.count(status=429) == 1
    c = counts(sync_desk, fake_github)
    assert (c["issues"], c["comments"], c["tickets"]) == (2, 1, 2)  # nothing twice


@pytest.mark.parametrize("truncate", [False, True], ids=["dropped", "cut-mid-body"])
def test_a_connection_lost_in_the_middle_of_pagination(gd, sync_desk, fake_github, truncate):
    for i in range(150):
        fake_github.seed_issue(f"Issue {i}", form_body(), user="alice")
    fault = fake_github.drop_connection_next("GET", "/repos/*/*/issues", query={"page": "2"}, truncate=truncate)
    run = gd(sync_desk, "sync", "--pull-only", "--json")
    assert run.code == 0, run.err
    assert fault.hits == 1
    assert run.json["tickets_created"] == 150
    assert sorted(by_number(sync_desk)) == list(range(1, 151))
    files = event_files(sync_desk)
    assert gd(sync_desk, "sync", "--pull-only", "--json").json["events_written"] == 0
    assert event_files(sync_desk) == files


def test_a_lost_answer_to_create_issue_is_found_by_its_marker(gd, sync_desk, fake_github):
    tid = new_ticket(gd, sync_desk, comment="On it")
    fake_github.crash_after_create()  # created on the server, then the connection drops
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    c = counts(sync_desk, fake_github)
    assert (c["issues"], c["comments"], c["tickets"], c["linked"]) == (1, 1, 1, [1])
    assert store(sync_desk).get(tid).external["number"] == 1


def test_a_500_after_the_issue_was_created_does_not_duplicate_it(gd, sync_desk, fake_github):
    new_ticket(gd, sync_desk)
    fake_github.fail_next("POST", "/repos/*/*/issues", status=502, apply=True)
    fake_github.crash_after_create("/repos/*/*/issues/*/comments")
    assert gd(sync_desk, "sync").code == 0
    assert counts(sync_desk, fake_github)["issues"] == 1


def test_a_crash_between_creating_the_issue_and_recording_it(gd, sync_desk, fake_github, monkeypatch):
    first = new_ticket(gd, sync_desk, title="First", comment="Reply one")
    second = new_ticket(gd, sync_desk, title="Second", comment="Reply two")
    real_write = engine_module.SyncEngine._write

    def crash(self, events):
        if any("external" in e.set for e in events):
            raise KeyboardInterrupt  # the process dies right after GitHub created the issue
        return real_write(self, events)

    monkeypatch.setattr(engine_module.SyncEngine, "_write", crash)
    run = gd(sync_desk, "sync")
    assert run.code == 130  # interrupted
    assert len(fake_github.issues()) == 1 and counts(sync_desk, fake_github)["linked"] == []
    monkeypatch.setattr(engine_module.SyncEngine, "_write", real_write)
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert run.json["issues_created"] == 1 and run.json["links_recorded"] == 2
    c = counts(sync_desk, fake_github)
    assert (c["issues"], c["comments"], c["tickets"], c["linked"]) == (2, 2, 2, [1, 2])
    tickets = {t.id: t for t in store(sync_desk).all()}
    for tid in (first, second):
        assert sum(1 for h in tickets[tid].history if "external" in h.get("set", {})) == 1
    before = counts(sync_desk, fake_github)
    assert gd(sync_desk, "sync").code == 0
    assert counts(sync_desk, fake_github) == before


def test_the_crashed_issue_is_adopted_by_the_pull_even_without_the_mirror(gd, sync_desk, fake_github, monkeypatch):
    import shutil

    tid = new_ticket(gd, sync_desk, comment="Reply")
    real_write = engine_module.SyncEngine._write
    monkeypatch.setattr(engine_module.SyncEngine, "_write",
                        lambda self, events: (_ for _ in ()).throw(KeyboardInterrupt)
                        if any("external" in e.set for e in events) else real_write(self, events))
    assert gd(sync_desk, "sync").code == 130
    monkeypatch.setattr(engine_module.SyncEngine, "_write", real_write)
    shutil.rmtree(sync_desk / ".gitdesk")  # the local cache is gone too: only GitHub remembers
    run = gd(sync_desk, "sync", "--json")
    assert run.code == 0, run.err
    assert run.json["issues_created"] == 0 and run.json["tickets_created"] == 0 and run.json["links_recorded"] == 1
    c = counts(sync_desk, fake_github)
    assert (c["issues"], c["comments"], c["tickets"], c["linked"]) == (1, 1, 1, [1])
    assert store(sync_desk).get(tid).external["number"] == 1


def test_a_crash_in_the_middle_of_an_import_loses_nothing(gd, sync_desk, fake_github, monkeypatch):
    for i in range(7):
        fake_github.seed_issue(f"Issue {i}", form_body(), user="alice", comments=[("bob", f"reply {i}")])
    monkeypatch.setattr(engine_module, "BATCH", 3)
    real_store = Mirror.store
    calls = []

    def crash_on_second_batch(self, changes, numbers=None):
        calls.append(numbers)
        if len(calls) == 2:
            raise KeyboardInterrupt  # events of batch 2 are written, their mirror rows are not
        return real_store(self, changes, numbers=numbers)

    monkeypatch.setattr(Mirror, "store", crash_on_second_batch)
    assert gd(sync_desk, "sync", "--pull-only").code == 130
    monkeypatch.setattr(Mirror, "store", real_store)
    run = gd(sync_desk, "sync", "--pull-only", "--json")
    assert run.code == 0, run.err
    tickets = by_number(sync_desk)
    assert sorted(tickets) == list(range(1, 8))
    assert all(len(t["comments"]) == 1 for t in tickets.values())
    files = event_files(sync_desk)
    assert len(files) == 7 * 2  # each issue: its opening and bob's reply, written once
    assert gd(sync_desk, "sync", "--pull-only", "--json").json["events_written"] == 0


def test_github_that_keeps_failing_is_one_line_and_a_later_run_completes(gd, sync_desk, fake_github):
    fake_github.seed_issue("VPN drops", form_body(), user="alice")
    fake_github.fail_next("GET", "/repos/*/*/issues", times=50)
    run = gd(sync_desk, "sync")
    assert run.code == 1
    assert run.err.startswith("gitdesk: error: GitHub at 127.0.0.1:") and run.err.count("\n") == 1
    assert event_files(sync_desk) == []
    fake_github.clear_faults()
    assert gd(sync_desk, "sync", "--json").json["tickets_created"] == 1


def test_github_backend_new_and_comment_survive_lost_answers(gd, gh_desk, fake_github):
    fake_github.crash_after_create()
    run = gd(gh_desk, "ticket", "new", "Projector flickers", "--requester", "sam@northwind.example", "--json")
    assert run.code == 0, run.err
    assert len(fake_github.issues()) == 1
    tid = run.json["id"]
    fake_github.crash_after_create("/repos/*/*/issues/*/comments")
    assert gd(gh_desk, "ticket", "comment", tid, "Replaced the cable.").code == 0
    fake_github.fail_next("POST", "/repos/*/*/issues/*/comments", status=500, apply=True)
    assert gd(gh_desk, "ticket", "pending", tid, "-m", "Does it work now?").code == 0
    bodies = [c.body.split("\n")[0] for c in fake_github.comments(1)]
    assert bodies.count("Replaced the cable.") == 1 and bodies.count("Does it work now?") == 1
    shown = gd(gh_desk, "ticket", "show", tid, "--json").json
    assert [c["body"] for c in shown["comments"]] == ["Replaced the cable.", "Does it work now?"]
    assert shown["status"] == "pending"


def test_an_exhausted_rate_limit_that_resets_much_later_is_a_clear_error(gd, sync_desk, fake_github):
    fake_github.seed_issue("VPN drops", form_body(), user="alice")
    fake_github.set_rate_limit(remaining=0, reset_in=3600)
    run = gd(sync_desk, "sync")
    assert run.code == 1 and run.err.count("\n") == 1
    assert "rate limit exceeded" in run.err.lower() and "the limit resets at" in run.err and "Traceback" not in run.err
    assert event_files(sync_desk) == []
    fake_github.set_rate_limit(remaining=5000)
    assert gd(sync_desk, "sync", "--json").json["tickets_created"] == 1
