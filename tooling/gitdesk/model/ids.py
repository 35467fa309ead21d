"""Ticket and event ids: unique across clones without coordination, short to type.

A ticket id is 10 Crockford base32 characters (50 random bits): two clones that never talk
collide with odds of about one in 10^15 per pair of tickets, and the CLI accepts any unambiguous
prefix, usually 4-6 characters. An event id is a ULID: 48 bits of milliseconds then 80 random
bits, so event files sort by time and ties between equal timestamps break the same way in
every clone. Imports derive both from a hash of the source record, so a re-run writes the same
names and adds nothing twice.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
TICKET_ID_LEN = 10
EVENT_ID_LEN = 26
TICKET_ID_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{10}")
EVENT_ID_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
_PREFIX_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{1,10}")
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _encode(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rem = divmod(number, 32)
        chars.append(ALPHABET[rem])
    return "".join(reversed(chars))


def new_ticket_id() -> str:
    return _encode(secrets.randbits(5 * TICKET_ID_LEN), TICKET_ID_LEN)


def ticket_id_from(seed: str) -> str:
    """A stable ticket id for an imported record (same seed, same id)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big")
    return _encode(digest >> (64 - 5 * TICKET_ID_LEN), TICKET_ID_LEN)


def _millis(at: datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return max(0, int(at.timestamp() * 1000)) & ((1 << 48) - 1)


def new_event_id(at: datetime) -> str:
    return _encode(_millis(at), 10) + _encode(secrets.randbits(80), 16)


def event_id_from(at: datetime, seed: str) -> str:
    """A stable event id for an imported change: time part from ``at``, the rest from ``seed``."""
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:10], "big")
    return _encode(_millis(at), 10) + _encode(digest, 16)


EVENT_FILE_RE = re.compile(r"(?P<ticket>[0-9A-HJKMNP-TV-Z]{10})\.(?P<event>[0-9A-HJKMNP-TV-Z]{26})\.yml")
BUCKET_LEN = 2


def event_file_problem(bucket: str, name: str) -> str | None:
    """Why ``tickets/<bucket>/<name>`` is not an event file's place, or None when it is.

    The one rule every reader applies (the cache, a one-ticket read, ``gitdesk check``), so the
    derived ticket never depends on which path read it first: a file in another bucket is
    invisible to a one-ticket read, so no read may apply it."""
    match = EVENT_FILE_RE.fullmatch(name)  # fullmatch: "$" would let a trailing newline through
    if match is None:
        return "file name is not <ticket id>.<event id>.yml"
    if bucket != match["ticket"][:BUCKET_LEN]:
        return f"file is in folder {bucket!r}, expected {match['ticket'][:BUCKET_LEN]!r}"
    return None


def is_ticket_id(value: object) -> bool:
    return isinstance(value, str) and TICKET_ID_RE.fullmatch(value) is not None


def is_event_id(value: object) -> bool:
    return isinstance(value, str) and EVENT_ID_RE.fullmatch(value) is not None


def normalize_ref(ref: str, prefix: str = "HD") -> str | None:
    """What a user typed (``hd-7k2m``, ``#7K2M``, ``7k2m9q``) -> an upper-case id prefix, or None.

    Anything with characters outside the alphabet (path separators, ``..``, spaces) is refused.
    """
    text = (ref or "").strip().upper()
    for lead in (f"{prefix.upper()}-", "#"):
        if text.startswith(lead):
            text = text[len(lead):]
    text = text.translate(_CONFUSABLE)
    return text if _PREFIX_RE.fullmatch(text) else None


def short_ids(ids: Iterable[str], minimum: int = 6, among: Sequence[str] | None = None) -> dict[str, str]:
    """The shortest unambiguous prefix of each id (at least ``minimum`` characters), like git.

    ``among``: every id there is, sorted (the ids may be a few of them: the rows of a table);
    by default the ids themselves.
    """
    wanted = list(ids)
    ordered = among if among is not None else sorted(wanted)
    out: dict[str, str] = {}
    for tid in wanted:
        i = bisect_left(ordered, tid)
        need = minimum
        for j in (i - 1, i + 1 if i < len(ordered) and ordered[i] == tid else i):
            if j < 0 or j >= len(ordered):
                continue
            other = ordered[j]
            common = 0
            while common < len(tid) and common < len(other) and tid[common] == other[common]:
                common += 1
            need = max(need, common + 1)
        out[tid] = tid[: min(need, len(tid))]
    return out


def id_length(among: Sequence[str], minimum: int = 6) -> int:
    """The one short-id length for a desk: the fewest characters (at least ``minimum``) that keep
    every id in ``among`` (sorted) apart, so every listing of the desk shows ids of one length
    and a prefix copied from any of them names one ticket."""
    need = minimum
    for a, b in zip(among, among[1:], strict=False):
        common = 0
        while common < len(a) and common < len(b) and a[common] == b[common]:
            common += 1
        need = max(need, common + 1)
    return min(need, TICKET_ID_LEN)
