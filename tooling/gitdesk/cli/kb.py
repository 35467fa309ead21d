"""``gitdesk kb new|check|search|index`` and ``gitdesk suggest``: thin Click faces over gitdesk.kb."""

from __future__ import annotations

import re
import sys

import click

from gitdesk.cli import complete
from gitdesk.cli.options import Choice, Group, echo_json, json_option, make_env, repo_option
from gitdesk.errors import UsageError, ValidationError

MAX_BATCH_BYTES = 5 * 1024 * 1024


def _styled_snippet(snippet: str) -> str:
    """``**word**`` -> bold on a terminal, plain word otherwise."""
    if sys.stdout.isatty():
        return re.sub(r"\*\*(.+?)\*\*", lambda m: click.style(m.group(1), bold=True), snippet)
    return snippet


def _print_results(results, *, kb_prefix: str) -> None:
    if not results:
        click.echo("No matching articles.")
        return
    for n, r in enumerate(results, 1):
        lang = f", {r.language}" if r.language else ""
        click.echo(f"{n}. {r.title}  ({kb_prefix}{r.path}{lang}, score {r.score:.3g})")
        if r.snippet:
            click.echo(f"   {_styled_snippet(r.snippet)}")


def _kb_prefix(env) -> str:
    from gitdesk.kb import kb_dir

    try:
        return kb_dir(env.repo.root, env.config).resolve().relative_to(env.repo.root.resolve()).as_posix() + "/"
    except ValueError:
        return ""


@click.group(cls=Group)
def kb() -> None:
    """Write, check and search knowledge base articles (kb/)."""


def _add_feedback_command() -> None:
    from gitdesk.cli.kb_feedback import feedback_cmd  # readers' votes (its own module)

    kb.add_command(feedback_cmd)


_add_feedback_command()


@kb.command("new")
@click.argument("kind", type=Choice(["guide", "faq"]))
@click.argument("title")
@click.option("--section", help="Folder under kb/ (default: where articles of the category live).")
@click.option("--category", shell_complete=complete.categories, help="Category id from helpdesk.yml (default: the section's).")
@click.option("--summary", help="One-sentence summary (default: a TODO to replace).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable; default: the category's words).")
@click.option("--audience", help="Who it is for (kb.audiences in helpdesk.yml).")
@click.option("--owner", help="Team that keeps it true (default: default_team).")
@json_option
@repo_option
def new_cmd(kind, title, section, category, summary, tags, audience, owner, as_json, repo_path):
    """Write a new article from the template: gitdesk kb new guide "Printer offline"."""
    from gitdesk.kb.new import new_article

    env = make_env(repo_path)
    path = new_article(env.repo.root, env.config, kind, title, section=section, category=category,
                       summary=summary, tags=list(tags), audience=audience, owner=owner)
    rel = path.relative_to(env.repo.root).as_posix() if path.is_relative_to(env.repo.root) else str(path)
    if as_json:
        echo_json({"path": rel})
    else:
        click.echo(f"Created {rel}: fill in the sections, then run `gitdesk kb check`.")


@kb.command("draft", epilog="\b\nExamples:\n  gitdesk kb draft --from-ticket 7K2M\n  gitdesk kb draft --from-ticket HD-7K2M9Q4XZB --print")
@click.option("--from-ticket", "ref", required=True, metavar="REF", shell_complete=complete.solved_tickets, help="The solved ticket to write the article from.")
@click.option("--title", help="The article's title (default: the ticket's, without personal data).")
@click.option("--print", "print_only", is_flag=True, help="Print the draft instead of writing it.")
@json_option
@repo_option
def draft_cmd(ref, title, print_only, as_json, repo_path):
    """Write a KCS draft article from a solved ticket, in the ticket's language.

    Symptoms come from the description, the fix from the resolving public comment and from
    internal-note lines starting "Fix:" or "Steps:" ("Check:" lines become quick checks);
    names, addresses, phone numbers and asset tags are removed. The article is written where
    articles of the ticket's category live, with `kcs: draft`: it is built only into the
    agents' part of the site until someone sets `kcs: validated`. Never overwrites a file.
    """
    from gitdesk.kb.kcs import build_draft, write_draft

    env = make_env(repo_path)
    ticket = env.store().get(ref)
    draft = (build_draft if print_only else write_draft)(env.repo.root, env.config, ticket, title=title)
    rel = draft["path"].relative_to(env.repo.root).as_posix() if draft["path"].is_relative_to(env.repo.root) else str(draft["path"])
    if as_json:
        echo_json({"path": rel, "language": draft["language"], "written": not print_only, "front_matter": draft["meta"],
                   **({"text": draft["text"]} if print_only else {})})
    elif print_only:
        click.echo(draft["text"], nl=False)
    else:
        click.echo(f"Drafted {rel} ({draft['language']}) from {ticket.ref(env.config.id_prefix)}: "
                   "review it, then set `kcs: validated` and run `gitdesk kb check`.")


@kb.command("check")
@click.option("--strict", is_flag=True, help="Also fail on the warnings (articles missing in a site language, reviews overdue).")
@json_option
@repo_option
def check_cmd(strict, as_json, repo_path):
    """Check every page: front matter, sections, links, images, safety, staleness, translations.

    Prints one line per problem (`path:line: field-or-rule: message`) and exits 1 if any.
    Articles missing in one of the site's languages, and articles overdue for review
    (overdue-review), are warnings: listed, failing only with --strict.
    """
    from gitdesk.kb.lint import check_kb, failing

    env = make_env(repo_path)
    problems = check_kb(env.repo.root, env.config)
    bad = failing(problems, strict=strict)
    if as_json:
        echo_json([{"path": p.path, "line": p.line, "rule": p.rule, "message": p.message} for p in problems])
    else:
        for p in problems:
            click.echo(str(p))
        listed = len(problems) - len(bad)
        summary = f"kb check: {len(bad)} problem(s)" if bad else "kb check: no problems"
        click.echo(summary + (f", {listed} listed ({_listed_kinds(problems)}; --strict fails on them)" if listed else ""), err=True)
        if "stale_after_days" in (env.config.get("kb") or {}):  # set by helpdesk.yml: the defaults no longer have it
            click.echo("kb check: note: kb.stale_after_days in helpdesk.yml is the older name of kb.review_every_days "
                       "(read as it); rename it", err=True)
    if bad:
        raise click.exceptions.Exit(1)


def _listed_kinds(problems) -> str:
    """What the warnings are, for the summary line."""
    rules = {p.rule for p in problems}
    kinds = [name for rule, name in (("missing-translation", "missing translations"), ("overdue-review", "overdue reviews"))
             if rule in rules]
    return ", ".join(kinds)


def _read_batch(path: str) -> list[str]:
    from gitdesk.yamlio import decode_limited, read_text

    if path == "-":
        text = decode_limited(sys.stdin.buffer.read(MAX_BATCH_BYTES + 1), name="-", max_bytes=MAX_BATCH_BYTES, encoding="utf-8-sig")
    else:
        text = read_text(path, max_bytes=MAX_BATCH_BYTES, display=path, encoding="utf-8-sig")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _progress():
    """A progress bar on stderr for a long (re)embedding, only on a terminal."""
    if not sys.stderr.isatty():
        return None
    state: dict = {}

    def report(done: int, total: int) -> None:
        if total < 20:
            return
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label="Embedding article passages", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return report


def open_searcher(env, mode=None):
    from gitdesk.kb.search import Searcher

    return Searcher(env.repo.root, env.config, mode=mode, progress=_progress())


def _lexical_notice(searcher, as_json: bool) -> None:
    """One line on stderr when semantic search was wanted but is not available."""
    if searcher.semantic_reason and not as_json:
        from gitdesk.languages import text

        click.echo(text("search.lexical_only", env_language(searcher), reason=searcher.semantic_reason), err=True)


def env_language(searcher) -> str:
    return searcher.default_language


mode_option = click.option("--mode", type=Choice(["hybrid", "lexical", "semantic"]), default=None,
                           help="Ranking: words and meaning fused (default, kb.search.mode), words only, meaning only.")
language_option = click.option("--language", "language", default=None,
                               help="The query's language (en, es, pt; default: guessed from its words).")


def _language(value):
    from gitdesk.languages import normalise

    return normalise(value, path=None, field="--language") if value else None


@kb.command("search")
@click.argument("query", required=False)
@click.option("--batch", "batch", metavar="FILE", help="Read one query per line (- for stdin); print one JSON line per query.")
@click.option("--limit", "-n", default=5, show_default=True, type=click.IntRange(1, 100), help="How many results.")
@mode_option
@language_option
@click.option("--for", "audience", type=Choice(["all", "requesters"]), default="all", show_default=True,
              help="requesters: leave out the agents' handbook (what suggestions to a requester do).")
@json_option
@repo_option
def search_cmd(query, batch, limit, mode, language, audience, as_json, repo_path):
    """Search the KB: gitdesk kb search "vpn keeps disconnecting"."""
    if (query is None) == (batch is None):
        raise UsageError("give a QUERY or --batch FILE (not both)")
    env = make_env(repo_path)
    language = _language(language)
    queries = _read_batch(batch) if batch else None
    from gitdesk.cli.jsonout import line

    with open_searcher(env, mode) as s:
        if queries is not None:
            for q, results in zip(queries, s.query_many(queries, limit=limit, language=language, audience=audience), strict=True):
                click.echo(line({"query": q, "mode": s.mode, "results": [r.brief() for r in results]}))  # one line per query
            return
        results = s.query(query, limit=limit, language=language, audience=audience)
        _lexical_notice(s, as_json)
        if as_json:
            echo_json({"mode": s.mode, "language": language or s.language_of(query),
                       "results": [{**r.brief(), "snippet": r.snippet} for r in results]})
        else:
            _print_results(results, kb_prefix=_kb_prefix(env))


@kb.command("index")
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it again.")
@json_option
@repo_option
def index_cmd(rebuild, as_json, repo_path):
    """Bring the search index (.gitdesk/kb-index/) up to date and say what changed."""
    from gitdesk.kb.index import KBIndex

    env = make_env(repo_path)
    idx = KBIndex(env.repo.root, env.config)
    stats = idx.rebuild() if rebuild else idx.update()
    from gitdesk.kb.embedding import load_model

    model, reason = load_model(env.config, idx.dir.parent)
    vec = None
    if model is not None:
        if rebuild:
            from gitdesk.kb.vectors import vectors_path

            vectors_path(env.repo.root).unlink(missing_ok=True)
        vec = idx.update_vectors(model, progress=_progress())[1]
    if as_json:
        echo_json({**stats.as_dict(), "vectors": vec, "semantic": reason or "on"})
    else:
        click.echo(
            f"kb index: {stats.total} page(s); {len(stats.added)} added, {len(stats.changed)} changed, "
            f"{len(stats.removed)} removed, {stats.unchanged} unchanged{' (rebuilt)' if stats.rebuilt else ''}"
            + (f"; {vec['embedded']} embedded" if vec else "")
        )


@click.command("suggest")
@click.argument("ticket", required=False, shell_complete=complete.tickets)
@click.option("--text", help="Suggest for this text instead of a ticket.")
@click.option("--category", shell_complete=complete.categories, help="Category id to favour (a ticket's own category is used by default).")
@click.option("--limit", "-n", default=5, show_default=True, type=click.IntRange(1, 50), help="How many articles.")
@mode_option
@json_option
@repo_option
def suggest(ticket, text, category, limit, mode, as_json, repo_path):
    """List the best KB articles for a ticket (id or prefix) or for --text."""
    from gitdesk.kb.suggest import suggest as suggest_articles
    from gitdesk.kb.suggest import ticket_text

    if (ticket is None) == (text is None):
        raise UsageError("give a TICKET or --text (not both)")
    env = make_env(repo_path)
    if ticket is not None:
        store = env.store()
        t = store.get(ticket)
        text = ticket_text(getattr(t, "title", ""), getattr(t, "description", ""))
        category = category or getattr(t, "category", None)
    if category and category not in env.config.category_ids():
        raise ValidationError(f"unknown category {category!r}", field="category")
    with open_searcher(env, mode) as s:
        results = suggest_articles(env.repo.root, env.config, text or "", category=category, limit=limit, searcher=s)
        _lexical_notice(s, as_json)
    if as_json:
        echo_json({"mode": s.mode, "results": [{**r.brief(), "snippet": r.snippet} for r in results]})
    else:
        _print_results(results, kb_prefix=_kb_prefix(env))


from gitdesk.cli.kbreview import review  # noqa: E402 - `gitdesk kb review` lives in its own module

kb.add_command(review)
