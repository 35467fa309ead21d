"""The issue form: ``### Label`` sections of an issue body, read and written, and the requester line."""

from __future__ import annotations

import re
from pathlib import Path

from gitdesk.errors import ValidationError
from gitdesk.github.text import ANY_MARKER_RE, DEFAULT_FORM_LABELS, FORM_TEMPLATE, NO_RESPONSE, REQUESTER_SECTION, strip_markers


def form_labels(root: Path | None) -> dict[str, str]:
    """Field id -> heading, read from the repository's support-request form when it has one.

    The forms of the other languages (``support-request.es.yml``) add their headings as
    ``<id>@<file>`` keys: read when parsing, never used to write a body."""
    labels = dict(DEFAULT_FORM_LABELS)
    if root is None:
        return labels
    folder = Path(root, FORM_TEMPLATE).parent
    others = sorted(folder.glob(FORM_TEMPLATE.stem + ".*.yml")) if folder.is_dir() else []
    for path in [Path(root, FORM_TEMPLATE), *others]:
        suffix = "" if path.name == FORM_TEMPLATE.name else "@" + path.name
        try:
            if path.is_file() and path.stat().st_size < 200_000:
                from gitdesk.yamlio import load_yaml_file

                data = load_yaml_file(path, display=(FORM_TEMPLATE.parent / path.name).as_posix())
                for item in (data or {}).get("body") or []:
                    if isinstance(item, dict) and item.get("id") and isinstance(item.get("attributes"), dict):
                        label = item["attributes"].get("label")
                        if isinstance(label, str) and label.strip():
                            labels[str(item["id"]) + suffix] = " ".join(label.split())
        except (OSError, ValidationError, AttributeError):
            pass  # a broken template is `gitdesk check`'s business; the defaults still parse bodies
    return labels


def _section_names(labels: dict[str, str]) -> dict[str, str]:
    """Heading (casefolded) -> field id: the repository's forms, the headings of the forms
    gitdesk ships in every language (an issue opened from the Spanish form parses too) and
    those of the older English form (issues opened before the forms changed)."""
    from gitdesk.intake.forms import headings

    names = dict(headings())
    names.update({label.casefold(): fid for fid, label in DEFAULT_FORM_LABELS.items()})  # issues of older forms
    names.update({label.casefold(): fid.split("@", 1)[0] for fid, label in labels.items()})
    names.setdefault("requester", REQUESTER_SECTION)
    return names


def parse_form(body: str | None, labels: dict[str, str]) -> dict[str, str | None]:
    """``### Label`` sections of an issue-form body -> {field id: value or None}.

    Only headings that name a form field start a section (a ``###`` inside a description stays
    text); the first section of each name wins; ``_No response_`` and blanks mean None.
    """
    names = _section_names(labels)
    text = strip_markers(body).replace("\r\n", "\n")
    out: dict[str, str | None] = {}
    current: str | None = None
    lines: list[str] = []

    def close():
        if current is not None and current not in out:
            value = "\n".join(lines).strip()
            out[current] = None if value in ("", NO_RESPONSE) else value

    for line in text.split("\n"):
        match = re.fullmatch(r"###\s+(.+?)\s*", line)
        fid = names.get(match.group(1).casefold()) if match else None
        if fid is not None:
            close()
            current, lines = fid, []
        elif current is not None:
            lines.append(line)
    close()
    return out


def render_form(values: dict[str, str | None], labels: dict[str, str]) -> str:
    """The body of an issue gitdesk opens: the same sections the form would render."""
    order = [REQUESTER_SECTION, "department", "category", "impact", "urgency", "channel", "asset", "description"]
    heads = {**labels, REQUESTER_SECTION: "Requester"}
    parts = []
    for fid in order + [k for k in values if k not in order]:
        value = values.get(fid)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        parts.append(f"### {heads.get(fid, fid)}\n\n{str(value).strip()}")
    return "\n\n".join(parts)


def set_form_values(body: str | None, changes: dict[str, str | None], labels: dict[str, str]) -> str:
    """Replace (or add, before the markers) the sections named in ``changes``."""
    heads = {**labels, REQUESTER_SECTION: "Requester"}
    names = _section_names(labels)
    text = (body or "").replace("\r\n", "\n")
    markers = "".join(m.group(0) for m in ANY_MARKER_RE.finditer(text))
    text = ANY_MARKER_RE.sub("", text).rstrip()
    lines = text.split("\n") if text else []
    seen: set[str] = set()
    out: list[str] = []
    skipping = False
    for line in lines:
        match = re.fullmatch(r"###\s+(.+?)\s*", line)
        fid = names.get(match.group(1).casefold()) if match else None
        if fid is not None:
            skipping = False
            if fid in changes and fid not in seen:
                seen.add(fid)
                value = changes[fid]
                out.append(line)
                out.append("")
                out.append(str(value).strip() if value not in (None, "") else NO_RESPONSE)
                out.append("")
                skipping = True
                continue
        if not skipping:
            out.append(line)
    for fid, value in changes.items():
        if fid not in seen and value not in (None, ""):
            if out and out[-1].strip():
                out.append("")
            out.extend([f"### {heads.get(fid, fid)}", "", str(value).strip(), ""])
    result = "\n".join(out).rstrip()
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result + ("\n\n" + markers.strip() if markers else "")
