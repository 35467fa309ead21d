"""Markers, limits and small text rules shared by every part of the issue <-> ticket mapping."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from gitdesk.errors import RemoteError
from gitdesk.model.event import parse_time

SYNC_ACTOR = "github"
VIA_GITHUB = "github"  # ``via`` of comments written on GitHub  # who GitHub-side changes are attributed to when GitHub does not say
AUTOMATION_ACTOR = "gitdesk[bot]"  # triage and suggestion comments (a bot: never a first response)
TRUSTED_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")
NO_RESPONSE = "_No response_"
MAX_BODY = 65536  # GitHub's limit for issue and comment bodies

# issue-form field id -> the heading GitHub renders (from .github/ISSUE_TEMPLATE/support-request.yml)
DEFAULT_FORM_LABELS = {
    "category": "Category",
    "impact": "Impact",
    "urgency": "Urgency",
    "channel": "Channel",
    "asset": "Asset",
    "description": "Description",
    "steps_tried": "Steps tried",
    "article": "Linked article",
    "department": "Department",
}
REQUESTER_SECTION = "requester"  # added by gitdesk to the issues it opens for someone else
FORM_TEMPLATE = Path(".github", "ISSUE_TEMPLATE", "support-request.yml")

TICKET_MARKER_RE = re.compile(r"<!--\s*gitdesk:ticket=([0-9A-Za-z]{10})\s*-->")
EVENT_MARKER_RE = re.compile(r"\n*<!--\s*gitdesk:event (\{.*?\})\s*-->\s*\Z", re.S)
ATTRIBUTION_RE = re.compile(r"\n*<sub>— [^\n]*</sub>\s*\Z")
RECORD_HEAD = "<!-- gitdesk:record -->"
RECORD_BLOCK_RE = re.compile(r"<!--\n(.*?)\n-->", re.S)
ANY_MARKER_RE = re.compile(r"\n*<!--\s*gitdesk:[^>]*-->")
LOGIN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")
NOREPLY_RE = re.compile(r"(?:\d+\+)?([A-Za-z0-9-]+(?:\[bot\])?)@users\.noreply\.github\.com", re.I)

# the fields of a ticket that an issue holds, compared when syncing
ISSUE_FIELDS = ("title", "status", "priority", "category", "tier", "channel", "assignee", "tags",
                "asset", "description", "impact", "urgency", "requester")


def html_json(data: Any) -> str:
    """JSON that can sit inside an HTML comment: ``<`` and ``>`` escaped, so no ``-->``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def strip_markers(text: str | None) -> str:
    return ANY_MARKER_RE.sub("", text or "").strip()


def truncate(text: str, limit: int, note: str = "\n\n_(shortened: the full text is in the help desk)_") -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(note)] + note


def github_login(who: str | None) -> str | None:
    """A GitHub login from what an agent typed: ``octocat``, ``@octocat`` or a noreply address."""
    text = (who or "").strip()
    if not text:
        return None
    match = NOREPLY_RE.search(text)
    if match:
        return match.group(1)
    text = text.lstrip("@")
    return text if LOGIN_RE.fullmatch(text) else None


def is_trusted(user: dict | None, association: str | None) -> bool:
    """Did someone with write access (or a GitHub App) write this text?"""
    login = (user or {}).get("login") or ""
    return (association or "").upper() in TRUSTED_ASSOCIATIONS or login.endswith("[bot]")


def gh_time(value: str | None) -> datetime | None:
    return parse_time(value) if value else None


def gh_created(item: dict) -> datetime:
    """When an issue or comment was created: GitHub always sends ``created_at``, so a reply
    without it is broken (said plainly rather than failing later on a missing time)."""
    at = gh_time(item.get("created_at"))
    if at is None:
        raise RemoteError(f"GitHub sent an item without created_at: {item.get('url') or item.get('id')!r}")
    return at
