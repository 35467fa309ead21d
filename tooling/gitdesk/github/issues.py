"""An issue as ticket fields: its ticket id, link, form and label values, and field comparison."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gitdesk.config import Config
from gitdesk.github.form import parse_form
from gitdesk.github.labelscheme import LabelScheme
from gitdesk.github.text import (
    DEFAULT_FORM_LABELS,
    ISSUE_FIELDS,
    REQUESTER_SECTION,
    TICKET_MARKER_RE,
    github_login,
    is_trusted,
    strip_markers,
)
from gitdesk.model.ids import is_ticket_id, ticket_id_from
from gitdesk.people import parse_person


def label_names(issue: dict) -> list[str]:
    return [lab["name"] if isinstance(lab, dict) else str(lab) for lab in issue.get("labels") or []]


def issue_seed(repo_full: str, number: int) -> str:
    return f"github:{repo_full.lower()}#{number}"


def trusted_marker_id(issue: dict) -> str | None:
    """The ticket id in a trusted issue body's marker, if any."""
    if not is_trusted(issue.get("user"), issue.get("author_association")):
        return None
    match = TICKET_MARKER_RE.search(issue.get("body") or "")
    if match and is_ticket_id(match.group(1)):
        return match.group(1)
    return None


def ticket_id_for_issue(issue: dict, repo_full: str) -> str:
    """The marker's id for issues gitdesk opened, else a stable id derived from the issue."""
    return trusted_marker_id(issue) or ticket_id_from(issue_seed(repo_full, issue["number"]))


def issue_url(issue: dict) -> str | None:
    return issue.get("html_url") or issue.get("url")


def external_for(issue: dict, repo_full: str) -> dict:
    out = {"source": "github", "id": f"{repo_full}#{issue['number']}", "number": int(issue["number"])}
    url = issue_url(issue)
    if url:
        out["url"] = url
    return out


@dataclass
class Context:
    """What the mapping needs besides the issue: configuration, label scheme, form headings."""

    config: Config
    repo_full: str
    labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FORM_LABELS))
    kb_paths: set[str] | None = None  # known KB article paths, to turn a linked article URL into a link

    @property
    def scheme(self) -> LabelScheme:
        return LabelScheme.from_config(self.config)

    @property
    def default_channel(self) -> str | None:
        return "web" if "web" in self.config.channels else None

    def team_for(self, tier: int | None) -> str:
        cfg = self.config
        if tier and tier > 1:
            return cfg.team_for_tier(tier) or cfg["default_team"]
        return cfg["default_team"]


def body_fields(issue: dict, ctx: Context) -> dict[str, Any]:
    """What the body says: form fields (validated), description, requester."""
    from gitdesk.intake.forms import read_choice

    cfg = ctx.config
    form = parse_form(issue.get("body"), ctx.labels)
    trusted = is_trusted(issue.get("user"), issue.get("author_association"))
    if form:
        parts = [form.get("description") or ""]
        if form.get("steps_tried"):
            parts.append(f"Steps tried:\n{form['steps_tried']}")
        if form.get("article"):
            parts.append(f"Linked article: {form['article']}")
        description = "\n\n".join(p for p in parts if p).strip() or None
    else:
        description = strip_markers(issue.get("body")) or None
    if description:
        description = description[:200_000]
    requester: dict = {}
    ours = trusted and TICKET_MARKER_RE.search(issue.get("body") or "") is not None
    if trusted and form.get(REQUESTER_SECTION):
        requester = parse_person(form[REQUESTER_SECTION])
    if not requester and not ours:  # the person who opened the issue asks; gitdesk's issues say who
        login = (issue.get("user") or {}).get("login")
        requester = {"name": login} if login else {}
    department = form.get("department")
    if department:
        requester["department"] = " ".join(department.split())[:200]
    asset = " ".join((form.get("asset") or "").split())[:200] or None
    out = {  # ids, or the names and plain answers of the forms in any language
        "category": read_choice(cfg, "category", form.get("category")),
        "impact": read_choice(cfg, "impact", form.get("impact")),
        "urgency": read_choice(cfg, "urgency", form.get("urgency")),
        "channel": read_choice(cfg, "channel", form.get("channel")),
        "asset": asset,
        "description": description,
        "requester": requester or None,
        "article": form.get("article"),
        "default_channel": None if ours else ctx.default_channel,
        "_form": form,
    }
    return out


def issue_fields(issue: dict, ctx: Context) -> dict[str, Any]:
    """The ticket fields an issue holds now (labels first, then the form), for comparisons.

    ``status`` is ``open`` for an open issue without a status label (new and open look the same
    on GitHub), the label's status when there is one, ``closed`` or a closed-type label's status
    for a closed issue.
    """
    scheme = ctx.scheme
    cfg = ctx.config
    labels = scheme.read(label_names(issue))
    body = body_fields(issue, ctx)
    priority = labels["priority"]
    if priority is None and body["impact"] and body["urgency"]:
        priority = cfg.derive_priority(body["impact"], body["urgency"])
    if issue.get("state") == "closed":
        status = labels["status"] if labels["status"] and not scheme.status_is_open(labels["status"]) else "closed"
    else:
        status = labels["status"] if labels["status"] and scheme.status_is_open(labels["status"]) else cfg["reopen_status"]
    assignees = [a.get("login") for a in issue.get("assignees") or [] if isinstance(a, dict) and a.get("login")]
    if not assignees and isinstance(issue.get("assignee"), dict):
        assignees = [issue["assignee"].get("login")]
    return {
        "title": " ".join((issue.get("title") or "").split()) or "(no title)",
        "status": status,
        "priority": priority,
        "category": labels["category"] or body["category"],
        "tier": labels["tier"] or 1,
        "channel": labels["channel"] or body["channel"] or body["default_channel"],
        "assignee": assignees[0] if assignees else None,
        "tags": labels["tags"],
        "asset": body["asset"],
        "description": body["description"],
        "impact": body["impact"],
        "urgency": body["urgency"],
        "requester": body["requester"],
    }


def ticket_fields(ticket: dict, ctx: Context) -> dict[str, Any]:
    """The same fields read from a derived ticket (``reduce_events`` output)."""
    return {
        "title": ticket.get("title") or "(no title)",
        "status": ticket.get("status"),
        "priority": ticket.get("priority"),
        "category": ticket.get("category"),
        "tier": ticket.get("tier") or 1,
        "channel": ticket.get("channel"),
        "assignee": ticket.get("assignee"),
        "tags": sorted(ticket.get("tags") or []),
        "asset": ticket.get("asset"),
        "description": ticket.get("description"),
        "impact": ticket.get("impact"),
        "urgency": ticket.get("urgency"),
        "requester": ticket.get("requester") or None,
    }


def same_value(name: str, a: Any, b: Any, config: Config) -> bool:
    """Equal as GitHub can tell: new and open are both "open", text compared without edge spaces,
    an assignee by its login."""
    if name == "status":
        plain = (config["initial_status"], config["reopen_status"])
        return (a in plain and b in plain) or a == b
    if name in ("description", "title", "asset"):
        return " ".join(str(a or "").split()) == " ".join(str(b or "").split())
    if name == "assignee":
        return (github_login(a) or a or None) == (github_login(b) or b or None)
    if name == "requester":
        def norm(r):
            return {k: v for k, v in (r or {}).items() if v}
        return norm(a) == norm(b)
    if name == "tags":
        return sorted(a or []) == sorted(b or [])
    return a == b


def diff_fields(ours: dict, theirs: dict, config: Config, names: Iterable[str] = ISSUE_FIELDS) -> dict[str, Any]:
    return {n: ours.get(n) for n in names if not same_value(n, ours.get(n), theirs.get(n), config)}
