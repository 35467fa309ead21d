"""``gitdesk site build`` and ``gitdesk serve``: thin Click faces over gitdesk.publish.build."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gitdesk.cli.options import make_env, repo_option


def _build(env, site_dir: str | None):
    from gitdesk.publish.build import build_site

    target = Path(site_dir) if site_dir else None
    progress = _progress_line() if sys.stderr.isatty() else None  # logs and pipes get no \r lines
    try:
        result = build_site(env.repo.root, site_dir=target, echo=lambda line: click.echo(f"mkdocs: {line}", err=True),
                            progress=progress)
    finally:
        if progress is not None:
            click.echo("", err=True)
    return result


def _progress_line():
    """``Building pages: 120/1000`` rewritten in place on stderr, at most ~10 times a second."""
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 0.1:
            last[0] = now
            click.echo(f"\rBuilding pages: {done}/{total}", err=True, nl=False)

    return show


@click.group()
def site() -> None:
    """Build the self-service site (kb/ with MkDocs Material, strict, offline)."""


@site.command("build")
@click.option("--site-dir", "site_dir", type=click.Path(file_okay=False), help="Where to write the site (default: site/).")
@repo_option
def build_cmd(site_dir, repo_path):
    """Strict build into site/; fails on any warning or any request to another host."""
    env = make_env(repo_path)
    result = _build(env, site_dir)
    click.echo(f"Built {result.pages} page(s) into {result.site_dir} (open {result.site_dir / 'index.html'} or run `gitdesk serve`).")


@click.command("serve")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--no-build", is_flag=True, help="Serve the existing site/ without building it first.")
@click.option("--site-dir", "site_dir", type=click.Path(file_okay=False), help="Site folder (default: site/).")
@click.option("--feedback/--no-feedback", "feedback", default=None,
              help="Record the articles' \"Did this solve your problem?\" votes sent to POST /feedback "
                   "(default: kb.feedback.serve, or kb.feedback.channel: serve).")
@repo_option
def serve(port, no_build, site_dir, repo_path, feedback=None):
    """Build the site, then serve it on http://127.0.0.1:PORT/ until Ctrl+C."""
    from gitdesk.publish.build import SITE_DIR, make_server

    env = make_env(repo_path)
    folder = Path(site_dir) if site_dir else env.repo.root / SITE_DIR
    if not no_build:
        _build(env, str(folder))
    server = make_server(folder, port, feedback=_feedback_endpoint(env, feedback))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    click.echo(f"Serving {folder} at {url} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.server_close()


def _feedback_endpoint(env, wanted: bool | None):
    """The ``POST /feedback`` endpoint when asked for (flag, else helpdesk.yml), or None."""
    import functools

    from gitdesk.kb.feedback import feedback_channel, record_feedback, settings
    from gitdesk.publish.feedback_endpoint import FeedbackEndpoint

    if wanted is None:
        wanted = bool(settings(env.config).get("serve")) or feedback_channel(env.config) == "serve"
    if not wanted:
        return None
    return FeedbackEndpoint(env.config, functools.partial(record_feedback, env.repo.root, env.config),
                            echo=lambda line: click.echo(line, err=True))
