"""Readers' votes on articles ("Did this solve your problem?"): records, checks and the marker.

A vote reaches the desk through one of its channels (a prefilled e-mail, a GitHub issue labelled
``kb-feedback``, or ``gitdesk serve``'s optional endpoint) and becomes one **feedback record**:
an immutable YAML file ``tickets/.feedback/<ULID>.yml`` written once, atomically, never replaced
(like ticket events, so clones merge without conflicts). The folder is hidden on purpose: the
file store and its cache read only two-character bucket folders and event file names
(:func:`gitdesk.model.ids.event_file_problem`), and ``gitdesk check`` skips dot-folders, so a
record never becomes, or breaks, a ticket.

A record holds the article (its path under ``kb/``), the vote, an optional reason from
:data:`REASONS`, an optional comment, the time, the channel and the page's language. It never
holds who voted: no name, no address, no IP. Two things need a notion of "the same message" or
"the same sender" without storing them:

- ``source`` (a Message-ID, an issue number) is kept only as a SHA-256 digest, so the same mail
  or issue seen twice is recorded once;
- flood control counts arrivals per article and per sender (:func:`record_feedback`'s
  ``sender``, kept as a salted digest) in ``.gitdesk/feedback-arrivals.json``, the local,
  git-ignored cache folder, pruned after the window: never committed, never published.

Every value is checked before anything is written (:class:`FeedbackRefused` is the one-line
refusal the channels print); a refused vote writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from gitdesk.config import Config, parse_duration
from gitdesk.errors import ValidationError
from gitdesk.kb import AGENTS_DIR, is_article, kb_dir
from gitdesk.languages import page_language
from gitdesk.model.event import FUTURE_SLACK, format_time, parse_time, utcnow
from gitdesk.model.ids import event_id_from, is_event_id, new_event_id
from gitdesk.textsafe import clean
from gitdesk.yamlio import atomic_write, dump_yaml, load_yaml_file

#: where records live, under ``tickets/`` (hidden: no ticket reader looks inside)
FEEDBACK_DIR = ".feedback"
CHANNELS = ("email", "github", "serve")
#: the label of a vote sent as a GitHub issue (the site sets it, triage and sync recognise it)
ISSUE_LABEL = "kb-feedback"
#: why an article did not help; the site shows them translated (``feedback.reason_<name>``)
REASONS = ("outdated", "unclear", "did-not-work", "not-my-problem", "other")
MAX_ARTICLE = 300
MAX_RECORD_BYTES = 16_384
#: the line a feedback message carries; intake recognises a message by it
MARKER = "gitdesk-feedback:v1"
_MARKER_RE = re.compile(r"^[ \t>]*gitdesk-feedback:v1\?(?P<query>[A-Za-z0-9%._~=&+\-/]{1,600})[ \t]*$", re.M)
_FIELDS = ("article", "helpful", "reason", "comment", "at", "channel", "language", "source")
_LEDGER_FILE = "feedback-arrivals.json"


class FeedbackRefused(ValidationError):
    """A vote that is not recorded: forged, unknown article, oversize, or over a flood limit."""


class FeedbackFlood(FeedbackRefused):
    """Over a flood limit (``kb.feedback.max_per_sender`` / ``max_per_article`` in the window)."""


@dataclass(frozen=True)
class Feedback:
    """One reader's vote on one article (no identity of the reader)."""

    article: str          # path under kb/, e.g. accounts/reset-password.es.md
    helpful: bool
    reason: str | None
    comment: str | None
    at: datetime          # aware, UTC
    channel: str          # email | github | serve
    language: str

    def to_dict(self, source: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"article": self.article, "helpful": self.helpful, "reason": self.reason,
                                "comment": self.comment, "at": format_time(self.at), "channel": self.channel,
                                "language": self.language}
        if source:
            data["source"] = source
        return data


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_feedback` did: the record, its file, and whether it is new (False: the
    same message was recorded before)."""

    feedback: Feedback
    path: Path
    created: bool


# -- settings -----------------------------------------------------------------------------------

def settings(config: Config) -> dict[str, Any]:
    """``kb.feedback`` with every key present (defaults.yml fills them)."""
    return dict(((config.get("kb") or {}).get("feedback")) or {})


def feedback_channel(config: Config) -> str:
    """The channel the site's widget uses: ``kb.feedback.channel``; ``auto`` is ``email`` when
    ``mail.address`` is set, else ``github`` when ``github.repository`` is, else ``off``."""
    channel = str(settings(config).get("channel") or "auto")
    if channel != "auto":
        return channel
    if str((config.get("mail") or {}).get("address") or "").strip():
        return "email"
    if str((config.get("github") or {}).get("repository") or "").strip():
        return "github"
    return "off"


def feedback_dir(root: Path) -> Path:
    return Path(root) / "tickets" / FEEDBACK_DIR


def _window(config: Config) -> timedelta:
    return timedelta(seconds=parse_duration(str(settings(config).get("window") or "1d")))


# -- the marker a message carries -----------------------------------------------------------------

def marker_line(article: str, helpful: bool, reason: str | None, language: str) -> str:
    """``gitdesk-feedback:v1?article=...&vote=no&reason=unclear&lang=es`` (what the widget writes)."""
    fields = {"article": article, "vote": "yes" if helpful else "no", "lang": language}
    if reason:
        fields["reason"] = reason
    return f"{MARKER}?{urlencode(fields, quote_via=quote, safe='/')}"


@dataclass(frozen=True)
class Marker:
    """A parsed marker: the raw values, checked later by :func:`record_feedback`."""

    article: str
    vote: str
    reason: str | None
    language: str | None


def find_marker(body: str) -> Marker | None:
    """The marker of a feedback message (a line of its own, maybe quoted), or None when the
    message is not one. A line that starts like a marker but does not parse is refused, so a
    forged or mangled vote is reported instead of becoming a ticket."""
    if MARKER not in body:
        return None
    m = _MARKER_RE.search(body)
    if m is None:
        raise FeedbackRefused("malformed feedback marker", field="marker")
    pairs = parse_qsl(m.group("query"), keep_blank_values=True, strict_parsing=False, max_num_fields=8)
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise FeedbackRefused(f"feedback marker repeats {key!r}", field="marker")
        values[key] = value
    if not values.get("article"):
        raise FeedbackRefused("feedback marker names no article", field="article")
    return Marker(values["article"], values.get("vote", ""), values.get("reason") or None, values.get("lang") or None)


def comment_before_marker(body: str) -> str | None:
    """What the reader wrote: the text above the marker, without the ``---`` rule the widget puts
    before it and without quoted lines."""
    m = _MARKER_RE.search(body)
    text = body[:m.start()] if m else body
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if not line.lstrip().startswith(">")]
    while lines and lines[-1].strip() in ("", "---", "--", "-- "):
        lines.pop()
    out = "\n".join(lines).strip()
    return out or None


# -- checking -------------------------------------------------------------------------------------

def check_article(root: Path, config: Config, article: object) -> str:
    """``article`` as a path under kb/ naming an existing end-user article, or a refusal."""
    if not isinstance(article, str) or not article.strip():
        raise FeedbackRefused("names no article", field="article")
    rel = article.strip()
    shown = clean(rel[:80], multiline=False)
    if len(rel) > MAX_ARTICLE or "\\" in rel or rel.startswith("/") or not rel.endswith(".md"):
        raise FeedbackRefused(f"not an article path: {shown!r}", field="article")
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith((".", "_")) for p in parts) or clean(rel) != rel:
        raise FeedbackRefused(f"not an article path: {shown!r}", field="article")
    if rel.startswith(AGENTS_DIR) or not is_article(rel):
        raise FeedbackRefused(f"{shown} is not an end-user article", field="article")
    folder = kb_dir(root, config)
    path = folder / rel
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except OSError:
        inside = False
    if not inside or path.is_symlink() or not path.is_file():
        raise FeedbackRefused(f"no article {shown} in {folder.name}/", field="article")
    return rel


def check_vote(vote: object) -> bool:
    """``yes``/``no`` (the marker) or a bool (the endpoint's JSON) -> helpful."""
    if isinstance(vote, bool):
        return vote
    if vote in ("yes", "no"):
        return vote == "yes"
    raise FeedbackRefused(f"the vote must be yes or no, not {clean(str(vote)[:20], multiline=False)!r}", field="vote")


def _check_fields(root: Path, config: Config, article: object, helpful: object, reason: object,
                  comment: object, channel: object, language: object, at: datetime) -> Feedback:
    rel = check_article(root, config, article)
    vote = check_vote(helpful)
    if reason is not None and reason not in REASONS:
        raise FeedbackRefused(f"unknown reason (one of {', '.join(REASONS)})", field="reason")
    if reason is not None and vote:
        raise FeedbackRefused("a reason goes with a 'no' vote only", field="reason")
    text: str | None = None
    if comment is not None:
        if not isinstance(comment, str):
            raise FeedbackRefused("the comment must be text", field="comment")
        text = clean(comment.replace("\r\n", "\n")).strip() or None
        limit = int(settings(config).get("max_comment") or 1000)
        if text and len(text) > limit:
            raise FeedbackRefused(f"the comment is longer than {limit} characters", field="comment")
    if channel not in CHANNELS:
        raise FeedbackRefused(f"unknown channel (one of {', '.join(CHANNELS)})", field="channel")
    lang = page_language(rel, config.language) if language in (None, "") else language
    if lang not in config.languages:
        raise FeedbackRefused(f"unknown language (one of {', '.join(config.languages)})", field="language")
    if at.tzinfo is None:
        raise FeedbackRefused("the time must carry a time zone", field="at")
    return Feedback(rel, vote, reason, text, at.astimezone(timezone.utc), str(channel), str(lang))


def source_digest(source: str) -> str:
    """What a record keeps of its message's id: a digest, enough to see the same message twice."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# -- reading --------------------------------------------------------------------------------------

def parse_record(data: Any, *, path: str) -> tuple[Feedback, str | None]:
    """A record file's data -> (feedback, source digest); errors name the file and field."""
    if not isinstance(data, dict):
        raise ValidationError("a feedback record is a mapping", path=path)
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ValidationError(f"unknown key {unknown[0]!r}", path=path)
    article = data.get("article")
    if not isinstance(article, str) or not article.endswith(".md"):
        raise ValidationError("expected the article's path under kb/", path=path, field="article")
    if not isinstance(data.get("helpful"), bool):
        raise ValidationError("expected true or false", path=path, field="helpful")
    reason = data.get("reason")
    if reason is not None and reason not in REASONS:
        raise ValidationError(f"unknown reason {reason!r}", path=path, field="reason")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ValidationError("expected text", path=path, field="comment")
    if data.get("channel") not in CHANNELS:
        raise ValidationError(f"unknown channel {data.get('channel')!r}", path=path, field="channel")
    language = data.get("language")
    if not isinstance(language, str):
        raise ValidationError("expected a language code", path=path, field="language")
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        raise ValidationError("expected text", path=path, field="source")
    at = parse_time(data.get("at"), path=path, field_name="at")
    return Feedback(article, data["helpful"], reason, comment, at, data["channel"], language), source


def _record_files(root: Path) -> list[Path]:
    folder = feedback_dir(root)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(".yml") and is_event_id(p.name[:-4]))


def _load(root: Path) -> list[tuple[Feedback, str | None]]:
    out = []
    for path in _record_files(root):
        rel = f"tickets/{FEEDBACK_DIR}/{path.name}"
        out.append(parse_record(load_yaml_file(path, max_bytes=MAX_RECORD_BYTES, display=rel), path=rel))
    return out


def load_feedback(root: Path, config: Config) -> list[Feedback]:  # noqa: ARG001 - part of the contract
    """Every feedback record of the desk, oldest first; a bad file is a :class:`ValidationError`
    naming it (``gitdesk check`` reports the same)."""
    return sorted((fb for fb, _ in _load(Path(root))), key=lambda fb: (fb.at, fb.article))


# -- writing --------------------------------------------------------------------------------------

def _ledger_path(root: Path) -> Path:
    return Path(root) / ".gitdesk" / _LEDGER_FILE


def _load_ledger(root: Path, since: datetime) -> dict:
    """The local arrival ledger, pruned to the window: ``{"salt": ..., "votes": {key: [times]}}``
    with keys ``s:<salted digest of a sender>`` and ``a:<article>``. It counts arrivals by the
    clock, so a vote dated in the past cannot slip under the limits; it lives in the git-ignored
    ``.gitdesk/`` only (the repository's own records still bound each article across clones)."""
    try:
        data = json.loads(_ledger_path(root).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("salt"), str) or not isinstance(data.get("votes"), dict):
            raise ValueError
    except (OSError, ValueError):
        data = {"salt": secrets.token_hex(16), "votes": {}}
    cut = format_time(since)
    votes = {k: [t for t in v if isinstance(t, str) and t >= cut] for k, v in data["votes"].items() if isinstance(v, list)}
    data["votes"] = {k: v for k, v in votes.items() if v}
    return data


def _sender_key(salt: str, sender: str) -> str:
    return "s:" + hashlib.sha256(f"{salt}\n{sender.strip().lower()}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def record_feedback(root: Path, config: Config, *, article: object, helpful: object, reason: object = None,
                    comment: object = None, channel: str, language: object = None, at: datetime | None = None,
                    source: str | None = None, sender: str | None = None, dry_run: bool = False) -> Recorded:
    """Check one vote and write it as a new record; raise :class:`FeedbackRefused` (nothing
    written) when a value is wrong or a flood limit is reached.

    ``source``: the message's own id (Message-ID, ``github#12``): the same source is recorded
    once (``created`` False the second time). ``sender``: who sent it (an address, a login, a
    client address), used only for the per-sender flood limit and never stored in the record.
    ``dry_run``: every check, nothing written.
    """
    from gitdesk.locking import desk_lock

    root = Path(root)
    now = utcnow()
    when = at or now
    if when > now + FUTURE_SLACK:
        raise FeedbackRefused("dated in the future", field="at")
    feedback = _check_fields(root, config, article, helpful, reason, comment, channel, language, when)
    digest = source_digest(source) if source else None
    record = dump_yaml(feedback.to_dict(digest))
    if len(record.encode("utf-8")) > MAX_RECORD_BYTES:
        raise FeedbackRefused(f"larger than {MAX_RECORD_BYTES} bytes", field="comment")
    limits = settings(config)
    window = _window(config)
    with desk_lock(root, "kb feedback"):
        existing = _load(root)
        if digest:
            for fb, src in existing:
                if src == digest:
                    path = feedback_dir(root) / f"{event_id_from(fb.at, source or '')}.yml"
                    return Recorded(fb, path, False)
        since = now - window
        ledger = _load_ledger(root, since)
        article_key = f"a:{feedback.article}"
        on_article = max(sum(1 for fb, _ in existing if fb.article == feedback.article and fb.at >= since),
                         len(ledger["votes"].get(article_key, [])))
        per_article = int(limits.get("max_per_article") or 0)
        if per_article and on_article >= per_article:
            raise FeedbackFlood(f"{feedback.article} already has {on_article} votes in the last "
                                f"{limits.get('window')} (kb.feedback.max_per_article: {per_article})", field="flood")
        keys = [article_key]
        if sender:
            key = _sender_key(ledger["salt"], sender)
            mine = len(ledger["votes"].get(key, []))
            per_sender = int(limits.get("max_per_sender") or 0)
            if per_sender and mine >= per_sender:
                raise FeedbackFlood(f"this sender already sent {mine} votes in the last {limits.get('window')} "
                                    f"(kb.feedback.max_per_sender: {per_sender})", field="flood")
            keys.append(key)
        name = event_id_from(feedback.at, source) if source else new_event_id(feedback.at)
        path = feedback_dir(root) / f"{name}.yml"
        if dry_run:
            return Recorded(feedback, path, True)
        atomic_write(path, record, exclusive=True)
        for key in keys:
            ledger["votes"].setdefault(key, []).append(format_time(now))
        atomic_write(_ledger_path(root), json.dumps(ledger, sort_keys=True))
    return Recorded(feedback, path, True)


def record_marker_message(root: Path, config: Config, body: str, *, channel: str, at: datetime | None,
                          source: str | None, sender: str | None, dry_run: bool = False) -> Recorded | None:
    """A message (mail or issue body) -> its record; None when it carries no feedback marker."""
    marker = find_marker(body)
    if marker is None:
        return None
    return record_feedback(root, config, article=marker.article, helpful=check_vote(marker.vote), reason=marker.reason,
                           comment=comment_before_marker(body), channel=channel, language=marker.language, at=at,
                           source=source, sender=sender, dry_run=dry_run)


def check_feedback(repo, config: Config):  # noqa: ARG001 - a gitdesk check signature
    """``gitdesk check``: each feedback record readable and sound (one problem per bad file)."""
    from gitdesk.checker import Problem
    from gitdesk.yamlio import TMP_PREFIX

    folder = feedback_dir(repo.root)
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        rel = f"tickets/{FEEDBACK_DIR}/{path.name}"
        if path.name.startswith(TMP_PREFIX) or path.name in (".gitkeep", "README.md"):
            continue
        if not (path.name.endswith(".yml") and is_event_id(path.name[:-4])) or path.is_symlink() or not path.is_file():
            yield Problem(rel, None, "not a feedback record (tickets/.feedback/ holds only <ULID>.yml files)")
            continue
        try:
            parse_record(load_yaml_file(path, max_bytes=MAX_RECORD_BYTES, display=rel), path=rel)
        except ValidationError as exc:
            yield Problem(exc.path or rel, exc.field, exc.message)


# -- figures --------------------------------------------------------------------------------------

def base_article(rel: str) -> str:
    """The original an answer counts for: ``accounts/reset-password.es.md`` -> ``...password.md``."""
    from gitdesk.languages import split_suffix

    return split_suffix(rel)[0]


def _article_meta(root: Path, config: Config, rel: str) -> dict:
    from gitdesk.kb.article import read_article

    folder = kb_dir(root, config)
    try:
        return read_article(folder / rel, folder).meta or {}
    except (OSError, ValidationError):
        return {}


def _reviewed_at(meta: dict) -> datetime | None:
    """``last_reviewed`` (a date) as the start of that day, UTC."""
    import datetime as _dt

    value = meta.get("last_reviewed")
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, _dt.date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return None


def summarise(root: Path, config: Config, votes: list[Feedback], *, article: str | None = None,
              comments: int = 3) -> list[dict[str, Any]]:
    """Per article (translations count for their original): yes, no, helpful share, reasons
    counted, the ``comments`` most recent comments, the "No" votes since its last review;
    worst first (lowest helpful share, then most "No" votes)."""
    wanted = base_article(article) if article else None
    groups: dict[str, list[Feedback]] = {}
    for fb in votes:
        base = base_article(fb.article)
        if wanted is None or base == wanted:
            groups.setdefault(base, []).append(fb)
    out: list[dict[str, Any]] = []
    for base, items in groups.items():
        meta = _article_meta(root, config, base)
        reviewed = _reviewed_at(meta)
        yes = sum(1 for fb in items if fb.helpful)
        no = len(items) - yes
        reasons: dict[str, int] = {}
        languages: dict[str, int] = {}
        for fb in items:
            if fb.reason:
                reasons[fb.reason] = reasons.get(fb.reason, 0) + 1
            languages[fb.language] = languages.get(fb.language, 0) + 1
        recent = sorted((fb for fb in items if fb.comment), key=lambda fb: fb.at, reverse=True)[:comments]
        out.append({
            "article": base, "title": str(meta.get("title") or base), "owner": meta.get("owner"),
            "yes": yes, "no": no, "votes": len(items), "helpful_share": round(yes / len(items), 3),
            "reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "languages": dict(sorted(languages.items())),
            "last_reviewed": reviewed.date().isoformat() if reviewed else None,
            "no_since_review": sum(1 for fb in items if not fb.helpful and (reviewed is None or fb.at >= reviewed)),
            "last_vote": format_time(max(fb.at for fb in items)),
            "comments": [{"at": format_time(fb.at), "helpful": fb.helpful, "reason": fb.reason, "language": fb.language,
                          "comment": fb.comment} for fb in recent],
        })
    out.sort(key=lambda row: (row["helpful_share"], -row["no"], row["article"]))
    return out


# -- review tasks -----------------------------------------------------------------------------------

REVIEW_TAG = "kb-review"  # h16fresh's review tasks (gitdesk.kb.review.MARKER_TAG)


def open_reviews(root: Path, config: Config, desk, *, today=None, dry_run: bool = False) -> list[dict[str, Any]]:
    """Ask the owner of every article with ``kb.feedback.review_after`` "No" votes to review it.

    The votes counted are those since the later of the article's ``last_reviewed`` and the last
    change to a review task that listed it, so one run of "No" votes opens one task; an
    article an open review task lists already is left alone. Tasks are opened (or added to) with
    :func:`gitdesk.kb.review.open_review_task` (its ``review_task``, through ``desk``, a
    :class:`~gitdesk.operations.Desk` whose ``written`` the command commits): one ticket per
    owning team and month, assigned to that team. Returns one row per article that reached the
    threshold (``ticket``, ``created``, ``skipped``, ``reopened`` when this month's task had
    been closed)."""
    import datetime as _dt

    from gitdesk.kb.review import month_period, review_task
    from gitdesk.languages import text
    from gitdesk.store.base import Filters

    threshold = int(settings(config).get("review_after") or 0)
    if threshold <= 0:
        return []
    today = today or _dt.datetime.now(timezone.utc).date()
    tasks = desk.store.list(Filters(tag=[REVIEW_TAG]), sort="created")
    open_statuses = set(config.open_statuses)
    listed_open: set[str] = set()
    last_task: dict[str, datetime] = {}
    for ticket in tasks:
        data = ticket.to_dict()
        stamp = data.get("updated_at") or data.get("created_at")  # its last activity: a closed task counts from there
        created = parse_time(stamp, field_name="updated_at") if stamp else None
        for path in data.get("kb") or ():
            base = base_article(path)
            if data.get("status") in open_statuses:
                listed_open.add(base)
            if created and (base not in last_task or created > last_task[base]):
                last_task[base] = created
    votes = load_feedback(root, config)
    rows = []
    for row in summarise(root, config, votes, comments=0):
        base = row["article"]
        reviewed = _reviewed_at(_article_meta(root, config, base))
        since = max((t for t in (reviewed, last_task.get(base)) if t is not None), default=None)
        no = sum(1 for fb in votes if not fb.helpful and base_article(fb.article) == base and (since is None or fb.at >= since))
        if no < threshold:
            continue
        entry: dict[str, Any] = {"article": base, "no_since": no, "owner": None, "ticket": None, "created": False,
                                 "skipped": None}
        rows.append(entry)
        if base in listed_open:
            entry["skipped"] = "an open review task lists it already"
            continue
        owner = row["owner"] if row["owner"] in config.teams else config["default_team"]
        entry["owner"] = owner
        if dry_run:
            continue
        reasons = ", ".join(f"{k} {v}" for k, v in row["reasons"].items()) or "-"
        reason = text("feedback.review_reason", config.language, no=no, article=base, reasons=reasons)
        entry["ticket"], entry["created"] = review_task(desk, owner=owner, articles=[base], reason=reason,
                                                        period=month_period(today))
        if not entry["created"]:  # this month's task listed it and was closed since: ask again there
            task = desk.store.get(entry["ticket"])
            if task.status not in open_statuses and config.can_transition(task.status, config["reopen_status"]):
                desk.reopen(task.id, reason=reason)
                entry["reopened"] = True
        listed_open.add(base)
    return rows


__all__ = ["CHANNELS", "FEEDBACK_DIR", "MARKER", "REASONS", "Feedback", "FeedbackFlood", "FeedbackRefused",
           "Recorded", "check_article", "feedback_channel", "find_marker", "load_feedback", "marker_line",
           "record_feedback", "record_marker_message"]
