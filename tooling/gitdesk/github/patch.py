"""Writing to an issue: the PATCH a set of ticket changes needs, and the payload of a new issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitdesk.github.form import parse_form, render_form, set_form_values
from gitdesk.github.issues import Context, label_names, trusted_marker_id
from gitdesk.github.text import MAX_BODY, REQUESTER_SECTION, github_login, truncate
from gitdesk.people import format_person


@dataclass
class IssuePatch:
    """What to send to GitHub to make an issue show some ticket fields."""

    body: dict[str, Any] = field(default_factory=dict)  # PATCH /issues/{n} fields
    skipped: list[str] = field(default_factory=list)  # fields GitHub cannot hold, with why

    def __bool__(self) -> bool:
        return bool(self.body)


def issue_patch(issue: dict, changes: dict[str, Any], ctx: Context, *, after: dict | None = None) -> IssuePatch:
    """Turn changed ticket fields into one PATCH: labels edited per field (other labels kept),
    state and state reason, assignee, title, and the body's form sections."""
    patch = IssuePatch()
    _patch_state(patch, issue, changes, ctx, after)
    _patch_labels(patch, issue, changes, ctx)
    _patch_assignee(patch, issue, changes)
    if "title" in changes and changes["title"] and changes["title"] != issue.get("title"):
        patch.body["title"] = changes["title"]
    _patch_form(patch, issue, changes, ctx)
    return patch


def _patch_labels(patch: IssuePatch, issue: dict, changes: dict[str, Any], ctx: Context) -> None:
    """The issue's labels with those of each changed field replaced; unchanged order sends nothing."""
    scheme = ctx.scheme
    names = label_names(issue)
    labels = list(names)

    def replace_kind(kind: str, value: Any) -> None:
        nonlocal labels
        drop = {n.casefold() for n in scheme.labels_of_kind(labels, kind)}
        labels = [n for n in labels if n.casefold() not in drop]
        if value is not None:
            labels.append(scheme.label(kind, value))

    for kind in ("priority", "category", "channel"):
        if kind in changes:
            replace_kind(kind, changes[kind])
    if "tier" in changes:
        replace_kind("tier", changes["tier"] if changes["tier"] else None)
    status = changes.get("status")
    if status:
        replace_kind("status", status if status in scheme.label_statuses else None)
    if "tags" in changes:
        have = set(scheme.read(names)["tags"])
        want = set(changes["tags"] or [])
        for tag in have - want:
            drop = {n.casefold() for n in scheme.labels_for_tag(labels, tag)}
            labels = [n for n in labels if n.casefold() not in drop]
        for tag in sorted(want - have):
            labels.append(scheme.tag_label(tag))
    if sorted(n.casefold() for n in labels) != sorted(n.casefold() for n in names):
        patch.body["labels"] = labels


def _patch_state(patch: IssuePatch, issue: dict, changes: dict[str, Any], ctx: Context, after: dict | None) -> None:
    """Open or close the issue when the new status says so, with GitHub's state reason."""
    status = changes.get("status")
    if not status:
        return
    closed = not ctx.scheme.status_is_open(status)
    if closed and issue.get("state") != "closed":
        patch.body["state"] = "closed"
        patch.body["state_reason"] = "duplicate" if (after or {}).get("duplicate_of") else "completed"
    elif not closed and issue.get("state") == "closed":
        patch.body["state"] = "open"
        patch.body["state_reason"] = "reopened"


def _patch_assignee(patch: IssuePatch, issue: dict, changes: dict[str, Any]) -> None:
    """One GitHub login as the assignee; anything else is skipped, with why."""
    if "assignee" not in changes:
        return
    value = changes["assignee"]
    login = github_login(value)
    if value and not login:
        patch.skipped.append(f"assignee {value!r} is not a GitHub login")
        return
    current = [a.get("login") for a in issue.get("assignees") or [] if isinstance(a, dict)]
    wanted = [login] if login else []
    if current != wanted:
        patch.body["assignees"] = wanted


def _patch_form(patch: IssuePatch, issue: dict, changes: dict[str, Any], ctx: Context) -> None:
    """The body's form sections for the changed fields the body holds."""
    wanted = _changed_sections(issue, changes, ctx)
    if not wanted:
        return
    body = set_form_values(issue.get("body"), wanted, ctx.labels)
    if body != (issue.get("body") or ""):
        patch.body["body"] = truncate(body, MAX_BODY)


def _changed_sections(issue: dict, changes: dict[str, Any], ctx: Context) -> dict[str, str | None]:
    """Form sections whose value differs from the body's; channel and category only where the
    body already had them (else the label holds them and the body stays as it was)."""
    sections: dict[str, str | None] = {k: changes[k] for k in FORM_KEYS if k in changes}
    if "requester" in changes:
        requester = changes["requester"] or {}
        if trusted_marker_id(issue):  # only issues gitdesk opened name their requester in the body
            sections[REQUESTER_SECTION] = format_person(requester)
        sections["department"] = requester.get("department")
    if not sections:
        return {}
    form = parse_form(issue.get("body"), ctx.labels)
    wanted = {k: v for k, v in sections.items() if (form.get(k) or None) != (v or None)}
    if "channel" in wanted and form.get("channel") is None and not issue_has_form(issue, ctx):
        wanted.pop("channel")
    if "category" in wanted and form.get("category") is None:
        wanted.pop("category")
    return wanted


#: ticket fields that the issue body's form sections hold, in the order they are compared
FORM_KEYS = ("asset", "impact", "urgency", "channel", "category", "description")


def issue_has_form(issue: dict, ctx: Context) -> bool:
    return bool(parse_form(issue.get("body"), ctx.labels))


def new_issue_payload(ticket: dict, ctx: Context) -> dict:
    """POST body for an issue that shows a ticket (labels, assignee, form body, ticket marker)."""
    scheme = ctx.scheme
    requester = ticket.get("requester") or {}
    values = {
        REQUESTER_SECTION: format_person(requester),
        "department": requester.get("department"),
        "category": ticket.get("category"),
        "impact": ticket.get("impact"),
        "urgency": ticket.get("urgency"),
        "channel": ticket.get("channel"),
        "asset": ticket.get("asset"),
        "description": ticket.get("description"),
    }
    marker = f"<!-- gitdesk:ticket={ticket['id']} -->"
    body = render_form(values, ctx.labels)
    body = truncate(body, MAX_BODY - len(marker) - 4) + "\n\n" + marker
    labels = []
    for kind in ("priority", "category", "channel"):
        if ticket.get(kind):
            labels.append(scheme.label(kind, ticket[kind]))
    if (ticket.get("tier") or 1) > 1:
        labels.append(scheme.label("tier", ticket["tier"]))
    if ticket.get("status") in scheme.label_statuses:
        labels.append(scheme.label("status", ticket["status"]))
    for tag in ticket.get("tags") or []:
        labels.append(scheme.tag_label(tag))
    payload: dict[str, Any] = {"title": (ticket.get("title") or "(no title)")[:256], "body": body}
    if labels:
        payload["labels"] = labels
    login = github_login(ticket.get("assignee"))
    if login:
        payload["assignees"] = [login]
    return payload
