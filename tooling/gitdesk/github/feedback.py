"""Feedback issues: a reader's vote sent as a GitHub issue becomes a feedback record, never a ticket.

The site's widget opens a new issue with the ``kb-feedback`` label and the article's marker line
in its body. GitHub applies a label from the URL only for people allowed to label, so an issue is
feedback when it has the label **or** its body carries the marker. Triage and sync both hand such
an issue here: the vote is recorded (:func:`gitdesk.kb.feedback.record_marker_message`, the same
issue once), or refused in one line with nothing written; either way the issue is closed with one
short comment (found again by its hidden marker, never posted twice), so it never waits in the
queue as a support request. The issue's author is used only for the per-sender flood limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.github.issues import issue_seed, label_names
from gitdesk.github.text import gh_created
from gitdesk.kb.feedback import ISSUE_LABEL as LABEL
from gitdesk.kb.feedback import MARKER, FeedbackRefused, record_marker_message
from gitdesk.languages import text

COMMENT_MARK = "<!-- gitdesk:kb-feedback -->"


def is_feedback_issue(issue: dict) -> bool:
    """Labelled ``kb-feedback``, or a body carrying the site's marker line."""
    if any(name.casefold() == LABEL for name in label_names(issue)):
        return True
    body = issue.get("body") or ""
    return any(line.strip().startswith(MARKER) for line in body.splitlines())


def _language(body: str, config: Config) -> str:
    for line in body.splitlines():
        if line.strip().startswith(MARKER) and "lang=" in line:
            code = line.split("lang=", 1)[1].split("&", 1)[0].strip()
            if code in config.languages:
                return code
    return config.language


def take_feedback_issue(root: Path, config: Config, client, issue: dict, comments: list[dict]) -> dict[str, Any]:
    """Record the vote of a feedback issue and close the issue; returns what happened
    (``action``: feedback, duplicate, refused, or ignored for a refused issue closed already; ``detail``; ``closed``; ``path``)."""
    number = issue["number"]
    body = issue.get("body") or ""
    user = issue.get("user") or {}
    out: dict[str, Any] = {"number": number, "action": "refused", "detail": "", "closed": False, "path": None}
    try:
        done = record_marker_message(root, config, body, channel="github", at=gh_created(issue),
                                     source=issue_seed(client.full_name, number),
                                     sender=f"github:{user.get('login')}" if isinstance(user, dict) and user.get("login") else None)
        if done is None:
            raise FeedbackRefused(f"labelled {LABEL} but carries no feedback marker", field="marker")
        vote = "yes" if done.feedback.helpful else "no"
        out.update(action="feedback" if done.created else "duplicate", article=done.feedback.article,
                   detail=f"feedback on {done.feedback.article}: {vote}", path=str(done.path) if done.created else None)
        key, reason = "feedback.issue_recorded", "completed"
    except FeedbackRefused as exc:
        if issue.get("state") != "open":  # refused and closed before: nothing more to say or do
            out.update(action="ignored", detail="closed feedback issue that was refused before")
            return out
        out["detail"] = f"feedback refused: {exc.line()}"
        key, reason = "feedback.issue_refused", "not_planned"
    if issue.get("state") == "open":
        if not any(COMMENT_MARK in (c.get("body") or "") for c in comments):
            client.post(client.repo_path(f"/issues/{number}/comments"),
                        {"body": f"{text(key, _language(body, config))}\n\n{COMMENT_MARK}"})
        client.patch(client.repo_path(f"/issues/{number}"), {"state": "closed", "state_reason": reason})
        out["closed"] = True
    return out
