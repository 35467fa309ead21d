"""``ticket list`` filters twice: in Python (``Filters.matches``, the GitHub store and the dry run)
and in SQL (the ticket cache, the files store). For random tickets and random filters both must
pick the same tickets.

The tickets are what the reducer can produce: every ticket has a creation time, tags are
normalised (lower case, no spaces, slashes or commas), an unassigned ticket has no assignee
(never an empty one). Free text (titles, names, the searched text) is any text, accents and
LIKE's wildcards included, but no NUL character (SQLite's LIKE stops at one; no desk types it).
"""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gitdesk.operations import normalize_tag
from gitdesk.store.base import NO_PRIORITY, Filters
from gitdesk.store.cache import TicketCache, add_functions, select_sql

STATUSES = ("new", "open", "pending", "resolved", "closed")
PRIORITIES = ("critical", "high", "medium", "low")
CATEGORIES = ("accounts", "accounts/mfa", "accounts/password", "network", "network/vpn", "hardware", "a_b", "a%b")
TEAMS = ("service-desk", "network-team", "field")
CHANNELS = ("email", "web", "phone", "chat")
TYPES = ("incident", "request", "problem")
TIMES = [f"2026-11-{d:02d}T{h:02d}:00:00Z" for d in (1, 2, 3) for h in (8, 12, 18)]

# words that collide on purpose: shared prefixes, case and accents, LIKE wildcards and escapes
WORDS = st.sampled_from(["ana", "Ana", "ANA", "josé", "JOSÉ", "sam", "vpn", "VPN", "100%", "a_b", "a\\b", "ß", "ñ", "Ñ"])
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")  # UTF-8 text; LIKE ends at a NUL
TEXT = st.lists(st.one_of(WORDS, st.text(CHARS, max_size=4)), max_size=4).map(" ".join)
NEEDLE = st.one_of(WORDS, st.text(CHARS, min_size=1, max_size=3))
TAG = st.one_of(WORDS, st.text(CHARS, min_size=1, max_size=5)).map(normalize_tag).filter(bool)


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def tickets(draw, n):
    out = []
    for i in range(n):
        created = draw(st.sampled_from(TIMES))
        updated = max(created, draw(st.sampled_from(TIMES)))
        t = {"id": f"T{i:09d}", "status": draw(st.sampled_from(STATUSES)), "created_at": created, "updated_at": updated,
             "title": draw(TEXT), "description": draw(maybe(TEXT)), "priority": draw(maybe(st.sampled_from(PRIORITIES))),
             "category": draw(maybe(st.sampled_from(CATEGORIES))), "assignee": draw(maybe(TEXT.filter(bool))),
             "team": draw(maybe(st.sampled_from(TEAMS))), "tier": draw(maybe(st.integers(1, 3))),
             "requester": draw(maybe(st.fixed_dictionaries({"name": TEXT}, optional={"email": TEXT, "department": TEXT}))),
             "asset": draw(maybe(st.sampled_from(["LAP-1", "LAP-2", "PRN-7"]))),
             "tags": sorted(set(draw(st.lists(TAG, max_size=3)))),
             "channel": draw(maybe(st.sampled_from(CHANNELS))), "type": draw(maybe(st.sampled_from(TYPES))),
             "history": [], "comments": []}
        out.append({k: v for k, v in t.items() if v is not None})
    return out


def few(strategy, size=2):
    return st.lists(strategy, max_size=size, unique=True)


FIELDS = {
    "status": few(st.sampled_from(STATUSES)),
    "priority": few(st.sampled_from((*PRIORITIES, NO_PRIORITY))),
    "category": few(st.sampled_from(("accounts", "network", "network/vpn", "a_b", "a%b", "acc", "a"))),
    "assignee": few(NEEDLE),
    "team": few(st.sampled_from(TEAMS)),
    "tier": few(st.integers(1, 3)),
    "requester": NEEDLE,
    "asset": few(st.sampled_from(["LAP-1", "PRN-7"])),
    "tag": few(TAG),
    "since": st.sampled_from(TIMES),
    "until": st.sampled_from(TIMES),
    "open_only": st.booleans(),
    "open_at": st.sampled_from(TIMES),
    "channel": few(st.sampled_from(CHANNELS)),
    "type": few(st.sampled_from(TYPES)),
    "unassigned": st.booleans(),
    "text": NEEDLE.filter(lambda s: "\n" not in s),  # one line, as ``--text`` takes it
}


@st.composite
def filters(draw):
    """One to three filters at once (more would leave almost no ticket to disagree about)."""
    chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3, unique=True))
    return Filters(**{name: draw(FIELDS[name]) for name in chosen})


def _cache_with(rows: list[dict]) -> sqlite3.Connection:
    from gitdesk.store.cache import _DDL

    con = add_functions(sqlite3.connect(":memory:", isolation_level=None))
    con.executescript(_DDL)
    for t in rows:
        row = TicketCache.row_for(t)
        con.execute("INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row[:-2])
        con.execute("INSERT INTO bodies VALUES (?,?)", (row[0], row[-2]))
        con.execute("INSERT INTO timelines VALUES (?,?)", (row[0], row[-1]))
    return con


def _one(**fields) -> list[dict]:
    return [{"id": "T000000001", "status": "open", "created_at": TIMES[0], "updated_at": TIMES[0], "title": "",
             "tags": [], "history": [], "comments": [], **fields}]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(1, 8).flatmap(tickets), f=filters())
# found by this test: SQLite's lower() and LIKE fold A-Z only, Python folds every letter
@example(rows=_one(title="JOSÉ"), f=Filters(text="josé"))
@example(rows=_one(assignee="Élise Martin"), f=Filters(assignee=["élise"]))
@example(rows=_one(title="x", description="Configuración VPN"), f=Filters(text="CONFIGURACIÓN"))
def test_python_and_sql_filters_pick_the_same_tickets(rows, f):
    con = _cache_with(rows)
    try:
        sql, params = select_sql("id", f, "id", False, None)
        in_sql = [row[0] for row in con.execute(sql, params)]
    finally:
        con.close()
    in_python = sorted(t["id"] for t in rows if f.matches(t))
    assert in_sql == in_python
