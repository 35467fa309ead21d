"""The KB figures of ``gitdesk metrics --json`` (``kb``) on a small desk whose numbers are known,
and the proposed articles of the knowledge-gap report."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.cli import run_main
from tests.support.desk import FixedClock, init_repo, make_desk
from tests.support.kb import make_sample

AGENT = "Ana Lima <ana.lima@northwind.example>"
RESET = "accounts/reset-password.md"
VPN = "network/vpn-wont-connect.md"
AT = "2026-11-30"


def _still_stuck(desk, title: str, article: str, requester: dict) -> str:
    """A ticket as intake writes it from a "Still stuck?" link (``source_article``)."""
    from gitdesk.model.event import Event
    from gitdesk.model.ids import new_event_id, new_ticket_id

    at = desk.clock()
    tid = new_ticket_id()
    desk.store.append(Event(id=new_event_id(at), ticket=tid, at=at, by=f"{requester['name']} <{requester['email']}>", action="new",
                            set={"status": "new", "title": title, "category": "accounts", "requester": requester,
                                 "team": "service-desk", "tier": 1, "source_article": article}, add={"kb": [article]}))
    return tid


@pytest.fixture
def desk_root(tmp_path: Path) -> Path:
    root = make_sample(tmp_path / "desk")
    init_repo(root, config=False)
    return root


def _metrics(root: Path) -> dict:
    code, out, err = run_main("metrics", "--json", "--at", AT, repo=root)
    assert code == 0, err
    return json.loads(out)


def test_kb_figures_on_a_desk_with_known_numbers(desk_root):
    from gitdesk.kb.feedback import record_feedback

    desk = make_desk(desk_root, actor=AGENT, clock=FixedClock())
    who = {"name": "Marta Ruiz", "email": "marta.ruiz@northwind.example"}

    def ticket(title: str) -> str:
        return desk.new(title=title, category="accounts", requester=who).id

    t1, t2, t3, t4 = ticket("Forgot password"), ticket("Password and VPN"), ticket("Locked out"), ticket("Expired again")
    assert run_main("ticket", "resolve", t1, "--kb", RESET, "--as", AGENT, repo=desk_root)[0] == 0
    assert run_main("ticket", "resolve", t2, "--kb", RESET, "--kb", VPN, "--as", AGENT, repo=desk_root)[0] == 0
    desk.link(t3, kb=[RESET])  # linked, not named as the fix: not "resolved with"
    desk.resolve(t3)
    desk.resolve(t4, solved_by=[RESET])
    desk.reopen(t4)  # it did not stay solved: not counted
    _still_stuck(desk, "VPN guide did not help", VPN, who)
    _still_stuck(desk, "Reset page did not help", RESET, who)
    from gitdesk.config import load_config

    config = load_config(desk_root)
    for article, helpful in ((RESET, True), (RESET, True), (RESET, False), (VPN, False), (VPN, False)):
        record_feedback(desk_root, config, article=article, helpful=helpful, channel="email",
                        at=datetime(2026, 11, 20, tzinfo=timezone.utc), source=f"vote-{article}-{helpful}-{desk.clock()}")
    kb = _metrics(desk_root)["kb"]
    rows = {a["path"]: a for a in kb["articles"]}
    # by hand: reset-password: resolved with t1, t2; still stuck 1; votes 2 yes 1 no -> (2+2)/(2+2+1+1)
    assert {k: rows[RESET][k] for k in ("resolved_with", "still_stuck", "helpful", "unhelpful")} == \
        {"resolved_with": 2, "still_stuck": 1, "helpful": 2, "unhelpful": 1}
    assert rows[RESET]["self_service_score"] == round(4 / 6, 4)
    # vpn: resolved with t2; still stuck 1; votes 0 yes 2 no -> (1+0)/(1+0+2+1)
    assert {k: rows[VPN][k] for k in ("resolved_with", "still_stuck", "helpful", "unhelpful")} == \
        {"resolved_with": 1, "still_stuck": 1, "helpful": 0, "unhelpful": 2}
    assert rows[VPN]["self_service_score"] == 0.25
    assert [a["path"] for a in kb["articles"]] == [VPN, RESET]  # worst first; articles without outcomes left out
    overall = kb["overall"]
    assert (overall["resolved_with"], overall["still_stuck"], overall["helpful"], overall["unhelpful"]) == (3, 2, 2, 3)
    assert overall["self_service_score"] == 0.5  # (3+2)/(3+2+3+2)
    assert {"resolved_with", "still_stuck", "helpful", "unhelpful", "self_service_score", "gaps"} <= set(kb["definitions"])
    text = json.dumps(kb)
    assert "Marta" not in text and "marta.ruiz" not in text and "northwind" not in text


def test_an_empty_desk_has_no_score(desk_root):
    kb = _metrics(desk_root)["kb"]
    assert kb["overall"]["self_service_score"] is None and kb["articles"] == [] and kb["gaps"] == []


def test_gaps_propose_titles_for_groups_no_article_covers(desk_root):
    desk = make_desk(desk_root, actor=AGENT, clock=FixedClock())
    marta = {"name": "Marta Ruiz", "email": "marta.ruiz@northwind.example"}
    for title in ("Printer jams with A3 paper", "Printer jams with A3 paper", "The printer on floor 3 jams with A3 paper"):
        desk.new(title=title, category="printing")
    for title in ("La impresora atasca el papel A3", "La impresora atasca el papel A3 otra vez"):
        desk.new(title=title, category="printing")
    for _ in range(2):
        desk.new(title="Laptop for Marta Ruiz will not boot", category="hardware", requester=marta)
    desk.new(title="Monitor flickers", category="hardware")  # alone: not a group
    for title in ("VPN will not connect", "VPN will not connect from home"):  # an article reads like these
        desk.new(title=title, category="network/vpn")
    linked = desk.new(title="Printer jams with A3 paper", category="printing")
    desk.link(linked.id, kb=[RESET])  # a ticket with an article is not a gap
    gaps = _metrics(desk_root)["kb"]["gaps"]
    found = {(g["category"], g["proposed_title"]): (g["tickets"], g["language"]) for g in gaps}
    assert found[("printing", "Printer jams with A3 paper")] == (3, "en")
    assert found[("printing", "Impresora atasca el papel A3")] == (2, "es")  # in the tickets' language
    assert not [g for g in gaps if g["category"] == "network/vpn"]
    laptop = [g for g in gaps if g["category"] == "hardware"]
    assert len(laptop) == 1 and laptop[0]["tickets"] == 2
    assert "Marta" not in laptop[0]["proposed_title"] and "Ruiz" not in laptop[0]["proposed_title"]
    assert laptop[0]["proposed_title"] == "Laptop for […] will not boot"  # the name removed, visibly


def test_kb_section_in_the_report(desk_root, tmp_path):
    desk = make_desk(desk_root, actor=AGENT, clock=FixedClock())
    created = desk.new(title="Forgot password", category="accounts")
    desk.resolve(created.id, solved_by=[RESET])
    out = tmp_path / "out"
    code, _, err = run_main("metrics", "--at", AT, "--out", out, repo=desk_root)
    assert code == 0, err
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Knowledge base" in report and "Self-service score overall: 100.0 %" in report
    assert "| Reset a forgotten password | validated | 1 | 0 | 0 | 0 | 100.0 % |" in report
    code, text, _ = run_main("metrics", "--at", AT, repo=desk_root)
    assert "KB self-service score: 100.0 %" in text
