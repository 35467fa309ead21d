"""One JSON shape for every command: what ``--json`` prints, and how.

The rules live here, so that every command (and every command added later) follows them by
printing through :func:`gitdesk.cli.options.echo_json`:

- a ticket (any object whose ``id`` is a ticket id) carries ``ref``, the reference the text
  output shows (``HD-7K2M9Q4XZB``), next to ``id``;
- times are UTC ``YYYY-MM-DDTHH:MM:SSZ`` (the event files keep microseconds to order events;
  a script needs the second);
- errors (on stderr) are one object on one line, like the one line of the text mode;
- two spaces of indentation, except that an array of more than :data:`LONG` items prints
  one compact item per line (100,000 tickets then cost the C encoder's time, not seconds of
  pure-Python indenting, and stay greppable line by line).

``GITDESK_JSON_COMPACT=1`` prints everything on one line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

from gitdesk.model.ids import TICKET_ID_RE

LONG = 100  # arrays longer than this print one compact item per line
INDENT = "  "
_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)")
# a whole time value inside compact JSON text (a cached ticket summary): `":"` and `Z"` only
# occur unescaped around a value, so a title that merely contains a time is never touched
_TIME_IN_TEXT = re.compile(r'":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z"')


def time_text(value: str) -> str:
    """``2026-11-23T18:29:40.123456Z`` (or any offset) as ``2026-11-23T18:29:40Z``; other text as is."""
    match = _TIME.fullmatch(value)
    if not match:
        return value
    if match.group(2) in ("Z", "+00:00", "-00:00"):
        return match.group(1) + "Z"
    return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shape(value: Any, prefix: str | None) -> Any:
    """``value`` with the shape rules applied (a new structure; ``value`` is left as it was)."""
    if isinstance(value, dict):
        out: dict = {}
        for key, item in value.items():
            out[key] = shape(item, prefix)
            if key == "id" and prefix and "ref" not in value and isinstance(item, str) and TICKET_ID_RE.fullmatch(item):
                out["ref"] = f"{prefix}-{item}"
        return out
    if isinstance(value, (list, tuple)):
        return [shape(item, prefix) for item in value]
    if isinstance(value, str):
        return time_text(value) if len(value) >= 20 and value[4:5] == "-" else value
    if isinstance(value, datetime):
        at = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def shape_text(row: str, prefix: str | None) -> str:
    """The shape rules on one compact JSON object as text (a cached ticket summary), without
    parsing it: ``ref`` after a leading ticket ``id``, times cut to the second."""
    row = _TIME_IN_TEXT.sub(r'":"\1Z"', row)
    if prefix and row.startswith('{"id":"') and row[17:18] == '"' and TICKET_ID_RE.fullmatch(row, 7, 17):
        return f'{{"id":"{row[7:17]}","ref":"{prefix}-{row[7:17]}"{row[18:]}'
    return row


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _pretty(value: Any, level: int) -> Iterator[str]:
    pad = INDENT * (level + 1)
    if isinstance(value, dict) and value:
        yield "{\n"
        for n, (key, item) in enumerate(value.items()):
            yield f",\n{pad}" if n else pad
            yield json.dumps(str(key), ensure_ascii=False) + ": "
            yield from _pretty(item, level + 1)
        yield "\n" + INDENT * level + "}"
    elif isinstance(value, list) and value:
        long = len(value) > LONG
        yield "[\n"
        for n, item in enumerate(value):
            yield f",\n{pad}" if n else pad
            if long:
                yield _compact(item)
            else:
                yield from _pretty(item, level + 1)
        yield "\n" + INDENT * level + "]"
    else:
        yield json.dumps(value, ensure_ascii=False, default=str)


def dumps(data: Any, prefix: str | None = None) -> str:
    """``data`` as the JSON text every command prints (shape and layout rules above)."""
    data = shape(data, prefix)
    if os.environ.get("GITDESK_JSON_COMPACT"):
        return _compact(data)
    return "".join(_pretty(data, 0))


def line(data: Any, prefix: str | None = None) -> str:
    """``data`` shaped, on one line: for a stream a script reads line by line (``serve --json``)."""
    return _compact(shape(data, prefix))


def rows_chunks(rows: list[str], prefix: str | None) -> Iterator[str]:
    """A JSON array of compact objects given as text (cached ticket summaries), in pieces, in
    the layout :func:`dumps` gives the same array: parsed and indented when short, one shaped
    row per line when long."""
    if os.environ.get("GITDESK_JSON_COMPACT"):
        yield "["
        for start in range(0, len(rows), 2000):
            piece = ",".join(shape_text(row, prefix) for row in rows[start:start + 2000])
            yield piece if start == 0 else "," + piece
        yield "]"
        return
    if len(rows) <= LONG:
        yield dumps([json.loads(row) for row in rows], prefix)
        return
    yield "[\n"
    for start in range(0, len(rows), 2000):
        piece = ",\n".join(INDENT + shape_text(row, prefix) for row in rows[start:start + 2000])
        yield piece if start == 0 else ",\n" + piece
    yield "\n]"


def error_object(exc: BaseException) -> dict:
    """What ``--json`` prints on stderr for a failure, on one line: ``{"error": {type, message,
    file, field, exit_code}}`` (plus ``problems`` when one error stands for several), with the exit code
    the text mode uses."""
    import click

    from gitdesk.errors import GitdeskError

    body: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "file": None, "field": None}
    if isinstance(exc, GitdeskError):
        from gitdesk.textsafe import visible

        body.update(message=visible(exc.message), file=exc.path, field=exc.field, exit_code=exc.exit_code)
        if exc.problems:
            body["problems"] = [{"field": f, "message": m} for f, m in exc.problems]
    elif isinstance(exc, click.ClickException):
        body.update(message=exc.format_message(), exit_code=exc.exit_code)
        param = getattr(exc, "param", None)
        if param is not None:
            body["field"] = max(param.opts, key=len) if isinstance(param, click.Option) else (param.name or "").upper()
        elif getattr(exc, "option_name", None):
            body["field"] = exc.option_name  # type: ignore[attr-defined]
        if getattr(exc, "ctx", None) is not None:
            body["command"] = exc.ctx.command_path  # type: ignore[attr-defined]
    elif isinstance(exc, (click.exceptions.Abort, KeyboardInterrupt)):
        body.update(type="Aborted", message="Aborted.", exit_code=130)
    else:
        body.update(type="InternalError", message=f"{type(exc).__name__}: {exc}", exit_code=70)
    return {"error": body}
