"""``gitdesk problem ...`` and the problem parts of ``ticket link`` and ``ticket show``; the rules
live in :mod:`gitdesk.problems`."""

from __future__ import annotations

import click

from gitdesk.cli import complete
from gitdesk.cli.many import common_options as common
from gitdesk.cli.options import Env, Group, echo_json, json_option, make_env, repo_option


def link_problem(env: Env, refs, from_file, dry_run: bool, as_json: bool, problem_ref: str | None) -> None:
    """``ticket link INCIDENT... --problem P`` (every link checked before any is recorded), or
    ``ticket link INCIDENT... --remove`` (unlink from their problem)."""
    from gitdesk import problems
    from gitdesk.cli.many import collect, make_desk, run_each

    ids = collect(env, refs, from_file)
    if problem_ref is None:
        run_each(env, ids, "Unlinked", problems.unlink, as_json=as_json, dry_run=dry_run)
        return
    problems.check_links(make_desk(env), ids, problem_ref)  # all or nothing: refuse before any change
    run_each(env, ids, "Linked", lambda d, ref: problems.link(d, [ref], problem_ref)[0], as_json=as_json, dry_run=dry_run)


def show_extra(store, ticket, config) -> tuple[dict, list[str]]:
    """Fields ``ticket show`` adds: the type, an incident's problem, a problem's incidents."""
    from gitdesk import problems
    from gitdesk.cli.render import safe_text

    info = problems.summary(store, ticket, config)
    lines = problems.summary_lines(info, ticket, config, store)
    known = problems.known_errors_for(store, ticket, config)
    if known:
        info["known_errors"] = known
        lines += [f"  {'Known error:':<16}{', '.join(k['kb'])} ({config.id_prefix}-{k['problem']}: {k['why']})" for k in known]
    return info, [safe_text(line) for line in lines]


@click.group(cls=Group)
def problem() -> None:
    """Problems: the causes behind repeated incidents."""


@problem.command(name="resolve", epilog='\b\nExamples:\n  gitdesk problem resolve 9QXA -m "Replaced the failing switch" --incidents')
@click.argument("ref", shell_complete=complete.tickets)
@click.option("-m", "--comment", "text", help="The fix, as a public comment (and in each incident's message).")
@click.option("--incidents/--no-incidents", "with_incidents", default=None,
              help="Also resolve its open incidents, one message each (asked on a terminal).")
@click.option("--dry-run", is_flag=True, help="Show what would change; record nothing.")
@common
def resolve(ref, text, with_incidents, dry_run, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Resolve a problem and, as one recorded step, its open incidents."""
    import sys

    from gitdesk import problems
    from gitdesk.cli.many import commit, make_desk
    from gitdesk.cli.render import safe_text

    env = make_env(repo_path, actor_flag, commit_flag)
    desk = make_desk(env, dry_run)
    problem_obj = desk.store.get(ref)
    waiting = problems.open_incidents(desk.store, problem_obj, env.config)
    if with_incidents is None and waiting:
        if sys.stdin.isatty() and sys.stdout.isatty() and not as_json:
            with_incidents = click.confirm(f"Also resolve its {len(waiting)} open incident(s)?", default=True)
        else:
            with_incidents = False
    changed = problems.resolve_with_incidents(desk, problem_obj.id, text, include_incidents=bool(with_incidents))
    if not dry_run:
        commit(env, desk)
    p = env.config.id_prefix
    if as_json:
        echo_json({"dry_run": dry_run, "resolved": [t.id for t in changed], "left_open": [] if with_incidents else [t.id for t in waiting]})
        return
    for t in changed:
        click.echo(safe_text(f"{'would resolve' if dry_run else 'Resolved'} {p}-{t.id}: {t.title}"))
    if waiting and not with_incidents:
        click.echo(f"{len(waiting)} open incident(s) left open: add --incidents to resolve them too")


@problem.command(epilog="\b\nExamples:\n  gitdesk problem suggest\n  gitdesk problem suggest --since 2026-10-01 --min 2 --json")
@click.option("--since", default="30d", show_default=True, help="Incidents opened since (YYYY-MM-DD, or Nd for N days back).")
@click.option("--min", "min_incidents", type=click.IntRange(min=2), default=3, show_default=True, help="Incidents a proposal needs.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.2, show_default=True, help="Word overlap (Jaccard) that counts as alike.")
@json_option
@repo_option
def suggest(since, min_incidents, threshold, as_json, repo_path) -> None:
    """Propose problems from recent incidents sharing an asset, a category and similar text."""
    from gitdesk import problems
    from gitdesk.cli.render import safe_text

    env = make_env(repo_path)
    found = problems.suggest(env.store(), env.config, since=_since(since, env.config["timezone"]),
                             min_incidents=min_incidents, threshold=threshold)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No repeated incidents to propose as a problem.")
        return
    from gitdesk.shortref import desk_id_length

    n = desk_id_length(env.store(), [i["id"] for g in found for i in g["incidents"]])
    p = env.config.id_prefix
    for g in found:
        click.echo(safe_text(f"{g['title']}  ({g['count']} incidents; asset {g['asset']}, category {g['category']})"))
        click.echo(safe_text(f"  shared words: {', '.join(g['shared_words']) or '-'}"))
        for i in g["incidents"]:
            click.echo(safe_text(f"  {p}-{i['id'][:n]}  similarity {i['similarity']:.2f}  {i['title']}"))
        ids = " ".join(i["id"][:n] for i in g["incidents"])
        click.echo(f"  -> gitdesk ticket new {safe_text(repr(g['title']))} --type problem ... ; gitdesk ticket link {ids} --problem NEW")


def _since(text: str, zone: str) -> str:
    from datetime import timedelta

    from gitdesk.model.event import format_time, utcnow
    from gitdesk.when import parse_when

    if text.endswith("d") and text[:-1].isdigit():
        return format_time(utcnow() - timedelta(days=int(text[:-1])))
    return format_time(parse_when(text, zone, option="--since"))


@problem.command(name="known-error", epilog='\b\nExamples:\n  gitdesk problem known-error 9QXA --workaround "Use webmail at https://mail.example.com until the fix."\n  gitdesk problem known-error 9QXA --workaround "..." --translation es="Use el correo web..."')
@click.argument("ref", shell_complete=complete.tickets)
@click.option("--workaround", required=True, help="What users can do until the problem is fixed (the desk's language).")
@click.option("--translation", "translations", multiple=True, metavar="LANG=TEXT", help="The workaround in another of the desk's languages (repeatable).")
@click.option("--category", shell_complete=complete.categories, help="KB category (default: the problem's, or its incidents' most common).")
@common
def known_error(ref, workaround, translations, category, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Publish a problem's workaround as a KB article linked to the problem (a known error);
    ticket show suggests it on tickets like the problem's incidents."""
    import datetime as _dt
    from collections import Counter

    from gitdesk import problems
    from gitdesk.errors import UsageError
    from gitdesk.kb import kb_dir
    from gitdesk.languages import normalise, translated_rel

    env = make_env(repo_path, actor_flag, commit_flag)
    store, config = env.store(), env.config
    problem_obj = store.get(ref)
    if not problems.is_problem(problem_obj, config):
        raise UsageError(f"{problem_obj.ref(config.id_prefix)} is not a problem", field="ticket")
    texts = {config.language: workaround}
    for item in translations:
        code, sep, value = item.partition("=")
        code = normalise(code, path=None, field="--translation") if sep else ""
        if not sep or not value.strip():
            raise UsageError(f"expected LANG=TEXT, got {item!r}", field="--translation")
        if code not in config.languages:
            raise UsageError(f"{code!r} is not one of the desk's languages ({', '.join(config.languages)})", field="--translation")
        texts[code] = value
    linked = problems.incidents(store, problem_obj.id)
    category = category or problem_obj.get("category") or (
        Counter(t.category for t in linked if t.get("category")).most_common(1) or [("other", 0)])[0][0]
    if category not in config.category_ids():
        raise UsageError(f"unknown category {category!r}", field="--category")
    base_rel = f"{category.split('/')[0]}/known-error-{problem_obj.id.lower()}.md"
    root = kb_dir(env.repo.root, config)
    written = []
    owner = problem_obj.get("team") or config["default_team"]
    today = _dt.date.today().isoformat()
    for language, value in texts.items():
        rel = translated_rel(base_rel, language, config.language)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(problems.known_error_article(problem_obj, config, value, language, category=category,
                                                     owner=owner, today=today), encoding="utf-8")
        written.append(path)
    from gitdesk.cli.many import commit, make_desk

    desk = make_desk(env)
    result = desk.link(problem_obj.id, kb=[base_rel])
    commit(env, desk, written, note=f"{config.id_prefix}-{problem_obj.id}: known error published as kb/{base_rel}")
    if as_json:
        echo_json({"problem": result.id, "kb": base_rel, "files": [str(p.relative_to(env.repo.root)) for p in written]})
        return
    click.echo(f"Published {', '.join(str(p.relative_to(env.repo.root)) for p in written)}; linked to {config.id_prefix}-{result.id}")
