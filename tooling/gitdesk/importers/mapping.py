"""Import mappings: how another help desk's CSV columns and values become gitdesk fields.

A mapping is a small YAML file (``schemas/import-mapping.schema.json`` describes every key; the
ServiceNow one in ``importers/mappings/`` is a worked example). :func:`load_mapping` validates it
against the schema and then against the help desk's configuration (every value a map produces
must be a configured status, channel, category, team...), so a mistake is reported once, naming
the mapping file and the key, before any row is read. :func:`Mapping.check_header` does the same
for the columns the mapping names and the CSV header. Converting one row (:class:`RowConverter`)
then only looks values up in prepared tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gitdesk.config import Config, package_file, validate_against
from gitdesk.errors import UsageError, ValidationError
from gitdesk.model.event import LEVELS, MAX_TEXT, PRIORITIES
from gitdesk.yamlio import load_yaml_file

MAPPINGS_DIR = ("importers", "mappings")
MODES = ("tickets", "audit")
#: fields whose values come from a closed list (the configuration's or the event format's)
CLOSED_FIELDS = ("status", "priority", "impact", "urgency", "category", "channel", "team", "tier")
TEXT_FIELDS = ("title", "description", "asset", "assignee", "requester.name", "requester.email", "requester.department")
FIELDS = (*CLOSED_FIELDS, *TEXT_FIELDS)
MAX_TITLE = 300
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# C0 controls except tab/newline/carriage return, DEL, C1 controls, lone surrogates (undecodable
# bytes read with ``surrogateescape``): none of them belongs in ticket text, and terminal escape
# sequences in a title would reach every agent's screen
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def shipped_mappings() -> dict[str, Path]:
    """Mappings that ship with gitdesk, by name (``servicenow-incident-log``...)."""
    folder = package_file(*MAPPINGS_DIR)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def find_mapping(text: str) -> Path:
    """A mapping file path, or the name of a shipped mapping."""
    path = Path(text)
    if path.exists():
        return path
    shipped = shipped_mappings()
    if text in shipped:
        return shipped[text]
    known = ", ".join(shipped) or "none"
    raise UsageError(f"no such file, and not the name of a shipped mapping (shipped: {known})", path=text, field="--mapping")


@dataclass
class ValueRule:
    """``values.<field>``: source text -> gitdesk value."""

    table: dict[str, Any] = field(default_factory=dict)
    has_default: bool = False
    default: Any = None
    ignore_case: bool = False


@dataclass
class ItemRule:
    """One entry of ``tags:`` or ``kb:``: a column whose cells become set items."""

    column: str
    split: str | None = None
    prefix: str = ""
    table: dict[str, str | None] | None = None


@dataclass
class Mapping:
    """A validated mapping (see the module docstring)."""

    path: str
    source: str
    mode: str
    columns: dict[str, str]  # field name (``requester.name``...) -> column
    values: dict[str, ValueRule]
    tags: list[ItemRule]
    kb: list[ItemRule]
    date_format: str
    zone: Any  # tzinfo
    missing: frozenset[str]
    actor: str
    config: Config  # the desk's, which checked every value the mapping produces
    update_rows: str = "snapshot"
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    quotechar: str = '"'
    title_template: str | None = None
    comments_public: bool = False
    choices: dict[str, list] = field(default_factory=dict)
    initial_status: str = "new"
    closed_statuses: tuple[str, ...] = ("resolved", "closed")
    pausing_statuses: tuple[str, ...] = ("pending",)
    reopen_status: str = "open"

    def used_columns(self) -> list[tuple[str, str]]:
        """(mapping key, column) for every column the mapping reads."""
        out = [(f"columns.{name}", col) for name, col in self.columns.items()]
        for kind, rules in (("tags", self.tags), ("kb", self.kb)):
            out += [(f"{kind}[{i}].column", rule.column) for i, rule in enumerate(rules)]
        if self.title_template:
            out += [("title_template", name) for name in _PLACEHOLDER.findall(self.title_template)]
        return out

    def check_header(self, header: list[str], file_name: str) -> dict[str, int]:
        """Column name -> index; an unknown column is an error naming the mapping key."""
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            if name in index:
                raise ValidationError(f"column {name!r} appears twice in the header", path=file_name, field="line 1")
            index[name] = i
        for key, column in self.used_columns():
            if column not in index:
                shown = ", ".join(header[:40]) + (", ..." if len(header) > 40 else "")
                raise ValidationError(f"column {column!r} is not in the header of {file_name} (columns: {shown})",
                                      path=self.path, field=key)
        return index


def _key_text(key: Any, where: str, path: str) -> str:
    if not isinstance(key, str):
        raise ValidationError(f"key {key!r} is not text: quote it in the YAML file (YAML reads yes, no, true, "
                              f"numbers and dates as other types)", path=path, field=where)
    return key


def _zone(name: str, path: str, where: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone {name!r}", path=path, field=where) from None


def _check_target(name: str, value: Any, choices: dict[str, list], path: str, where: str) -> Any:
    """A value a map produces must be a valid gitdesk value for its field."""
    if value is None:
        return None
    if name == "tier":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value not in choices["tier"]:
            raise ValidationError(f"not a configured tier: {value!r} (tiers: {', '.join(map(str, choices['tier']))})",
                                  path=path, field=where)
        return value
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {type(value).__name__}", path=path, field=where)
    if name in choices and value not in choices[name]:
        known = ", ".join(str(c) for c in choices[name])
        raise ValidationError(f"unknown {name} {value!r} (known: {known})", path=path, field=where)
    if name in TEXT_FIELDS and (not value.strip() or len(value) > MAX_TEXT or _BAD_CHARS.search(value)):
        raise ValidationError("expected non-empty text without control characters", path=path, field=where)
    return value


def _item_rule(data: dict, kind: str, i: int, path: str) -> ItemRule:
    table = None
    if "map" in data:
        table = {}
        for key, value in data["map"].items():
            key = _key_text(key, f"{kind}[{i}].map", path)
            if value is not None:
                check_item(kind, (data.get("prefix") or "") + value, path=path, where=f"{kind}[{i}].map.{key}")
            table[key] = value
    if data.get("prefix"):
        check_item(kind, data["prefix"] + "x", path=path, where=f"{kind}[{i}].prefix")
    return ItemRule(column=data["column"], split=data.get("split"), prefix=data.get("prefix") or "", table=table)


def tag_text(text: str) -> str:
    """The tag a cell makes: lower-case words joined by ``-`` (as ``gitdesk ticket`` does)."""
    return "-".join(text.strip().lower().split())


def check_item(kind: str, item: str, *, path: str | None = None, where: str | None = None) -> str:
    """A tag or KB reference made from a cell, or :class:`ValidationError`."""
    if kind == "tags":
        tag = tag_text(item)
        if not tag or len(tag) > 60 or any(c in tag for c in "/\\,") or _BAD_CHARS.search(tag):
            raise ValidationError(f"not a tag: {item[:80]!r} (lower-case words, at most 60 characters, no slashes or commas)",
                                  path=path, field=where)
        return tag
    ref = item.strip()
    if (not ref or len(ref) > 1000 or ".." in ref.split("/") or ref.startswith("/") or "\\" in ref
            or _BAD_CHARS.search(ref)):
        raise ValidationError(f"not a knowledge base reference: {item[:80]!r}", path=path, field=where)
    return ref


def _refuse_keys_not_text(data: dict, path: str) -> None:
    """Keys YAML did not read as text (``true:``, ``1:``) are refused before the schema sees them."""
    for section in ("values",):
        for name, rule in (data.get(section) or {}).items() if isinstance(data.get(section), dict) else ():
            if isinstance(rule, dict) and isinstance(rule.get("map"), dict):
                for key in rule["map"]:
                    _key_text(key, f"{section}.{name}.map", path)
    for kind in ("tags", "kb"):
        for i, rule in enumerate(data.get(kind) or []) if isinstance(data.get(kind), list) else ():
            if isinstance(rule, dict) and isinstance(rule.get("map"), dict):
                for key in rule["map"]:
                    _key_text(key, f"{kind}[{i}].map", path)


def _columns(data: dict, path: str) -> dict[str, str]:
    """gitdesk field -> CSV column (``requester.name`` and the like flattened), fit for the mode."""
    columns: dict[str, str] = {}
    for name, column in data["columns"].items():
        if name == "requester":
            for sub, col in column.items():
                columns[f"requester.{sub}"] = col
        else:
            columns[name] = column
    mode = data["mode"]
    if mode == "audit" and "updated" not in columns:
        raise ValidationError("audit mode needs the column that holds each update's time (columns.updated)",
                              path=path, field="columns.updated")
    if mode == "tickets" and "created" not in columns and "updated" not in columns:
        raise ValidationError("tickets mode needs a creation time (columns.created, or columns.updated)",
                              path=path, field="columns.created")
    if "title" in columns and data.get("title_template"):
        raise ValidationError("give columns.title or title_template, not both", path=path, field="title_template")
    template = data.get("title_template")
    if template:
        for name in _PLACEHOLDER.findall(template):
            if not name:
                raise ValidationError("empty {} placeholder (write {column name})", path=path, field="title_template")
    return columns


def _value_rules(data: dict, columns: dict[str, str], choices: dict[str, list], path: str) -> dict[str, ValueRule]:
    """``values:``: per field, the map from cell text to a configured value, and its default."""
    values: dict[str, ValueRule] = {}
    for name, rule in (data.get("values") or {}).items():
        if name not in columns:
            raise ValidationError(f"values for {name} but no column for it (columns.{name})", path=path, field=f"values.{name}")
        out = ValueRule(ignore_case=bool(rule.get("ignore_case")))
        for key, target in (rule.get("map") or {}).items():
            out.table[key.casefold() if out.ignore_case else key] = _check_target(name, target, choices, path, f"values.{name}.map.{key}")
        if "default" in rule:
            out.has_default = True
            out.default = _check_target(name, rule["default"], choices, path, f"values.{name}.default")
        values[name] = out
    return values


def _date_format(dates: dict, path: str) -> str:
    """``iso``, or a strftime format that can read back what it writes."""
    date_format = dates["format"]
    if date_format != "iso":
        if "%" not in date_format:
            raise ValidationError(f"not a strftime format: {date_format!r} (e.g. \"%d/%m/%Y %H:%M\", or iso)",
                                  path=path, field="dates.format")
        try:
            sample = datetime(2016, 2, 29, 13, 5, tzinfo=timezone.utc).strftime(date_format)
            datetime.strptime(sample, date_format)
        except ValueError as exc:
            raise ValidationError(f"unusable date format {date_format!r}: {exc}", path=path, field="dates.format") from None
    return date_format


def _encoding(csv_opts: dict, path: str) -> str:
    import codecs

    encoding = csv_opts.get("encoding") or "utf-8"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValidationError(f"unknown encoding {encoding!r}", path=path, field="csv.encoding") from None
    return "utf-8-sig" if info.name == "utf-8" else encoding  # utf-8-sig skips a byte order mark, reads plain UTF-8 too


def build_mapping(data: Any, config: Config, *, path: str) -> Mapping:
    """Validate a loaded mapping document against the schema and ``config``."""
    if not isinstance(data, dict):
        raise ValidationError("a mapping must be a YAML mapping of keys to values", path=path, field="(top level)")
    _refuse_keys_not_text(data, path)
    validate_against("import-mapping", data, path=path)
    columns = _columns(data, path)
    mode = data["mode"]
    template = data.get("title_template")
    choices: dict[str, list] = {
        "status": config.statuses, "priority": list(PRIORITIES), "impact": list(LEVELS), "urgency": list(LEVELS),
        "category": config.category_ids(), "channel": config.channels, "team": list(config.teams), "tier": config.tiers,
    }
    values = _value_rules(data, columns, choices, path)
    dates = data.get("dates") or {"format": "iso"}
    date_format = _date_format(dates, path)
    zone = _zone(dates.get("timezone") or config.get("timezone") or "UTC", path, "dates.timezone")
    csv_opts = data.get("csv") or {}
    encoding = _encoding(csv_opts, path)
    statuses = config.raw["statuses"]
    return Mapping(
        path=path, source=data["source"], mode=mode, columns=columns, values=values,
        update_rows=data.get("update_rows") or "snapshot",
        tags=[_item_rule(r, "tags", i, path) for i, r in enumerate(data.get("tags") or [])],
        kb=[_item_rule(r, "kb", i, path) for i, r in enumerate(data.get("kb") or [])],
        date_format=date_format, zone=zone, missing=frozenset(["", *(data.get("missing") or [])]),
        actor=data.get("actor") or f"import:{data['source']}", encoding=encoding,
        delimiter=csv_opts.get("delimiter") or ",", quotechar=csv_opts.get("quotechar") or '"',
        title_template=template, comments_public=bool(data.get("comments_public")), choices=choices,
        initial_status=config["initial_status"], reopen_status=config["reopen_status"],
        closed_statuses=tuple(s for s, info in statuses.items() if not info.get("open", True)),
        pausing_statuses=tuple(config.pausing_statuses), config=config,
    )


def load_mapping(path: str | Path, config: Config) -> Mapping:
    """Read, validate and prepare a mapping file (errors name the file and the key)."""
    display = str(path)
    data = load_yaml_file(path, display=display)
    return build_mapping(data, config, path=display)


# -- rows ------------------------------------------------------------------------------------


class RowError(Exception):
    """Why one row cannot be imported (reported with its line number; the row is skipped)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(slots=True)
class Row:
    """One converted row: what the import needs, nothing else."""

    line: int
    order: int
    ticket_key: str  # the source's id text
    updated: datetime | None
    created: datetime | None
    resolved: datetime | None
    closed: datetime | None
    by: str | None
    created_by: str | None
    fields: dict[str, Any]  # gitdesk field -> value (``requester`` as a mapping)
    tags: frozenset[str]
    kb: frozenset[str]
    comment: str | None
    key: str  # stable text that identifies the row's content (for event ids)

    @property
    def opened(self) -> datetime:
        """When the ticket began: its creation time, else this row's update time."""
        at = self.created or self.updated
        assert at is not None  # RowConverter.convert refuses a row with neither
        return at

    @property
    def at(self) -> datetime:
        """This row's update time (audit mode, where every row has one)."""
        assert self.updated is not None  # RowConverter.convert refuses an audit row without it
        return self.updated


def _requester(fields: dict[str, Any]) -> dict[str, Any] | None:
    """Take the ``requester.*`` fields out of ``fields`` as one mapping (None when all are empty)."""
    requester = {}
    for name in ("requester.name", "requester.email", "requester.department"):
        if name in fields:
            value = fields.pop(name)
            if value is not None:
                requester[name[10:]] = value
    return requester or None


class RowConverter:
    """Turns raw CSV rows into :class:`Row` objects, raising :class:`RowError` for bad ones."""

    TIMES = ("updated", "created", "resolved", "closed")

    def __init__(self, mapping: Mapping, index: dict[str, int]):
        self.m = mapping
        self.width = len(index)
        self.col = {name: index[column] for name, column in mapping.columns.items()}
        self.names = {name: column for name, column in mapping.columns.items()}
        self.key_indexes = sorted(set(self.col.values()) | {index[r.column] for r in (*mapping.tags, *mapping.kb)}
                                  | {index[n] for n in _PLACEHOLDER.findall(mapping.title_template or "")})
        self.tag_rules = [(index[r.column], r) for r in mapping.tags]
        self.kb_rules = [(index[r.column], r) for r in mapping.kb]
        self.template = mapping.title_template
        self.template_cols = {n: index[n] for n in _PLACEHOLDER.findall(mapping.title_template or "")}
        self.time_cols = [(name, self.col[name]) for name in self.TIMES if name in self.col]
        self.field_cols = [(name, self.col[name], mapping.values.get(name)) for name in FIELDS if name in self.col]
        self.has_requester = any(name.startswith("requester.") for name in self.col)
        self._titles: dict[tuple, str] = {}
        self._dates: dict[str, datetime] = {}
        self._intern: dict[str, str] = {}
        self._item_memo: dict[tuple[int, str], frozenset[str]] = {}

    # -- cells -----------------------------------------------------------------------------
    def _cell(self, row: list[str], name: str) -> str | None:
        i = self.col.get(name)
        if i is None:
            return None
        text = row[i]
        stripped = text.strip()
        if stripped in self.m.missing or text in self.m.missing:
            return None
        return text

    def parse_time(self, text: str, name: str) -> datetime:
        cached = self._dates.get(text)
        if cached is not None:
            return cached
        raw = text.strip()
        try:
            if self.m.date_format == "iso":
                value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
            else:
                value = datetime.strptime(raw, self.m.date_format)
        except ValueError:
            shown = raw if len(raw) <= 40 else raw[:40] + "..."
            raise RowError(f"column {self.names[name]}: not a date in the format {self.m.date_format!r}: {shown!r}", "bad date") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.m.zone)
        if not 1900 <= value.year <= 2199:
            raise RowError(f"column {self.names[name]}: date {raw!r} is outside the years 1900-2199", "bad date")
        value = value.astimezone(timezone.utc)
        if len(self._dates) < 200_000:
            self._dates[text] = value
        return value

    def _value(self, name: str, text: str) -> Any:
        rule = self.m.values.get(name)
        if rule is not None:
            key = text.strip()
            look = key.casefold() if rule.ignore_case else key
            if look in rule.table:
                return rule.table[look]
            if rule.has_default:
                return rule.default
        if name in CLOSED_FIELDS:
            key = text.strip()
            choices = self.m.choices[name]
            if name == "tier":
                if key.isdigit() and int(key) in choices:
                    return int(key)
            else:
                if key in choices:
                    return key
                low = key.lower()
                if low in choices:
                    return low
            raise RowError(f"column {self.names[name]}: unmapped value {_short(key)} for {name} "
                           f"(add it under values.{name}.map, or set values.{name}.default)", f"unmapped {name}")
        return text

    def _items(self, rules, row: list[str], kind: str) -> frozenset[str]:
        out: set[str] = set()
        for i, rule in rules:
            text = row[i]
            if text.strip() in self.m.missing or text in self.m.missing:
                continue
            memo = self._item_memo.get((id(rule), text))
            if memo is None:
                parts = text.split(rule.split) if rule.split else [text]
                found = set()
                for part in parts:
                    part = part.strip()
                    if not part or part in self.m.missing:
                        continue
                    if rule.table is not None:
                        if part not in rule.table or rule.table[part] is None:
                            continue
                        part = rule.table[part]
                    try:
                        found.add(check_item(kind, rule.prefix + part))
                    except ValidationError as exc:
                        raise RowError(f"column {rule.column}: {exc.message}", f"bad {kind[:-1] if kind == 'tags' else kind}") from None
                memo = frozenset(found)
                if len(self._item_memo) < 100_000:
                    self._item_memo[(id(rule), text)] = memo
            out |= memo
        return frozenset(out)

    # -- a row -----------------------------------------------------------------------------
    def _title(self, row: list[str], fields: dict[str, Any], ticket_key: str) -> str | None:
        """From the title template, else the title column, else the ticket's id."""
        if self.template:
            parts = tuple(row[i] for i in self.template_cols.values())
            title = self._titles.get(parts)
            if title is None:
                title = _PLACEHOLDER.sub(lambda mt: row[self.template_cols[mt.group(1)]].strip(), self.template)
                title = " ".join(title.split())
                if len(self._titles) < 200_000:
                    self._titles[parts] = title
            return title
        if "title" in self.col:
            title = fields.get("title")
            return " ".join(title.split()) if title is not None else None
        return ticket_key

    def convert(self, row: list[str], line: int, order: int) -> Row:
        if len(row) != self.width:
            raise RowError(f"expected {self.width} fields, found {len(row)}", "wrong number of fields")
        cells = [row[i] for i in self.key_indexes]
        key = "\x1f".join(cells)  # the row's content, for its event id
        if max(map(len, cells)) > MAX_TEXT:
            raise RowError(f"a cell is longer than {MAX_TEXT} characters", "cell too long")
        if _BAD_CHARS.search(key):
            self._bad_characters(row)
        missing = self.m.missing
        ticket_key = row[self.col["id"]].strip()
        if ticket_key in missing:
            raise RowError(f"column {self.names['id']}: no ticket id", "no id")
        times = {}
        for name, i in self.time_cols:
            text = row[i]
            times[name] = None if text in missing or text.strip() in missing else self.parse_time(text, name)
        if self.m.mode == "audit" and times.get("updated") is None:
            raise RowError(f"column {self.names['updated']}: no update time", "no time")
        if times.get("created") is None and times.get("updated") is None:  # tickets mode: the ticket needs a start
            raise RowError(f"column {self.names.get('created') or self.names.get('updated')}: no creation time", "no time")
        intern = self._intern
        fields: dict[str, Any] = {}
        for name, i, rule in self.field_cols:
            text = row[i]
            if text in missing or text.strip() in missing:
                # a map may say what an empty cell means
                value = rule.table.get("") if rule is not None else None
            else:
                if rule is not None:
                    value = rule.table.get(text.strip().casefold() if rule.ignore_case else text.strip(), _NOPE)
                    if value is _NOPE:
                        value = self._value(name, text)
                else:
                    value = self._value(name, text)
                if value.__class__ is str and len(value) < 200:
                    value = intern.setdefault(value, value)
            fields[name] = value
        title = self._title(row, fields, ticket_key)
        if title is not None:
            if len(title) > MAX_TITLE:
                raise RowError(f"title longer than {MAX_TITLE} characters", "title too long")
            fields["title"] = title or ticket_key
        if fields.get("priority") is None and fields.get("impact") and fields.get("urgency"):
            fields["priority"] = self.m.config.derive_priority(fields["impact"], fields["urgency"])
        if self.has_requester:
            fields["requester"] = _requester(fields)
        by = self._cell(row, "updated_by")
        created_by = self._cell(row, "created_by")
        comment = self._cell(row, "comment")
        return Row(
            line=line, order=order, ticket_key=ticket_key, updated=times.get("updated"), created=times.get("created"),
            resolved=times.get("resolved"), closed=times.get("closed"),
            by=intern.setdefault(by, " ".join(by.split())) if by else None,
            created_by=intern.setdefault(created_by, " ".join(created_by.split())) if created_by else None,
            fields=fields, tags=self._items(self.tag_rules, row, "tags") if self.tag_rules else _EMPTY,
            kb=self._items(self.kb_rules, row, "kb") if self.kb_rules else _EMPTY,
            comment=comment if comment and comment.strip() else None, key=key,
        )

    def _bad_characters(self, row: list[str]) -> None:
        for i in self.key_indexes:
            bad = _BAD_CHARS.search(row[i])
            if bad:
                char = bad.group()
                what = ("bytes that are not valid text in the file's encoding" if "\ud800" <= char <= "\udfff"
                        else f"control character U+{ord(char):04X}")
                raise RowError(f"column {self._column_name(i)}: {what}", "bad characters")

    def _column_name(self, i: int) -> str:
        for name, col in self.col.items():
            if col == i:
                return self.names[name]
        for j, rule in self.tag_rules + self.kb_rules:
            if j == i:
                return rule.column
        for name, j in self.template_cols.items():
            if j == i:
                return name
        return f"#{i + 1}"  # pragma: no cover - every checked index is named above


_NOPE = object()
_EMPTY: frozenset[str] = frozenset()


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "...")
