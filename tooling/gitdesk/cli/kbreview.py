"""``gitdesk kb review``: the articles due for review, by owning team; ``--open-tickets`` asks
each team through one review ticket per month (:mod:`gitdesk.kb.review`)."""

from __future__ import annotations

import datetime as _dt

import click

from gitdesk.cli.options import Env, automation_options, echo_json
from gitdesk.errors import UsageError

EPILOG = """\b
Examples:
  gitdesk kb review                          # overdue, or due in the next 14 days, by team
  gitdesk kb review --owner security --json  # one team's list, for scripts
  gitdesk kb review --open-tickets --commit  # one review ticket per team this month (the workflow)

An article is due `review_every` days (front matter; default kb.review_every_days) after its
last_reviewed. Translations reviewed before their original's last review are listed with it.
Review tickets carry the tags kb-review, kb-review-owner-TEAM and kb-review-period-YYYY-MM: a
second run in the month adds only articles not listed yet, and writes nothing when there are none.
"""


def _day(text: str | None) -> _dt.date:
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date: {text!r} (use YYYY-MM-DD)", field="--at") from None


@click.command("review", epilog=EPILOG)
@click.option("--at", "at_text", metavar="DATE", help="Count as of DATE (YYYY-MM-DD; default: today).")
@click.option("--within", default=14, show_default=True, type=click.IntRange(0, 3650), metavar="DAYS",
              help="Also list articles due in the next DAYS days.")
@click.option("--owner", "owners", multiple=True, metavar="TEAM", help="Only this team's articles (repeatable).")
@click.option("--open-tickets", "open_tickets", is_flag=True,
              help="Open or update one review ticket per team for this month, listing its articles.")
@automation_options("Tickets")
def review(at_text, within, owners, open_tickets, wait, as_json, commit_flag, actor_flag, repo_path) -> None:
    """List the articles due or overdue for review, by owning team."""
    from gitdesk.kb.freshness import by_owner, due_articles
    from gitdesk.kb.review import month_period

    env = Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)
    config = env.config
    today = _day(at_text)
    unknown = [o for o in owners if o not in config.teams]
    if unknown:
        raise UsageError(f"unknown team {unknown[0]!r} (known: {', '.join(config.teams)})", field="--owner")
    if open_tickets and today > _dt.date.today() + _dt.timedelta(days=1):
        raise UsageError("--open-tickets records tickets now: --at cannot be in the future", field="--at")
    if open_tickets:
        env.hold_lock("kb review --open-tickets", wait)  # two runs would both open a team's ticket
    items = [i for i in due_articles(env.repo.root, config, today, within=within) if not owners or i.owner in owners]
    period = month_period(today)
    tickets: list[dict] = []
    if open_tickets and items:
        tickets = _open_tickets(env, items, period, today)
    if as_json:
        out: dict = {"at": today.isoformat(), "within": within, "period": period, "owners": [
            {"owner": owner, "name": (config.teams.get(owner) or {}).get("name") or owner,
             "articles": [i.to_dict() for i in group]} for owner, group in by_owner(items).items()]}
        if open_tickets:
            out["tickets"] = tickets
        echo_json(out)
        return
    _print(items, config, today, within, _prefix(env))
    for t in tickets:
        did = "opened" if t["created"] else ("updated" if t["changed"] else "unchanged")
        click.echo(f"Review ticket {t['ref']} for {t['owner']}: {did} ({len(t['articles'])} article(s)).")


def _open_tickets(env: Env, items, period: str, today: _dt.date) -> list[dict]:
    from gitdesk.kb.review import open_review_tickets
    from gitdesk.operations import Desk, describe

    store = env.store()
    # recorded as the desk's automation, not as whoever ran it (an agent, a workflow)
    desk = Desk(store, env.config, env.config.automation_actor)
    tickets = open_review_tickets(desk, items, period, today)
    if desk.written and env.commit and store.file_backed:
        lines = [describe(e, env.config.id_prefix) for e in desk.recorded]
        env.repo.commit(desk.written, f"kb review: review tickets for {period}\n\n" + "\n".join(lines), author=env.actor_flag)
    return tickets


def _prefix(env: Env) -> str:
    """``kb/``: the KB folder as the repository names it."""
    from gitdesk.kb import kb_dir

    folder = kb_dir(env.repo.root, env.config)
    return folder.relative_to(env.repo.root).as_posix() + "/" if folder.is_relative_to(env.repo.root) else ""


def _print(items, config, today: _dt.date, within: int, prefix: str) -> None:
    from gitdesk.cli.render import table
    from gitdesk.kb.freshness import by_owner

    if not items:
        click.echo(f"No articles due for review by {(today + _dt.timedelta(days=within)).isoformat()}.")
        return
    for owner, group in by_owner(items).items():
        name = (config.teams.get(owner) or {}).get("name") or owner or "(no owner)"
        click.echo(f"{name} ({owner or '-'}): {len(group)} article(s)")
        rows = []
        for i in group:
            late = "-" if i.days_overdue is None else (f"{i.days_overdue}d overdue" if i.days_overdue > 0 else
                                                       f"due in {-i.days_overdue}d" if i.days_overdue < 0 else "due today")
            rows.append([prefix + i.path, i.last_reviewed.isoformat() if i.last_reviewed else "-",
                         i.due.isoformat() if i.due else "-", late if i.state != "translations" else "translations", i.title])
            rows += [["  " + prefix + t["path"], t["last_reviewed"], "-", "translation", f"older than the {i.last_reviewed} review"]
                     for t in i.stale_translations]
        click.echo(table(["ARTICLE", "REVIEWED", "DUE", "STATE", "TITLE"], rows, flex=4))
        click.echo("")
    counts = {s: sum(1 for i in items if i.state == s) for s in ("overdue", "due", "translations")}
    click.echo(f"kb review on {today.isoformat()}: {counts['overdue']} overdue, {counts['due']} due within {within} days, "
               f"{counts['translations']} with translations to update.")
