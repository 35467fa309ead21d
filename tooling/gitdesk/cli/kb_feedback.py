"""``gitdesk kb feedback``: readers' votes per article, worst first, and the review tasks they call for."""

from __future__ import annotations

import click

from gitdesk.cli.options import (
    Env,
    actor_option,
    commit_option,
    echo_json,
    json_option,
    repo_option,
    wait_option,
)


@click.command("feedback", epilog="\b\nExamples:\n  gitdesk kb feedback\n  gitdesk kb feedback accounts/reset-password.md --json\n"
                                  "  gitdesk kb feedback --open-reviews --commit")
@click.argument("article", required=False)
@click.option("--comments", "n_comments", type=click.IntRange(0, 100), default=3, show_default=True,
              help="Most recent comments shown per article.")
@click.option("--open-reviews", is_flag=True,
              help="Open a review task for the owner of each article with kb.feedback.review_after \"No\" votes "
                   "since its last review (once: never while one is open).")
@click.option("--dry-run", is_flag=True, help="With --open-reviews: say which tasks would open; write nothing.")
@wait_option
@actor_option
@commit_option
@json_option
@repo_option
def feedback_cmd(article, n_comments, open_reviews, dry_run, wait, actor_flag, commit_flag, as_json, repo_path):
    """Readers' answers to "Did this solve your problem?", per article, worst first.

    For each article (translations count for their original): Yes and No votes, the helpful
    share, the reasons given, the "No" votes since its last review and the latest comments.
    ARTICLE (a path under kb/) shows that article only. Votes arrive by e-mail (`intake email`),
    as kb-feedback issues (`sync`, `github triage`) or through `gitdesk serve --feedback`.
    """
    from gitdesk.cli.render import safe_text
    from gitdesk.kb.feedback import load_feedback, summarise
    from gitdesk.kb.feedback import open_reviews as run_reviews

    env = Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)
    root, config = env.repo.root, env.config
    rows = summarise(root, config, load_feedback(root, config), article=article, comments=n_comments)
    reviews = None
    if open_reviews:
        from gitdesk.cli.many import commit
        from gitdesk.operations import Desk

        if not dry_run:
            env.hold_lock("kb feedback", wait)
        desk = Desk(env.store(), config, config.automation_actor if actor_flag is None else env.actor)
        reviews = run_reviews(root, config, desk, dry_run=dry_run)
        if not dry_run:
            commit(env, desk, note="kb feedback: review tasks from readers' votes")
    if as_json:
        echo_json({"articles": rows, **({"reviews": reviews} if reviews is not None else {})})
        return
    if not rows:
        click.echo("No feedback recorded" + (f" for {article}." if article else "."))
    for row in rows:
        share = f"{row['helpful_share'] * 100:.0f}%"
        reasons = ", ".join(f"{k} {v}" for k, v in row["reasons"].items()) or "-"
        click.echo(safe_text(f"{row['article']}  {row['title']}"))
        click.echo(f"  yes {row['yes']}, no {row['no']} ({share} helpful); reasons: {reasons}; "
                   f"no since last review ({row['last_reviewed'] or 'never'}): {row['no_since_review']}")
        for c in row["comments"]:
            vote = "yes" if c["helpful"] else "no"
            click.echo(safe_text(f"  {c['at'][:10]} {vote} ({c['language']}): {' '.join(c['comment'].split())[:200]}"))
    for r in reviews or ():
        if r["skipped"]:
            click.echo(f"review {r['article']}: {r['skipped']}")
        elif dry_run:
            click.echo(f"review {r['article']}: would ask {r['owner']} ({r['no_since']} \"No\" votes)")
        else:
            ref = f"{config.id_prefix}-{r['ticket']}"
            verb = "opened" if r["created"] else ("reopened" if r.get("reopened") else "added to")
            click.echo(f"review {r['article']}: {verb} {ref} for {r['owner']} "
                       f"({r['no_since']} \"No\" votes)")


def reviews_after_votes(env: Env, store) -> list:
    """After a channel recorded "No" votes (``intake email``, ``sync``): open the review tasks
    they call for, said on stderr; the files written, for the caller's --commit. A failure here
    is reported and does not undo what the channel recorded."""
    from gitdesk.errors import GitdeskError
    from gitdesk.kb.feedback import open_reviews
    from gitdesk.operations import Desk

    desk = Desk(store, env.config, env.config.automation_actor)
    try:
        for row in open_reviews(env.repo.root, env.config, desk):
            if row["ticket"]:
                click.echo(f"review task {env.config.id_prefix}-{row['ticket']} for {row['owner']}: {row['article']} "
                           f"({row['no_since']} \"No\" votes)", err=True)
    except GitdeskError as exc:
        click.echo(f"gitdesk: warning: review tasks not opened: {exc.line()}", err=True)
    return list(desk.written)
