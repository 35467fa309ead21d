"""Reading the dates and times people type on the command line (``--since``, ``--until``, ``--at``).

One rule everywhere: ``YYYY-MM-DD`` is a day in the help desk's time zone (as an upper bound it
includes that whole day); an ISO 8601 time without a zone is read in that zone too; ``Z`` or an
offset is taken as given; ``now`` is now. Anything else, or a year outside 1900-2199 (a typo that
would build centuries of calendar tables), is a one-line usage error naming the option.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from typing import overload
from zoneinfo import ZoneInfo

from gitdesk.errors import UsageError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@overload
def parse_when(text: str, zone_name: str, *, option: str, end: bool = False) -> datetime: ...
@overload
def parse_when(text: str | None, zone_name: str, *, option: str, end: bool = False) -> datetime | None: ...
def parse_when(text: str | None, zone_name: str, *, option: str, end: bool = False) -> datetime | None:
    """The instant ``text`` means, as an aware UTC datetime (None when ``text`` is None)."""
    if text is None:
        return None
    value = text.strip()
    if value.lower() == "now":
        return datetime.now(timezone.utc)
    zone = ZoneInfo(zone_name)
    try:
        if _DATE_RE.match(value):
            day = datetime.strptime(value, "%Y-%m-%d").date()
            if end:
                day += timedelta(days=1)
            parsed = datetime.combine(day, time(0), tzinfo=zone)
        else:
            parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise UsageError(f"not a date or time: {text!r} (use YYYY-MM-DD or an ISO 8601 time such as 2026-11-23T17:00Z)",
                         field=option) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    if not 1900 <= parsed.year <= 2199:
        raise UsageError(f"{text!r} is outside the years 1900-2199", field=option)
    return parsed.astimezone(timezone.utc)
