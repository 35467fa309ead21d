"""Which SLA policy applies to a ticket, and what it promises.

``sla.policies`` in ``helpdesk.yml`` is an ordered list; the first entry whose ``priority``
equals the ticket's and whose optional ``category`` and ``team`` match wins. A policy category
matches that category and every child of it (``accounts`` matches ``accounts/mfa``), so a
narrow policy placed before a broad one overrides it for part of the tree. A ticket that no
policy matches (no entry for its priority) has no clocks at all.

Tickets without a priority run on the policy of ``sla.default_priority`` (default ``medium``):
every open ticket has a clock. :attr:`PolicySet.default_priority` is None when the desk set it to
null; such tickets then have no clock, and ``sla check`` lists them.

A day in a target (``3d``) is one working day of the policy's calendar
(:attr:`~gitdesk.model.calendar.Calendar.day_seconds`: 8 hours on a 9-to-17 calendar), so "3d" is
what "3 business days" means to a reader, not 72 business hours (nine such days).

A policy without ``calendar`` runs on wall-clock time (24x7). Targets a policy leaves out are
clocks that ticket does not have. The whole set is read once per :class:`PolicySet` and lookups
are memoised by (priority, category, team): the check evaluates 100,000 tickets with a handful
of distinct keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from gitdesk.errors import ConfigError, ValidationError
from gitdesk.model.calendar import Calendar, calendars_from_config
from gitdesk.model.event import PRIORITIES
from gitdesk.model.ticket import Ticket

CLOCK_NAMES = ("first_response", "next_update", "resolution")
TWENTY_FOUR_SEVEN = "24x7"


@dataclass(frozen=True)
class Policy:
    """One entry of ``sla.policies``: targets in business seconds on ``calendar``."""

    index: int
    name: str
    priority: str
    category: str | None
    team: str | None
    calendar_name: str
    calendar: Calendar = field(compare=False, repr=False)
    targets: dict[str, int] = field(default_factory=dict)  # clock name -> seconds

    @property
    def day_seconds(self) -> int:
        """How long a "d" of this policy's targets is (for printing durations the same way)."""
        return self.calendar.day_seconds

    def matches(self, priority: str | None, category: str | None, team: str | None) -> bool:
        if priority != self.priority:
            return False
        if self.category is not None:
            if not category or not (category == self.category or category.startswith(self.category + "/")):
                return False
        if self.team is not None and team != self.team:
            return False
        return True


class PolicySet:
    """Every policy of a configuration, with its calendar, and the first-match lookup."""

    def __init__(self, config: Any):
        raw = getattr(config, "raw", config)
        file_path = getattr(config, "path", None)
        self.path = file_path.name if file_path is not None else "helpdesk.yml"
        sla = raw["sla"]
        warning = sla.get("warning", 0.75)
        if isinstance(warning, bool) or not isinstance(warning, (int, float)) or not 0 < warning < 1:
            raise ConfigError(f"expected a share between 0 and 1, got {warning!r}", path=self.path, field="sla.warning")
        self.warning = float(warning)
        default = sla.get("default_priority", "medium")
        known = list(raw.get("priorities") or PRIORITIES)
        if default is not None and default not in known:
            raise ConfigError(f"unknown priority {default!r} (known: {', '.join(known)}, or null)", path=self.path,
                              field="sla.default_priority")
        self.default_priority: str | None = default
        self.calendars: dict[str, Calendar] = calendars_from_config(config)
        categories = getattr(config, "categories", None)
        self.policies: list[Policy] = [self._policy(i, entry, categories) for i, entry in enumerate(sla.get("policies") or [])]
        self._memo: dict[tuple, Policy | None] = {}

    def _policy(self, index: int, entry: dict, categories) -> Policy:
        where = f"sla.policies[{index}]"

        def fail(sub: str, message: str) -> NoReturn:
            raise ConfigError(message, path=self.path, field=f"{where}.{sub}")

        category = entry.get("category") or None
        if category is not None and categories is not None and category not in categories:
            fail("category", f"unknown category {category!r}")
        cal_name = entry.get("calendar") or TWENTY_FOUR_SEVEN
        if cal_name in self.calendars:
            calendar = self.calendars[cal_name]
        elif cal_name == TWENTY_FOUR_SEVEN:
            calendar = Calendar.twenty_four_seven()
        else:
            fail("calendar", f"unknown calendar {cal_name!r} (known: {', '.join(self.calendars) or 'none'})")
        targets: dict[str, int] = {}
        for clock in CLOCK_NAMES:
            text = entry.get(clock)
            if text is None:
                continue
            try:
                from gitdesk.config import parse_duration

                targets[clock] = parse_duration(str(text), day_seconds=calendar.day_seconds)
            except ValidationError as exc:
                fail(clock, exc.message)
        return Policy(index=index, name=str(entry.get("name") or f"policy {index + 1}"), priority=entry["priority"],  # required by the schema

                      category=category, team=entry.get("team") or None, calendar_name=cal_name,
                      calendar=calendar, targets=targets)

    def lookup(self, priority: str | None, category: str | None, team: str | None) -> Policy | None:
        """The first policy matching these values, or None (memoised). No priority: the
        policy of ``sla.default_priority``."""
        key = (priority, category, team)
        try:
            return self._memo[key]
        except KeyError:
            pass
        found = None
        if priority is None:
            priority = self.default_priority
        if priority is not None:
            for policy in self.policies:
                if policy.matches(priority, category, team):
                    found = policy
                    break
        self._memo[key] = found
        return found

    def for_ticket(self, ticket: Ticket) -> Policy | None:
        """The policy for a ticket, by its current fields."""
        data = ticket.data
        return self.lookup(data.get("priority"), data.get("category"), data.get("team"))


def select_policy(ticket: Ticket, config: Any) -> Policy | None:
    """Convenience: the policy for one ticket (builds the policy set; use :class:`PolicySet` in loops)."""
    return PolicySet(config).for_ticket(ticket)
