"""The issue <-> ticket mapping as pure functions: issue-form bodies, labels, hidden markers,
record lines, and the round trip ticket -> new issue -> ticket fields (no server needed)."""

from __future__ import annotations

import json

import pytest

from gitdesk.config import load_config
from gitdesk.model.event import Event, parse_time
from gitdesk.model.reducer import reduce_events
from gitdesk.github import mapping as m
from tests.support.desk import PROJECT

from tests.support.github_backend import form_body


@pytest.fixture(scope="module")
def ctx():
    return m.Context(load_config(PROJECT), "octo-org/helpdesk", m.form_labels(PROJECT),
                     kb_paths={"network/vpn-wont-connect.md", "printing/index.md"})


def issue(body, *, user="alice", association="NONE", labels=(), state="open", number=7, **extra):
    return {"number": number, "title": "T", "body": body, "state": state, "user": {"login": user},
            "author_association": association, "labels": [{"name": n} for n in labels], "assignees": [],
            "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T10:00:00Z", "closed_at": None,
            "html_url": f"https://github.com/octo-org/helpdesk/issues/{number}", **extra}


def test_the_form_labels_come_from_the_repositorys_issue_form():
    labels = m.form_labels(PROJECT)
    assert labels["steps_tried"] == "What have you tried already?" and labels["article"] == "The article you came from"
    assert labels["steps_tried@support-request.es.yml"] == "¿Qué ha probado ya?"  # the other languages' forms are read too
    assert set(labels) >= {"category", "impact", "urgency", "channel", "asset", "description", "department"}
    # bodies of the older English form still parse with the repository's new forms
    assert m.parse_form("### Steps tried\n\nRestarted.\n\n### ¿Qué ha probado ya?\n\nx", labels) == {"steps_tried": "Restarted."}


def test_parse_form_reads_sections_and_no_response(ctx):
    form = m.parse_form(form_body(asset="_No response_", department="Finance"), ctx.labels)
    assert form["category"] == "network/vpn" and form["impact"] == "medium" and form["asset"] is None
    assert form["department"] == "Finance" and form["steps_tried"] is None


def test_a_heading_inside_the_description_is_text_and_the_first_section_wins(ctx):
    body = form_body(description="It says:\n\n### Error 809\n\nthen\n### Asset\nfake").replace("\n", "\r\n")
    form = m.parse_form(body, ctx.labels)
    assert "### Error 809" in form["description"]
    assert form["asset"] is None or form["asset"] == "fake"  # a user can only mislabel their own ticket
    fields = m.body_fields(issue(body), ctx)
    assert fields["category"] == "network/vpn"


def test_hostile_form_values_are_refused_not_trusted(ctx):
    body = form_body(category="../../etc/passwd", impact="<b>huge</b>", urgency="HIGH", channel="carrier pigeon")
    fields = m.body_fields(issue(body), ctx)
    assert fields["category"] is None and fields["impact"] is None and fields["channel"] is None
    assert fields["urgency"] == "high"  # case is not a reason to refuse


def test_set_form_values_replaces_adds_and_keeps_the_marker_last(ctx):
    body = form_body() + "\n\n<!-- gitdesk:ticket=7K2M9Q4XZB -->"
    out = m.set_form_values(body, {"asset": "NW-LT-0412", "requester": "Sam <sam@x.example>"}, ctx.labels)
    assert "### Asset\n\nNW-LT-0412" in out and "### Requester\n\nSam <sam@x.example>" in out
    assert out.rstrip().endswith("<!-- gitdesk:ticket=7K2M9Q4XZB -->")
    assert m.parse_form(out, ctx.labels)["description"].startswith("The VPN disconnects")


def test_labels_are_read_case_insensitively_and_unknown_values_ignored(ctx):
    scheme = ctx.scheme
    read = scheme.read(["Priority: Low", "priority: critical", "priority: urgent", "tier: 2", "tier: 9",
                        "category: network/VPN", "status: pending", "status: open", "sla: breached",
                        "Good First Issue", "needs-triage", "area/network", "channel: email"])
    assert read["priority"] == "critical" and read["tier"] == 2 and read["category"] == "network/vpn"
    assert read["status"] == "pending" and read["channel"] == "email"
    assert read["tags"] == ["good-first-issue", "needs-triage", "sla-breached"]
    assert scheme.label_statuses == ["pending", "resolved"]


def test_issue_state_follows_labels_then_form(ctx):
    body = form_body(impact="low", urgency="low")
    assert m.issue_fields(issue(body), ctx)["priority"] == "low"
    assert m.issue_fields(issue(body, labels=["priority: high"]), ctx)["priority"] == "high"
    assert m.issue_fields(issue(body, state="closed"), ctx)["status"] == "closed"
    assert m.issue_fields(issue(body, state="closed", labels=["status: resolved"]), ctx)["status"] == "resolved"
    assert m.issue_fields(issue(body, labels=["status: resolved"]), ctx)["status"] == "open"


def test_markers_count_only_from_people_with_write_access(ctx):
    body = "x\n\n<!-- gitdesk:ticket=7K2M9Q4XZB -->"
    assert m.ticket_id_for_issue(issue(body, association="COLLABORATOR"), "octo-org/helpdesk") == "7K2M9Q4XZB"
    assert m.ticket_id_for_issue(issue(body, user="gitdesk[bot]"), "octo-org/helpdesk") == "7K2M9Q4XZB"
    spoofed = m.ticket_id_for_issue(issue(body, user="mallory"), "octo-org/helpdesk")
    assert spoofed != "7K2M9Q4XZB" and spoofed == m.ticket_id_for_issue(issue("y", user="x"), "octo-org/helpdesk")
    comment = {"id": 5, "body": m.render_comment("Hi", event_id="01M84W2QA8KXH77AP5MH0T1BZF", by="Ana"),
               "user": {"login": "mallory"}, "author_association": "NONE", "created_at": "2026-11-02T09:00:00Z"}
    event, ours = m.comment_event(comment, "7K2M9Q4XZB", "octo-org/helpdesk", 7)
    assert not ours and event.by == "mallory" and event.id != "01M84W2QA8KXH77AP5MH0T1BZF"


def test_a_comment_round_trips_through_its_marker_without_e_mail_addresses():
    body = m.render_comment("Restarted the spooler.\n", event_id="01M84W2QA8KXH77AP5MH0T1BZF",
                            by="Ana <!-- --> Lima <ana@northwind.example>", via="phone")
    assert "ana@northwind.example" not in body and "-->" not in body.split("<!-- gitdesk:event")[1][:-4]
    comment = {"id": 5, "body": body, "user": {"login": "gitdesk-bot"}, "author_association": "COLLABORATOR",
               "created_at": "2026-11-02T09:00:00Z"}
    event, ours = m.comment_event(comment, "7K2M9Q4XZB", "octo-org/helpdesk", 7)
    assert ours and event.id == "01M84W2QA8KXH77AP5MH0T1BZF"
    assert event.comment == {"body": "Restarted the spooler.", "public": True, "via": "phone"}
    assert event.by == "Ana <!-- --> Lima"


def test_record_lines_survive_hostile_text_and_bad_lines_are_skipped(ctx):
    event = Event(id="01M84W2QA8KXH77AP5MH0T1BZF", ticket="7K2M9Q4XZB", at=parse_time("2026-11-02T09:00:00Z"),
                  by="Ana Lima <ana@northwind.example>", action="escalate", set={"tier": 2, "team": "desktop"},
                  reason="see --> <!-- here")
    text = m.render_record([m.record_entry(event), {"id": "bad"}], "HD-7K2M9Q4XZB") + "\n<!--\nnot json\n{\"id\": 3}\n-->"
    entries = m.parse_record(text)
    assert entries[0]["reason"] == "see --> <!-- here" and entries[0]["by"] == "Ana Lima"
    events = [m.entry_event(e, "7K2M9Q4XZB", None, ctx.config.statuses) for e in entries]
    assert events[0].set == {"tier": 2, "team": "desktop"} and events[1:] == [None, None]
    forged = dict(entries[0], set={"tier": 99})
    assert m.entry_event(forged, "7K2M9Q4XZB", None, ctx.config.statuses) is None


def test_logins_and_names():
    assert m.github_login("octocat") == "octocat" and m.github_login("@octocat") == "octocat"
    assert m.github_login("Ana <1234+ana-lima@users.noreply.github.com>") == "ana-lima"
    assert m.github_login("Chen Wei <chen@northwind.example>") is None


def test_kb_links_from_site_urls():
    paths = {"network/vpn-wont-connect.md", "printing/index.md"}
    assert m.kb_path_for_url("https://help.example.com/network/vpn-wont-connect.html#steps", paths) == "network/vpn-wont-connect.md"
    assert m.kb_path_for_url("file:///site/printing/index.html", paths) == "printing/index.md"
    assert m.kb_path_for_url("https://evil.example/../../etc/passwd", paths) is None


@pytest.mark.parametrize("fields", [
    dict(title="VPN", category="network/vpn", impact="medium", urgency="high", channel="phone", asset="LT-1",
         requester={"name": "Sam Reed", "email": "sam@x.example", "department": "Finance"}, tier=2, tags=["vip"]),
    dict(title="Printer", category="printing", priority="low", channel="email", status="pending",
         requester={"email": "sam@x.example"}, assignee="chen-wei", tags=["sla-at-risk"]),
    dict(title="Closed one", status="resolved", description="Line one\n\n### not a section\nline three"),
])
def test_a_ticket_exported_then_read_back_has_the_same_fields(ctx, fields):
    at = parse_time("2026-11-02T09:00:00Z")
    status = fields.pop("status", "new")
    tags = fields.pop("tags", [])
    if fields.get("impact") and fields.get("urgency"):
        fields["priority"] = ctx.config.derive_priority(fields["impact"], fields["urgency"])
    new = Event(id="01M84W2QA8KXH77AP5MH0T1BZF", ticket="7K2M9Q4XZB", at=at, by="Ana", action="new",
                set={"status": status, "team": "service-desk", **{k: v for k, v in fields.items()}},
                add={"tags": tags} if tags else {})
    ticket = reduce_events([new])
    payload = m.new_issue_payload(ticket, ctx)
    closed = status in ("resolved", "closed")
    created = issue(payload["body"], user="gitdesk-bot", association="COLLABORATOR", labels=payload.get("labels", []),
                    state="closed" if closed else "open")
    created["title"] = payload["title"]
    created["assignees"] = [{"login": a} for a in payload.get("assignees", [])]
    assert m.ticket_id_for_issue(created, "octo-org/helpdesk") == "7K2M9Q4XZB"
    theirs = m.issue_fields(created, ctx)
    ours = m.ticket_fields(ticket, ctx)
    assert m.diff_fields(ours, theirs, ctx.config) == {}, json.dumps([ours, theirs], indent=1)
