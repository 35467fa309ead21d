"""The terminal interview of ``gitdesk ticket new``: numbered choices, plain-language priority
questions, the description in ``$VISUAL``/``$EDITOR`` (as ``git commit`` does) or over several
lines, then a summary to confirm.

Only the terminal path comes here; flags and pipes never prompt. The questions are in the desk's
language (``data/lang/<lang>/cli.yml``), because the agent reads them out to the caller.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import click

from gitdesk.errors import GitdeskError
from gitdesk.languages import text


class NotOpened(GitdeskError):
    """The agent declined the summary or left the editor empty: nothing was written."""


@dataclass
class Answers:
    """What ``ticket new`` knows so far; the interview fills in what is missing."""

    title: str | None = None
    requester: str | None = None
    department: str | None = None
    channel: str | None = None
    asset: str | None = None
    description: str | None = None
    category: str | None = None
    priority: str | None = None
    impact: str | None = None
    urgency: str | None = None
    said: dict[str, str] = field(default_factory=dict)  # how the priority was reached, for the summary


def choose(question: str, options: list[tuple[str, str]], lang: str, *, default: str | None = None,
           blank: str | None = None) -> str | None:
    """A numbered list shown up front; the answer is a number or a value. ``options``: (value,
    label) pairs. ``blank``: what an empty answer means (shown as the hint), or None when an
    answer is required (then ``default`` fills in)."""
    click.echo(f"{question}")
    width = max(len(value) for value, _ in options)
    for number, (value, label) in enumerate(options, 1):
        click.echo(f"  {number:>2}) {value.ljust(width)}  {label}".rstrip() if label != value else f"  {number:>2}) {value}")
    values = [value for value, _ in options]
    hint = text("cli.choose_hint", lang, last=len(options))
    if blank is not None:
        hint = f"{hint}, {blank}"
    while True:
        answer = click.prompt(f"  [{hint}]", default=default or "", show_default=bool(default)).strip()
        if not answer:
            if blank is not None:
                return None
            if default:
                return default
            continue
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return values[int(answer) - 1]
        matches = [v for v in values if v == answer] or [v for v in values if v.lower() == answer.lower()]
        if len(matches) == 1:
            return matches[0]
        click.echo(text("cli.choose_again", lang, answer=answer, last=len(options)), err=True)


def _editor() -> str | None:
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def ask_description(lang: str, *, chat: bool) -> str | None:
    """In the editor when one is set (a commented template; ``#`` lines dropped; empty aborts),
    else several typed lines ended by an empty line or a lone ``.``."""
    label = text("cli.q_chat" if chat else "cli.q_description", lang)
    editor = _editor()
    if editor:
        template = "\n" + "\n".join(f"# {line}" for line in text("cli.editor_template", lang, label=label).splitlines()) + "\n"
        click.echo(text("cli.editor_waiting", lang, editor=editor))
        written = click.edit(template, editor=editor, extension=".md", require_save=False)
        kept = [line for line in (written or "").splitlines() if not line.startswith("#")]
        description = "\n".join(kept).strip()
        if not description:
            raise NotOpened(text("cli.editor_empty", lang))
        return description
    click.echo(f"{label} {text('cli.lines_hint', lang)}")
    lines: list[str] = []
    while True:
        line = click.prompt("", prompt_suffix="> ", default="", show_default=False)
        if line.strip() in ("", "."):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip() or None


def _levels(cfg, key: str, lang: str, kind: str) -> list[tuple[str, str]]:
    """The configured levels, the mildest first (helpdesk.yml lists them most severe first),
    each with its plain-language meaning when the desk's language has one."""
    from gitdesk.languages import strings

    table = strings("cli", lang)
    return [(level, str(table.get(f"{kind}_{level}", level))) for level in reversed(cfg[key])]


def ask_priority(cfg, answers: Answers, lang: str) -> None:
    """Impact then urgency in plain words; either left blank gives ``sla.default_priority``."""
    blank = text("cli.blank_default", lang)
    impacts = _levels(cfg, "impact_levels", lang, "impact")
    urgencies = _levels(cfg, "urgency_levels", lang, "urgency")
    if answers.impact is None:
        answers.impact = choose(text("cli.q_impact", lang), impacts, lang, blank=blank)
    if answers.impact is not None and answers.urgency is None:
        answers.urgency = choose(text("cli.q_urgency", lang), urgencies, lang, blank=blank)
    if answers.impact and answers.urgency:
        answers.priority = cfg.derive_priority(answers.impact, answers.urgency)
        said = text("cli.priority_matrix", lang, priority=answers.priority, impact=dict(impacts)[answers.impact],
                    urgency=dict(urgencies)[answers.urgency])
    elif cfg.default_priority:
        answers.priority = cfg.default_priority
        said = text("cli.priority_default", lang, priority=answers.priority)
    else:
        said = text("cli.priority_none", lang)
    answers.said["priority"] = said
    click.echo(f"{text('cli.s_priority', lang)}: {said}")


def interview(cfg, answers: Answers) -> None:
    """Ask, in order, for every field still missing (the caller checks it is on a terminal)."""
    lang = cfg.language
    if not answers.title:
        answers.title = click.prompt(text("cli.q_title", lang))
    if not answers.requester:
        answers.requester = click.prompt(text("cli.q_requester", lang))
    if not answers.department:
        answers.department = click.prompt(text("cli.q_department", lang), default="", show_default=False) or None
    if not answers.channel:
        default = "phone" if "phone" in cfg.channels else cfg.channels[0]
        answers.channel = choose(text("cli.q_channel", lang), [(c, c) for c in cfg.channels], lang, default=default)
    if not answers.asset and answers.channel in ("phone", "walk-in"):
        answers.asset = click.prompt(text("cli.q_asset", lang), default="", show_default=False) or None
    if answers.description is None:
        answers.description = ask_description(lang, chat=answers.channel == "chat")
    if not answers.category:
        options = [(cid, cat.name) for cid, cat in cfg.categories.items()]
        answers.category = choose(text("cli.q_category", lang), options, lang, blank=text("cli.blank_triage", lang))
    if not (answers.priority or (answers.impact and answers.urgency)):
        ask_priority(cfg, answers, lang)


def summary(cfg, answers: Answers) -> list[tuple[str, str]]:
    """(label, value) rows of what is about to be written."""
    lang = cfg.language
    none = text("cli.none", lang)
    category = answers.category or none
    if answers.category in cfg.categories:
        category = f"{answers.category} ({cfg.categories[answers.category].name})"
    priority = answers.said.get("priority") or answers.priority
    if not priority and answers.impact and answers.urgency:
        priority = cfg.derive_priority(answers.impact, answers.urgency)
    description = answers.description or none
    lines = description.splitlines()
    if len(lines) > 1:
        description = text("cli.more_lines", lang, first=lines[0], more=len(lines) - 1)
    rows: list[tuple[str, Any]] = [
        (text("cli.s_title", lang), answers.title), (text("cli.s_requester", lang), answers.requester),
        (text("cli.s_department", lang), answers.department or none), (text("cli.s_channel", lang), answers.channel or none),
        (text("cli.s_asset", lang), answers.asset or none), (text("cli.s_category", lang), category),
        (text("cli.s_priority", lang), priority or none),
        (text("cli.s_description", lang), description),
    ]
    return [(label, str(value)) for label, value in rows]


def confirm(cfg, answers: Answers) -> None:
    """Show the summary and ask y/N; a no (or Enter) raises :class:`NotOpened`."""
    from gitdesk.cli.render import safe_text

    lang = cfg.language
    rows = summary(cfg, answers)
    width = max(len(label) for label, _ in rows)
    click.echo("\n" + text("cli.summary", lang))
    for label, value in rows:
        click.echo(safe_text(f"  {label.ljust(width)}  {value}"))
    answer = click.prompt(f"{text('cli.q_confirm', lang)} [{text('cli.yes_no', lang)}]", default="", show_default=False)
    if answer.strip().lower() not in {"y", "yes", *text("cli.yes_words", lang).split()}:
        raise NotOpened(text("cli.declined", lang))
