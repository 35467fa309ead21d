"""The help desk's configuration: ``helpdesk.yml`` merged over the shipped defaults.

Loading is pure apart from reading the file: defaults (``data/defaults.yml``, the same commented
file ``gitdesk init`` writes) are merged with the user's file (mappings key by key, lists
replaced), the result is validated against ``schemas/config.schema.json`` and cross-checked
(a policy naming an unknown calendar, a transition to an unknown status...). Every problem is a
:class:`~gitdesk.errors.ConfigError` naming the file and the dotted key.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from gitdesk.errors import ConfigError, ValidationError
from gitdesk.yamlio import load_yaml_text

CONFIG_FILE = "helpdesk.yml"


def package_file(*parts: str) -> Path:
    """Path of a data file shipped inside the package (schemas, templates, defaults)."""
    return Path(str(resources.files("gitdesk").joinpath(*parts)))


@functools.cache
def load_schema(name: str) -> dict:
    """A JSON Schema shipped in ``gitdesk/schemas`` (``config``, ``event``, ``article``...)."""
    return json.loads(package_file("schemas", f"{name}.schema.json").read_text(encoding="utf-8"))


def defaults_text() -> str:
    """The commented default configuration, as ``gitdesk init`` writes it."""
    return package_file("data", "defaults.yml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _defaults() -> dict:
    return load_yaml_text(defaults_text(), path="gitdesk/data/defaults.yml")


# mappings whose entries replace the default entry of the same name whole (a calendar that
# lists only Monday means "open on Mondays", not "Monday plus the default weekdays")
ATOMIC = {("sla", "calendars")}


def _merge(base: Any, over: Any, path: tuple = ()) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if key in base and path not in ATOMIC:
                out[key] = _merge(base[key], value, (*path, key))
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def _stringify_keys(value: Any) -> Any:
    """YAML reads ``1:`` as an int key and ``2026-12-25`` as a date; the schema speaks text."""
    if isinstance(value, dict):
        return {str(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_against(schema_name: str, data: Any, *, path: str, every: bool = False) -> None:
    """Validate ``data`` against a shipped schema; raise the first error, naming file and field
    (``every``: one error listing every problem, each with its field, in :attr:`problems`)."""
    import jsonschema  # deferred: ~80 ms, not needed for --help

    validator_cls = jsonschema.validators.validator_for(load_schema(schema_name))
    validator = validator_cls(load_schema(schema_name), format_checker=validator_cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    found = [_schema_problem(err) for err in errors[: None if every else 1]]
    if len(found) == 1:
        raise ValidationError(found[0][1], path=path, field=found[0][0])
    if found:
        error = ValidationError(f"{len(found)} problems: " + "; ".join(f"{f}: {m}" for f, m in found), path=path)
        error.problems = found
        raise error


def _schema_problem(err) -> tuple[str, str]:
    """(dotted field, message) of one JSON Schema error, unknown keys named as such."""
    path_parts = list(err.absolute_path)
    message = err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed]
        if extra:
            path_parts.append(extra[0])
            message = f"unknown key {extra[0]!r}"
    where = _dotted(path_parts) or "(top level)"
    if len(message) > 160:
        message = message[:157] + "..."
    return where, message


def duration_parts(text: str) -> tuple[int, int, int]:
    """``"2d4h"`` -> (2, 4, 0): days, hours and minutes as written (a day's length depends on
    the calendar, so it is not folded into hours here)."""
    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", text or "")
    if not text or not match:
        raise ValidationError(f"not a duration: {text!r} (use e.g. 30m, 4h, 1h30m, 2d)")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return days, hours, minutes


def parse_duration(text: str, day_seconds: int = 86400) -> int:
    """``"1h30m"`` -> 5400 seconds; ``"2d"`` is two days of ``day_seconds`` (24 hours unless a
    calendar's working day is given: an SLA target's day is one working day of its calendar)."""
    days, hours, minutes = duration_parts(text)
    return days * day_seconds + (hours * 60 + minutes) * 60


@dataclass(frozen=True)
class Category:
    id: str  # full id, "parent/child"
    name: str
    parent: str | None
    description: str = ""


@dataclass
class Config:
    """Typed view over the merged configuration; ``raw`` keeps every key."""

    raw: dict
    path: Path | None = None
    categories: dict[str, Category] = field(default_factory=dict)

    # -- simple keys -----------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def language(self) -> str:
        """The desk's default language (the first of ``languages``)."""
        return self.raw["language"]

    @property
    def languages(self) -> list[str]:
        """The site's languages, the default first (codes of :mod:`gitdesk.languages`)."""
        return list(self.raw.get("languages") or [self.raw["language"]])

    @property
    def id_prefix(self) -> str:
        return self.raw["id_prefix"]

    @property
    def priorities(self) -> tuple[str, ...]:
        """Most urgent first; the names are the event format's (:data:`gitdesk.model.event.PRIORITIES`)."""
        from gitdesk.model.event import PRIORITIES

        return PRIORITIES

    @property
    def channels(self) -> list[str]:
        return list(self.raw["channels"])

    @property
    def ticket_types(self) -> list[str]:
        """Kinds of ticket (``ticket_types``); the first is the default."""
        return list(self.raw.get("ticket_types") or ["incident", "request", "problem"])

    @property
    def statuses(self) -> list[str]:
        return list(self.raw["statuses"])

    @property
    def open_statuses(self) -> list[str]:
        return [s for s, info in self.raw["statuses"].items() if info.get("open", True)]

    @property
    def closed_statuses(self) -> list[str]:
        """Statuses marked ``open: false`` (resolved and closed by default)."""
        return [s for s, info in self.raw["statuses"].items() if not info.get("open", True)]

    @property
    def pausing_statuses(self) -> list[str]:
        return [s for s, info in self.raw["statuses"].items() if info.get("pauses_sla")]

    @property
    def automation_actor(self) -> str:
        """``automation_actor``: who automated changes (SLA escalations) are recorded as."""
        return str(self.raw.get("automation_actor") or "gitdesk[bot]")

    @property
    def default_priority(self) -> str | None:
        """``sla.default_priority``: what a ticket without a priority runs its clocks on (None: no clock)."""
        return (self.raw.get("sla") or {}).get("default_priority")

    @property
    def bots(self) -> list[str]:
        return list(self.raw["bots"])

    @property
    def tiers(self) -> list[int]:
        return sorted(int(t) for t in self.raw["tiers"])

    @property
    def teams(self) -> dict[str, dict]:
        return self.raw["teams"]

    # -- rules -----------------------------------------------------------------------------
    def derive_priority(self, impact: str, urgency: str) -> str:
        """The ITIL matrix: impact x urgency -> priority."""
        try:
            return self.raw["priority_matrix"][impact][urgency]
        except KeyError:
            raise ValidationError(f"no priority for impact {impact!r} and urgency {urgency!r} in the matrix", field="priority_matrix") from None

    def allowed_transitions(self, status: str) -> list[str]:
        return list(self.raw["transitions"].get(status, []))

    def can_transition(self, old: str, new: str) -> bool:
        return new == old or new in self.raw["transitions"].get(old, [])

    def team_for_tier(self, tier: int) -> str | None:
        return self.raw["escalation_teams"].get(str(tier))

    def is_bot(self, who: str | None) -> bool:
        from gitdesk.people import is_bot

        return is_bot(who, self.bots)

    def category_ids(self) -> list[str]:
        return list(self.categories)


def _flatten_categories(tree: list[dict], parent: str | None = None) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for node in tree:
        full = f"{parent}/{node['id']}" if parent else node["id"]
        out[full] = Category(full, node["name"], parent, node.get("description", ""))
        out.update(_flatten_categories(node.get("children", []), full))
    return out


_Fail = Callable[[str, str], NoReturn]


def _check_statuses(raw: dict, fail: _Fail) -> None:
    statuses = raw["statuses"]
    for key in ("initial_status", "reopen_status"):
        if raw[key] not in statuses:
            fail(key, f"unknown status {raw[key]!r} (known: {', '.join(statuses)})")
    for source, targets in raw["transitions"].items():
        if source not in statuses:
            fail(f"transitions.{source}", f"unknown status {source!r}")
        for target in targets:
            if target not in statuses:
                fail(f"transitions.{source}", f"unknown status {target!r}")


def _check_priority_matrix(raw: dict, fail: _Fail) -> None:
    for impact in raw["impact_levels"]:
        for urgency in raw["urgency_levels"]:
            if urgency not in raw["priority_matrix"].get(impact, {}):
                fail(f"priority_matrix.{impact}", f"no priority for urgency {urgency!r}")


def _check_teams(raw: dict, fail: _Fail) -> None:
    teams = raw["teams"]
    if raw["default_team"] not in teams:
        fail("default_team", f"unknown team {raw['default_team']!r}")
    for tier, team in raw["escalation_teams"].items():
        if team not in teams:
            fail(f"escalation_teams.{tier}", f"unknown team {team!r}")
    for name, team in teams.items():
        if str(team["tier"]) not in raw["tiers"]:
            fail(f"teams.{name}.tier", f"unknown tier {team['tier']}")


def _check_sla_references(raw: dict, fail: _Fail) -> None:
    """SLA policies and escalation rules name calendars and teams that exist."""
    teams = raw["teams"]
    calendars = raw["sla"]["calendars"]
    for i, policy in enumerate(raw["sla"]["policies"]):
        cal = policy.get("calendar")
        if cal is not None and cal not in calendars:
            fail(f"sla.policies[{i}].calendar", f"unknown calendar {cal!r} (known: {', '.join(calendars)})")
        if policy.get("team") and policy["team"] not in teams:
            fail(f"sla.policies[{i}].team", f"unknown team {policy['team']!r}")
    for i, rule in enumerate(raw["sla"]["escalation"]):
        if rule.get("team") and rule["team"] not in teams:
            fail(f"sla.escalation[{i}].team", f"unknown team {rule['team']!r}")


def _check_categories(raw: dict, fail: _Fail) -> None:
    """Category ids are unique by their full path (``parent/child``)."""
    seen: set[str] = set()

    def walk(nodes, prefix):
        for node in nodes:
            full = f"{prefix}/{node['id']}" if prefix else node["id"]
            if full in seen:
                fail("categories", f"duplicate category id {full!r}")
            seen.add(full)
            walk(node.get("children", []), full)

    walk(raw["categories"], "")


def _cross_check(raw: dict, path: str) -> None:
    """What the schema cannot say: names that refer to other parts of the configuration exist."""
    def fail(field_name: str, message: str) -> NoReturn:
        raise ConfigError(message, path=path, field=field_name)

    _check_statuses(raw, fail)
    _check_priority_matrix(raw, fail)
    _check_teams(raw, fail)
    _check_sla_references(raw, fail)
    _check_categories(raw, fail)
    for name in ("timezone",):
        _check_zone(raw[name], path, name)
    for cname, cal in raw["sla"]["calendars"].items():
        if isinstance(cal, dict) and "timezone" in cal:
            _check_zone(cal["timezone"], path, f"sla.calendars.{cname}.timezone")
    from gitdesk.model.calendar import calendars_from_config  # parses hours; builds no tables

    calendars_from_config(raw)


def _check_zone(zone: str, path: str, field_name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {zone!r}", path=path, field=field_name) from None


def _settle_languages(raw: dict, user: dict, path: str) -> None:
    """``languages:`` lists the desk's languages, the first being the default; the older single
    ``language:`` alone is a one-language desk, and beside ``languages`` it names the default
    among them. Regional tags (``pt-BR``, ``es-419``) become the codes gitdesk ships text for.
    Both keys end up set."""
    from gitdesk.languages import normalise, normalise_list

    if user.get("languages") is not None:
        codes = normalise_list(user["languages"], path=path, field="languages")
        if user.get("language") is not None:  # both given: `language` names the default among them
            default = normalise(user["language"], path=path, field="language")
            if default not in codes:
                raise ConfigError(f"{default!r} is not one of languages ({', '.join(codes)})", path=path, field="language")
            codes = [default, *(c for c in codes if c != default)]
    else:
        codes = [normalise(raw.get("language", "en"), path=path, field="language")]
    raw["languages"] = codes
    raw["language"] = codes[0]


def _settle_review_interval(raw: dict, user: dict) -> None:
    """``kb.stale_after_days`` is the older name of ``kb.review_every_days``: a helpdesk.yml that
    sets only the old key keeps its interval (the new key wins when both are set)."""
    mine = user.get("kb")
    if isinstance(mine, dict) and mine.get("stale_after_days") is not None and mine.get("review_every_days") is None:
        raw["kb"]["review_every_days"] = mine["stale_after_days"]


def build_config(user: Any, *, path: str = CONFIG_FILE, file_path: Path | None = None) -> Config:
    """Merge ``user`` over the defaults, validate, and return a :class:`Config`."""
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise ConfigError("the configuration must be a mapping of keys to values", path=path, field="(top level)")
    user = _stringify_keys(user)
    try:
        validate_against("config", user, path=path, every=True)  # every mistake of the file in one run
    except ValidationError as exc:
        error = ConfigError(exc.message, path=path, field=exc.field)
        error.problems = exc.problems
        raise error from None
    raw = _merge(_stringify_keys(_defaults()), user)
    _settle_languages(raw, user, path)
    _settle_review_interval(raw, user)
    _cross_check(raw, path)
    return Config(raw=raw, path=file_path, categories=_flatten_categories(raw["categories"]))


def load_config(root: str | Path | None) -> Config:
    """Read ``helpdesk.yml`` under ``root`` (a missing file means all defaults)."""
    if root is None:
        return build_config({}, file_path=None)
    file_path = Path(root, CONFIG_FILE)
    if not file_path.exists():
        return build_config({}, file_path=file_path)
    try:
        data = file_path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=CONFIG_FILE) from None
    # validation and merging are a pure function of the file, the defaults and the schema:
    # keep the result, so everyday commands need not import jsonschema (~70 ms) nor parse the
    # defaults again for an unchanged file
    stamp = _validation_stamp(data)
    memo = Path(root, ".gitdesk", "config.json")
    try:
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved.get("stamp") == stamp:
            raw = saved["raw"]
            return Config(raw=raw, path=file_path, categories=_flatten_categories(raw["categories"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    try:
        user = load_yaml_text(data.decode("utf-8"), path=CONFIG_FILE, core12=True)
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=CONFIG_FILE) from None
    except ValidationError as exc:
        raise ConfigError(exc.message, path=exc.path or CONFIG_FILE, field=exc.field) from None
    config = build_config(user, path=CONFIG_FILE, file_path=file_path)
    if memo.parent.is_dir():
        try:
            from gitdesk.yamlio import atomic_write

            atomic_write(memo, json.dumps({"stamp": stamp, "raw": config.raw}))
        except OSError:
            pass
    return config


def _validation_stamp(data: bytes) -> str:
    import hashlib

    from gitdesk import __version__

    digest = hashlib.sha256(__version__.encode() + b"\0yaml-1.2-core")  # how the file is read is part of the result
    for part in (package_file("schemas", "config.schema.json").read_bytes(), defaults_text().encode("utf-8"), data):
        digest.update(b"\0" + part)
    return digest.hexdigest()
