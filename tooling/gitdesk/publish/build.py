"""Strict MkDocs build of the KB into ``site/``, and a local server for the built site.

The build runs MkDocs in-process with ``strict`` forced on, into a temporary folder next to the
destination, and swaps it in only when the build and the offline scan both succeed: a failed
build never leaves a half-written ``site/``. MkDocs' warnings are passed to a callback (the CLI
prints them) and counted. The server is the standard library's, bound to 127.0.0.1 only.
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.errors import ConfigError, GitdeskError, NotFoundError
from gitdesk.publish.offline import ExternalRef, scan_site
from gitdesk.yamlio import current_umask

MKDOCS_FILE = "mkdocs.yml"
SITE_DIR = "site"


class BuildError(GitdeskError):
    """The site did not build (a MkDocs warning in strict mode, a plugin refusal...)."""


@dataclass
class BuildResult:
    site_dir: Path
    pages: int
    warnings: list[str] = field(default_factory=list)
    external: list[ExternalRef] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, echo: Callable[[str], None] | None):
        super().__init__(logging.INFO)
        self.echo = echo
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the build report
            message = str(record.msg)
        if record.levelno >= logging.WARNING:
            self.warnings.append(message)
            if self.echo:
                self.echo(f"{record.levelname.lower()}: {message}")


def language_builds(root: Path) -> list[tuple[str, str]]:
    """(language, folder under the site) of each build: the default language at the root first
    (a build empties its folder, so the others come after it), then ``es/``, ``pt/``..."""
    from gitdesk.config import load_config as load_helpdesk

    languages = load_helpdesk(root).languages
    return [(lang, "" if i == 0 else lang) for i, lang in enumerate(languages)]


class _Progress:
    """Counts pages as MkDocs writes them and names the stages (registered beside the theme's
    plugins, last; its stage events run first, so a stage is named before its work starts)."""

    def __init__(self, report: Callable[[int, int], None] | None, stage: Callable[[str], None] | None):
        self.report = report
        self.stage = stage or (lambda name: None)
        self.done = self.total = 0

    def on_files(self, files, config):  # noqa: ARG002 - MkDocs event signature
        self.total += len(files.documentation_pages())  # one build per language: the totals add up
        return files

    def on_nav(self, nav, config, files):  # noqa: ARG002 - MkDocs event signature
        self.stage("index")  # the gitdesk plugin brings the KB index and vectors up to date next
        return nav

    on_nav.mkdocs_priority = 200  # type: ignore[attr-defined]  # before the gitdesk plugin's

    def on_post_page(self, output, page, config):  # noqa: ARG002 - MkDocs event signature
        self.done += 1
        if self.report is not None:
            self.report(self.done, self.total)
        return output

    def on_post_build(self, config):  # noqa: ARG002 - MkDocs event signature
        self.stage("search")  # search writes its index, gitdesk folds it, offline inlines it

    on_post_build.mkdocs_priority = 200  # type: ignore[attr-defined]


def build_site(root: Path, *, site_dir: Path | None = None, echo: Callable[[str], None] | None = None,
               check_offline: bool = True, progress: Callable[[int, int], None] | None = None,
               stage: Callable[[str], None] | None = None, only: Collection[str] | None = None) -> BuildResult:
    """Build ``root``'s KB strictly; raise :class:`BuildError` on any warning or refusal.
    ``progress(done, total)`` is called after each page is written, ``stage(name)`` as each stage
    starts: ``read:LANG``, ``index``, ``search``, ``offline`` (the CLI shows both on a terminal).
    ``only``: rebuild these languages and take the others' folders from the current site (``serve``
    after an edit that cannot reach them); everything when there is no current site."""
    from mkdocs import exceptions as mk_exc  # deferred: MkDocs and Material are heavy

    root = Path(root).resolve()
    config_file = root / MKDOCS_FILE
    if not config_file.is_file():
        raise NotFoundError("no mkdocs.yml: the site needs one at the repository root", path=str(config_file))
    final = Path(site_dir).resolve() if site_dir else root / SITE_DIR
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
    staging.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700; the web server must read site/
    handler = _Collect(echo)
    mk_logger = logging.getLogger("mkdocs")
    old_level, old_propagate = mk_logger.level, mk_logger.propagate
    mk_logger.addHandler(handler)
    mk_logger.setLevel(logging.INFO)
    mk_logger.propagate = False
    cwd = os.getcwd()
    try:
        os.chdir(root)
        try:
            counter = _Progress(progress, stage) if progress is not None or stage is not None else None
            _build_languages(config_file, language_builds(root), staging, final, only, counter, stage)
        except GitdeskError:
            raise
        except mk_exc.ConfigurationError as exc:
            raise ConfigError(str(exc).strip().splitlines()[-1] if str(exc).strip() else "invalid configuration", path=MKDOCS_FILE) from None
        except mk_exc.Abort as exc:
            detail = "; ".join(handler.warnings[-3:]) or str(exc)
            raise BuildError(f"strict build failed ({len(handler.warnings)} warning(s)): {detail}", path=MKDOCS_FILE) from None
        except mk_exc.MkDocsException as exc:
            raise BuildError(str(exc).strip() or type(exc).__name__, path=MKDOCS_FILE) from None
        if handler.warnings:
            raise BuildError(f"strict build failed ({len(handler.warnings)} warning(s)): {handler.warnings[0]}", path=MKDOCS_FILE)
        if stage is not None and check_offline:
            stage("offline")
        external = scan_site(staging) if check_offline else []
        if external:
            raise BuildError(f"the built site would contact another host: {external[0]} ({len(external)} reference(s))", path=MKDOCS_FILE)
        pages = sum(1 for _ in staging.rglob("*.html"))
        if final.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
            os.replace(final, trash / final.name)
            os.replace(staging, final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, final)
        return BuildResult(final, pages, handler.warnings, external)
    finally:
        os.chdir(cwd)
        mk_logger.removeHandler(handler)
        mk_logger.setLevel(old_level)
        mk_logger.propagate = old_propagate
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _build_languages(config_file: Path, builds: list[tuple[str, str]], staging: Path, final: Path,
                     only: Collection[str] | None, counter: _Progress | None, stage: Callable[[str], None] | None) -> None:
    """Each language's MkDocs build into its folder of ``staging``; with ``only``, the other
    languages' folders are copied from ``final`` instead (when it has them all)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    kept = [(lang, folder) for lang, folder in builds if only is not None and lang not in only]
    if not all((final / folder / "index.html").is_file() for _, folder in kept):
        kept = []  # no current site to take them from: build every language
    root_kept = any(folder == "" for _, folder in kept)
    if root_kept:  # the whole current site; each rebuilt language empties its folder first
        shutil.copytree(final, staging, dirs_exist_ok=True)
    first = True
    for language, folder in builds:
        if (language, folder) in kept:
            continue
        if stage is not None:
            stage(f"read:{language}")
        cfg = load_config(config_file=str(config_file), strict=True, site_dir=str(staging / folder))
        plugin = cfg.plugins.get("gitdesk")
        if plugin is not None:
            plugin.build_language = language
            plugin.starts_site, first = first, False
        elif folder:
            break  # without the gitdesk plugin there is one language only
        if counter is not None:
            cfg.plugins["gitdesk-progress"] = counter  # type: ignore[assignment]
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    if not root_kept:  # the root was rebuilt (and emptied): the kept languages' folders back
        for _, folder in kept:
            shutil.copytree(final / folder, staging / folder)


#: A handler for one (method, path) of the server: ``server.routes[("POST", "/feedback")] = fn``.
#: It gets the request handler and answers through it (:func:`respond`).
Route = Callable[[http.server.BaseHTTPRequestHandler], None]


def respond(handler: http.server.BaseHTTPRequestHandler, body: bytes, content_type: str, status: int = 200) -> None:
    """Send ``body`` whole (the answer of a route, or of a filtered page)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The site's files, plus the server's ``routes`` (exact paths, any method) and its
    ``page_filter`` (applied to HTML pages as they are sent, never to the files on disk)."""

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def _route(self) -> bool:
        from urllib.parse import urlsplit

        route = getattr(self.server, "routes", {}).get((self.command, urlsplit(self.path).path))
        if route is None:
            return False
        route(self)
        return True

    def _filtered_page(self) -> bool:
        page_filter = getattr(self.server, "page_filter", None)
        if page_filter is None:
            return False
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return False  # the standard handler redirects to the folder's URL with a slash
            path = os.path.join(path, "index.html")
        if not path.endswith(".html") or not os.path.isfile(path):
            return False
        try:
            with open(path, "rb") as page:
                body = page.read()
        except OSError:
            return False  # the standard handler answers 404
        respond(self, page_filter(body), "text/html; charset=utf-8")
        return True

    def do_GET(self):
        if not (self._route() or self._filtered_page()):
            super().do_GET()

    def do_HEAD(self):
        if not (self._route() or self._filtered_page()):
            super().do_HEAD()

    def do_POST(self):
        if not self._route():
            self.send_error(501, f"Unsupported method ({self.command!r})")


def make_server(site_dir: Path, port: int = 8000, *, verbose: bool = False,
                feedback=None) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` on 127.0.0.1 (``port`` 0 picks a free one). Extra answers
    go in its ``routes`` dict (see :data:`Route`); ``page_filter(html) -> html`` rewrites pages
    as they are sent (``serve``'s live reload); ``feedback`` (a
    :class:`gitdesk.publish.feedback_endpoint.FeedbackEndpoint`) answers ``POST /feedback``."""
    site_dir = Path(site_dir).resolve()  # a build in the same process changes the working folder
    if not (site_dir / "index.html").is_file():
        raise NotFoundError("no built site here: run `gitdesk site build` first", path=str(site_dir))
    base: type = _QuietHandler
    if feedback is not None:
        from gitdesk.publish.feedback_endpoint import with_feedback

        base = with_feedback(_QuietHandler, feedback)
    handler = functools.partial(base, directory=str(site_dir))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise GitdeskError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    server.verbose = verbose  # type: ignore[attr-defined]
    server.routes = {}  # type: ignore[attr-defined]
    server.page_filter = None  # type: ignore[attr-defined]
    return server


def serve_in_thread(site_dir: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a server in a daemon thread (for tests); returns it and its base URL."""
    server = make_server(site_dir, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
