"""Escalation rules: what happens, once, when an SLA clock is at risk or breached.

A rule of ``sla.escalation`` (``when: at-risk|breached``, ``clock``, optional ``priority``;
actions ``raise_tier``, ``team``, ``add_tag``, ``notify``) fires for an **open** ticket when one of
its clocks has reached the rule's level (:attr:`gitdesk.sla.engine.Clock.level`): ``breached``
fires on a breach, ``at-risk`` fires on a running clock at risk *or worse*, so a check that ran
too late to see the warning still records it (and its actions, e.g. a reassignment, still
happen). A clock that stopped late (a first response after its target) counts as breached: the
check works from timestamps, not from being awake at the right minute; a warning for a clock that
has already stopped would be noise, so at-risk rules skip stopped clocks.
Resolved and closed tickets are never escalated.

Idempotency: each firing is ONE event (action ``sla``) that makes the changes and adds the
marker ``<when>:<clock>:<rule index>`` (e.g. ``breached:resolution:2``) to the ticket's set field
``escalations``. A rule whose marker is present never fires again for that ticket and clock, so
running twice escalates once, a late run still fires once, and two clones that both record it
merge into one marker (set semantics; the tier written is the same absolute value). A rule with
``clock: any`` (or no clock) fires once per clock that reaches its level. Markers name rules by
position: reordering ``sla.escalation`` makes old markers refer to other rules.

Notification: a rule with ``notify: true`` adds a second marker ``notify:<marker>`` to
``escalations`` in the same event. Nothing is sent here; the notifier finds markers
``notify:X`` on a ticket without ``sla:X`` in its ``notified`` set, sends, and records ``sla:X``
in ``notified`` (a ``notify`` event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gitdesk.errors import ConfigError, ValidationError
from gitdesk.model.event import Event, after_last, format_time
from gitdesk.model.ids import new_event_id
from gitdesk.model.ticket import Ticket
from gitdesk.sla.engine import CLOCK_NAMES, LABELS, Clock, SlaEngine, TicketSla, format_duration

NOTIFY_PREFIX = "notify:"
NOTIFIED_PREFIX = "sla:"
_RANK = {"ok": 0, "at-risk": 1, "breached": 2}


@dataclass(frozen=True)
class Rule:
    """One entry of ``sla.escalation``."""

    index: int
    when: str  # "at-risk" | "breached"
    clock: str  # a clock name or "any"
    priority: str | None = None
    raise_tier: bool = False
    team: str | None = None
    add_tag: str | None = None
    notify: bool = False

    def applies_to(self, clock: Clock, priority: str | None) -> bool:
        if self.priority is not None and priority != self.priority:
            return False
        if self.clock != "any" and clock.name != self.clock:
            return False
        if self.when == "at-risk" and clock.stopped_at is not None:
            return False  # a warning is for a clock that still runs: too late once it stopped
        return _RANK[clock.level] >= _RANK[self.when]

    def marker(self, clock_name: str) -> str:
        return f"{self.when}:{clock_name}:{self.index}"


def load_rules(config: Any) -> list[Rule]:
    """The configuration's rules, checked (unknown clock or team, bad tag: ConfigError)."""
    raw = getattr(config, "raw", config)
    file_path = getattr(config, "path", None)
    path = file_path.name if file_path is not None else "helpdesk.yml"
    teams = raw.get("teams") or {}
    rules = []
    for i, entry in enumerate(raw["sla"].get("escalation") or []):
        where = f"sla.escalation[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError("expected a mapping", path=path, field=where)
        when = entry.get("when")
        if when not in ("at-risk", "breached"):
            raise ConfigError(f"expected at-risk or breached, got {when!r}", path=path, field=f"{where}.when")
        clock = entry.get("clock") or "any"
        if clock != "any" and clock not in CLOCK_NAMES:
            raise ConfigError(f"unknown clock {clock!r} (known: {', '.join(CLOCK_NAMES)}, any)", path=path, field=f"{where}.clock")
        team = entry.get("team") or None
        if team is not None and team not in teams:
            raise ConfigError(f"unknown team {team!r}", path=path, field=f"{where}.team")
        tag = entry.get("add_tag") or None
        if tag is not None:
            from gitdesk.operations import checked_tag  # the same normalisation as `ticket set --tag`

            try:
                tag = checked_tag(tag)
            except ValidationError as exc:
                raise ConfigError(exc.message, path=path, field=f"{where}.add_tag") from None
        rules.append(Rule(index=i, when=when, clock=clock, priority=entry.get("priority") or None,
                          raise_tier=bool(entry.get("raise_tier")), team=team, add_tag=tag,
                          notify=bool(entry.get("notify"))))
    return rules


@dataclass
class Firing:
    """A rule that fires (or fired) for one ticket and clock."""

    ticket: str
    rule: Rule
    clock: str
    level: str
    marker: str
    elapsed_seconds: float
    target_seconds: int
    day_seconds: int = 86400  # a "d" of the policy's calendar, for the event's reason
    event_id: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "rule": self.rule.index,
            "when": self.rule.when,
            "clock": self.clock,
            "level": self.level,
            "marker": self.marker,
            "notify": self.rule.notify,
            "event": self.event_id,
            "changes": self.changes,
        }


def due_firings(ticket: Ticket, sla: TicketSla, rules: Iterable[Rule], open_statuses: Iterable[str]) -> list[Firing]:
    """The rules that should fire for this ticket now and have not fired yet (by marker)."""
    data = ticket.data
    if not sla.clocks or (data.get("status") or "") not in open_statuses:
        return []
    done = set(data.get("escalations") or ())
    out = []
    for rule in rules:
        for clock in sla.clocks:
            if not rule.applies_to(clock, sla.priority or sla.default_priority):
                continue
            marker = rule.marker(clock.name)
            if marker in done:
                continue
            done.add(marker)
            out.append(Firing(ticket=data["id"], rule=rule, clock=clock.name, level=clock.level, marker=marker,
                              elapsed_seconds=clock.elapsed_seconds, target_seconds=clock.target_seconds,
                              day_seconds=sla.day_seconds))
    return out


def build_event(ticket: dict, firing: Firing, config: Any, now: datetime, actor: str) -> Event:
    """The one ``sla`` event that carries out ``firing`` on the ticket as it is now."""
    rule = firing.rule
    changes: dict[str, Any] = {}
    tier = ticket.get("tier") or 1
    team = None
    if rule.raise_tier:
        higher = [t for t in config.tiers if t > tier]
        if higher:
            changes["tier"] = higher[0]
            team = config.team_for_tier(higher[0])
    if rule.team:
        team = rule.team
    if team and team != ticket.get("team"):
        changes["team"] = team
    add: dict[str, list[str]] = {"escalations": [firing.marker]}
    if rule.notify:
        add["escalations"].append(NOTIFY_PREFIX + firing.marker)
    if rule.add_tag and rule.add_tag not in (ticket.get("tags") or ()):
        add["tags"] = [rule.add_tag]
    used = (f"{format_duration(firing.elapsed_seconds, firing.day_seconds)} of "
            f"{format_duration(firing.target_seconds, firing.day_seconds)} business time")
    actions = []
    if "tier" in changes:
        actions.append(f"tier {tier} -> {changes['tier']}")
    if "team" in changes:
        actions.append(f"team {changes['team']}")
    if "tags" in add:
        actions.append(f"tag {rule.add_tag}")
    if rule.notify:
        actions.append("notify")
    now_level = f", now {firing.level}" if firing.level != rule.when else ""
    reason = f"SLA {LABELS.get(firing.clock, firing.clock).lower()} {rule.when} ({used}{now_level}): rule {rule.index}"
    if actions:
        reason += ": " + ", ".join(actions)
    # never before the ticket's last change (the same rule as Desk): history stays in order
    at = after_last(now, ticket.get("updated_at"))
    firing.changes = {**changes, **{k: v for k, v in add.items() if k == "tags"}}
    return Event(id=new_event_id(at), ticket=ticket["id"], at=at, by=actor, action="sla", set=changes, add=add,
                 reason=reason)


def apply_escalations(store, config: Any, now: datetime, actor: str, *,
                      evaluated: Iterable[tuple[Any, TicketSla]] | None = None,
                      engine: SlaEngine | None = None) -> tuple[list[Firing], list[Event]]:
    """Record every escalation due at ``now`` (one ``sla`` event per ticket and rule firing).

    ``evaluated`` (pairs of ticket and its :class:`TicketSla` at ``now``) saves evaluating every
    ticket again when the caller already did; otherwise every ticket of ``store`` is evaluated.
    Returns the firings (with their event ids) and the events written, in order.
    """
    rules = load_rules(config)
    if not rules:
        return [], []
    open_statuses = frozenset(config.open_statuses)
    if evaluated is None:
        engine = engine or SlaEngine(config)
        now_s = format_time(now)
        evaluated = ((t, engine.evaluate(t, now)) for t in store.all()
                     if t.data.get("status") in open_statuses or (t.data.get("updated_at") or "") > now_s)
    fired: list[Firing] = []
    events: list[Event] = []
    for ticket, sla in evaluated:
        firings = due_firings(ticket, sla, rules, open_statuses)
        if not firings:
            continue
        current = dict(ticket.data)
        for firing in firings:
            event = build_event(current, firing, config, now, actor)
            _fold(current, event)  # the next rule for this ticket sees this one's changes
            firing.event_id = event.id
            fired.append(firing)
            events.append(event)
    if events:
        store.append_many(events)  # one cache refresh for the whole run (the file store)
    return fired, events


def _fold(ticket: dict, event: Event) -> None:
    """Apply an event's changes to a ticket dict in memory (enough for the next firing)."""
    ticket.update(event.set)
    for name, items in event.add.items():
        ticket[name] = sorted(set(ticket.get(name) or ()) | set(items))
    ticket["updated_at"] = format_time(event.at)
