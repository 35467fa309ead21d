#!/usr/bin/env python3
"""Print the release notes of one version: its section of tooling/CHANGELOG.md.

Usage: python .ci/release_notes.py v0.2.0 [CHANGELOG]

The section is everything under ``## [0.2.0] - YYYY-MM-DD`` up to the next ``## `` heading,
without the heading itself (the release has its own title). Exit 1, with one line on stderr, when
the changelog has no such section or it is empty: a release must say what it changes. The
release workflow runs this before publishing anything. Standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "tooling" / "CHANGELOG.md"
VERSION_RE = re.compile(r"^v?(\d+\.\d+\.\d+(?:[-.]?(?:a|b|rc|post|dev)\d*)?)$")


def section(text: str, version: str) -> str:
    """The body of ``## [version] - date`` in a Keep a Changelog text; ValueError when absent."""
    m = VERSION_RE.match(version.strip())
    if not m:
        raise ValueError(f"not a version tag: {version!r}")
    wanted = m.group(1)
    heading = re.compile(r"^## \[" + re.escape(wanted) + r"\](?: - \d{4}-\d{2}-\d{2})?\s*$")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if heading.match(line):
            body = []
            for following in lines[i + 1:]:
                if following.startswith("## "):
                    break
                body.append(following)
            notes = "\n".join(body).strip("\n")
            if not notes.strip():
                raise ValueError(f"the section of {wanted} is empty")
            return notes + "\n"
    raise ValueError(f"no section '## [{wanted}] - YYYY-MM-DD' (rename [Unreleased] when releasing)")


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else DEFAULT
    try:
        sys.stdout.write(section(path.read_text(encoding="utf-8"), argv[0]))
    except (OSError, ValueError) as exc:
        print(f"release_notes: {path.name}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
