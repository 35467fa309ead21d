"""Help desk figures from derived tickets: pure, so the CLI, the report and the site agree.

:func:`compute` takes tickets (``Ticket`` objects) and the configuration and
returns plain JSON-ready data. It reads nothing from disk and never copies personal data into
its result: no requester names or emails, no titles, descriptions or comments. Agents appear
only under the names configured in ``helpdesk.yml`` (``teams.*.agents``); departments, categories,
channels and asset ids are the only other labels.

Definitions (the report repeats them):

- **In range**: every figure covers tickets *created* in ``[since, until)``; states (open,
  resolved, ratings, SLA) are the tickets' current ones, ages are measured at ``now``.
- **Duplicates** (tickets merged into another, ``duplicate_of`` set) count in ``tickets`` and the
  volume breakdowns but not as resolved work: they are left out of every rate, time and backlog.
- **Resolved**: a ticket whose status is not an open one (``resolved`` or ``closed``).
- **First response**: :func:`gitdesk.sla.engine.first_response_at`, the first public reply by
  someone other than the requester and not a bot. Hours are wall-clock hours from creation.
- **Business hours**: the SLA clock of the ticket's policy when it stopped (open hours of the
  policy's calendar, pending time excluded), for tickets an SLA policy applies to.
- **Resolution**: creation to the last resolution (``resolved_at``) of resolved tickets.
- **Median and p90**: linear interpolation between closest ranks (the ``inclusive`` method of
  :func:`statistics.quantiles`, NumPy's default): for ``n`` sorted values the q-quantile is at
  position ``(n - 1) * q``.
- **SLA compliance**: among tickets whose SLA is decided (``TicketSla.met`` is True or False),
  the share that met every target.
- **First contact resolution**: among resolved tickets, the share never escalated (no tier raised,
  no ``escalate`` event), never reopened, with at most one agent reply (a public comment by
  someone other than the requester and not a bot; a comment on the resolve event counts).
- **Reopen rate**: among tickets resolved at least once, the share reopened at least once.
- **Escalation rate**: among tickets (duplicates aside), the share escalated at least once.
- **CSAT**: ratings (1-5) of tickets resolved at least once; ``response_rate`` is rated tickets
  over tickets resolved at least once.
- **How-to ticket** (training needs): tagged ``how-to`` or ``howto``, or resolved with a linked KB
  article (the answer already existed). Departments with two or more are listed.
- **Knowledge gaps**: ticket categories with no KB article whose front matter ``category`` is the
  same, a parent or a child of it.
- **Free-text labels** (asset ids, departments) are left out when they could identify a person
  (:func:`public_label`): an address, or the requester's own name or email in the text.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import compress
from typing import Any, Iterable

from gitdesk.model.event import format_time, parse_time, utcnow
from gitdesk.model.ticket import Ticket

HOW_TO_TAGS = frozenset({"how-to", "howto"})
TRAINING_THRESHOLD = 2
TOP_ASSETS = 10
NONE = "(none)"
UNASSIGNED = "(unassigned)"
UNLISTED = "(not a listed agent)"

HOUR = 3600.0
DAY = 86400.0
#: (upper bound in seconds, label) for the age of open tickets
BACKLOG_BUCKETS = ((DAY, "<1d"), (3 * DAY, "1-3d"), (7 * DAY, "3-7d"), (30 * DAY, "7-30d"), (math.inf, ">30d"))
#: (upper bound in seconds, label) for the time to resolve
RESOLUTION_BUCKETS = ((HOUR, "<1h"), (4 * HOUR, "1-4h"), (8 * HOUR, "4-8h"), (DAY, "8-24h"), (3 * DAY, "1-3d"),
                      (7 * DAY, "3-7d"), (math.inf, ">7d"))


# -- small helpers ------------------------------------------------------------------------------

def quantile(values: list[float], q: float) -> float | None:
    """The ``q``-quantile of already sorted ``values`` by linear interpolation (None if empty)."""
    n = len(values)
    if n == 0:
        return None
    pos = (n - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return values[lo] + (pos - lo) * (values[hi] - values[lo])


def summary_hours(seconds: list[float]) -> dict[str, Any]:
    """``{"median", "p90", "count"}`` in hours (two decimals) of a list of durations in seconds."""
    values = sorted(seconds)
    out: dict[str, Any] = {}
    for key, q in (("median", 0.5), ("p90", 0.9)):
        value = quantile(values, q)
        out[key] = None if value is None else round(value / HOUR, 2)
    out["count"] = len(values)
    return out


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to four decimals; None when there is nothing to divide."""
    return None if whole == 0 else round(part / whole, 4)


def _as_time(value: Any) -> datetime | None:
    if value is None:
        return None
    return parse_time(value)


def _bound(value: Any) -> str | None:
    """A range bound as the fixed-width text the tickets use (so text order is time order)."""
    if value is None:
        return None
    return format_time(parse_time(value))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks_between(first: date, last: date) -> list[str]:
    """Every ISO week from the one holding ``first`` to the one holding ``last``."""
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(iso_week(monday))
        monday += timedelta(days=7)
    return out


class AgentDirectory:
    """Assignee text -> the agent's name as configured (``teams.*.agents``), never anything else."""

    def __init__(self, config):
        from gitdesk.kb.privacy import parse_identity

        self._parse = parse_identity
        self.names: list[str] = []
        self._by_email: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        for team in (config.get("teams") or {}).values():
            for ident in (team or {}).get("agents") or []:
                person = parse_identity(ident)
                if person is None:
                    continue
                label = person.name or person.email
                if label not in self.names:
                    self.names.append(label)
                if person.email:
                    self._by_email[person.email.lower()] = label
                if person.name:
                    self._by_name[person.name.lower()] = label
        self._memo: dict[str, str] = {}

    def label(self, assignee: str | None) -> str:
        if not assignee:
            return UNASSIGNED
        if assignee not in self._memo:
            person = self._parse(assignee)
            label = UNLISTED
            if person is not None:
                label = (self._by_email.get(person.email.lower()) if person.email else None) \
                    or (self._by_name.get(person.name.lower()) if person.name else None) or UNLISTED
            self._memo[assignee] = label
        return self._memo[assignee]


def _covered(category: str, kb_categories: set[str]) -> bool:
    """Is there an article in ``category``, one of its parents or one of its children?"""
    for article in kb_categories:
        if article == category or category.startswith(article + "/") or article.startswith(category + "/"):
            return True
    return False


def _escalated(data: dict) -> bool:
    if data.get("escalation_count"):
        return True
    return any(entry.get("action") == "escalate" for entry in data.get("history") or ())


def public_label(text: Any, requester: dict | None, limit: int = 80) -> str | None:
    """A free-text label (asset id, department) fit to publish, or None.

    Labels are published only when they cannot be a way to reach or name a person: nothing with
    an address (``@``, ``<``), nothing that contains the ticket's requester's full name or email
    ("Jane Roe's laptop"), nothing longer than ``limit`` characters.
    """
    if not isinstance(text, str):
        return None
    value = " ".join(text.split())
    if not value or "@" in value or "<" in value or len(value) > limit:
        return None
    low = value.lower()
    for key, min_words in (("name", 2), ("email", 1)):
        who = (requester or {}).get(key)
        if isinstance(who, str) and len(who.split()) >= min_words and " ".join(who.split()).lower() in low:
            return None
    return value


class _SlaView:
    """The few things metrics need from the SLA engine (:mod:`gitdesk.sla.engine`)."""

    def __init__(self, config):
        from gitdesk.sla.engine import SlaEngine, first_response_at

        self.config = config
        self.engine = SlaEngine(config)
        self._first_response_at = first_response_at

    def first_response(self, data: dict) -> datetime | None:
        return _as_time(self._first_response_at(Ticket(data), self.config))

    def evaluate(self, data: dict, now: datetime, responded: datetime | None) -> tuple:
        """``(met, business s to first response, business s to resolution, valid from, valid until)``.

        Business times come from stopped clocks only: the first-response clock when it stopped
        at the response (not when a ticket was resolved unanswered), the resolution clock when
        the ticket is resolved. The validity window (stored text; until None = for good) says for
        which evaluation times the same verdict holds while the ticket does not change, so a
        cache may reuse it: from the later of ``now`` (or the last change, for a ticket whose
        clocks all stopped) until the earliest due date of a running clock (a clock cannot breach
        before it is due; a verdict of False is final).
        """
        result = self.engine.evaluate(Ticket(data), now)
        now_text = format_time(now)
        updated = data.get("updated_at") or ""
        if updated > now_text:  # evaluated in the ticket's past: never reuse
            return result.met, None, None, now_text, now_text
        if result.policy is None:
            return None, None, None, updated, None
        first = resolution = None
        running_due = []
        for clock in result.clocks:
            if clock.stopped_at is None:
                if clock.due is not None:
                    running_due.append(clock.due)
                continue
            if clock.name == "first_response" and responded is not None and clock.stopped_at == responded:
                first = float(clock.elapsed_seconds)
            elif clock.name == "resolution":
                resolution = float(clock.elapsed_seconds)
        met = result.met
        if met is False or not any(c.stopped_at is None for c in result.clocks):
            start = now_text if met is False and any(c.stopped_at is None for c in result.clocks) else updated
            return met, first, resolution, start, None
        until = format_time(min(running_due)) if running_due else None
        return met, first, resolution, now_text, until


# -- per-ticket facts -----------------------------------------------------------------------------

#: positions in a ticket's facts (a flat list of labels, numbers and flags; the cache stores them by column)
(F_CREATED, F_WEEK, F_CHANNEL, F_CATEGORY, F_PRIORITY, F_TIER, F_DUPLICATE, F_OPEN, F_ESCALATED, F_REOPENED,
 F_RATING, F_FIRST_RESPONSE, F_RESOLUTION, F_AGENT, F_ASSET, F_AGENT_REPLIES, F_KB_LINKED, F_HOW_TO_DEPT,
 F_MET, F_FIRST_RESPONSE_BUSINESS, F_RESOLUTION_BUSINESS, F_SLA_FROM, F_SLA_UNTIL) = range(23)
N_FACTS = 23
FACTS_VERSION = 2


class FactsBuilder:
    """What each figure needs from one ticket, reduced to a short list of labels and numbers.

    The facts hold no personal data (no names, emails or text): the agent is its configured
    name, the requester only their department, and only when the ticket is a how-to.
    """

    def __init__(self, config):
        from zoneinfo import ZoneInfo

        from gitdesk.people import same_person

        self.config = config
        self.zone = ZoneInfo(config.get("timezone") or "UTC")
        self.open_statuses = frozenset(config.open_statuses)
        self.agents = AgentDirectory(config)
        self.sla = _SlaView(config)
        self._same_person = same_person
        self._bots: dict[str, bool] = {}

    def _is_bot(self, who: str | None) -> bool:
        key = who or ""
        if key not in self._bots:
            self._bots[key] = bool(self.config.is_bot(who))
        return self._bots[key]

    def agent_replies(self, data: dict) -> int:
        requester = data.get("requester")
        count = 0
        for comment in data.get("comments") or ():
            by = comment.get("by")
            if comment.get("public", True) and not self._is_bot(by) and not self._same_person(by, requester):
                count += 1
        return count

    def facts(self, data: dict, now: datetime) -> list:
        created_text = data.get("created_at") or ""
        created = parse_time(created_text)
        tier = data.get("tier")
        row: list = [None] * N_FACTS
        row[F_CREATED] = created_text
        row[F_WEEK] = iso_week(created.astimezone(self.zone).date())
        row[F_CHANNEL] = data.get("channel") or NONE
        row[F_CATEGORY] = data.get("category") or NONE
        row[F_PRIORITY] = data.get("priority") or NONE
        row[F_TIER] = str(tier) if tier is not None else NONE
        row[F_DUPLICATE] = bool(data.get("duplicate_of"))
        if row[F_DUPLICATE]:
            row[F_SLA_FROM] = ""  # a duplicate's facts do not depend on when they are read
            return row
        is_open = data.get("status") in self.open_statuses
        row[F_OPEN] = is_open
        row[F_ESCALATED] = _escalated(data)
        reopens = int(data.get("reopen_count") or 0)
        row[F_REOPENED] = reopens > 0
        rating = (data.get("satisfaction") or {}).get("rating")
        if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5:
            row[F_RATING] = rating
        responded = self.sla.first_response(data)
        if responded is not None:
            row[F_FIRST_RESPONSE] = max(0.0, (responded - created).total_seconds())
        if not is_open:
            resolved_at = _as_time(data.get("resolved_at"))
            if resolved_at is not None:
                row[F_RESOLUTION] = max(0.0, (resolved_at - created).total_seconds())
            row[F_AGENT_REPLIES] = self.agent_replies(data)
        row[F_AGENT] = self.agents.label(data.get("assignee"))
        requester = data.get("requester") if isinstance(data.get("requester"), dict) else None
        row[F_ASSET] = public_label(data.get("asset"), requester)
        linked = bool(data.get("kb"))
        row[F_KB_LINKED] = linked
        if set(data.get("tags") or ()) & HOW_TO_TAGS or (linked and not is_open):
            row[F_HOW_TO_DEPT] = public_label((requester or {}).get("department"), requester)
        (row[F_MET], row[F_FIRST_RESPONSE_BUSINESS], row[F_RESOLUTION_BUSINESS],
         row[F_SLA_FROM], row[F_SLA_UNTIL]) = self.sla.evaluate(data, now, responded)
        return row


# -- the figures --------------------------------------------------------------------------------

def compute(tickets: Iterable[Ticket], config, since: Any = None, until: Any = None, now: datetime | None = None, *,
            kb_categories: Iterable[str] | None = None) -> dict[str, Any]:
    """Every figure for tickets created in ``[since, until)``, as plain data (see module doc).

    ``since``/``until`` are aware datetimes or ISO text (None: unbounded); ``now`` (default: the
    current time) is when ages and open SLA clocks are measured; ``kb_categories`` are the
    ``category`` values of the KB's articles (None or empty: no article, every category is a gap).
    """
    now = parse_time(now) if now is not None else utcnow()
    lo, hi = _bound(since), _bound(until)
    builder = FactsBuilder(config)

    def rows():
        for item in tickets:
            data = item.data
            created_text = data.get("created_at") or ""
            if (lo is not None and created_text < lo) or (hi is not None and created_text >= hi):
                continue
            yield builder.facts(data, now)

    return aggregate(rows(), config, since=lo, until=hi, now=now, kb_categories=kb_categories)


def aggregate(rows: Iterable[list], config, *, since: str | None, until: str | None, now: datetime,
              kb_categories: Iterable[str] | None = None) -> dict[str, Any]:
    """The figures from per-ticket facts (:class:`FactsBuilder`) of the tickets in range."""
    rows = list(rows)
    columns = [list(col) for col in zip(*rows)] if rows else [[] for _ in range(N_FACTS)]
    return aggregate_columns(columns, config, since=since, until=until, now=now, kb_categories=kb_categories)


def aggregate_columns(columns: list[list], config, *, since: str | None, until: str | None, now: datetime,
                      kb_categories: Iterable[str] | None = None) -> dict[str, Any]:
    """:func:`aggregate` over facts stored column by column (one list per fact, same order).

    Working on columns lets counting and filtering run in C (``Counter``, ``compress``), which
    keeps 100,000 tickets well under a second.
    """
    zone_name = config.get("timezone") or "UTC"
    priorities = list(config.priorities)
    agent_names = AgentDirectory(config).names
    if since is not None or until is not None:
        keep = [(since is None or c >= since) and (until is None or c < until) for c in columns[F_CREATED]]
        columns = [list(compress(col, keep)) for col in columns]

    total = len(columns[F_CREATED])
    by_channel = Counter(columns[F_CHANNEL])
    by_category = Counter(columns[F_CATEGORY])
    by_priority = Counter(columns[F_PRIORITY])
    by_tier = Counter(columns[F_TIER])
    by_week = Counter(columns[F_WEEK])
    duplicates = sum(columns[F_DUPLICATE])

    # everything below is about work: tickets that are not duplicates
    if duplicates:
        work_mask = [not d for d in columns[F_DUPLICATE]]
        col = {f: list(compress(columns[f], work_mask)) for f in range(N_FACTS)}
    else:
        col = dict(enumerate(columns))
    work = len(col[F_CREATED])
    is_open = col[F_OPEN]
    done = [not o for o in is_open]
    ever = [(not o) or r for o, r in zip(is_open, col[F_REOPENED])]
    open_count = sum(is_open)
    resolved = work - open_count
    resolved_ever = sum(ever)
    reopened = sum(col[F_REOPENED])
    escalated = sum(col[F_ESCALATED])

    def present(values) -> list:
        return [v for v in values if v is not None]

    ratings = present(compress(col[F_RATING], ever))
    first_response = present(col[F_FIRST_RESPONSE])
    first_response_business = present(col[F_FIRST_RESPONSE_BUSINESS])
    resolution = present(compress(col[F_RESOLUTION], done))
    resolution_business = present(compress(col[F_RESOLUTION_BUSINESS], done))
    bounds = [bound for bound, _ in RESOLUTION_BUCKETS]
    resolution_buckets = Counter(RESOLUTION_BUCKETS[bisect_right(bounds, v)][1] for v in resolution)
    decided = [(p, m) for p, m in zip(col[F_PRIORITY], col[F_MET]) if m is not None]
    sla_decided = Counter(p for p, _ in decided)
    sla_met = Counter(p for p, m in decided if m)
    kb_linked = sum(compress(col[F_KB_LINKED], done))
    fcr = sum(1 for e, r, n in compress(zip(col[F_ESCALATED], col[F_REOPENED], col[F_AGENT_REPLIES]), done)
              if not e and not r and (n or 0) <= 1)
    # age buckets by comparing stored timestamps with the buckets' edges (text order is time order)
    edges = [(format_time(now - timedelta(seconds=bound)), label) for bound, label in BACKLOG_BUCKETS[:-1]]
    backlog: Counter = Counter()
    for created in compress(col[F_CREATED], is_open):
        for edge, label in edges:
            if created > edge:
                backlog[label] += 1
                break
        else:
            backlog[BACKLOG_BUCKETS[-1][1]] += 1
    load_open = Counter(compress(col[F_AGENT], is_open))
    load_done = Counter(compress(col[F_AGENT], done))
    load = {a: {"open": load_open.get(a, 0), "resolved": load_done.get(a, 0)} for a in {*load_open, *load_done}}
    asset_all = Counter(a for a in col[F_ASSET] if a)
    asset_open = Counter(a for a in compress(col[F_ASSET], is_open) if a)
    assets = {a: [n, asset_open.get(a, 0)] for a, n in asset_all.items()}
    how_to: dict[str, Counter] = {}
    for dept, category in zip(col[F_HOW_TO_DEPT], col[F_CATEGORY]):
        if dept is not None:
            how_to.setdefault(dept, Counter())[category] += 1
    work_categories = Counter(c for c in col[F_CATEGORY] if c != NONE)

    # -- shaping ------------------------------------------------------------------------------
    def ordered(counter: Counter, keys: list[str]) -> dict[str, int]:
        out = {k: counter.get(k, 0) for k in keys}
        for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            out.setdefault(key, value)
        return out

    weeks: dict[str, int] = {}
    if by_week:
        def monday(label: str) -> date:
            year, week = label.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)

        mondays = sorted(monday(w) for w in by_week)
        weeks = {w: by_week.get(w, 0) for w in _weeks_between(mondays[0], mondays[-1])}

    sla_by_priority = {}
    for key in [*priorities, *sorted(k for k in sla_decided if k not in priorities)]:
        decided = sla_decided.get(key, 0)
        sla_by_priority[key] = {"rate": rate(sla_met.get(key, 0), decided), "met": sla_met.get(key, 0), "decided": decided}
    decided_all = sum(sla_decided.values())
    met_all = sum(sla_met.values())

    load_out = {name: load.get(name, {"open": 0, "resolved": 0}) for name in sorted(agent_names)}
    for special in (UNASSIGNED, UNLISTED):
        if special in load:
            load_out[special] = load[special]

    top_assets = [
        {"asset": asset, "incidents": counts[0], "open": counts[1], "repeat": counts[0] >= 2}
        for asset, counts in sorted(assets.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP_ASSETS]
    ]
    training = [
        {"department": dept, "how_to_tickets": sum(cats.values()),
         "categories": dict(sorted(cats.items(), key=lambda kv: (-kv[1], kv[0])))}
        for dept, cats in how_to.items() if sum(cats.values()) >= TRAINING_THRESHOLD
    ]
    training.sort(key=lambda row: (-row["how_to_tickets"], row["department"]))
    articles = {c for c in (kb_categories or ()) if isinstance(c, str) and c}
    gaps = [
        {"category": cat, "tickets": count}
        for cat, count in sorted(work_categories.items(), key=lambda kv: (-kv[1], kv[0]))
        if not _covered(cat, articles)
    ]

    return {
        "range": {"since": since, "until": until, "now": format_time(now), "timezone": zone_name},
        "tickets": total,
        "open": open_count,
        "resolved": resolved,
        "duplicates": duplicates,
        "by_channel": ordered(by_channel, config.channels),
        "by_category": ordered(by_category, []),
        "by_priority": ordered(by_priority, priorities),
        "by_tier": ordered(by_tier, [str(t) for t in config.tiers]),
        "by_week": weeks,
        "first_response_hours": summary_hours(first_response),
        "first_response_business_hours": summary_hours(first_response_business),
        "resolution_hours": summary_hours(resolution),
        "resolution_business_hours": summary_hours(resolution_business),
        "resolution_time_buckets": {label: resolution_buckets.get(label, 0) for _, label in RESOLUTION_BUCKETS},
        "sla_compliance": {"rate": rate(met_all, decided_all), "met": met_all, "decided": decided_all,
                           "by_priority": sla_by_priority},
        "first_contact_resolution_rate": rate(fcr, resolved),
        "reopen_rate": rate(reopened, resolved_ever),
        "escalation_rate": rate(escalated, work),
        "backlog_by_age": {label: backlog.get(label, 0) for _, label in BACKLOG_BUCKETS},
        "csat": {
            "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "responses": len(ratings),
            "response_rate": rate(len(ratings), resolved_ever),
            "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
        },
        "load_per_agent": load_out,
        "top_assets": top_assets,
        "training_needs": training,
        "kb_linked_share": rate(kb_linked, resolved),
        "knowledge_gaps": gaps,
    }
