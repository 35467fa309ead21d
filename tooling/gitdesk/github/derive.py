"""Deriving a ticket's events from its issue, its comments and its record comment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gitdesk.config import Config
from gitdesk.github.comments import comment_event, entry_event, is_record_comment, parse_record
from gitdesk.github.issues import (
    Context,
    body_fields,
    diff_fields,
    external_for,
    issue_fields,
    issue_seed,
    ticket_fields,
    ticket_id_for_issue,
)
from gitdesk.github.text import SYNC_ACTOR, gh_created, gh_time, html_json
from gitdesk.model.event import Event, after_last
from gitdesk.model.ids import event_id_from
from gitdesk.model.reducer import reduce_events


def new_event(issue: dict, ticket_id: str, ctx: Context, entry: dict | None = None) -> Event:
    """The ``new`` event of an issue: what the body says, at the issue's creation."""
    cfg = ctx.config
    body = body_fields(issue, ctx)
    at = gh_created(issue)
    changes: dict[str, Any] = {
        "title": " ".join((issue.get("title") or "").split())[:300] or "(no title)",
        "status": cfg["initial_status"],
        "team": cfg["default_team"],
        "tier": 1,
        "external": external_for(issue, ctx.repo_full),
    }
    for key in ("category", "impact", "urgency", "asset", "description", "requester"):
        if body[key]:
            changes[key] = body[key]
    changes["channel"] = body["channel"] or body["default_channel"]
    if body["impact"] and body["urgency"]:
        changes["priority"] = cfg.derive_priority(body["impact"], body["urgency"])
    changes = {k: v for k, v in changes.items() if v is not None}
    add: dict[str, list[str]] = {}
    if body["article"] and ctx.kb_paths:
        path = kb_path_for_url(body["article"], ctx.kb_paths)
        if path:
            add["kb"] = [path]
            changes["source_article"] = path  # opened from its "Still stuck?" link: the KB figures count it
    by = (issue.get("user") or {}).get("login") or "ghost"
    event_id = event_id_from(at, f"{issue_seed(ctx.repo_full, issue['number'])}:new")
    if entry is not None:
        recorded = entry_event(entry, ticket_id, body["description"], cfg.statuses)
        if recorded is not None:
            event_id, by = recorded.id, recorded.by
            for key, value in recorded.set.items():
                if key not in ("description", "title", "external") and value is not None:
                    changes[key] = value
            for key, values in recorded.add.items():
                add[key] = sorted(set(add.get(key, [])) | set(values))
    return Event(id=event_id, ticket=ticket_id, at=at, by=by, action="new", set=changes, add=add)


def kb_path_for_url(url: str, kb_paths: set[str]) -> str | None:
    """A KB article path for a link to the site (``.../network/vpn.html`` -> ``network/vpn.md``)."""
    text = (url or "").split("#", 1)[0].split("?", 1)[0].rstrip("/")
    if not text:
        return None
    segments = [s for s in text.split("/") if s]
    if not segments:
        return None
    last = segments[-1]
    for ext in (".html", ".md"):
        if last.endswith(ext):
            segments[-1] = last[: -len(ext)]
            break
    if segments[-1] == "index" and len(segments) > 1:
        segments = segments[:-1]
    for n in range(min(len(segments), 6), 0, -1):
        stem = "/".join(segments[-n:])
        for candidate in (stem + ".md", stem + "/index.md"):
            if candidate in kb_paths:
                return candidate
    return None


@dataclass
class Derived:
    ticket_id: str
    events: list[Event]
    record_comments: list[dict]
    fields: dict[str, Any]  # issue_fields() of the issue


def derive(issue: dict, comments: list[dict], ctx: Context, private: Iterable[Event] = (),
           ticket_id: str | None = None) -> Derived:
    """The events of the ticket an issue is: its opening, its record, its comments, the private
    events kept in the repository, and a final change that brings the ticket to what the issue's
    labels and state say now (for changes made on GitHub directly)."""
    cfg = ctx.config
    number = issue["number"]
    tid = ticket_id or ticket_id_for_issue(issue, ctx.repo_full)
    ordered = sorted(comments, key=lambda c: (c.get("created_at") or "", c.get("id") or 0))
    records = [c for c in ordered if is_record_comment(c)]
    entries = [e for c in records for e in parse_record(c.get("body") or "")]
    new_entry = next((e for e in entries if e.get("action") == "new"), None)
    fields_now = issue_fields(issue, ctx)
    events: dict[str, Event] = {}
    first = new_event(issue, tid, ctx, new_entry)
    events[first.id] = first
    for entry in entries:
        if entry is new_entry:
            continue
        event = entry_event(entry, tid, fields_now["description"], cfg.statuses)
        if event is not None and event.id not in events:
            events[event.id] = event
    plain_comments: set[str] = set()
    for comment in ordered:
        if comment in records:
            continue
        event, _ = comment_event(comment, tid, ctx.repo_full, number)
        if event.id in events:  # a recorded change that came with this comment
            events[event.id].comment = event.comment
            continue
        events[event.id] = event
        plain_comments.add(event.id)
    for event in private:
        if event.id in events:
            if event.comment is not None:
                events[event.id].comment = event.comment
        else:
            events[event.id] = event
    ordered_events = sorted(events.values(), key=lambda e: e.key)
    _imply_open(ordered_events, plain_comments, first, cfg)
    ordered_events.extend(reconcile(ordered_events, issue, fields_now, tid, ctx))
    return Derived(tid, ordered_events, records, fields_now)


def _imply_open(events: list[Event], plain: set[str], first: Event, cfg: Config) -> None:
    """A reply from someone other than the requester (and not a bot) opens a new ticket, as
    ``gitdesk ticket comment`` does: replies written on GitHub, and gitdesk's own replies, whose
    record then needs no line for it."""
    from gitdesk.people import same_person

    if "open" not in cfg.statuses:
        return
    status = None
    requester = first.set.get("requester")
    for event in events:
        if event.id in plain and status == cfg["initial_status"] and event.comment is not None:
            if not same_person(event.by, requester) and not cfg.is_bot(event.by):
                event.set = {**event.set, "status": "open"}
        if "status" in event.set:
            status = event.set["status"]
        if "requester" in event.set:
            requester = event.set["requester"]


def reconcile(events: list[Event], issue: dict, now: dict, ticket_id: str, ctx: Context) -> list[Event]:
    """Events that bring the replayed ticket to the issue's current labels, state and body."""
    cfg = ctx.config
    current = reduce_events(events)
    ours = ticket_fields(current, ctx)
    changes = diff_fields(now, ours, cfg)
    if not changes:
        return []
    last = max(e.at for e in events)
    seed = issue_seed(ctx.repo_full, issue["number"])
    out: list[Event] = []
    status = changes.pop("status", None)
    closed_at = gh_time(issue.get("closed_at"))
    if status is not None and issue.get("state") == "closed" and current.get("status") not in cfg.closed_statuses and closed_at:
        at = after_last(closed_at, last)
        closed_by = (issue.get("closed_by") or {}).get("login") if isinstance(issue.get("closed_by"), dict) else None
        action = "resolve" if status == "resolved" else "close"
        out.append(Event(id=event_id_from(at, f"{seed}:closed:{issue.get('closed_at')}"), ticket=ticket_id, at=at,
                         by=closed_by or SYNC_ACTOR, action=action, set={"status": status}))
        last = at
        status = None
    if status is not None:
        changes["status"] = status
    if "tier" in changes and changes.get("tier"):
        team = current.get("team")
        team_tier = ((cfg.teams.get(team) or {}).get("tier")) if team else None
        if team_tier is not None and int(team_tier) != changes["tier"]:
            changes["team"] = ctx.team_for(changes["tier"])
    if not changes:
        return out
    tags = changes.pop("tags", None)
    add, remove = {}, {}
    if tags is not None:
        have = set(current.get("tags") or [])
        want = set(tags)
        if want - have:
            add["tags"] = sorted(want - have)
        if have - want:
            remove["tags"] = sorted(have - want)
    updated = gh_time(issue.get("updated_at")) or last
    at = after_last(updated, last)
    seed_text = f"{seed}:sync:{issue.get('updated_at')}:{html_json([changes, add, remove])}"
    if changes or add or remove:
        out.append(Event(id=event_id_from(at, seed_text), ticket=ticket_id, at=at, by=SYNC_ACTOR, action="sync",
                         set=changes, add=add, remove=remove))
    return out
