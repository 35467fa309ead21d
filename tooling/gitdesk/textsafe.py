"""Text that goes to a terminal or into a mail header: free of C0 and C1 control characters.

Requesters write titles, bodies and names; a title holding ``ESC [ 2 J`` (or U+009B, the
one-character C1 form of ``ESC [``) rewrites an agent's terminal when printed, and a newline in
a header or a file name splits one line into two. Two ways to make such text safe, used by
every printer and every mail header:

- :func:`clean` replaces each control character with ``?`` (keeping newlines and tabs where a
  text may span lines, e.g. a ticket body);
- :func:`visible` writes it as an escape (``\\n``, ``\\x1b``, ``\\x9b``), for one-line messages
  where the exact name matters (a file name holding a newline).
"""

from __future__ import annotations

import re

# C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F); line and paragraph separators split lines too
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_ANY = re.compile(f"[{_CONTROLS}]")
_NOT_NEWLINE = {c: "?" for c in [*range(0, 9), *range(11, 32), 127, *range(128, 160), 0x2028, 0x2029]}
_ONE_LINE = {**_NOT_NEWLINE, 9: " ", 10: " ", 13: " "}


def clean(text: str, *, multiline: bool = True) -> str:
    """``text`` with control characters as ``?``; newlines and tabs kept when ``multiline``,
    else made spaces (a header, a table cell, one output line)."""
    if not text:
        return text
    return text.translate(_NOT_NEWLINE if multiline else _ONE_LINE)


def visible(text: str) -> str:
    """``text`` with each control character written as a Python-style escape (``\\n``, ``\\x1b``)."""
    if not text or _ANY.search(text) is None:
        return text
    return _ANY.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_escape_c1(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with DEL, the C1 controls and U+2028/U+2029 written as
    ``\\uXXXX`` escapes: ``json.dumps`` escapes only C0, so U+009B would reach the terminal raw.
    Only valid inside JSON strings, where these characters can only occur."""
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def has_controls(text: str) -> bool:
    return bool(text) and _ANY.search(text) is not None
