"""Issues <-> tickets: labels, issue-form bodies, hidden markers, and events derived from issues.

Pure functions over GitHub's JSON (dicts) and gitdesk's events; no HTTP, no PyGithub. The same
rules serve the GitHub backend (a ticket derived from its issue) and ``gitdesk sync`` (an issue
imported into, or exported from, the YAML store). The mapping is documented for users in
``gitdesk/store/GITHUB.md``; the short version:

- labels carry priority, category, tier, status (only the statuses GitHub's open/closed cannot
  say: ``pending``, ``resolved``), channel and SLA state, with the prefixes of
  ``github.label_prefixes``; ``needs-triage`` and any other label are tags;
- the body carries the issue-form fields (``### Label`` sections) and, in issues gitdesk
  created, a ``### Requester`` section and a hidden ``<!-- gitdesk:ticket=ID -->`` marker;
- comments are public comments; those gitdesk posts end with a hidden event marker (event id
  and author), so a comment is never posted or imported twice;
- one "record" comment per issue, written by gitdesk, keeps the history GitHub cannot hold
  (when the status changed, escalations, teams, reasons, KB links) as hidden JSON lines.

Markers are trusted only in text written by someone with write access (author association
OWNER, MEMBER or COLLABORATOR) or by a GitHub App (``[bot]`` logins cannot be registered by
people): a requester cannot claim another ticket's id or forge history by pasting a marker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from gitdesk.config import Config
from gitdesk.errors import ValidationError
from gitdesk.model.event import Event, after_last, parse_event, parse_time  # noqa: F401 - parse_time is used by triage
from gitdesk.model.ids import event_id_from, is_ticket_id, ticket_id_from
from gitdesk.model.reducer import reduce_events
from gitdesk.people import format_person, parse_person, public_name

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


# -- text helpers -------------------------------------------------------------------------------
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


# -- the issue form ------------------------------------------------------------------------------
def form_labels(root: Path | None) -> dict[str, str]:
    """Field id -> heading, read from the repository's support-request form when it has one.

    The forms of the other languages (``support-request.es.yml``) add their headings as
    ``<id>@<file>`` keys: read when parsing, never used to write a body."""
    labels = dict(DEFAULT_FORM_LABELS)
    if root is None:
        return labels
    folder = Path(root, FORM_TEMPLATE).parent
    others = sorted(folder.glob(FORM_TEMPLATE.stem + ".*.yml")) if folder.is_dir() else []
    for path in [Path(root, FORM_TEMPLATE), *others]:
        suffix = "" if path.name == FORM_TEMPLATE.name else "@" + path.name
        try:
            if path.is_file() and path.stat().st_size < 200_000:
                from gitdesk.yamlio import load_yaml_file

                data = load_yaml_file(path, display=(FORM_TEMPLATE.parent / path.name).as_posix())
                for item in (data or {}).get("body") or []:
                    if isinstance(item, dict) and item.get("id") and isinstance(item.get("attributes"), dict):
                        label = item["attributes"].get("label")
                        if isinstance(label, str) and label.strip():
                            labels[str(item["id"]) + suffix] = " ".join(label.split())
        except (OSError, ValidationError, AttributeError):
            pass  # a broken template is `gitdesk check`'s business; the defaults still parse bodies
    return labels


def _section_names(labels: dict[str, str]) -> dict[str, str]:
    """Heading (casefolded) -> field id: the repository's forms, the headings of the forms
    gitdesk ships in every language (an issue opened from the Spanish form parses too) and
    those of the older English form (issues opened before the forms changed)."""
    from gitdesk.intake.forms import headings

    names = dict(headings())
    names.update({label.casefold(): fid for fid, label in DEFAULT_FORM_LABELS.items()})  # issues of older forms
    names.update({label.casefold(): fid.split("@", 1)[0] for fid, label in labels.items()})
    names.setdefault("requester", REQUESTER_SECTION)
    return names


def parse_form(body: str | None, labels: dict[str, str]) -> dict[str, str | None]:
    """``### Label`` sections of an issue-form body -> {field id: value or None}.

    Only headings that name a form field start a section (a ``###`` inside a description stays
    text); the first section of each name wins; ``_No response_`` and blanks mean None.
    """
    names = _section_names(labels)
    text = strip_markers(body).replace("\r\n", "\n")
    out: dict[str, str | None] = {}
    current: str | None = None
    lines: list[str] = []

    def close():
        if current is not None and current not in out:
            value = "\n".join(lines).strip()
            out[current] = None if value in ("", NO_RESPONSE) else value

    for line in text.split("\n"):
        match = re.fullmatch(r"###\s+(.+?)\s*", line)
        fid = names.get(match.group(1).casefold()) if match else None
        if fid is not None:
            close()
            current, lines = fid, []
        elif current is not None:
            lines.append(line)
    close()
    return out


def render_form(values: dict[str, str | None], labels: dict[str, str]) -> str:
    """The body of an issue gitdesk opens: the same sections the form would render."""
    order = [REQUESTER_SECTION, "department", "category", "impact", "urgency", "channel", "asset", "description"]
    heads = {**labels, REQUESTER_SECTION: "Requester"}
    parts = []
    for fid in order + [k for k in values if k not in order]:
        value = values.get(fid)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        parts.append(f"### {heads.get(fid, fid)}\n\n{str(value).strip()}")
    return "\n\n".join(parts)


def set_form_values(body: str | None, changes: dict[str, str | None], labels: dict[str, str]) -> str:
    """Replace (or add, before the markers) the sections named in ``changes``."""
    heads = {**labels, REQUESTER_SECTION: "Requester"}
    names = _section_names(labels)
    text = (body or "").replace("\r\n", "\n")
    markers = "".join(m.group(0) for m in ANY_MARKER_RE.finditer(text))
    text = ANY_MARKER_RE.sub("", text).rstrip()
    lines = text.split("\n") if text else []
    seen: set[str] = set()
    out: list[str] = []
    skipping = False
    for line in lines:
        match = re.fullmatch(r"###\s+(.+?)\s*", line)
        fid = names.get(match.group(1).casefold()) if match else None
        if fid is not None:
            skipping = False
            if fid in changes and fid not in seen:
                seen.add(fid)
                value = changes[fid]
                out.append(line)
                out.append("")
                out.append(str(value).strip() if value not in (None, "") else NO_RESPONSE)
                out.append("")
                skipping = True
                continue
        if not skipping:
            out.append(line)
    for fid, value in changes.items():
        if fid not in seen and value not in (None, ""):
            if out and out[-1].strip():
                out.append("")
            out.extend([f"### {heads.get(fid, fid)}", "", str(value).strip(), ""])
    result = "\n".join(out).rstrip()
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result + ("\n\n" + markers.strip() if markers else "")


# -- labels --------------------------------------------------------------------------------------
@dataclass
class LabelScheme:
    """How ticket fields are spelled as labels (``priority: high``, ``tier: 2``...)."""

    config: Config
    prefixes: dict[str, str] = field(default_factory=dict)
    triage_label: str = "needs-triage"

    @classmethod
    def from_config(cls, config: Config) -> "LabelScheme":
        gh = config.get("github") or {}
        return cls(config=config, prefixes=dict(gh.get("label_prefixes") or {}),
                   triage_label=gh.get("triage_label") or "needs-triage")

    def label(self, kind: str, value: Any) -> str:
        return f"{self.prefixes.get(kind, kind + ': ')}{value}"

    @property
    def label_statuses(self) -> list[str]:
        """Statuses GitHub's open/closed cannot express on their own, so they get labels."""
        cfg = self.config
        plain = {cfg["initial_status"], cfg["reopen_status"], "closed"}
        return [s for s in cfg.statuses if s not in plain]

    def status_is_open(self, status: str) -> bool:
        info = self.config.raw["statuses"].get(status) or {}
        return bool(info.get("open", True))

    def _kind_of(self, name: str) -> tuple[str, str] | None:
        folded = name.casefold()
        for kind, prefix in self.prefixes.items():
            if prefix and folded.startswith(prefix.casefold()):
                return kind, name[len(prefix):].strip()
        return None

    def read(self, names: Iterable[str]) -> dict[str, Any]:
        """Label names -> {priority, category, tier, status, channel, tags} (unknown values ignored)."""
        cfg = self.config
        found: dict[str, list] = {k: [] for k in ("priority", "category", "tier", "status", "channel")}
        tags: set[str] = set()
        for name in names:
            kind = self._kind_of(name)
            if kind is None:
                tag = as_tag(name)
                if tag:
                    tags.add(tag)
                continue
            key, value = kind
            low = value.casefold()
            if key == "priority" and low in cfg.priorities:
                found["priority"].append(low)
            elif key == "category":
                match = next((c for c in cfg.category_ids() if c.casefold() == low), None)
                if match:
                    found["category"].append(match)
            elif key == "tier" and value.isdigit() and int(value) in cfg.tiers:
                found["tier"].append(int(value))
            elif key == "status" and low in self.label_statuses:
                found["status"].append(low)
            elif key == "channel":
                match = next((c for c in cfg.channels if c.casefold() == low), None)
                if match:
                    found["channel"].append(match)
            elif key == "sla":
                tag = as_tag("sla-" + value)
                if tag:
                    tags.add(tag)
        out: dict[str, Any] = {"tags": sorted(tags)}
        # several labels of one kind: the most urgent priority, the highest tier, the first otherwise
        out["priority"] = min(found["priority"], key=cfg.priorities.index) if found["priority"] else None
        out["tier"] = max(found["tier"]) if found["tier"] else None
        for key in ("category", "status", "channel"):
            out[key] = sorted(found[key])[0] if found[key] else None
        return out

    def tag_label(self, tag: str) -> str:
        if tag.startswith("sla-") and len(tag) > 4:
            return self.label("sla", tag[4:])
        return tag

    def labels_for_tag(self, names: Iterable[str], tag: str) -> list[str]:
        """The labels of an issue that spell ``tag``."""
        out = []
        for name in names:
            kind = self._kind_of(name)
            if kind is None and as_tag(name) == tag:
                out.append(name)
            elif kind is not None and kind[0] == "sla" and as_tag("sla-" + kind[1]) == tag:
                out.append(name)
        return out

    def labels_of_kind(self, names: Iterable[str], kind: str) -> list[str]:
        return [n for n in names if (self._kind_of(n) or ("", ""))[0] == kind]


def as_tag(label: str) -> str | None:
    """A label that is not priority/tier/... becomes a tag, normalised like ``ticket set --tag``."""
    from gitdesk.operations import normalize_tag

    return normalize_tag(label)


# -- issues --------------------------------------------------------------------------------------
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
    if form.get("department"):
        requester["department"] = " ".join(form["department"].split())[:200]
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


# -- comments ------------------------------------------------------------------------------------
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
    at = gh_time(comment.get("created_at"))
    event = Event(id=comment_event_id(comment, repo_full, number), ticket=ticket_id, at=at, by=by,
                  action="comment", comment=body)
    return event, marker is not None


# -- the record comment --------------------------------------------------------------------------
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


# -- deriving a ticket from its issue ------------------------------------------------------------
def new_event(issue: dict, ticket_id: str, ctx: Context, entry: dict | None = None) -> Event:
    """The ``new`` event of an issue: what the body says, at the issue's creation."""
    cfg = ctx.config
    body = body_fields(issue, ctx)
    at = gh_time(issue.get("created_at"))
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


# -- writing to an issue -------------------------------------------------------------------------
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
    scheme = ctx.scheme
    names = label_names(issue)
    labels = list(names)
    patch = IssuePatch()

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
    if "status" in changes and changes["status"]:
        status = changes["status"]
        replace_kind("status", status if status in scheme.label_statuses else None)
        closed = not scheme.status_is_open(status)
        if closed and issue.get("state") != "closed":
            patch.body["state"] = "closed"
            patch.body["state_reason"] = "duplicate" if (after or {}).get("duplicate_of") else "completed"
        elif not closed and issue.get("state") == "closed":
            patch.body["state"] = "open"
            patch.body["state_reason"] = "reopened"
    if "tags" in changes:
        have = set(scheme.read(names)["tags"])
        want = set(changes["tags"] or [])
        for tag in have - want:
            drop = {n.casefold() for n in scheme.labels_for_tag(labels, tag)}
            labels = [n for n in labels if n.casefold() not in drop]
        for tag in sorted(want - have):
            labels.append(scheme.tag_label(tag))
    if [n.casefold() for n in labels] != [n.casefold() for n in names]:
        if sorted(n.casefold() for n in labels) != sorted(n.casefold() for n in names):
            patch.body["labels"] = labels
    if "assignee" in changes:
        value = changes["assignee"]
        login = github_login(value)
        if value and not login:
            patch.skipped.append(f"assignee {value!r} is not a GitHub login")
        else:
            current = [a.get("login") for a in issue.get("assignees") or [] if isinstance(a, dict)]
            wanted = [login] if login else []
            if current != wanted:
                patch.body["assignees"] = wanted
    if "title" in changes and changes["title"] and changes["title"] != issue.get("title"):
        patch.body["title"] = changes["title"]
    sections: dict[str, str | None] = {}
    for key in ("asset", "impact", "urgency", "channel", "category"):
        if key in changes:
            sections[key] = changes[key]
    if "description" in changes:
        sections["description"] = changes["description"]
    if "requester" in changes:
        requester = changes["requester"] or {}
        if trusted_marker_id(issue):  # only issues gitdesk opened name their requester in the body
            sections[REQUESTER_SECTION] = format_person(requester)
        sections["department"] = requester.get("department")
    if sections:
        form = parse_form(issue.get("body"), ctx.labels)
        wanted = {k: v for k, v in sections.items() if (form.get(k) or None) != (v or None)}
        if "channel" in wanted and form.get("channel") is None and not issue_has_form(issue, ctx):
            wanted.pop("channel")
        if "category" in wanted and form.get("category") is None:
            wanted.pop("category")  # the label holds it; a form that never had one stays as it was
        if wanted:
            body = set_form_values(issue.get("body"), wanted, ctx.labels)
            if body != (issue.get("body") or ""):
                patch.body["body"] = truncate(body, MAX_BODY)
    return patch


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
