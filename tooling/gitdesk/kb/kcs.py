"""Knowledge-Centered Service: article states and ``gitdesk kb draft --from-ticket REF``.

States (front matter ``kcs:``): ``draft`` (written from a ticket, not yet checked by a second
agent), ``validated`` (published to end users) and ``archived`` (kept for the record). Articles
without the key are ``validated``: every article written before the states existed is live.
Drafts and archived articles are built only into the agents' part of the site
(:mod:`gitdesk.site.plugin` moves them under ``agents/drafts/``).

A draft is written in the ticket's language (the requester's ``language``, else the language its
text is written in, else the desk's) from what the ticket says, with personal data removed:

- Symptoms: the description; Environment: category and asset type;
- Quick checks: internal-note lines starting ``Check:``;
- Fix: the last public comment of the resolving agent, then internal-note lines starting ``Fix:``
  or ``Steps:`` (the marker is what makes a private note publishable: notes without it stay
  private, because internal notes often carry what must not be published).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import NotFoundError, UsageError, ValidationError
from gitdesk.kb import is_article, kb_dir

STATES = ("draft", "validated", "archived")
#: states built only into the agents' part of the site
AGENT_ONLY = ("draft", "archived")
DRAFTS_DIR = "agents/drafts/"
REDACTED = "[…]"
#: internal-note lines that belong in an article: ``Fix:``/``Steps:`` (the fix) and ``Check:`` (quick checks)
_MARKER_RE = re.compile(r"^\s*(?P<kind>fix|steps|check)\s*:\s*(?P<text>.*)$", re.I)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<![\w-])\+?\d[\d ().-]{6,}\d(?![\w-])")
_ASSET_TAG_RE = re.compile(r"\b[A-Z]{2,5}-\d{2,}[A-Z0-9]*\b")
_URL_RE = re.compile(r"https?://\S+")


def state_of(meta: Any) -> str:
    """The article's KCS state (``validated`` when the front matter does not say)."""
    value = meta.get("kcs") if isinstance(meta, dict) else None
    return value if isinstance(value, str) and value in STATES else "validated"


def is_agent_only(meta: Any) -> bool:
    """Drafts and archived articles: not for end users."""
    return state_of(meta) in AGENT_ONLY


def is_published(root: Path, config: Config, rel: str) -> bool:
    """Is the article at ``rel`` (under kb/) one end users see (not a draft, not archived)?"""
    from gitdesk.kb.article import read_article

    base = kb_dir(Path(root), config)
    try:
        return not is_agent_only(read_article(base / rel, base).meta)
    except (ValidationError, OSError):
        return True  # unreadable here: the search index decided it was an article


def article_ref(root: Path, config: Config, text: str) -> str:
    """An article named on the command line (``kb/accounts/x.md``, ``accounts/x.md`` or
    ``accounts/x``) as its path under kb/; a missing article is a :class:`NotFoundError`."""
    base = kb_dir(Path(root), config)
    rel = (text or "").strip().replace("\\", "/")
    prefix = base.name + "/"
    if rel.startswith(prefix) and not (base / rel).is_file():
        rel = rel[len(prefix):]
    if rel and not rel.endswith(".md"):
        rel += ".md"
    if not rel or rel.startswith("/") or ".." in rel.split("/") or not is_article(rel):
        raise ValidationError(f"not a knowledge base article: {text!r}", field="kb")
    if not (base / rel).is_file():
        raise NotFoundError(f"no article {base.name}/{rel}", field="kb")
    return rel


# -- personal data ----------------------------------------------------------------------------

def scrub(text: str, people, extra: list[str]) -> str:
    """``text`` without e-mail addresses, phone numbers, asset tags, URLs, the known people's
    full names and addresses, and every word of ``extra`` (the requester's and agents' names,
    the ticket's asset id)."""
    from gitdesk.kb.privacy import find_people

    out = text
    hits = find_people(out, people) if people else []
    for _, what in sorted({(o, w) for o, w in hits}, key=lambda h: -len(h[1])):
        out = re.sub(re.escape(what), REDACTED, out, flags=re.I)
    for value in sorted({e for e in extra if e and len(e) >= 2}, key=len, reverse=True):
        # a whole name or address in any case; one word of a name only as a name is written
        # ("Ana", not "ana" inside "analysis" nor the common word "requester" of "Requester 27")
        flags = re.I if (" " in value or "@" in value or "-" in value or any(c.isdigit() for c in value)) else 0
        out = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", REDACTED, out, flags=flags)
    out = _EMAIL_RE.sub(REDACTED, out)
    out = _URL_RE.sub(REDACTED, out)
    out = _ASSET_TAG_RE.sub(REDACTED, out)
    out = _PHONE_RE.sub(REDACTED, out)
    return re.sub(rf"(?:{re.escape(REDACTED)}\s*)+", REDACTED + " ", out).replace(REDACTED + " .", REDACTED + ".")


def _private_words(ticket, config: Config) -> list[str]:
    """Names (whole and each word), addresses and the asset id this ticket could leak."""
    from gitdesk.kb.privacy import parse_identity

    words: list[str] = []
    idents: list[str] = [str(ticket.get("asset") or "")]
    requester = ticket.get("requester") or {}
    if isinstance(requester, dict):
        idents += [str(requester.get("name") or ""), str(requester.get("email") or "")]
    for who in [ticket.get("created_by"), ticket.get("assignee"), *(c.get("by") for c in ticket.get("comments") or ())]:
        person = parse_identity(who) if isinstance(who, str) else None
        if person:
            idents += [person.name, person.email]
    for team in (config.get("teams") or {}).values():
        for ident in (team or {}).get("agents") or []:
            person = parse_identity(ident)
            if person:
                idents += [person.name, person.email]
    for ident in idents:
        ident = " ".join(ident.split())
        if not ident:
            continue
        words.append(ident)
        if "@" in ident:
            words.append(ident.split("@", 1)[0])
        else:
            words += [w for w in re.split(r"[\s,]+", ident) if len(w) >= 3]
    return words


# -- the draft ----------------------------------------------------------------------------------

def ticket_language(ticket, config: Config) -> str:
    """The requester's ``language`` when the desk has it, else the ticket text's, else the desk's."""
    from gitdesk.kb.querylang import detect

    languages = list(config.languages)
    requester = ticket.get("requester") or {}
    told = requester.get("language") if isinstance(requester, dict) else None
    if isinstance(told, str) and told in languages:
        return told
    found = detect(f"{ticket.get('title') or ''}\n{ticket.get('description') or ''}", languages[0])
    return found if found in languages else languages[0]


def _owner_for(kb_root: Path, config: Config, category: str, ticket) -> str:
    """The category's team: the owner of most articles of that category (or its parent), else
    the ticket's team, else the desk's default team."""
    from gitdesk.kb.article import iter_pages, read_article

    teams = list(config.get("teams") or {})
    top = category.split("/", 1)[0]
    votes: Counter[str] = Counter()
    for path in iter_pages(kb_root):
        try:
            page = read_article(path, kb_root)
        except ValidationError:
            continue
        cat, owner = page.get("category"), page.get("owner")
        if isinstance(cat, str) and isinstance(owner, str) and owner in teams and cat.split("/", 1)[0] == top:
            votes[owner] += 2 if cat == category else 1
    if votes:
        return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    team = ticket.get("team")
    return team if team in teams else (config.get("default_team") or (teams[0] if teams else "service-desk"))


def _marked(comments: list[dict]) -> tuple[list[str], list[str]]:
    """(fix steps, quick checks) from the internal notes' marked lines."""
    steps: list[str] = []
    checks: list[str] = []
    for comment in comments:
        if comment.get("public", True):
            continue
        current: list[str] | None = None
        for line in str(comment.get("body") or "").split("\n"):
            m = _MARKER_RE.match(line)
            if m:
                current = checks if m.group("kind").lower() == "check" else steps
                if m.group("text").strip():
                    current.append(m.group("text").strip())
            elif current is not None and line.strip():
                current.append(re.sub(r"^\s*(?:[-*]|\d+[.)])\s*", "", line).strip())
            elif not line.strip():
                current = None
    return steps, checks


def _resolving_comment(ticket) -> str:
    """The public comment that went with the (last) resolution, else the last public agent reply."""
    comments = [c for c in ticket.get("comments") or () if c.get("public", True)]
    resolved = [h for h in ticket.get("history") or () if (h.get("set") or {}).get("status") == "resolved" and h.get("comment") == "public"]
    if resolved:
        ids = {h["id"] for h in resolved}
        for c in reversed(comments):
            if c.get("id") in ids:
                return str(c.get("body") or "")
    requester = ticket.get("requester") or {}
    email = str(requester.get("email") or "").lower() if isinstance(requester, dict) else ""
    for c in reversed(comments):
        if not email or email not in str(c.get("by") or "").lower():
            return str(c.get("body") or "")
    return ""


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.replace("<", "").replace(">", "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _quote(text: str) -> str:
    """Free text as Markdown that cannot become headings, HTML or a front-matter fence."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rstrip().replace("<", "&lt;").replace(">", "&gt;")
        line = re.sub(r"^\s*(#+|---+|===+)", lambda m: "\\" + m.group(1), line)
        lines.append(line)
    return "\n".join(lines).strip()


def build_draft(root: Path, config: Config, ticket, *, title: str | None = None, today: _dt.date | None = None) -> dict:
    """The draft for ``ticket`` as ``{"path", "language", "meta", "text"}`` (nothing written)."""
    from gitdesk.kb.lint import GUIDE_SECTIONS
    from gitdesk.kb.new import _check_title, _place, _tag_list, check_unused_title, slugify_title
    from gitdesk.kb.privacy import known_people
    from gitdesk.languages import text as lang_text
    from gitdesk.languages import translated_rel

    kb_root = kb_dir(Path(root), config)
    if not kb_root.is_dir():
        raise NotFoundError("knowledge base folder not found", path=str(kb_root))
    ref = f"{config.id_prefix}-{ticket.get('id')}"
    category = ticket.get("category")
    if not category:
        raise UsageError(f"{ref} has no category: set one (gitdesk ticket set {ticket.get('id')} category=...) first", field="category")
    if ticket.get("status") not in config.closed_statuses:
        raise UsageError(f"{ref} is {ticket.get('status')}: draft an article from a resolved ticket", field="status")
    folder, category = _place(kb_root, config, None, category)
    language = ticket_language(ticket, config)

    def t(key: str, **values: object) -> str:
        return lang_text(f"kcs.{key}", language, **values)

    people = known_people(Path(root), config)
    private = _private_words(ticket, config)

    def clean(value: str) -> str:
        return scrub(value or "", people, private)

    title = _check_title(title if title is not None else _one_line(clean(ticket.get("title") or ""), 120))
    description = _quote(clean(ticket.get("description") or "")) or _quote(title)
    summary = _one_line(re.split(r"(?<=[.!?])\s", " ".join(clean(ticket.get("description") or "").split()), maxsplit=1)[0], 400)
    if len(summary) < 10:
        summary = _one_line(title if len(title) >= 10 else f"{title}: {ticket.get('category')}", 400)
    steps, checks = _marked(ticket.get("comments") or [])
    fix_text = _quote(clean(_resolving_comment(ticket)))
    owner = _owner_for(kb_root, config, category, ticket)
    audiences = list((config.get("kb") or {}).get("audiences") or ["everyone"])
    slug = slugify_title(title)
    if not slug:
        raise ValidationError("has no letters or digits to make a file name from", field="title")
    base_rel = f"{folder.relative_to(kb_root).as_posix()}/{slug}.md"
    rel = translated_rel(base_rel, language, config.languages[0])
    target = kb_root / rel
    if target.exists():
        raise ValidationError("already exists: refusing to overwrite", path=f"{kb_root.name}/{rel}")
    check_unused_title(kb_root, title, ": give --title")
    sections = GUIDE_SECTIONS.get(language, GUIDE_SECTIONS["en"])
    meta = {
        "title": title, "summary": summary, "tags": _tag_list((), category), "category": category, "type": "guide",
        "audience": audiences[0], "owner": owner, "last_reviewed": (today or _dt.date.today()).isoformat(),
        "kcs": "draft", "tickets": [ref],
    }
    env_lines = [f"- {t('env_category', category=config.categories[category].name if category in config.categories else category)}"]
    asset_type = _asset_type(ticket.get("asset"))
    if asset_type:
        env_lines.append(f"- {t('env_asset', asset=asset_type)}")
    fix_lines = [fix_text] if fix_text else []
    if steps:
        fix_lines.append("\n".join(f"{n}. {_quote(clean(s))}" for n, s in enumerate(steps, 1)))
    body = [
        f"# {title}", "", t("intro"), "",
        f"## {sections[0]}", "", description, "",
        f"### {t('environment')}", "", *env_lines, "",
        f"## {sections[1]}", "",
        "\n".join(f"{n}. {_quote(clean(c))}" for n, c in enumerate(checks, 1)) if checks else t("checks_default"), "",
        f"## {sections[2]}", "", "\n\n".join(fix_lines) if fix_lines else t("fix_default"), "",
        f"## {sections[3]}", "", f"- {t('escalate')}", "",
        f"## {sections[4]}", "", f"- {t('ticket_error')}", f"- {t('ticket_tried')}", f"- {t('ticket_where')}", "",
    ]
    front = "\n".join(f"{k}: {_yaml_value(v)}" for k, v in meta.items())
    text = f"---\n{front}\n---\n\n" + "\n".join(body)
    return {"path": target, "rel": rel, "language": language, "meta": meta, "text": text}


def _asset_type(asset: Any) -> str | None:
    """``LT-0412`` -> ``LT`` (the kind of device, never the device of a person)."""
    if not isinstance(asset, str) or not asset.strip():
        return None
    m = re.match(r"^([A-Za-z]{2,10})[-_ ]?\d", asset.strip())
    return m.group(1).upper() if m else None


def _yaml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) if not re.fullmatch(r"[a-z0-9-]+", v) else v for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9/-]+|\d{4}-\d{2}-\d{2}", value):
        return value
    return json.dumps(value, ensure_ascii=False)


def write_draft(root: Path, config: Config, ticket, *, title: str | None = None, today: _dt.date | None = None) -> dict:
    """Build the draft and write it (never over an existing file)."""
    from gitdesk.yamlio import atomic_write

    draft = build_draft(root, config, ticket, title=title, today=today)
    atomic_write(draft["path"], draft["text"], exclusive=True)
    return draft
