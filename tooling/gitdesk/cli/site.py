"""``gitdesk site build`` and ``gitdesk serve``: thin Click faces over gitdesk.publish.build."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gitdesk.cli.options import Group, echo_json, json_option, make_env, repo_option
from gitdesk.errors import GitdeskError

STAGES = {"read": "Reading kb/", "index": "Building index", "search": "Search index", "offline": "Checking the site stays offline"}


def _build(env, site_dir: str | None, *, quiet: bool = False, only: set[str] | None = None, as_json: bool = False):
    """Build, showing the stages and pages on a terminal's stderr (logs and pipes get none; under
    --json stderr holds nothing but an error object, which carries MkDocs' warnings).
    Returns the result and the seconds it took."""
    from gitdesk.publish.build import build_site

    target = Path(site_dir) if site_dir else None
    started = time.monotonic()
    status = _Status() if sys.stderr.isatty() and not quiet and not as_json else None
    echo = None if as_json else (lambda line: click.echo(f"mkdocs: {line}", err=True))
    try:
        result = build_site(env.repo.root, site_dir=target, echo=echo,
                            progress=status.pages if status else None, stage=status.stage if status else None, only=only)
    finally:
        if status is not None:
            status.end()
    seconds = time.monotonic() - started
    if status is not None:
        click.echo(f"Done in {seconds:.1f} s", err=True)
    return result, seconds


class _Status:
    """One line per stage on stderr; ``Rendering pages 120/1000`` rewritten in place (the count
    only grows, so ``\r`` is enough), at most ~10 times a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.open = self.rendering = False
        self.languages: list[str] = []

    def stage(self, name: str) -> None:
        kind, _, language = name.partition(":")
        text = STAGES.get(kind, kind)
        if kind == "read":
            self.languages.append(language)
            if len(self.languages) > 1:  # the default language is the site's root; the others' folders
                text = f"{text} ({language})"
        self.end()
        click.echo(f"{text} …", err=True, nl=False)
        self.open, self.rendering = True, False

    def pages(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last >= 0.1:
            if not self.rendering:  # the first count starts its own line; the next ones rewrite it
                self.end()
                self.rendering = True
            self.last = now
            click.echo(f"\rRendering pages {done}/{total}", err=True, nl=False)
            self.open = True

    def end(self) -> None:
        if self.open:
            click.echo("", err=True)
            self.open = False


@click.group(cls=Group)
def site() -> None:
    """Build the self-service site (kb/ with MkDocs Material, strict, offline)."""


@site.command("build")
@click.option("--site-dir", "site_dir", type=click.Path(file_okay=False), help="Where to write the site (default: site/).")
@json_option
@repo_option
def build_cmd(site_dir, as_json, repo_path):
    """Strict build into site/; fails on any warning or any request to another host."""
    env = make_env(repo_path)
    result, seconds = _build(env, site_dir, as_json=as_json)
    if as_json:
        echo_json({"site_dir": str(result.site_dir), "pages": result.pages, "index": str(result.site_dir / "index.html"),
                   "seconds": round(seconds, 1), "warnings": list(result.warnings)})
        return
    click.echo(f"Built {result.pages} page(s) into {result.site_dir} in {seconds:.1f} s "
               f"(open {result.site_dir / 'index.html'} or run `gitdesk serve`).")


@click.command("serve")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--no-build", is_flag=True, help="Serve the existing site/ without building it first.")
@click.option("--no-watch", is_flag=True, help="Do not rebuild when kb/, mkdocs.yml or helpdesk.yml change (and no page reload).")
@click.option("--site-dir", "site_dir", type=click.Path(file_okay=False), help="Site folder (default: site/).")
@click.option("--feedback/--no-feedback", "feedback", default=None,
              help="Record the articles' \"Did this solve your problem?\" votes sent to POST /feedback "
                   "(default: kb.feedback.serve, or kb.feedback.channel: serve).")
@json_option
@repo_option
def serve(port, no_build, no_watch, site_dir, feedback, as_json, repo_path):
    """Build the site, then serve it on http://127.0.0.1:PORT/ until Ctrl+C (--json: one JSON
    line with the URL once it answers).

    While it runs, a change to kb/, mkdocs.yml or helpdesk.yml rebuilds the site and the open
    page reloads; a rebuild that fails keeps the last good site and shows the error in the
    terminal and over the page. The built site/ on disk never holds the reload script.
    """
    from gitdesk.publish.build import SITE_DIR, make_server

    env = make_env(repo_path)
    folder = (Path(site_dir) if site_dir else env.repo.root / SITE_DIR).resolve()
    first_error = None
    if not no_build:
        try:
            _build(env, str(folder), as_json=as_json)
        except GitdeskError as exc:  # watching, a last good site is served until the fix is saved
            if no_watch or not (folder / "index.html").is_file():
                raise
            first_error = exc
    server = make_server(folder, port, feedback=_feedback_endpoint(env, feedback))
    live = None
    if not no_watch:
        from gitdesk.publish.live import WATCHED, LiveSite

        say = (lambda line: None) if as_json else (lambda line: click.echo(line, err=True))  # --json: errors only
        live = LiveSite(env.repo.root, lambda only: _build(env, str(folder), quiet=True, only=only, as_json=as_json)[1], say)
        live.attach(server)
        if first_error is not None:
            live.failed(first_error, "when serve started")
        live.start()
        say(f"Watching {', '.join(w + '/' if w == 'kb' else w for w in WATCHED)}: the site rebuilds and open pages "
            "reload (--no-watch to stop).")
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    if as_json:
        from gitdesk.cli.jsonout import line

        click.echo(line({"url": url, "site_dir": str(folder), "port": server.server_address[1]}))
        sys.stdout.flush()
    else:
        click.echo(f"Serving {folder} at {url} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        if live is not None:
            live.stop.set()
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
