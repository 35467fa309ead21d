"""People as the desk writes them: ``"Name <email>"``, a bare address or a bare name.

Requesters, agents (``teams.*.agents``), actors (``--as``, git's user) and bots are all spelled
this way. This module is the one place that reads, writes and compares that spelling, so every
command agrees on who is who. (Mail headers are RFC 5322 and go through
:func:`email.utils.parseaddr` in the mail reader instead.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ADDRESS_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+")


def split(text: str | None) -> tuple[str, str]:
    """``(name, email)``: ``Name <email>`` (the last ``<``), a bare address or a bare name.

    Whitespace is collapsed and quotes around the name dropped; a missing part is ""."""
    text = " ".join((text or "").split())
    if "<" in text and text.endswith(">"):
        name, _, email = text[:-1].rpartition("<")
        return name.strip().strip('"'), email.strip()
    if "@" in text and " " not in text:
        return "", text
    return text, ""


def is_address(text: str | None) -> bool:
    """Does ``text`` look like one e-mail address (``x@y``, no spaces or brackets)?"""
    return bool(text) and _ADDRESS_RE.fullmatch(text or "") is not None


def parse_person(text: str | None, department: str | None = None) -> dict:
    """The requester mapping ``{name, email, department}`` of ``text``, without empty keys."""
    name, email = split(text)
    out = {"name": name, "email": email, "department": department}
    return {k: v for k, v in out.items() if v}


def format_person(person: dict | None) -> str | None:
    """A requester mapping back to ``Name <email>`` (or the part there is); None for nobody."""
    if not person:
        return None
    name, email = person.get("name"), person.get("email")
    if name and email:
        return f"{name} <{email}>"
    return name or email


def display_name(who: str | None) -> str:
    """``"Ana Lima <ana@example.com>"`` -> ``"Ana Lima"``; a bare address stays as it is."""
    name, email = split(who)
    return name or email


def email_of(who: str | None) -> str:
    """The address of ``who``, lower-case; "" when there is none (or it is not an address)."""
    email = split(who)[1]
    return email.lower() if is_address(email) else ""


def email_or_name(who: str | None) -> str:
    """The address when there is one, else the name: how agents are matched as assignees."""
    name, email = split(who)
    return email or name


def public_name(who: str | None) -> str:
    """The name without the address (addresses are not published): the address's local part
    when there is no name, ``unknown`` for nobody."""
    name, email = split(who)
    return name or email.split("@", 1)[0] or "unknown"


def git_ident(who: str) -> str:
    """``Name <email>`` as git's ``--author`` wants it, from any of the three spellings."""
    who = who.strip()
    if "<" not in who:
        who = f"{who.split('@')[0]} <{who}>" if "@" in who else f"{who} <>"
    return who


def same_person(actor: str | None, requester: dict | None) -> bool:
    """Is ``actor`` (``Name <email>``, an email or a name) the ticket's requester?"""
    if not actor or not requester:
        return False
    low = actor.lower()
    email = (requester.get("email") or "").lower()
    name = (requester.get("name") or "").lower()
    if email and (email == low or f"<{email}>" in low):
        return True
    return bool(name) and (name == low or low.startswith(name + " <"))


def is_bot(who: str | None, bots: Iterable[str]) -> bool:
    """Is ``who`` one of ``bots`` (by name, login or address) or a ``[bot]`` account?"""
    if not who:
        return False
    low = who.lower()
    if "[bot]" in low:
        return True
    return any(b.lower() == low or low.startswith(b.lower() + " ") or f"<{b.lower()}>" in low for b in bots)
