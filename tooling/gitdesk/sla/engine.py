"""SLA clocks: what each ticket was promised, how much of it is used, and when it falls due.

A ticket's policy (:mod:`gitdesk.sla.policy`) gives up to three targets, each measured in
business time on the policy's calendar (:mod:`gitdesk.model.calendar`). Everything is computed
from the ticket's timestamps (its history and comments), never from when a check happens to
run, so evaluating twice, late or in another clone gives the same answer.

The rules
    * Every clock is **paused** while the ticket is in a status with ``pauses_sla`` (pending on
      the requester) and resumes when it leaves it (the requester's answer moves a pending ticket
      back to open, see :meth:`gitdesk.operations.Desk.comment`).
    * Every clock is **stopped** while the ticket is not open (resolved, closed). If the ticket is
      reopened, the clocks carry on **from where they were**: the time it spent resolved or closed
      does not count (a reopen is not a new ticket, and restarting from zero would hide a breach).
    * ``first_response`` runs from creation to :func:`first_response_at`: the first public
      comment by someone who is neither the requester nor a bot. If the ticket is resolved before
      anybody answers, the clock stops there.
    * ``next_update`` is rolling: it starts at the first response and restarts at every later
      public agent reply; it only runs while the ticket is open and not pending. It is listed once
      the first response exists. A cycle that ran over the target is a breach for good
      (:attr:`Clock.breaches`), even if later cycles are on time.
    * ``resolution`` runs from creation until the ticket is resolved (or closed).
    * A running clock is ``at-risk`` once ``sla.warning`` (e.g. 75 %) of its target is used and
      ``breached`` once its due time has passed (the instant the target is used up: a target used
      up at 17:00 is breached at 17:00 even though no business time passes overnight); a stopped
      clock is ``met`` if it stopped by its due time, else ``breached``.

``--at`` in the past is honest: history after ``now`` is ignored, and the ticket's priority,
category, team and status are taken as they were then. A later change of priority (or of team or
category, where a policy is narrowed by them) re-targets the whole ticket, as Zendesk and Jira do.

Public API (the metrics code builds on it): :class:`SlaEngine`, :class:`TicketSla`,
:class:`Clock`, :func:`first_response_at`, :func:`clocks_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import pairwise
from typing import Any, overload

from gitdesk.model.event import parse_time, utcnow
from gitdesk.model.ticket import Ticket
from gitdesk.people import same_person
from gitdesk.sla.policy import CLOCK_NAMES, Policy, PolicySet

__all__ = ["Clock", "TicketSla", "SlaEngine", "CheckReport", "check_tickets", "tickets_to_check", "first_response_at", "clocks_for", "format_duration", "CLOCK_NAMES", "LEVELS"]

UTC = timezone.utc
STATES = ("running", "paused", "at-risk", "breached", "met")
LEVELS = ("ok", "at-risk", "breached")  # worst-of order
LABELS = {"first_response": "First response", "next_update": "Next update", "resolution": "Resolution"}
_RANK = {"ok": 0, "at-risk": 1, "breached": 2}


def _dt(text: str) -> datetime:
    """A stored timestamp (fixed-width ``...Z``) as an aware UTC datetime, quickly."""
    try:
        value = datetime.fromisoformat(text)  # Python 3.11+ reads the "Z" itself
        if value.tzinfo is UTC:
            return value
    except ValueError:
        pass
    return parse_time(text)


@overload
def _iso(value: datetime) -> str: ...
@overload
def _iso(value: None) -> None: ...
def _iso(value: datetime | None) -> str | None:
    """:func:`~gitdesk.model.event.format_time` without strftime (3x faster; 100,000s of calls)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" -> "Z"


class Clock:
    """One SLA clock of one ticket, as of the evaluation time.

    ``elapsed_seconds`` is business time used (pauses and resolved stretches excluded);
    ``paused_seconds`` is business time the clock was held (pending on the requester, or resolved
    before a reopen) between ``started_at`` and now or ``stopped_at``. ``due`` is when the target
    is (or was) reached; None while paused (it is unknown until the pause ends). For
    ``next_update``, ``started_at`` is the start of the current cycle and ``breaches`` counts the
    cycles that ran over (the other clocks have one cycle: ``breaches`` is 1 when breached).

    A stopped clock works ``due`` out on first use: metrics over 100,000 closed tickets need the
    verdicts, rarely the due dates.
    """

    __slots__ = ("name", "target_seconds", "elapsed_seconds", "paused_seconds", "started_at", "stopped_at",
                 "_due", "state", "breaches")

    def __init__(self, name: str, target_seconds: int, elapsed_seconds: float, paused_seconds: float,
                 started_at: datetime, stopped_at: datetime | None, due: Any, state: str, breaches: int = 0):
        self.name = name
        self.target_seconds = target_seconds
        self.elapsed_seconds = elapsed_seconds
        self.paused_seconds = paused_seconds
        self.started_at = started_at
        self.stopped_at = stopped_at
        self._due = due  # a datetime, None, or a function that gives one
        self.state = state
        self.breaches = breaches

    @property
    def due(self) -> datetime | None:
        if callable(self._due):
            self._due = self._due()
        return self._due

    def __repr__(self) -> str:
        return (f"Clock({self.name!r}, {self.state!r}, elapsed={self.elapsed_seconds:g}/{self.target_seconds}, "
                f"paused={self.paused_seconds:g}, due={_iso(self.due)}, stopped={_iso(self.stopped_at)})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Clock) and self.to_dict() == other.to_dict()

    @property
    def remaining_seconds(self) -> float:
        """Business time left before the target; negative when overdue."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def running(self) -> bool:
        """Still counting (or paused): not stopped by a response or a resolution."""
        return self.stopped_at is None

    @property
    def level(self) -> str:
        """``ok``, ``at-risk`` or ``breached``: what escalation rules react to.

        A clock that ever breached (a late first response, a past next-update cycle) stays
        ``breached``; a paused clock is ``ok`` unless it breached before the pause.
        """
        if self.state == "breached" or self.breaches:
            return "breached"
        if self.state == "at-risk":
            return "at-risk"
        return "ok"

    @property
    def met(self) -> bool | None:
        """True once stopped within target, False once breached, None while undecided."""
        if self.state == "breached" or self.breaches:
            return False
        if self.state == "met":
            return True
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "target_seconds": self.target_seconds,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "paused_seconds": round(self.paused_seconds, 3),
            "remaining_seconds": round(self.remaining_seconds, 3),
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "due": _iso(self.due),
            "breaches": self.breaches,
            "met": self.met,
        }


@dataclass
class TicketSla:
    """The SLA of one ticket at one instant: its policy and clocks, and the verdicts over them."""

    id: str
    at: datetime
    policy: str | None = None
    calendar: str | None = None
    priority: str | None = None
    status: str | None = None
    clocks: list[Clock] = field(default_factory=list)
    #: the priority whose policy runs the clocks of a ticket that has none (sla.default_priority)
    default_priority: str | None = None
    #: how long a "d" is when this ticket's durations are printed (a working day of its calendar)
    day_seconds: int = 86400

    @property
    def met(self) -> bool | None:
        """True when every clock met its target, False when any breached, None while undecided
        (and None for a ticket without a policy)."""
        if not self.clocks:
            return None
        verdicts = [c.met for c in self.clocks]
        if False in verdicts:
            return False
        if None in verdicts:
            return None
        return True

    @property
    def worst(self) -> str:
        """``ok``, ``at-risk`` or ``breached``: the worst state among the clocks as they stand.

        A stopped clock that breached counts; a past next-update breach does not once a new cycle
        is on time (see :attr:`met` for the verdict over the ticket's whole life).
        """
        rank = 0
        for c in self.clocks:
            if c.state == "breached":
                return "breached"
            if c.state == "at-risk":
                rank = 1
        return LEVELS[rank]

    @property
    def live_worst(self) -> str:
        """The worst state among running clocks only (what ``sla check`` lists and fails on)."""
        rank = 0
        for c in self.clocks:
            if c.stopped_at is None:
                if c.state == "breached":
                    return "breached"
                if c.state == "at-risk":
                    rank = 1
        return LEVELS[rank]

    def clock(self, name: str) -> Clock | None:
        for c in self.clocks:
            if c.name == name:
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": _iso(self.at),
            "policy": self.policy,
            "calendar": self.calendar,
            "priority": self.priority,
            "status": self.status,
            "default_priority": self.default_priority,
            "met": self.met,
            "worst": self.worst,
            "clocks": [c.to_dict() for c in self.clocks],
        }


def _is_agent_reply(comment: dict, requester: dict | None, config: Any, bot_cache: dict[str, bool] | None = None) -> bool:
    if not comment.get("public", True):
        return False
    by = comment.get("by") or ""
    if bot_cache is not None:
        bot = bot_cache.get(by)
        if bot is None:
            bot = bot_cache[by] = bool(config.is_bot(by))
    else:
        bot = bool(config.is_bot(by))
    if bot:
        return False
    return not same_person(by, requester)


def _agent_replies(data: dict, config: Any, until: str | None, bot_cache: dict | None = None) -> list[str]:
    """Times (stored text) of public comments by neither the requester nor a bot, up to ``until``."""
    requester = data.get("requester")
    out = []
    for comment in data.get("comments") or ():
        at = comment.get("at")
        if not at or (until is not None and at > until):
            continue
        if _is_agent_reply(comment, requester, config, bot_cache):
            out.append(at)
    out.sort()
    return out


def first_response_at(ticket: Ticket, config: Any) -> datetime | None:
    """When the ticket got its first response: the first public comment by someone other than
    the requester (matched by email or name) and not a bot. None if it has had none."""
    data = ticket.data
    replies = _agent_replies(data, config, None)
    return _dt(replies[0]) if replies else None


def _clip(pauses: list, stop: datetime) -> list:
    """Pauses that began before ``stop``, ended at ``stop`` at the latest (no open pause left)."""
    return [(a, b if b is not None and b < stop else stop) for a, b in pauses if a < stop]


def _due_by(cal: Any, start: datetime, target: int, pauses: list, stop: datetime) -> datetime:
    """When a clock that stopped at ``stop`` was (or would have been) due, ignoring what came after."""
    due = cal.add_business(start, target, _clip(pauses, stop))
    assert due is not None  # add_business is None only with an open pause; _clip closed them all
    return due


def _as_utc(now: datetime | str | None) -> datetime:
    """``now`` (text, naive = UTC, aware, or None = the current time) as an aware UTC datetime."""
    if now is None:
        now = utcnow()
    elif isinstance(now, str):
        now = parse_time(now)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if now.tzinfo is not UTC:
        now = now.astimezone(UTC)
    return now


def _as_of(data: dict, now_s: str) -> tuple[Any, Any, Any, list[tuple[str, str]], str]:
    """The ticket as it was at ``now_s``: priority, category, team, and its status stretches
    ``(start, status)`` from the history, with the status then."""
    if (data.get("updated_at") or "") <= now_s:
        priority, category, team = data.get("priority"), data.get("category"), data.get("team")
        as_of_now = False
    else:
        priority = category = team = None
        as_of_now = True
    segments: list[tuple[str, str]] = []  # (start, status) each time the status changed
    status = None
    for entry in data.get("history") or ():
        at = entry["at"]
        if at > now_s:
            break
        changes = entry.get("set")
        if not changes:
            continue
        if as_of_now:
            if "priority" in changes:
                priority = changes["priority"]
            if "category" in changes:
                category = changes["category"]
            if "team" in changes:
                team = changes["team"]
        new_status = changes.get("status")
        if new_status is not None and new_status != status:
            status = new_status
            segments.append((at, new_status))
    if status is None:  # a ticket whose history never set a status (hand-made): treat it as open
        status = "open"
    return priority, category, team, segments, status


class SlaEngine:
    """Evaluates tickets against the configuration's policies. Build once, evaluate many."""

    def __init__(self, config: Any):
        self.config = config
        self.policies = PolicySet(config)
        self.warning = self.policies.warning
        self.pausing = frozenset(config.pausing_statuses)
        self.open = frozenset(config.open_statuses)
        self._bots: dict[str, bool] = {}

    def policy_for(self, ticket: Ticket) -> Policy | None:
        return self.policies.for_ticket(ticket)

    def evaluate(self, ticket: Ticket, now: datetime | str | None = None) -> TicketSla:
        """The ticket's SLA as of ``now`` (default: the current time)."""
        data = ticket.data
        now = _as_utc(now)
        now_s = _iso(now)
        result = TicketSla(id=data["id"], at=now)
        created_s = data.get("created_at")
        if not created_s or created_s > now_s:
            return result  # not created yet at ``now``: nothing was promised
        priority, category, team, segments, status = _as_of(data, now_s)
        result.priority, result.status = priority, status
        policy = self.policies.lookup(priority, category, team)
        if policy is None:
            return result
        result.policy, result.calendar, result.day_seconds = policy.name, policy.calendar_name, policy.day_seconds
        if priority is None:
            result.default_priority = self.policies.default_priority
        if not policy.targets:  # a policy that promises nothing: named, but no clocks
            return result
        result.clocks = self._clocks(data, policy, now, now_s, created_s, segments, status)
        return result

    # -- the clocks ------------------------------------------------------------------------
    def _clocks(self, data: dict, policy: Policy, now: datetime, now_s: str, created_s: str,
                segments: list[tuple[str, str]], status: str) -> list[Clock]:
        pausing, is_open = self.pausing, self.open
        active = status in is_open
        # stretches that do not count: pending (paused) and resolved/closed (stopped)
        held: list[list] = []  # [start text, end text or None, kind]
        for i, (seg_start, st) in enumerate(segments):
            kind = "pause" if st in pausing else ("stop" if st not in is_open else None)
            if kind is None:
                continue
            seg_end = segments[i + 1][0] if i + 1 < len(segments) else None
            held.append([seg_start, seg_end, kind])
        end_s = now_s
        if not active:
            # the clocks stopped when the ticket last stopped being open: the start of the
            # trailing run of not-open stretches (resolved, then closed)
            tail = None
            while held and held[-1][2] == "stop" and held[-1][1] == tail:
                tail = held.pop()[0]
            if tail is not None:
                end_s = tail
        end = now if active else _dt(end_s)
        paused_now = active and status in pausing
        pauses = [(_dt(a), None if b is None else _dt(b)) for a, b, _ in held]
        created = _dt(created_s)
        cal = policy.calendar
        targets = policy.targets
        out: list[Clock] = []

        replies = None
        if "first_response" in targets or "next_update" in targets:
            replies = _agent_replies(data, self.config, now_s, self._bots)

        if "first_response" in targets:
            target = targets["first_response"]
            first = replies[0] if replies else None
            if first is not None and first <= end_s:
                stop = _dt(first)
            elif not active:
                stop = end
            else:
                stop = None
            out.append(self._clock("first_response", target, cal, created, stop, now, pauses, paused_now and stop is None))

        if "next_update" in targets and replies:
            target = targets["next_update"]
            cycles = [r for r in replies if r <= end_s]
            if cycles:
                breaches = 0
                for a, b in pairwise(cycles):
                    b_dt = _dt(b)
                    if b_dt > _due_by(cal, _dt(a), target, pauses, b_dt):
                        breaches += 1
                start = _dt(cycles[-1])
                clock = self._clock("next_update", target, cal, start, None if active else end, now, pauses, paused_now)
                if clock.state == "breached":
                    breaches += 1
                elif clock.state == "met" and breaches:
                    clock.state = "breached"
                clock.breaches = breaches
                out.append(clock)

        if "resolution" in targets:
            target = targets["resolution"]
            out.append(self._clock("resolution", target, cal, created, None if active else end, now, pauses, paused_now))
        return out

    def _clock(self, name: str, target: int, cal, start: datetime, stop: datetime | None, now: datetime,
               pauses: list, paused: bool) -> Clock:
        end = stop if stop is not None else now
        if end < start:
            end = start
        if pauses and any(a < end and (b is None or b > start) for a, b in pauses):
            gross = cal.business_seconds(start, end)
            elapsed = cal.business_seconds(start, end, pauses)
            paused_s = gross - elapsed
        else:
            elapsed = cal.business_seconds(start, end)
            paused_s = 0.0
        due: datetime | Callable[[], datetime] | None
        if stop is not None:
            stopped_at = stop

            def due_at() -> datetime:  # worked out only when asked (see Clock.due)
                return _due_by(cal, start, target, pauses, stopped_at)

            if elapsed != target:
                state = "met" if elapsed < target else "breached"
                due = due_at
            else:  # used up exactly: met only if it stopped by the due instant (not overnight after)
                due = due_at()
                state = "met" if stop <= due else "breached"
        else:
            due_open = cal.add_business(start, target, pauses)  # None when an open pause comes first
            due = due_open
            if due_open is not None and now > due_open:
                state = "breached"  # also when the desk closed right at the due time: it passed
            elif paused:
                state = "paused"
            elif elapsed >= self.warning * target:
                state = "at-risk"
            else:
                state = "running"
        return Clock(name=name, target_seconds=target, elapsed_seconds=elapsed, paused_seconds=paused_s,
                     started_at=start, stopped_at=stop, due=due, state=state,
                     breaches=1 if state == "breached" else 0)

    def evaluate_all(self, tickets: Iterable[Ticket], now: datetime | None = None) -> Iterable[tuple[Ticket, TicketSla]]:
        """``(ticket, TicketSla)`` for each ticket, at one shared ``now``."""
        now = now or utcnow()
        for t in tickets:
            yield t, self.evaluate(t, now)


# -- the check over a whole store ----------------------------------------------------------
@dataclass
class CheckReport:
    """What ``gitdesk sla check`` shows: open tickets whose running clocks are at risk or breached.

    ``flagged`` holds ``(ticket, TicketSla)`` for those tickets, worst first; ``escalatable``
    holds every open ticket with a clock at risk or breached, stopped clocks included (what the
    escalation rules look at, see :mod:`gitdesk.sla.escalation`).
    """

    at: datetime
    flagged: list[tuple[Any, TicketSla]] = field(default_factory=list)
    escalatable: list[tuple[Any, TicketSla]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: open tickets without a priority (clocked by ``sla.default_priority``, or not at all)
    no_priority: list[tuple[Any, TicketSla]] = field(default_factory=list)

    def worst(self) -> str:
        if self.counts.get("breached"):
            return "breached"
        if self.counts.get("at-risk"):
            return "at-risk"
        return "ok"

    def rows(self) -> list[tuple[Any, TicketSla, Clock]]:
        """One row per running clock at risk or breached: breached first, most overdue first."""
        out = []
        for ticket, sla in self.flagged:
            for clock in sla.clocks:
                if clock.stopped_at is None and clock.state in ("at-risk", "breached"):
                    out.append((ticket, sla, clock))
        out.sort(key=lambda r: (r[2].state != "breached", r[2].remaining_seconds, r[1].id))
        return out


def tickets_to_check(store, config: Any, now: datetime, *, past: bool = False) -> Iterable[Any]:
    """The tickets that can have a running clock at ``now``, read as cheaply as the store allows.

    At the present time those are the open tickets: the store is asked for them only (the file
    store then parses about one ticket in six instead of all). For a ``now`` in the past
    (``past``), a ticket closed since may have been open then: the tickets created by ``now``
    that are open or changed after it (one not open and unchanged since was not open then).
    :func:`check_tickets` skips tickets without a running clock either way.
    """
    from gitdesk.store.base import Filters

    opened = tuple(config.open_statuses)
    if past:
        return store.all_timelines(Filters(open_at=_iso(now), open_statuses=opened))
    return store.all_timelines(Filters(status=list(opened)))


def check_tickets(tickets: Iterable[Ticket], config: Any, now: datetime, engine: SlaEngine | None = None) -> CheckReport:
    """Evaluate every open ticket at ``now`` (tickets resolved or closed by then are skipped
    without evaluation: they have no running clock)."""
    engine = engine or SlaEngine(config)
    now_s = _iso(now)
    open_statuses = engine.open
    report = CheckReport(at=now)
    counts = {"open": 0, "with_sla": 0, "no_priority": 0, "ok": 0, "at-risk": 0, "breached": 0, "paused": 0}
    for ticket in tickets:
        data = ticket.data
        if data.get("status") not in open_statuses and (data.get("updated_at") or "") <= now_s:
            continue
        sla = engine.evaluate(ticket, now)
        if sla.status not in open_statuses or not data.get("created_at") or data["created_at"] > now_s:
            continue
        counts["open"] += 1
        if sla.priority is None:
            counts["no_priority"] += 1
            report.no_priority.append((ticket, sla))
        if not sla.clocks:
            continue
        counts["with_sla"] += 1
        live = sla.live_worst
        counts[live] += 1
        if any(c.state == "paused" for c in sla.clocks):
            counts["paused"] += 1
        if live != "ok":
            report.flagged.append((ticket, sla))
        if any(c.level != "ok" for c in sla.clocks):
            report.escalatable.append((ticket, sla))
    report.counts = counts
    return report


# -- display -----------------------------------------------------------------------------
def format_duration(seconds: float, day_seconds: int = 86400) -> str:
    """Business time for people: ``45m``, ``3h20m``, ``2d4h``, where d is ``day_seconds`` (a
    working day of the policy's calendar, as in its targets: "3d" reads back as "3d")."""
    total = int(abs(seconds) // 60)
    days, rest = divmod(total, max(1, day_seconds // 60))
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def _local(value: datetime | None, zone: str) -> str:
    if value is None:
        return "-"
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def clock_line(clock: Clock, zone: str = "UTC", calendar: str | None = None, day_seconds: int = 86400) -> str:
    """One line for ``ticket show``: target, elapsed, paused, and due or overdue.

    The tail follows the clock's state, never the arithmetic alone: a breached clock is never
    said to have time "to spare" or "left" (a next-update clock can be breached by an earlier
    late cycle while the current one is on time; a target used up exactly is breached at its due
    instant with 0m left).
    """
    def d(seconds: float) -> str:
        return format_duration(seconds, day_seconds)

    cal = f" {calendar}" if calendar else ""
    head = (f"{LABELS.get(clock.name, clock.name):<15} {clock.state:<8}  {d(clock.elapsed_seconds)} of "
            f"{d(clock.target_seconds)}{cal} business time, paused {d(clock.paused_seconds)}")
    left = clock.remaining_seconds
    breached = clock.state == "breached"
    earlier = clock.breaches - (1 if breached and left <= 0 else 0) if clock.name == "next_update" else 0
    if clock.stopped_at is not None:
        what = {"first_response": "responded", "resolution": "resolved"}.get(clock.name, "stopped")
        tail = f"{what} {_local(clock.stopped_at, zone)}"
        if not breached:
            tail += f", {d(left)} to spare"
        elif left < 0:
            tail += f", {d(-left)} over"
        elif left == 0:
            tail += f", after it was due {_local(clock.due, zone)}"
    elif clock.due is None:
        tail = f"paused with {d(left)} left" if left >= 0 else f"paused, overdue by {d(-left)}"
    elif breached and left < 0:
        tail = f"was due {_local(clock.due, zone)} (overdue by {d(-left)})"
    elif breached and left == 0:
        tail = f"was due {_local(clock.due, zone)} (target used up)"
    elif breached:  # this cycle runs on time, an earlier one was late
        tail = f"this cycle due {_local(clock.due, zone)}"
    else:
        tail = f"due {_local(clock.due, zone)} ({d(left)} left)"
    if earlier:
        tail += f"; {earlier} earlier cycle(s) late"
    return f"{head}; {tail}"


def clocks_for(ticket: Ticket, config: Any, now: datetime | None = None) -> list[dict]:
    """The clocks of one ticket for ``gitdesk ticket show``: each clock's fields plus a human
    ``line`` (and the policy and calendar names)."""
    sla = SlaEngine(config).evaluate(ticket, now)
    zone = config.get("timezone", "UTC") if hasattr(config, "get") else "UTC"
    out = []
    for clock in sla.clocks:
        item = clock.to_dict()
        item["policy"] = sla.policy
        item["calendar"] = sla.calendar
        item["line"] = clock_line(clock, zone, sla.calendar, sla.day_seconds)
        out.append(item)
    return out
