"""Comments and the record comment: event markers, comment events, and the history GitHub cannot hold."""

from __future__ import annotations

import json
from datetime import datetime

from gitdesk.errors import ValidationError
from gitdesk.github.issues import issue_seed
from gitdesk.github.text import (
    ATTRIBUTION_RE,
    EVENT_MARKER_RE,
    MAX_BODY,
    RECORD_BLOCK_RE,
    RECORD_HEAD,
    VIA_GITHUB,
    gh_created,
    gh_time,
    html_json,
    is_trusted,
    truncate,
)
from gitdesk.model.event import Event, parse_event
from gitdesk.model.ids import event_id_from
from gitdesk.people import public_name


def comment_marker(comment: dict) -> dict | None:
    """The event marker of a comment gitdesk posted (trusted authors only)."""
    if not is_trusted(comment.get("user"), comment.get("author_association")):
        return None
    match = EVENT_MARKER_RE.search(comment.get("body") or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def is_record_comment(comment: dict) -> bool:
    return (comment.get("body") or "").lstrip().startswith(RECORD_HEAD) and is_trusted(
        comment.get("user"), comment.get("author_association"))


def comment_text(comment: dict) -> str:
    """The comment as the person wrote it: gitdesk's attribution line and markers removed."""
    body = (comment.get("body") or "").replace("\r\n", "\n")
    if comment_marker(comment) is not None:
        body = EVENT_MARKER_RE.sub("", body)
        body = ATTRIBUTION_RE.sub("", body)
    return body.strip() or "(empty comment)"


def render_comment(body: str, *, event_id: str, by: str, via: str | None = None, extra: dict | None = None) -> str:
    """A comment gitdesk posts: the text, who wrote it, and the hidden event marker."""
    who = public_name(by)
    attribution = who + (f" via {via}" if via else "")
    safe = attribution.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    marker = {"id": event_id, "by": who, **({"via": via} if via else {}), **(extra or {})}
    tail = f"\n\n<sub>— {safe}</sub>\n<!-- gitdesk:event {html_json(marker)} -->"
    return truncate(body.strip(), MAX_BODY - len(tail) - 10) + tail


def comment_event_id(comment: dict, repo_full: str, number: int) -> str:
    marker = comment_marker(comment)
    if marker and isinstance(marker.get("id"), str) and len(marker["id"]) == 26:
        return marker["id"]
    at = gh_time(comment.get("created_at")) or datetime.now().astimezone()
    return event_id_from(at, f"{issue_seed(repo_full, number)}:comment:{comment.get('id')}")


def comment_event(comment: dict, ticket_id: str, repo_full: str, number: int) -> tuple[Event, bool]:
    """One GitHub comment as a public comment event; the flag says whether gitdesk posted it."""
    marker = comment_marker(comment)
    login = (comment.get("user") or {}).get("login") or "ghost"
    by = login
    if marker and isinstance(marker.get("by"), str) and marker["by"].strip():
        by = marker["by"].strip()[:200]
    body = {"body": comment_text(comment)[:200_000], "public": True}
    if marker is None:
        body["via"] = VIA_GITHUB  # written on GitHub: the sync never posts it back
    elif isinstance(marker.get("via"), str) and marker["via"]:
        body["via"] = marker["via"][:50]
    at = gh_created(comment)
    event = Event(id=comment_event_id(comment, repo_full, number), ticket=ticket_id, at=at, by=by,
                  action="comment", comment=body)
    return event, marker is not None


def record_entry(event: Event) -> dict:
    """What the record keeps of an event: no comment text (comments are comments), no e-mails,
    and the description as a flag (it lives in the body)."""
    data = event.to_dict()
    for key in ("gitdesk", "ticket", "comment"):
        data.pop(key, None)
    data["by"] = public_name(event.by)
    if "set" in data:
        changes = dict(data["set"])
        if "description" in changes:
            changes["description"] = True
        data["set"] = changes
    if event.comment is not None:
        data["c"] = 1  # its comment is a GitHub comment (public) or a private note (internal)
    return data


def render_record(entries: list[dict], ticket_ref: str) -> str:
    lines = "\n".join(html_json(e) for e in entries)
    return (f"{RECORD_HEAD}\n<sub>gitdesk keeps the history of {ticket_ref} in this comment. "
            f"Please do not edit it.</sub>\n<!--\n{lines}\n-->")


def parse_record(body: str) -> list[dict]:
    entries = []
    for block in RECORD_BLOCK_RE.findall(body or ""):
        for line in block.split("\n"):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                entries.append(data)
    return entries


def entry_event(entry: dict, ticket_id: str, description: str | None, statuses) -> Event | None:
    """A record entry back as an event (None if it is malformed: the record is text on GitHub)."""
    data = {k: v for k, v in entry.items() if k in ("id", "at", "by", "action", "set", "add", "remove", "reason")}
    data["gitdesk"] = 1
    data["ticket"] = ticket_id
    changes = dict(data.get("set") or {})
    if changes.get("description") is True:
        if description is None:
            changes.pop("description")
        else:
            changes["description"] = description
    if changes:
        data["set"] = changes
    else:
        data.pop("set", None)
    try:
        return parse_event(data, statuses=tuple(statuses))
    except (ValidationError, TypeError, AttributeError):
        return None
