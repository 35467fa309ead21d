"""Keep people's names and email addresses off the published site.

The help desk knows people from two places: agents listed in ``helpdesk.yml`` (``teams.*.agents``,
``"Name <email>"``) and requesters in the ticket store. :func:`known_people` gathers them; other
modules (the ticket store, the importers) add sources with :func:`register_people_source`. The
KB check and the MkDocs plugin both refuse a page that mentions one of them. The desk's own role
addresses (``site.contacts``, ``mail.address``) are not people and are allowed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gitdesk.config import Config
from gitdesk.people import is_address, split

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
    name, email = split(text)
    if "<" in name or ">" in name:
        return None
    if not email and _EMAIL_RE.fullmatch(name):
        name, email = "", name
    if email and not is_address(email):
        return None
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
    from gitdesk.store import open_files

    for ticket in open_files(Repo(Path(root)), config).list():
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


class PeopleMatcher:
    """Every known person's full name and email address in ONE regular expression.

    One pattern per person per page cost 3 s a page with 2,000 requesters (about 4,000 searches
    over the whole HTML). Here the names are folded into one trie-shaped pattern (shared
    prefixes written once), so a page is scanned once whatever the number of people; addresses
    are looked up around each ``@`` of the page in a set. A name is two or more words (a single
    first name is too common to flag), matched whole, case-insensitively, with any whitespace
    between words; an address is matched anywhere (also inside a longer one), case-insensitively.
    """

    def __init__(self, people: Iterable[Person]):
        self.names: dict[str, str] = {}  # "ana lima" -> "Ana Lima" (as first given)
        self.emails: set[str] = set()
        for person in people:
            words = person.name.split()
            if len(words) >= 2:
                self.names.setdefault(" ".join(words).lower(), person.name)
            if person.email:
                self.emails.add(person.email.lower())
        self.locals = {e.rsplit("@", 1)[0] for e in self.emails}
        self.pattern = re.compile(r"(?<!\w)(?:" + _trie_pattern(self.names) + r")(?!\w)", re.I) if self.names else None

    def find(self, text: str) -> list[tuple[int, str]]:
        """``(offset, what)`` for the first mention of each person's name or email, overlaps
        included (a name inside a longer one, two names sharing a word)."""
        hits: list[tuple[int, str]] = []
        seen: set[str] = set()

        def hit(key: str, at: int, what: str) -> None:
            if key not in seen:
                seen.add(key)
                hits.append((at, what))

        pos = 0
        while self.pattern is not None and (m := self.pattern.search(text, pos)) is not None:
            words = m.group().lower().split()  # the longest name here, and the shorter ones it starts with
            for k in range(2, len(words) + 1):
                key = " ".join(words[:k])
                if key in self.names:
                    hit("n:" + key, m.start(), f"name of a person ({self.names[key]})")
            pos = m.start() + 1  # matches may overlap
        for at, address in self._addresses(text):
            hit("e:" + address, at, f"email address of a person ({address})")
        return sorted(hits)

    def _addresses(self, text: str) -> Iterator[tuple[int, str]]:
        """Known addresses in ``text``: around each ``@``, every known local part that ends there
        and every known address that local part starts."""
        if not self.emails:
            return
        at = text.find("@")
        while at != -1:
            start = at
            while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "<>":
                start -= 1
            end = at + 1
            while end < len(text) and not text[end].isspace() and text[end] not in "<>":
                end += 1
            local, domain = text[start:at].lower(), text[at + 1:end].lower()
            for i in range(len(local)):
                if local[i:] in self.locals:
                    for j in range(len(domain), 0, -1):
                        address = f"{local[i:]}@{domain[:j]}"
                        if address in self.emails:
                            yield start + i, address
            at = text.find("@", at + 1)

    def sub(self, text: str, name: str = "Name Surname", email: str = "name@example.com") -> str:
        """``text`` with every name and address replaced (for generated pages)."""
        spans, covered = [], -1
        for at, address in sorted(self._addresses(text), key=lambda h: (h[0], -len(h[1]))):
            if at > covered:  # the longest of overlapping addresses
                spans.append((at, at + len(address)))
                covered = at + len(address) - 1
        for start, end in reversed(spans):
            text = text[:start] + email + text[end:]
        return self.pattern.sub(name, text) if self.pattern is not None else text


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words`` (lower case; a space matches any run of
    whitespace), written as a trie so the engine never tries thousands of alternatives in turn.
    Longer words are tried before their prefixes."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@functools.lru_cache(maxsize=8)
def people_matcher(people: tuple[Person, ...]) -> PeopleMatcher:
    """The matcher for a set of people, built once per build or check (pages call it again)."""
    return PeopleMatcher(people)


def find_people(text: str, people: list[Person]) -> list[tuple[int, str]]:
    """``(offset, what)`` for every mention of a known person's full name or email."""
    return people_matcher(tuple(people)).find(text)
