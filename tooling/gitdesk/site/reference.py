"""Reference pages generated at build time, so they cannot drift from the code they describe.

- ``agents/commands.md``: every command of the ``gitdesk`` CLI, found by walking the Click tree
  from :data:`gitdesk.cli.cli` (the lazily loaded groups included), with its own ``--help``.
- ``agents/configuration.md``: every key of ``helpdesk.yml``, found by walking
  ``schemas/config.schema.json`` beside ``data/defaults.yml``: type, default and description.

Both are registered with :func:`gitdesk.site.extensions.generated_page`; nothing generated is
ever committed. The walkers (:func:`command_docs`, :func:`config_keys`) are plain functions so
the coverage tests can ask what is documented without building a site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gitdesk.kb.placeholders.handbook import COMMANDS_PAGE, CONFIG_PAGE
from gitdesk.site.extensions import SiteContext, generated_page

HELP_WIDTH = 100

#: Names shown for the keys a user chooses (status names, team ids...), by the map's path.
MAP_KEY_NAMES = {
    "priority_matrix": "<impact>",
    "priority_matrix.<impact>": "<urgency>",
    "statuses": "<status>",
    "transitions": "<status>",
    "tiers": "<tier>",
    "teams": "<team>",
    "escalation_teams": "<tier>",
    "sla.calendars": "<calendar>",
    "site.contacts": "<channel>",
    "github.label_prefixes": "<kind>",
}
#: How the shared definitions of the schema read in the "Type" column.
DEF_TYPES = {
    "duration": "duration (30m, 4h, 1h30m, 2d)",
    "slug": "id (a-z, 0-9, -)",
    "priority": "one of: critical, high, medium, low",
    "level": "one of: high, medium, low",
    "hours": "list of HH:MM-HH:MM",
    "calendar": "\"24x7\" or weekly hours",
    "category": "category (id, name, description, children)",
    "priorityInfo": "mapping",
}


# -- commands -------------------------------------------------------------------------------------

@dataclass
class CommandDoc:
    """One command path of the CLI and its help, as ``--help`` prints it."""

    path: tuple[str, ...]  # ("gitdesk", "ticket", "new")
    summary: str  # first line of the help text ("" when the command has none)
    help_text: str  # the command's own help text (docstring), stripped
    usage: str  # the full --help output
    is_group: bool

    @property
    def name(self) -> str:
        return " ".join(self.path)


def command_docs() -> list[CommandDoc]:
    """Every command path, depth first in the order ``--help`` lists them."""
    import click

    from gitdesk.cli import cli

    out: list[CommandDoc] = []

    def walk(cmd: click.Command, name: str, parent: click.Context | None, path: tuple[str, ...]) -> None:
        settings = {**(cmd.context_settings or {}), "terminal_width": HELP_WIDTH, "max_content_width": HELP_WIDTH}
        ctx = cmd.context_class(cmd, info_name=name, parent=parent, **settings)
        help_text = (cmd.help or "").strip()
        summary = (cmd.get_short_help_str(limit=200) or "").strip()
        out.append(CommandDoc(path, summary, help_text, cmd.get_help(ctx).rstrip(), isinstance(cmd, click.Group)))
        if isinstance(cmd, click.Group):
            for sub_name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, sub_name)
                if sub is not None and not getattr(sub, "hidden", False):
                    walk(sub, sub_name, ctx, (*path, sub_name))

    walk(cli, "gitdesk", None, ("gitdesk",))
    return out


def _slug(text: str) -> str:
    """The id MkDocs' toc gives a heading (Python-Markdown's default slugify)."""
    import unicodedata

    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    """A fenced block longer than any backtick run in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def commands_markdown(docs: list[CommandDoc] | None = None, *, redact=None) -> str:
    """The command reference page (``redact`` cleans help text of known people's names)."""
    from gitdesk import __version__

    docs = command_docs() if docs is None else docs
    clean = redact or (lambda s: s)
    lines = [
        "---",
        "title: Command reference",
        "summary: Every gitdesk command with its options and examples, from the command line's own help.",
        "search:",
        "  boost: 0.5",
        "---",
        "",
        "# Command reference",
        "",
        f"Every command of `gitdesk` {__version__}, generated from the command line's own `--help` when",
        "this site was built, so it always matches the installed version. Run `gitdesk COMMAND --help`",
        "for the same text in a terminal; every command takes `--help` (or `-h`).",
        "",
        "| Command | What it does |",
        "| --- | --- |",
    ]
    for doc in docs[1:]:
        lines.append(f"| [`{doc.name}`](#{_slug(doc.name)}) | {_cell(clean(doc.summary))} |")
    for doc in docs:
        level = "#" * min(2 + max(len(doc.path) - 2, 0), 4)
        body = clean(doc.usage)
        fence = _fence(body)
        lines += ["", f"{level} {doc.name}", "", f"{fence}text", body, fence]
    return "\n".join(lines) + "\n"


# -- configuration --------------------------------------------------------------------------------

@dataclass
class ConfigKey:
    """One documented key of helpdesk.yml."""

    path: str  # "sla.policies[].first_response", "teams.<team>.tier"
    type: str
    description: str
    default: Any = None
    has_default: bool = False
    chosen_name: bool = False  # the last part is a name the user chooses (<team>...)
    children: list[str] = field(default_factory=list)

    @property
    def top(self) -> str:
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]


def _defaults() -> dict:
    from gitdesk.config import _stringify_keys, defaults_text
    from gitdesk.yamlio import load_yaml_text

    return _stringify_keys(load_yaml_text(defaults_text(), path="gitdesk/data/defaults.yml"))


def _schema() -> dict:
    from gitdesk.config import load_schema

    return load_schema("config")


def _resolve(schema: dict, node: Any) -> tuple[dict, str | None]:
    """``node`` with a local ``$ref`` followed (sibling keys win), and the definition's name."""
    if not isinstance(node, dict) or "$ref" not in node:
        return (node if isinstance(node, dict) else {}), None
    ref = node["$ref"]
    name = ref.rsplit("/", 1)[-1]
    target = schema.get("$defs", {}).get(name, {}) if ref.startswith("#/$defs/") else {}
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return merged, name


def describe_type(schema: dict, node: Any) -> str:
    """A short, human type for a schema node ("integer", "list of string", "one of: a, b")."""
    resolved, ref = _resolve(schema, node)
    if ref in DEF_TYPES and "enum" not in (node if isinstance(node, dict) else {}):
        return DEF_TYPES[ref]
    if "const" in resolved:
        return json.dumps(resolved["const"])
    if "enum" in resolved:
        return "one of: " + ", ".join(str(v) for v in resolved["enum"])
    for key in ("oneOf", "anyOf"):
        if key in resolved:
            return " or ".join(describe_type(schema, branch) for branch in resolved[key])
    kind = resolved.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return "list of " + describe_type(schema, resolved.get("items", {}))
    if kind == "object":
        return "mapping"
    if kind:
        bounds = []
        if "minimum" in resolved:
            bounds.append(f">= {resolved['minimum']}")
        if "exclusiveMinimum" in resolved:
            bounds.append(f"> {resolved['exclusiveMinimum']}")
        if "exclusiveMaximum" in resolved:
            bounds.append(f"< {resolved['exclusiveMaximum']}")
        if "maximum" in resolved:
            bounds.append(f"<= {resolved['maximum']}")
        return kind + (f" ({', '.join(bounds)})" if bounds else "")
    return "any"


def _object_branches(schema: dict, node: Any) -> list[dict]:
    """The object schemas a value may take (a oneOf of "24x7" or a mapping gives the mapping)."""
    resolved, _ = _resolve(schema, node)
    out = []
    for key in ("oneOf", "anyOf"):
        for branch in resolved.get(key, []):
            out.extend(_object_branches(schema, branch))
    if resolved.get("type") == "object" or "properties" in resolved or isinstance(resolved.get("additionalProperties"), dict):
        out.append(resolved)
    return out


_MISSING = object()


def _lookup(data: Any, key: str) -> Any:
    return data.get(key, _MISSING) if isinstance(data, dict) else _MISSING


def config_keys() -> list[ConfigKey]:
    """Every key the schema defines, in the order of defaults.yml, with its default when fixed.

    Keys named by the user (a status, a team, a calendar...) appear once as ``parent.<status>``;
    the keys of list items as ``parent[].key``. A self-referencing definition (the category tree)
    is walked once.
    """
    schema = _schema()
    defaults = _defaults()
    out: list[ConfigKey] = []

    def walk_object(node: dict, prefix: str, data: Any, seen: frozenset) -> list[str]:
        names = []
        for branch in _object_branches(schema, node):
            props = branch.get("properties", {})
            order = [k for k in (data if isinstance(data, dict) else {}) if k in props] + [k for k in props if not (isinstance(data, dict) and k in data)]
            for key in order:
                path = f"{prefix}.{key}" if prefix else key
                names.append(path)
                emit(props[key], path, _lookup(data, key), False, seen)
            extra = branch.get("additionalProperties")
            if isinstance(extra, dict):
                chosen = MAP_KEY_NAMES.get(prefix, "<name>")
                path = f"{prefix}.{chosen}"
                names.append(path)
                emit(extra, path, _MISSING, True, seen)
        return names

    def emit(node: Any, path: str, default: Any, chosen: bool, seen: frozenset) -> None:
        resolved, ref = _resolve(schema, node)
        description = (node.get("description") if isinstance(node, dict) else None) or ""
        if not description and chosen:
            description = resolved.get("description") or ""
        key = ConfigKey(path, describe_type(schema, node), description.strip(), None if default is _MISSING else default,
                        default is not _MISSING, chosen)
        out.append(key)
        if ref is not None and ref in seen:
            return
        seen = seen | {ref} if ref else seen
        if _object_branches(schema, node):
            key.children = walk_object(resolved, path, default if default is not _MISSING else None, seen)
        items = resolved.get("items") if resolved.get("type") == "array" else None
        if isinstance(items, dict) and _object_branches(schema, items):
            _, item_ref = _resolve(schema, items)
            if item_ref is None or item_ref not in seen:
                item_seen = seen | {item_ref} if item_ref else seen
                sample = default[0] if isinstance(default, list) and default and isinstance(default[0], dict) else None
                key.children = walk_object(_resolve(schema, items)[0], f"{path}[]", sample, item_seen)

    walk_object(schema, "", defaults, frozenset())
    return out


def default_key_paths(defaults: Any = None) -> list[str]:
    """Every key written in defaults.yml, named the way :func:`config_keys` names them."""
    schema = _schema()
    defaults = _defaults() if defaults is None else defaults
    out: list[str] = []

    def walk(data: Any, node: Any, prefix: str, chain: dict[str, str]) -> None:
        _, ref = _resolve(schema, node)
        if ref is not None:
            if ref in chain:  # a definition inside itself (sub-categories): same keys, same names
                prefix = chain[ref]
            else:
                chain = {**chain, ref: prefix}
        branches = _object_branches(schema, node)
        if isinstance(data, dict) and branches:
            for key, value in data.items():
                for branch in branches:
                    props = branch.get("properties", {})
                    if key in props:
                        path = f"{prefix}.{key}" if prefix else key
                        out.append(path)
                        walk(value, props[key], path, chain)
                        break
                    extra = branch.get("additionalProperties")
                    if isinstance(extra, dict):
                        path = f"{prefix}.{MAP_KEY_NAMES.get(prefix, '<name>')}"
                        out.append(path)
                        walk(value, extra, path, chain)
                        break
                else:
                    out.append(f"{prefix}.{key}" if prefix else key)  # unknown to the schema
        elif isinstance(data, list):
            resolved, _ = _resolve(schema, node)
            for item in data:
                walk(item, resolved.get("items", {}), f"{prefix}[]", chain)

    walk(defaults, schema, "", {})
    return list(dict.fromkeys(out))


def _inline(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`" if "`" not in text else text


def _yaml_block(key: str, value: Any) -> str:
    import yaml

    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=None, width=96).rstrip()


def configuration_markdown(keys: list[ConfigKey] | None = None) -> str:
    """The configuration reference page."""
    keys = config_keys() if keys is None else keys
    defaults = _defaults()
    lines = [
        "---",
        "title: Configuration reference",
        "summary: Every key of helpdesk.yml with its type, default and meaning, from gitdesk's JSON Schema.",
        "search:",
        "  boost: 0.5",
        "---",
        "",
        "# Configuration reference",
        "",
        "Every key of `helpdesk.yml`, generated from the JSON Schema that ships with gitdesk",
        "(`config.schema.json`) and its defaults when this site was built. Every key is optional: a",
        "missing key takes its default. Mappings are merged key by key over the defaults; lists replace",
        "the default list as a whole. `gitdesk config show --defaults` prints the commented defaults,",
        "`gitdesk config show` the configuration in force, and `gitdesk config schema` the schema's path",
        "for editors.",
        "",
        "In key names, `[]` stands for every item of a list and a name in angle brackets (`<team>`)",
        "for a name you choose.",
        "",
        "| Key | Type | Meaning |",
        "| --- | --- | --- |",
    ]
    tops = [k for k in keys if "." not in k.path and "[" not in k.path]
    for key in tops:
        lines.append(f"| [`{key.path}`](#{_slug(key.path)}) | {_cell(key.type)} | {_cell(key.description)} |")
    for top in tops:
        lines += ["", f"## {top.path}", ""]
        if top.description:
            lines += [top.description, ""]
        lines += [f"Type: {top.type}.", ""]
        if top.path in defaults:
            block = _yaml_block(top.path, defaults[top.path])
            lines += ["Default:", "", f"{_fence(block)}yaml", block, _fence(block), ""]
        nested = [k for k in keys if k is not top and k.top == top.path]
        if nested:
            lines += ["| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
            for key in nested:
                if key.has_default and "[]" not in key.path and "<" not in key.path:
                    default = _inline(key.default)
                elif "[]" in key.path or "<" in key.path:
                    default = "per entry"
                else:
                    default = "none"
                description = key.description or ("A name you choose." if key.chosen_name else "")
                lines.append(f"| `{key.path}` | {_cell(key.type)} | {_cell(default)} | {_cell(description)} |")
    return "\n".join(lines) + "\n"


# -- registration ---------------------------------------------------------------------------------

def redactor(ctx: SiteContext):
    """A function that replaces the names and emails of the desk's people (never published)."""
    from gitdesk.kb.privacy import PeopleMatcher, known_people

    return PeopleMatcher(known_people(ctx.root, ctx.config)).sub


@generated_page(COMMANDS_PAGE)
def _commands_page(ctx: SiteContext) -> str:
    return commands_markdown(redact=redactor(ctx))


@generated_page(CONFIG_PAGE)
def _configuration_page(ctx: SiteContext) -> str:  # noqa: ARG001 - generated page signature
    return configuration_markdown()


def iter_undocumented() -> Iterator[str]:
    """Config keys of defaults.yml without a description in the schema (for tests and reports)."""
    documented = {k.path: k for k in config_keys()}
    for path in default_key_paths():
        key = documented.get(path)
        if key is None:
            yield f"{path}: not in the schema"
        elif not key.description and not key.chosen_name:
            yield f"{path}: no description in config.schema.json"


def undocumented_commands(docs: list[CommandDoc] | None = None) -> list[str]:
    """Command paths whose own help text is empty (``--help`` would say nothing about them)."""
    docs = command_docs() if docs is None else docs
    return [doc.name for doc in docs if not doc.help_text or not doc.summary]
