"""Keep people's names and email addresses off the published site.

The help desk knows people from two places: agents listed in ``helpdesk.yml`` (``teams.*.agents``,
``"Name <email>"``) and requesters in the ticket store. :func:`known_people` gathers them; other
modules (the ticket store, the importers) add sources with :func:`register_people_source`. The
KB check and the MkDocs plugin both refuse a page that mentions one of them. The desk's own role
addresses (``site.contacts``, ``mail.address``) are not people and are allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from gitdesk.config import Config

_IDENT_RE = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+@[^<>\s]+)>)?\s*$")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Person:
    name: str
    email: str


PeopleSource = Callable[[Path, Config], Iterable[Person]]
_SOURCES: list[PeopleSource] = []


def register_people_source(fn: PeopleSource) -> PeopleSource:
    """Add a function ``(repo_root, config) -> people`` (usable as a decorator)."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def parse_identity(text: str) -> Person | None:
    """``"Ana Lima <ana@x.example>"`` -> Person; a bare email or bare name works too."""
    if not isinstance(text, str) or not text.strip():
        return None
    m = _IDENT_RE.match(text)
    if not m:
        return None
    name, email = (m.group("name") or "").strip(), (m.group("email") or "").strip()
    if not email and _EMAIL_RE.fullmatch(name):
        name, email = "", name
    return Person(name, email.lower())


def role_addresses(config: Config) -> set[str]:
    """The desk's published addresses (allowed on the site)."""
    out: set[str] = set()
    contacts = (config.get("site") or {}).get("contacts") or {}
    for value in [*contacts.values(), (config.get("mail") or {}).get("address")]:
        if isinstance(value, str):
            out.update(e.lower() for e in _EMAIL_RE.findall(value))
    return out


def _agents(root: Path, config: Config) -> Iterable[Person]:  # noqa: ARG001 - source signature
    for team in (config.get("teams") or {}).values():
        for ident in (team or {}).get("agents") or []:
            person = parse_identity(ident)
            if person:
                yield person


register_people_source(_agents)


def _requesters(root: Path, config: Config) -> Iterable[Person]:
    """Requesters of the tickets in the YAML store (the GitHub backend is not queried here:
    a site build must not call the network; its requesters are GitHub logins, not names)."""
    if (config.get("backend") or "files") != "files" or not (Path(root) / "tickets").is_dir():
        return
    from gitdesk.repo import Repo
    from gitdesk.store import open_store

    for ticket in open_store(Repo(Path(root)), config).list():
        requester = ticket.get("requester") or {}
        if isinstance(requester, dict):
            yield Person(str(requester.get("name") or ""), str(requester.get("email") or ""))
        elif isinstance(requester, str):
            person = parse_identity(requester)
            if person:
                yield person


register_people_source(_requesters)


def known_people(root: Path, config: Config) -> list[Person]:
    """Everyone the help desk knows, minus the desk's own role addresses."""
    allowed = role_addresses(config)
    seen: set[Person] = set()
    out: list[Person] = []
    for source in list(_SOURCES):
        for person in source(root, config) or ():
            person = Person(person.name.strip(), person.email.strip().lower())
            if person.email in allowed:
                person = Person(person.name, "")
            if (person.name or person.email) and person not in seen:
                seen.add(person)
                out.append(person)
    return out


def _name_pattern(name: str) -> re.Pattern | None:
    words = name.split()
    if len(words) < 2:  # a single first name is too common to flag ("Ana", "Ben")
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.I)


def find_people(text: str, people: list[Person]) -> list[tuple[int, str]]:
    """``(offset, what)`` for every mention of a known person's full name or email."""
    hits: list[tuple[int, str]] = []
    low = text.lower()
    for person in people:
        if person.email:
            pos = low.find(person.email)
            if pos >= 0:
                hits.append((pos, f"email address of a person ({person.email})"))
        pattern = _name_pattern(person.name) if person.name else None
        if pattern:
            m = pattern.search(text)
            if m:
                hits.append((m.start(), f"name of a person ({person.name})"))
    return sorted(hits)
