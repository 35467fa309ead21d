"""The facts cache makes ``metrics`` faster, never different: after every kind of change to the
tickets, the configuration or the clock, the cached figures equal ``compute`` over every ticket."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from gitdesk.metrics import cache as cache_mod
from gitdesk.metrics.collect import metrics_for_repo
from gitdesk.metrics.compute import FactsBuilder, compute
from gitdesk.metrics.knowledge import kb_categories
from gitdesk.model.event import Event
from gitdesk.model.ids import event_id_from
from tests.support.metrics import ALICE, BOB, NOW, SINCE, UNTIL, utc


def pure(s, now=NOW, **kw):
    from gitdesk.backend import open_store
    from gitdesk.config import load_config

    config = load_config(s.root)
    store = open_store(s.repo, config)
    out = compute(store.all(), config, now=now, kb_categories=kb_categories(s.root, config), **kw)
    from gitdesk.metrics.compute import _bound
    from gitdesk.metrics.kbfigures import kb_figures

    out["kb"] = kb_figures(s.root, config, store, since=_bound(kw.get("since")), until=_bound(kw.get("until")), now=now)
    return out


def cached(s, now=NOW, **kw):
    from gitdesk.config import load_config

    settle(s)
    return metrics_for_repo(s.repo, load_config(s.root), now=now, **kw)


def settle(s) -> None:
    """Date every ticket file and folder a minute back: the ticket cache re-reads (and derives
    again) files younger than two seconds, the way git treats racy index entries."""
    old = __import__("time").time_ns() - 60_000_000_000
    for path in [*(s.root / "tickets").rglob("*"), s.root / "tickets"]:
        st = os.stat(path)
        if st.st_mtime_ns > old:
            os.utime(path, ns=(old, old))


@pytest.fixture
def counted(monkeypatch):
    """How many tickets were read whole and turned into facts."""
    calls = []
    original = FactsBuilder.facts

    def facts(self, data, now):
        calls.append(data["id"])
        return original(self, data, now)

    monkeypatch.setattr(FactsBuilder, "facts", facts)
    return calls


def event_files(s, key: str) -> list[Path]:
    return sorted((s.root / "tickets" / s.ids[key][:2]).glob(f"{s.ids[key]}.*.yml"))


def test_cached_equals_pure_and_second_run_reads_nothing(fresh_scenario, counted):
    s = fresh_scenario
    first = cached(s, since=SINCE, until=UNTIL)
    assert len(counted) == 9  # every ticket once, whatever the range
    assert (s.root / ".gitdesk" / cache_mod.CACHE_FILE).is_file()
    counted.clear()
    second = cached(s, since=SINCE, until=UNTIL)
    assert counted == []
    assert first == second == pure(s, since=SINCE, until=UNTIL)
    # another range from the same facts
    counted.clear()
    whole = cached(s)
    assert counted == []
    assert whole == pure(s)


def test_new_event_recomputes_that_ticket_only(fresh_scenario, counted):
    s = fresh_scenario
    cached(s)
    counted.clear()
    s.at("2026-11-20T10:00")
    s.desk(BOB).assign(s.ids["E"], BOB)
    out = cached(s)
    assert counted == [s.ids["E"]]
    assert out == pure(s)
    assert out["load_per_agent"]["Bob Builder"]["open"] == 1


def test_event_older_than_the_last_change_is_seen(fresh_scenario, counted):
    """A merged-in event dated before the ticket's last change leaves updated_at alone."""
    s = fresh_scenario
    before = cached(s)
    counted.clear()
    at = utc("2026-11-02T10:30")
    s.store.append(Event(id=event_id_from(at, "older"), ticket=s.ids["A"], at=at, by=ALICE, action="set",
                         set={"category": "printing"}))
    out = cached(s)
    assert counted == [s.ids["A"]]
    assert out == pure(s)
    assert out["by_category"]["printing"] == before["by_category"]["printing"] + 1


def test_event_file_edited_in_place(fresh_scenario):
    s = fresh_scenario
    assert cached(s)["csat"]["average"] == 3.0
    rate = next(p for p in event_files(s, "A") if "action: rate" in p.read_text())
    text = rate.read_text()
    rate.write_text(text.replace("rating: 4", "rating: 1"))
    out = cached(s)
    assert out == pure(s)
    assert out["csat"]["average"] == 1.5  # (1 + 2) / 2


def test_event_file_and_whole_ticket_removed(fresh_scenario):
    s = fresh_scenario
    cached(s)
    rate = next(p for p in event_files(s, "A") if "action: rate" in p.read_text())
    rate.unlink()
    out = cached(s)
    assert out == pure(s)
    assert out["csat"]["responses"] == 1  # only C's rating is left
    for path in event_files(s, "G"):
        path.unlink()
    out = cached(s)
    assert out == pure(s)
    assert out["tickets"] == 8


def test_configuration_change_resets(fresh_scenario, counted):
    s = fresh_scenario
    assert cached(s)["sla_compliance"]["by_priority"]["high"]["met"] == 0
    config = (s.root / "helpdesk.yml").read_text()
    # the site's title is nothing the figures depend on: the facts stay
    (s.root / "helpdesk.yml").write_text(config.replace("title: Metrics Test Help", "title: Another Title"))
    counted.clear()
    out = cached(s)
    assert counted == []
    assert out == pure(s)
    (s.root / "helpdesk.yml").write_text(config.replace("first_response: 1h, resolution: 8h", "first_response: 3h, resolution: 8h"))
    counted.clear()
    out = cached(s)
    assert len(counted) == 9
    assert out == pure(s)
    assert out["sla_compliance"]["by_priority"]["high"]["met"] == 1  # B's 2 h reply now meets 3 h


def test_open_clock_reaching_its_due_date(fresh_scenario, counted):
    """A running clock's verdict is reused until it is due, and recomputed after."""
    s = fresh_scenario
    s.at("2026-11-20T09:00")
    j = s.desk(ALICE).new(title="A running clock", priority="medium", category="email", channel="web").id
    noon = cached(s)  # 3 h of the 4 h first response used: undecided
    assert noon == pure(s)
    counted.clear()
    due = NOW + timedelta(hours=1)  # 13:00: exactly 4 h used, not yet over
    at_due = cached(s, now=due)
    # still inside every window; only I, created after "now", is always read again (a ticket
    # evaluated before its last change never reuses its verdict)
    assert counted == [s.ids["I"]]
    assert at_due == pure(s, now=due)
    counted.clear()
    late = due + timedelta(minutes=1)
    after = cached(s, now=late)
    assert sorted(counted) == sorted([j, s.ids["I"]])
    assert after == pure(s, now=late)
    assert after["sla_compliance"]["by_priority"]["medium"]["decided"] == noon["sla_compliance"]["by_priority"]["medium"]["decided"] + 1


def test_evaluating_in_the_past(fresh_scenario):
    s = fresh_scenario
    cached(s)
    earlier = utc("2026-11-10T10:00")
    assert cached(s, now=earlier) == pure(s, now=earlier)
    assert cached(s) == pure(s)


def test_unreadable_or_foreign_cache_file_is_rebuilt(fresh_scenario, counted):
    s = fresh_scenario
    path = s.root / ".gitdesk" / cache_mod.CACHE_FILE
    path.parent.mkdir(exist_ok=True)
    for junk in (b"\x00garbage", b"", __import__("marshal").dumps({"ids": ["X"], "versions": [], "windows": [], "columns": []})):
        path.write_bytes(junk)
        counted.clear()
        out = cached(s)
        assert len(counted) == 9
        assert out == pure(s)
    assert cache_mod._read(path, 23) is not None  # rewritten whole


def test_cache_that_cannot_be_written(fresh_scenario, monkeypatch, counted):
    s = fresh_scenario

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    assert cached(s) == pure(s)
    counted.clear()
    out = cached(s)
    assert len(counted) == 9  # nothing was kept, everything recomputed
    assert out == pure(s)


def test_rebuilt_ticket_cache_drops_every_fact(fresh_scenario, counted):
    s = fresh_scenario
    cached(s)
    for name in os.listdir(s.root / ".gitdesk"):
        if name.startswith("cache.sqlite3"):
            os.unlink(s.root / ".gitdesk" / name)
    counted.clear()
    out = cached(s)
    assert len(counted) == 9
    assert out == pure(s)


def test_without_cache_gives_the_same(scenario):
    from gitdesk.config import load_config

    config = load_config(scenario.root)
    assert metrics_for_repo(scenario.repo, config, now=NOW, use_cache=False) == pure(scenario)
