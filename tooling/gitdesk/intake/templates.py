"""Message templates: notification mails and canned responses, with ``$placeholders``.

Templates are plain UTF-8 text files named ``<name>.<language>.txt``. Notification templates
(``templates/mail/``) start with a ``Subject:`` line and a blank line; canned responses
(``templates/responses/``) are a body only. A help desk can point ``mail.templates_dir`` or
``responses_dir`` at a folder of its repository: a template found there wins, anything missing
falls back to the copy shipped with gitdesk, and a language missing everywhere falls back to
English. Placeholders follow :class:`string.Template` (``$name`` or ``${name}``, ``$$`` for a
dollar sign); each kind of template may use only the placeholders listed below, and
``gitdesk check`` reports any other (see :func:`check_templates`), so a typo never reaches a
requester's inbox as a literal ``$requster_name``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gitdesk.errors import ConfigError, NotFoundError, ValidationError
from gitdesk.people import display_name
from gitdesk.textsafe import clean

LANGUAGES = ("en", "es", "pt")
MAX_TEMPLATE_BYTES = 64 * 1024
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")

# what every template of a kind may use
_DESK = ("desk_name", "desk_address", "desk_hours", "desk_phone", "site_url")
_TICKET = ("ref", "ticket_id", "title", "status", "status_label", "priority", "priority_label", "category",
           "team_name", "kb_links")
MAIL_COMMON = frozenset(_DESK + _TICKET + ("greeting", "recipient_name", "requester_name", "actor_name", "assignee_name"))
MAIL_KINDS: dict[str, frozenset[str]] = {
    "opened": MAIL_COMMON | {"description"},
    "public_reply": MAIL_COMMON | {"comment"},
    "pending": MAIL_COMMON | {"comment"},
    "resolved": MAIL_COMMON | {"comment"},
    "closed": MAIL_COMMON | {"comment"},
    "assigned": MAIL_COMMON | {"description", "requester_email"},
    "sla_warning": MAIL_COMMON | {"sla_detail", "requester_email"},
}
RESPONSE_FIELDS = frozenset(_DESK + _TICKET + (
    "greeting", "requester_name", "requester_first_name", "agent_name", "agent_first_name", "kb_title", "kb_url"))

GREETINGS = {
    "en": ("Hello {name},", "Hello,"),
    "es": ("Hola, {name}:", "Hola:"),
    "pt": ("Olá, {name},", "Olá,"),
}


def greeting(language: str, name: str | None) -> str:
    """The opening line in the desk's language, with the first name when known."""
    named, bare = GREETINGS.get(language, GREETINGS["en"])
    first = first_name(name)
    return named.format(name=first) if first else bare


def first_name(name: str | None) -> str:
    """``"Sam Reed"`` -> ``"Sam"``; ``"Reed, Sam"`` -> ``"Sam"``; an address or nothing -> ``""``."""
    text = (name or "").strip().strip('"')
    if not text or "@" in text:
        return ""
    if "," in text:
        text = text.split(",", 1)[1].strip() or text
    return text.split()[0] if text.split() else ""


@dataclass(frozen=True)
class Template:
    """One loaded template: where it came from, its subject (mail only) and body."""

    kind: str  # "mail" or "responses"
    name: str
    language: str
    path: Path
    display: str  # path shown in errors (repository-relative or gitdesk/templates/...)
    subject: string.Template | None
    body: string.Template
    body_line: int  # file line where the body starts

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with every placeholder filled; the subject is one line."""
        try:
            subject = self.subject.substitute(values) if self.subject is not None else ""
            body = self.body.substitute(values)
        except (KeyError, ValueError) as exc:  # unchecked custom template: name it, no traceback
            raise ValidationError(f"cannot fill the template: {exc}", path=self.display) from None
        # values come from tickets (titles people typed): no control characters in a mail
        # header or on the terminal that prints a dry run
        subject = " ".join(clean(subject, multiline=False).split())
        return subject, clean(body).strip("\n") + "\n"


def placeholders(text: str) -> tuple[list[tuple[str, int]], list[int]]:
    """Identifiers used in ``text`` with their line numbers, and lines of invalid ``$`` uses."""
    names: list[tuple[str, int]] = []
    bad: list[int] = []
    for match in string.Template.pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        name = match.group("named") or match.group("braced")
        if name:
            names.append((name, line))
        elif match.group("invalid") is not None:
            bad.append(line)
    return names, bad


def shipped_dir(kind: str) -> Path:
    from gitdesk.config import package_file

    return package_file("templates", kind)


def custom_dir(root: Path | None, config, kind: str) -> Path | None:
    """The help desk's own folder for ``kind`` ("mail" or "responses"), or None."""
    setting = (config["mail"].get("templates_dir") if kind == "mail" else config.get("responses_dir")) or ""
    if not setting or root is None:
        return None
    key = "mail.templates_dir" if kind == "mail" else "responses_dir"
    rel = Path(setting)
    if rel.is_absolute() or ".." in rel.parts:
        raise ConfigError(f"must be a folder inside the repository, got {setting!r}", path="helpdesk.yml", field=key)
    folder = Path(root) / rel
    if not folder.is_dir():
        raise ConfigError(f"folder {setting!r} does not exist", path="helpdesk.yml", field=key)
    return folder


def _read(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=display) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationError(f"template is larger than {MAX_TEMPLATE_BYTES} bytes", path=display)
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 text (byte {exc.start})", path=display) from None


def parse_template(kind: str, name: str, language: str, path: Path, display: str) -> Template:
    """Read one template file; mail templates must open with ``Subject:`` and a blank line."""
    text = _read(path, display)
    subject = None
    body_line = 1
    if kind == "mail":
        first, sep, rest = text.partition("\n")
        if not first.lower().startswith("subject:"):
            raise ValidationError("a notification template starts with a 'Subject: ...' line", path=display, field="line 1")
        subject_text = first.split(":", 1)[1].strip()
        if not subject_text:
            raise ValidationError("the subject is empty", path=display, field="line 1")
        if rest and rest.split("\n", 1)[0].strip():
            raise ValidationError("leave a blank line after the subject", path=display, field="line 2")
        subject = string.Template(subject_text)
        text = rest.split("\n", 1)[1] if "\n" in rest else ""
        body_line = 3
    if not text.strip():
        raise ValidationError("the template has no text", path=display)
    return Template(kind, name, language, path, display, subject, string.Template(text), body_line)


def _candidates(root: Path | None, config, kind: str, name: str, language: str) -> list[tuple[Path, str]]:
    folders: list[tuple[Path, str]] = []
    custom = custom_dir(root, config, kind)
    if custom is not None and root is not None:  # custom_dir is None without a root
        folders.append((custom, custom.relative_to(root).as_posix()))
    folders.append((shipped_dir(kind), f"gitdesk/templates/{kind}"))
    out = []
    for lang in dict.fromkeys((language, "en")):
        for folder, shown in folders:
            out.append((folder / f"{name}.{lang}.txt", f"{shown}/{name}.{lang}.txt"))
    return out


def load(root: Path | None, config, kind: str, name: str, language: str | None = None) -> Template:
    """The template ``name`` of ``kind`` in the configured language (see the module docstring)."""
    if not NAME_RE.match(name or ""):
        raise ValidationError(f"not a template name: {name!r} (lower-case letters, digits and -)", field="template")
    language = language or config.language
    for path, display in _candidates(root, config, kind, name, language):
        if path.is_file():
            template = parse_template(kind, name, path.name.split(".")[-2], path, display)
            problems = list(_placeholder_problems(template, path.read_text(encoding="utf-8")))
            if problems:
                raise ValidationError(problems[0][1], path=display, field=problems[0][0])
            return template
    known = ", ".join(available(root, config, kind)) or "none"
    raise NotFoundError(f"no {'notification' if kind == 'mail' else 'response'} template {name!r} (available: {known})",
                        field="template")


def available(root: Path | None, config, kind: str) -> list[str]:
    """Names of every template of ``kind`` (shipped and the help desk's own)."""
    names = set()
    folders = [shipped_dir(kind)]
    try:
        custom = custom_dir(root, config, kind)
    except ConfigError:
        custom = None
    if custom is not None:
        folders.append(custom)
    for folder in folders:
        for path in folder.glob("*.txt"):
            parts = path.name.split(".")
            if len(parts) == 3 and NAME_RE.match(parts[0]):
                names.add(parts[0])
    return sorted(names)


def allowed_fields(kind: str, name: str) -> frozenset[str] | None:
    if kind == "mail":
        return MAIL_KINDS.get(name)
    return RESPONSE_FIELDS


def _placeholder_problems(template: Template, raw: str) -> Iterable[tuple[str, str]]:
    """(field, message) for each placeholder problem of one template file."""
    allowed = allowed_fields(template.kind, template.name)
    if allowed is None:
        yield "name", f"unknown notification {template.name!r} (known: {', '.join(MAIL_KINDS)})"
        return
    names, bad = placeholders(raw)
    for line in bad:
        yield f"line {line}", "a '$' that starts no placeholder (write $$ for a dollar sign, ${name} next to letters)"
    for name, line in names:
        if name not in allowed:
            close = [a for a in sorted(allowed) if a.startswith(name[:3])]
            hint = f" (did you mean ${close[0]}?)" if close else ""
            yield f"line {line}", f"unknown placeholder ${name}{hint}; allowed: {', '.join('$' + a for a in sorted(allowed))}"
    if template.kind == "mail" and template.subject is not None:
        subject_names = {n for n, line in names if line == 1}
        if "ref" not in subject_names:
            yield "line 1", "the subject must contain $ref so replies find their ticket"


def check_folder(folder: Path, shown: str, kind: str) -> Iterable[tuple[str, str | None, str]]:
    """(path, field, message) for every problem of the templates in ``folder``."""
    by_name: dict[str, set[str]] = {}
    for path in sorted(folder.iterdir()):
        display = f"{shown}/{path.name}"
        if path.name.startswith("."):
            continue
        parts = path.name.split(".")
        if len(parts) != 3 or parts[2] != "txt" or not NAME_RE.match(parts[0]):
            yield display, None, "template files are named <name>.<language>.txt"
            continue
        name, language = parts[0], parts[1]
        if language not in LANGUAGES:
            yield display, None, f"unknown language {language!r} (known: {', '.join(LANGUAGES)})"
            continue
        if not path.is_file() or path.is_symlink():
            yield display, None, "not a regular file"
            continue
        by_name.setdefault(name, set()).add(language)
        try:
            template = parse_template(kind, name, language, path, display)
            raw = path.read_text(encoding="utf-8")
        except ValidationError as exc:
            yield exc.path or display, exc.field, exc.message
            continue
        for field_name, message in _placeholder_problems(template, raw):
            yield display, field_name, message
    if kind == "mail" and shown.startswith("gitdesk/"):
        for name in MAIL_KINDS:
            missing = [lang for lang in LANGUAGES if lang not in by_name.get(name, set())]
            if missing:
                yield f"{shown}/{name}.*.txt", None, f"missing languages: {', '.join(missing)}"


def check_templates(repo, config) -> Iterable:
    """``gitdesk check``: every shipped and custom template parses and uses known placeholders."""
    from gitdesk.checker import Problem

    for kind in ("mail", "responses"):
        folders = [(shipped_dir(kind), f"gitdesk/templates/{kind}")]
        try:
            custom = custom_dir(repo.root, config, kind)
        except ConfigError as exc:
            yield Problem(exc.path or "helpdesk.yml", exc.field, exc.message)
            continue
        if custom is not None:
            folders.append((custom, custom.relative_to(repo.root).as_posix()))
        for folder, shown in folders:
            for path, field_name, message in check_folder(folder, shown, kind):
                yield Problem(path, field_name, message)




# -- values ------------------------------------------------------------------------------------

def kb_articles(root: Path | None, config, paths: Iterable[str]) -> list[tuple[str, str]]:
    """(title, url) of linked KB articles; the URL is empty when ``site.url`` is not set."""
    from gitdesk.kb.article import read_article

    base = ((config.get("site") or {}).get("url") or "").rstrip("/")
    kb_root = Path(root or ".") / (config["kb"].get("dir") or "kb")
    out = []
    for rel in paths:
        title = Path(rel).stem.replace("-", " ").capitalize()
        path = kb_root / rel
        if root is not None and path.is_file() and ".." not in Path(rel).parts:
            try:
                title = read_article(path, kb_root).title
            except ValidationError:
                pass
        url = f"{base}/{rel[:-3] if rel.endswith('.md') else rel}.html" if base else ""
        out.append((title, url))
    return out


def kb_lines(articles: list[tuple[str, str]]) -> str:
    return "\n".join(f"- {title}: {url}" if url else f"- {title}" for title, url in articles)


def ticket_values(ticket, config, root: Path | None) -> dict[str, str]:
    """The placeholders every template can use, from a ticket and the configuration."""
    site = config.get("site") or {}
    statuses = config["statuses"]
    priorities = config["priorities"]
    category = ticket.category or ""
    category_name = config.categories[category].name if category in config.categories else category
    team = ticket.team or ""
    requester = ticket.requester or {}
    articles = kb_articles(root, config, ticket.kb or ())
    return {
        "desk_name": config.name,
        "desk_address": config["mail"].get("address") or "",
        "desk_hours": site.get("hours") or "",
        "desk_phone": (site.get("contacts") or {}).get("phone") or "",
        "site_url": site.get("url") or "",
        "ref": f"{config.id_prefix}-{ticket.id}",
        "ticket_id": ticket.id,
        "title": ticket.title or "",
        "status": ticket.status or "",
        "status_label": (statuses.get(ticket.status) or {}).get("label") or ticket.status or "",
        "priority": ticket.priority or "",
        "priority_label": (priorities.get(ticket.priority) or {}).get("label") or ticket.priority or "-",
        "category": category_name or "-",
        "team_name": (config.teams.get(team) or {}).get("name") or team or "-",
        "kb_links": kb_lines(articles),
        "requester_name": requester.get("name") or requester.get("email") or "",
        "requester_email": requester.get("email") or "",
        "assignee_name": display_name(ticket.assignee),
    }


def tidy(text: str) -> str:
    """No runs of blank lines left by empty placeholders, no trailing spaces."""
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
