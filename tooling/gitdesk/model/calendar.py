"""Business-time arithmetic: how much of a span a help desk is open, and when a target falls due.

A :class:`Calendar` is either 24x7 or weekly opening hours in an IANA time zone with holidays
(whole local days closed), built from one entry of ``sla.calendars`` in ``helpdesk.yml``.

What "open" means
    An instant is open when its local wall-clock reading in the calendar's time zone (date and
    time of day) falls inside one of that weekday's intervals and the local date is not a holiday.
    Everything else follows from that one rule, so :meth:`Calendar.is_open` and
    :meth:`Calendar.business_seconds` can never disagree. On daylight-saving days:

    * a 09:00-17:00 day is 8 h on the change days (in Europe/London and America/New_York the clock
      moves at night) and its UTC instants shift by the change of offset;
    * on spring-forward days the skipped readings never occur, so a 00:00-24:00 day is 23 h and
      01:00-03:00 in New York is 1 h; on fall-back days the repeated readings occur twice, so a
      00:00-24:00 day is 25 h and 01:00-02:00 in New York is 2 h.

    Intervals are half open (``09:00-17:00`` is open at 09:00, closed at 17:00); ``24:00`` ends a
    day. An interval must not cross midnight (the configuration schema's pattern cannot say so,
    :meth:`Calendar.from_config` refuses it): write ``22:00-24:00`` on one day and ``00:00-06:00``
    on the next. Overlapping or touching intervals of a day are merged.

Why it is fast
    The SLA check evaluates clocks for 100,000 tickets in a few seconds, so nothing here walks
    minutes or days per call. The open intervals are expanded once per block of 365 UTC days into
    sorted arrays of integer microseconds with cumulative sums; then the business time before any
    instant is a binary search plus a subtraction, and ``business_seconds`` over three months costs
    the same as over one hour. Blocks are built lazily (one to two milliseconds each) and kept
    with the calendar, so build calendars once per run and reuse them.

Instants are aware :class:`~datetime.datetime` values (any zone; results are in UTC) between the
years 1900 and 2199, a range that keeps a typo such as year 0202 from expanding two thousand years
of calendar. Pauses are ``(start, end)`` pairs that may overlap and come in any order; ``end`` is
``None`` while a pause is still open.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from gitdesk.errors import ConfigError, ValidationError

__all__ = ["Calendar", "calendars_from_config", "DAYS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TWENTY_FOUR_SEVEN = "24x7"

_US = 1_000_000
_DAY_US = 86_400 * _US
_BLOCK_US = 365 * _DAY_US  # one precomputed table per block of UTC time
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MIN = datetime(1900, 1, 1, tzinfo=timezone.utc)
_MAX = datetime(2200, 1, 1, tzinfo=timezone.utc)
_INTERVAL_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Pause = tuple[datetime, datetime | None]


def _us_of(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


_MIN_US = _us_of(_MIN - _EPOCH)
_MAX_US = _us_of(_MAX - _EPOCH)
_OPEN = _MAX_US + _BLOCK_US  # the end of a pause that is still open: after every instant


def _to_us(instant: Any, what: str) -> int:
    """Microseconds since 1970 UTC of an aware datetime; anything else is a ValidationError."""
    try:
        delta = instant - _EPOCH
        us = (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds
    except (TypeError, AttributeError):
        if isinstance(instant, datetime):
            raise ValidationError(f"{what}: {instant.isoformat()} has no time zone") from None
        raise ValidationError(f"{what}: expected a date and time, got {type(instant).__name__}") from None
    if _MIN_US <= us < _MAX_US:
        return us
    raise ValidationError(f"{what}: {instant.isoformat()} is outside the years 1900-2199")


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(0, 0, us)


def _duration_us(value: Any) -> int:
    if isinstance(value, timedelta):
        us = _us_of(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"duration: expected seconds or a timedelta, got {type(value).__name__}")
    elif isinstance(value, int):
        us = value * _US
    else:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(f"duration: {value} is not a number of seconds")
        us = round(value * _US)
    if us < 0:
        raise ValidationError(f"duration: {value} is negative")
    return us


class _Block:
    """Open intervals of one block of UTC time: sorted starts and ends, cumulative open time."""

    __slots__ = ("starts", "ends", "cum_end", "total", "base")

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]
        cum, acc = [], 0
        for a, b in spans:
            acc += b - a
            cum.append(acc)
        self.cum_end = cum  # open time from the block's start to the end of interval i
        self.total = acc
        self.base = 0  # open time before the block, from the first block built (set once)


class Calendar:
    """Opening hours of a help desk, and business-time arithmetic over them.

    Build one with :meth:`from_config` (an ``sla.calendars`` entry), :meth:`twenty_four_seven`,
    or directly: ``Calendar("office", timezone="Europe/London", hours={"mon": ["09:00-17:00"]},
    holidays=["2026-12-25"])``. Invalid hours, zones or dates raise :class:`ConfigError` naming
    ``path`` and the field.
    """

    def __init__(
        self,
        name: str,
        timezone: Any = "UTC",
        hours: Mapping[str, Iterable[str]] | None = None,
        holidays: Iterable[Any] = (),
        *,
        always: bool = False,
        path: str | None = None,
        field: str | None = None,
    ):
        self.name = name
        self._always = always
        self._blocks: dict[int, _Block] = {}
        self._lo: int | None = None
        self._hi: int | None = None
        if always:
            self.zone: ZoneInfo | None = None
            self.week: tuple[tuple[tuple[int, int], ...], ...] = (((0, _DAY_US),),) * 7
            self.holidays: frozenset[date] = frozenset()
            self._holiday_days: frozenset[int] = frozenset()
            return

        def fail(sub: str, message: str) -> NoReturn:
            raise ConfigError(message, path=path, field=f"{field}.{sub}" if field else sub)

        def at(sub: str) -> Callable[[str], NoReturn]:
            def fail_here(message: str) -> NoReturn:
                fail(sub, message)
            return fail_here

        self.zone = _zone(timezone, fail)
        if hours is None:
            hours = {}
        if not isinstance(hours, Mapping):
            fail("hours", "expected a mapping of weekdays (mon..sun) to lists of HH:MM-HH:MM")
        week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for day, spans in hours.items():
            if day not in DAYS:
                fail(f"hours.{day}", f"unknown weekday {day!r} (use {', '.join(DAYS)})")
            if isinstance(spans, str) or not isinstance(spans, Iterable):
                fail(f"hours.{day}", 'expected a list such as ["09:00-17:00"]')
            for i, text in enumerate(spans):
                week[DAYS.index(day)].append(_parse_interval(text, at(f"hours.{day}[{i}]")))
        self.week = tuple(tuple(_merge(sorted(spans))) for spans in week)
        if not any(self.week):
            fail("hours", "no opening hours: give hours for at least one weekday, or use 24x7")
        days: set[date] = set()
        if isinstance(holidays, (str, bytes)) or not isinstance(holidays, Iterable):
            fail("holidays", "expected a list of dates (YYYY-MM-DD)")
        for i, value in enumerate(holidays):
            days.add(_parse_date(value, at(f"holidays[{i}]")))
        self.holidays = frozenset(days)
        self._holiday_days = frozenset(d.toordinal() - _EPOCH_ORDINAL for d in days)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def twenty_four_seven(cls, name: str = TWENTY_FOUR_SEVEN) -> Calendar:
        """A calendar that is always open: business time is wall-clock time."""
        return cls(name, always=True)

    @classmethod
    def from_config(cls, name: str, entry: Any, *, default_timezone: str = "UTC", path: str = "helpdesk.yml") -> Calendar:
        """One ``sla.calendars`` entry: ``"24x7"`` or ``{timezone, hours, holidays}``.

        A missing ``timezone`` takes ``default_timezone`` (the help desk's ``timezone`` key).
        """
        field = f"sla.calendars.{name}"
        if entry == TWENTY_FOUR_SEVEN:
            return cls.twenty_four_seven(name)
        if not isinstance(entry, Mapping):
            raise ConfigError('expected "24x7" or a mapping with timezone, hours and holidays', path=path, field=field)
        unknown = sorted(set(entry) - {"timezone", "hours", "holidays"})
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r} (known: timezone, hours, holidays)", path=path, field=field)
        return cls(
            name,
            entry.get("timezone", default_timezone),
            entry.get("hours"),
            entry.get("holidays") or (),
            path=path,
            field=field,
        )

    # -- description -----------------------------------------------------------------------
    @property
    def is_24x7(self) -> bool:
        return self._always

    @property
    def weekly_seconds(self) -> int:
        """Nominal open seconds in a week without holidays or clock changes."""
        return sum(b - a for day in self.week for a, b in day) // _US

    @property
    def day_seconds(self) -> int:
        """One working day: the open time of an average open weekday (8 h on a 9-to-17 calendar,
        24 h on 24x7). A "3d" target is three of these, as a reader of "3 business days" expects."""
        open_days = sum(1 for day in self.week if day)
        return self.weekly_seconds // open_days

    def __repr__(self) -> str:
        if self._always:
            return f"Calendar({self.name!r}, 24x7)"
        return f"Calendar({self.name!r}, {getattr(self.zone, 'key', 'UTC')}, {self.weekly_seconds / 3600:g} h/week, {len(self.holidays)} holidays)"

    # -- queries ---------------------------------------------------------------------------
    def is_open(self, instant: datetime) -> bool:
        """Whether the desk is open at ``instant``."""
        t = _to_us(instant, "instant")
        if self._always:
            return True
        block = self._block(t // _BLOCK_US)
        i = bisect_right(block.starts, t) - 1
        return i >= 0 and t < block.ends[i]

    def next_open(self, instant: datetime) -> datetime:
        """``instant`` itself when open, else the next opening (in UTC)."""
        t = _to_us(instant, "instant")
        if self._always:
            return _from_us(t)
        return _from_us(self._next_open_us(t))

    def business_time(self, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> timedelta:
        """Open time between ``start`` and ``end`` outside every pause, exactly (a timedelta).

        A pause whose end is ``None`` lasts until ``end``. ``end`` before ``start`` is an error.
        """
        return timedelta(0, 0, self._business_us(start, end, pauses))

    def business_seconds(self, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> float:
        """:meth:`business_time` in seconds (a float, like ``timedelta.total_seconds``)."""
        return self._business_us(start, end, pauses) / _US

    def _business_us(self, start: datetime, end: datetime, pauses: Iterable[Pause]) -> int:
        s = _to_us(start, "start")
        e = _to_us(end, "end")
        if e < s:
            raise ValidationError(f"end {end.isoformat()} is before start {start.isoformat()}")
        cum = self._cum
        total = cum(e) - cum(s)
        if pauses:
            for a, b in _merge_pauses(pauses):
                b = e if b > e else b
                a = s if a < s else a
                if a < b:
                    total -= cum(b) - cum(a)
        return total

    def add_business(self, start: datetime, seconds: float | timedelta, pauses: Iterable[Pause] = ()) -> datetime | None:
        """The first instant at which ``seconds`` of business time have elapsed since ``start``.

        This is the due date of a target. The clock only runs while open and outside pauses; a
        ticket opened while closed starts its clock at the next opening. ``None`` when a pause
        that is still open (end ``None``) comes before the due date: the due date is unknown
        until the pause ends. Zero seconds gives ``start``.
        """
        s = _to_us(start, "start")
        need = _duration_us(seconds)
        if need == 0:
            return _from_us(s)
        cur = s
        for a, b in _merge_pauses(pauses) if pauses else ():
            if b <= cur:
                continue
            if a > cur:
                before = self._cum(cur)
                available = self._cum(a) - before
                if available >= need:
                    return _from_us(self._at(cur, before + need))
                need -= available
            if b == _OPEN:
                return None
            cur = b
        return _from_us(self._at(cur, self._cum(cur) + need))

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open intervals between ``start`` and ``end``, clipped, in UTC (for display and tests)."""
        s = _to_us(start, "start")
        e = _to_us(end, "end")
        if e <= s:
            return []
        if self._always:
            return [(_from_us(s), _from_us(e))]
        out: list[tuple[int, int]] = []
        for k in range(s // _BLOCK_US, (e - 1) // _BLOCK_US + 1):
            block = self._block(k)
            i = max(bisect_right(block.starts, s) - 1, 0)
            while i < len(block.starts) and block.starts[i] < e:
                a, b = max(block.starts[i], s), min(block.ends[i], e)
                if a < b:
                    if out and out[-1][1] == a:  # an interval cut at a block boundary
                        out[-1] = (out[-1][0], b)
                    else:
                        out.append((a, b))
                i += 1
        return [(_from_us(a), _from_us(b)) for a, b in out]

    # -- the tables ------------------------------------------------------------------------
    def _cum(self, t: int) -> int:
        """Open microseconds before ``t``, counted from an arbitrary fixed origin."""
        if self._always:
            return t
        k = t // _BLOCK_US
        block = self._blocks.get(k)
        if block is None:
            block = self._block(k)
        i = bisect_right(block.starts, t) - 1
        if i < 0:
            return block.base
        end = block.ends[i]
        return block.base + block.cum_end[i] - (end - t if t < end else 0)

    def _at(self, t: int, value: int) -> int:
        """The first instant at or after ``t`` where :meth:`_cum` reaches ``value`` (> _cum(t))."""
        if self._always:
            if value >= _MAX_US:
                raise ValidationError(f"calendar {self.name!r}: the due date falls after the year 2199")
            return value
        k = t // _BLOCK_US
        while True:
            block = self._block(k)
            base = block.base
            if base + block.total >= value:
                local = value - base
                i = bisect_left(block.cum_end, local)
                return block.ends[i] - (block.cum_end[i] - local)
            k += 1

    def _next_open_us(self, t: int) -> int:
        k = t // _BLOCK_US
        while True:
            block = self._block(k)
            i = bisect_right(block.starts, t) - 1
            if i >= 0 and t < block.ends[i]:
                return t
            if i + 1 < len(block.starts):
                return block.starts[i + 1]
            k += 1

    def _block(self, k: int) -> _Block:
        block = self._blocks.get(k)
        if block is not None:
            return block
        if not _MIN_US // _BLOCK_US <= k <= (_MAX_US - 1) // _BLOCK_US:
            raise ValidationError(f"calendar {self.name!r}: no opening before the year 2200")
        blocks = self._blocks
        if self._lo is None or self._hi is None:
            blocks[k] = self._build(k)
            self._lo = self._hi = k
        elif k > self._hi:  # blocks stay contiguous so that every base is known
            for j in range(self._hi + 1, k + 1):
                blocks[j] = self._build(j)
                blocks[j].base = blocks[j - 1].base + blocks[j - 1].total
            self._hi = k
        else:
            for j in range(self._lo - 1, k - 1, -1):
                blocks[j] = self._build(j)
                blocks[j].base = blocks[j + 1].base - blocks[j].total
            self._lo = k
        return self._blocks[k]

    def _build(self, k: int) -> _Block:
        """Expand the weekly hours over block ``k``, one stretch of constant UTC offset at a time."""
        lo = max(k * _BLOCK_US, _MIN_US)
        hi = min((k + 1) * _BLOCK_US, _MAX_US)
        spans: list[tuple[int, int]] = []
        week, holidays = self.week, self._holiday_days
        for s, e, off in self._offsets(lo, hi):
            r0, r1 = s + off, e + off  # local readings, in microseconds since local 1970-01-01
            for n in range(r0 // _DAY_US, (r1 - 1) // _DAY_US + 1):
                if n in holidays:
                    continue
                day0 = n * _DAY_US
                for a, b in week[(n + 3) % 7]:  # 1970-01-01 was a Thursday
                    a = max(day0 + a, r0)
                    b = min(day0 + b, r1)
                    if a < b:
                        a, b = a - off, b - off
                        if spans and spans[-1][1] >= a:
                            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
                        else:
                            spans.append((a, b))
        return _Block(spans)

    def _offsets(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """``[lo, hi)`` cut into stretches of constant UTC offset: ``(start, end, offset)``.

        Offsets are sampled daily and each change is located to the microsecond by bisection.
        Zones change offset at most a few times a year, never twice within a day and back.
        """
        offset = self._offset
        out = []
        start, current = lo, offset(lo)
        t = lo
        while t < hi - 1:
            nxt = min(t + _DAY_US, hi - 1)
            o = offset(nxt)
            while o != current:  # one or more changes in (t, nxt]; offset(t) == current
                a, b = t, nxt
                while b - a > 1:
                    mid = (a + b) // 2
                    if offset(mid) == current:
                        a = mid
                    else:
                        b = mid
                out.append((start, b, current))
                start, current, t = b, offset(b), b
            t = nxt
        out.append((start, hi, current))
        return out

    def _offset(self, t: int) -> int:
        return _us_of((_EPOCH + timedelta(microseconds=t)).astimezone(self.zone).utcoffset() or timedelta(0))


def calendars_from_config(config: Any) -> dict[str, Calendar]:
    """Every calendar of a :class:`~gitdesk.config.Config` (or its raw mapping), by name."""
    raw = getattr(config, "raw", config)
    file_path = getattr(config, "path", None)
    path = file_path.name if file_path is not None else "helpdesk.yml"
    default_zone = raw.get("timezone", "UTC")
    return {
        name: Calendar.from_config(name, entry, default_timezone=default_zone, path=path)
        for name, entry in raw["sla"]["calendars"].items()
    }


# -- helpers -------------------------------------------------------------------------------
def _zone(value: Any, fail: Callable[[str, str], NoReturn]) -> ZoneInfo:
    from zoneinfo import ZoneInfoNotFoundError

    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str) or not value:
        fail("timezone", "expected an IANA time zone name such as Europe/London")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown time zone {value!r}")


def _parse_interval(text: Any, fail: Callable[[str], NoReturn]) -> tuple[int, int]:
    match = _INTERVAL_RE.match(text) if isinstance(text, str) else None
    if not match:
        fail(f"expected HH:MM-HH:MM (24-hour clock, 24:00 ends the day), got {text!r}")
    start = (int(match.group(1)) * 60 + int(match.group(2))) * 60 * _US
    end = _DAY_US if match.group(3) == "24:00" else (int(match.group(4)) * 60 + int(match.group(5))) * 60 * _US
    if end <= start:
        fail(f"{text!r} ends before it starts; an interval cannot cross midnight: split it into "
             "HH:MM-24:00 and the next day's 00:00-HH:MM")
    return start, end


def _parse_date(value: Any, fail: Callable[[str], NoReturn]) -> date:
    if isinstance(value, datetime):
        fail(f"expected a date (YYYY-MM-DD), got a date and time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value):
        fail(f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"not a date: {value!r}")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _merge_pauses(pauses: Iterable[Pause]) -> list[tuple[int, int]]:
    """Pauses as sorted, disjoint ``(start, end)`` microseconds; ``end`` is ``_OPEN`` while open."""
    spans: list[tuple[int, int]] = []
    for i, pause in enumerate(pauses):
        try:
            a, b = pause
        except (TypeError, ValueError):
            raise ValidationError(f"pauses[{i}]: expected a (start, end) pair") from None
        try:
            a_us = _to_us(a, "start")
            b_us = _OPEN if b is None else _to_us(b, "end")
        except ValidationError as exc:  # name the pause only when something is wrong
            raise ValidationError(f"pauses[{i}] {exc.message}") from None
        if b is not None and b_us < a_us:  # an open pause (None) ends after every start
            raise ValidationError(f"pauses[{i}]: end {b.isoformat()} is before start {a.isoformat()}")
        spans.append((a_us, b_us))
    spans.sort()
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out
