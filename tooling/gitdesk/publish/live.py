"""``gitdesk serve`` kept live: watch ``kb/``, ``mkdocs.yml`` and ``helpdesk.yml``, rebuild the
site when they change, and let the open page reload.

Watching is polling of modification times and sizes (no dependency, works on every file system
and in containers, where inotify often does not reach). A burst of saves is one rebuild: a change
is built once the files have been quiet for a moment. A failed rebuild leaves the last good site
in place (:func:`gitdesk.publish.build.build_site` swaps only a finished build in), prints the
error and shows it over the open page.

The reload script is added to pages only as this server sends them (the server's
``page_filter``): the built ``site/`` on disk never holds it. It is a file of this server, loaded
by ``<script src>`` from the same origin, never text from the KB.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from gitdesk.errors import GitdeskError

#: What a desk's site is built from.
WATCHED = ("kb", "mkdocs.yml", "helpdesk.yml")
PREFIX = "/__gitdesk/"
VERSION_URL = PREFIX + "version"
SCRIPT_URL = PREFIX + "live.js"

Snapshot = dict[str, tuple[int, int]]

_SCRIPT = """\
// gitdesk serve: reload this page when the site is rebuilt; show a failed rebuild over it.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? new URL(me.src).searchParams.get("v") : null;
  var box = null;
  function show(error) {
    if (!error) {
      if (box) { box.remove(); box = null; }
      return;
    }
    if (!box) {
      box = document.createElement("pre");
      box.id = "gitdesk-live-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:10000;margin:0;padding:1em;" +
        "max-height:40vh;overflow:auto;white-space:pre-wrap;background:#b00020;color:#fff;font:14px/1.4 monospace";
      document.body.appendChild(box);
    }
    box.textContent = error;
  }
  function poll() {
    fetch("VERSION_URL", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && String(state.version) !== String(seen)) { location.reload(); return; }
      seen = state.version;
      show(state.error);
      setTimeout(poll, 300);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""".replace("VERSION_URL", VERSION_URL)


def snapshot(root: Path) -> Snapshot:
    """``relative path -> (mtime_ns, size)`` of every watched file; hidden files and editors'
    backup and swap files are left out (saving in vim writes them)."""
    found: Snapshot = {}
    for name in WATCHED:
        top = root / name
        if top.is_file():
            stat = top.stat()
            found[name] = (stat.st_mtime_ns, stat.st_size)
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                if file.startswith((".", "#")) or file.endswith(("~", ".swp", ".swx", ".tmp")):
                    continue
                path = os.path.join(folder, file)
                try:
                    stat = os.stat(path)
                except OSError:  # removed between the listing and the stat
                    continue
                found[os.path.relpath(path, root).replace(os.sep, "/")] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The paths added, removed or modified, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def languages_reached(root: Path, before: Snapshot, after: Snapshot) -> set[str] | None:
    """The site languages an edit can change, or None for all of them. Each language's build
    reads only its own pages (``x.md`` the default's, ``x.es.md`` Spanish...), so an edit of
    existing pages rebuilds their languages; an added or removed page (menus, language
    switchers, links), any other file or a configuration change rebuilds everything. What is
    not redone: the "Related articles" of the other languages' pages, until the next full build."""
    from gitdesk.config import load_config
    from gitdesk.languages import split_suffix

    try:
        languages = load_config(root).languages
    except GitdeskError:
        return None
    reached: set[str] = set()
    for path in changes(before, after):
        if path not in before or path not in after or not (path.startswith("kb/") and path.endswith(".md")):
            return None
        language = split_suffix(path[len("kb/"):])[1] or languages[0]
        if language not in languages:
            return None
        reached.add(language)
    return None if reached >= set(languages) else reached  # every language: a plain full build


class LiveSite:
    """The watcher and the state the open pages poll: ``version`` grows with each good rebuild,
    ``error`` holds the last failed one (None once a rebuild succeeds)."""

    def __init__(self, root: Path, rebuild: Callable[[set[str] | None], float], log: Callable[[str], None], *,
                 every: float = 0.25, quiet: float = 0.3):
        self.root = Path(root)
        self.rebuild = rebuild  # builds the site (these languages, or all), returns the seconds it took
        self.log = log
        self.every, self.quiet = every, quiet
        self.version = 1
        self.error: str | None = None
        self.stop = threading.Event()
        self._lock = threading.Lock()

    # -- the server's side ----------------------------------------------------------------------
    def attach(self, server) -> None:
        """Give ``server`` (:func:`gitdesk.publish.build.make_server`) the reload script, the
        state URL and the page filter."""
        from gitdesk.publish.build import respond

        server.routes[("GET", VERSION_URL)] = lambda handler: respond(handler, self.state(), "application/json")
        server.routes[("GET", SCRIPT_URL)] = lambda handler: respond(handler, _SCRIPT.encode(), "text/javascript; charset=utf-8")
        server.page_filter = self.inject

    def state(self) -> bytes:
        with self._lock:
            return json.dumps({"version": self.version, "error": self.error}).encode()

    def inject(self, html: bytes) -> bytes:
        """The page with the reload script before ``</body>``, tagged with the version it shows."""
        with self._lock:
            version = self.version  # read before the page's bytes were: a newer page only reloads once more
        tag = f'<script src="{SCRIPT_URL}?v={version}"></script>'.encode()
        at = html.rfind(b"</body>")
        return html[:at] + tag + html[at:] if at >= 0 else html + tag

    def failed(self, exc: BaseException, when: str) -> None:
        """Keep the last good site; say why in the terminal and over the open pages."""
        message = exc.line() if isinstance(exc, GitdeskError) else f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.error = f"gitdesk serve: the site did not rebuild {when}:\n{message}\n" \
                         "This page is the last good build; fix the file and save it again."
        self.log(f"Rebuild failed {when}: {message}")
        self.log("Still serving the last good site.")

    # -- the watcher ----------------------------------------------------------------------------
    def start(self) -> threading.Thread:
        """Watch from now on: the first snapshot is taken here, before ``serve`` says it is
        ready, so an edit made once the URL is printed is never folded into it."""
        thread = threading.Thread(target=self.watch, args=(snapshot(self.root),), name="gitdesk-watch", daemon=True)
        thread.start()
        return thread

    def watch(self, before: Snapshot | None = None) -> None:
        """Poll until :attr:`stop`; rebuild after each burst of changes has settled."""
        if before is None:
            before = snapshot(self.root)
        while not self.stop.wait(self.every):
            now = snapshot(self.root)
            if now == before:
                continue
            while not self.stop.wait(self.quiet):  # settle: saves often come in bursts
                later = snapshot(self.root)
                if later == now:
                    break
                now = later
            if self.stop.is_set():
                return
            changed = changes(before, now)
            only = None if self.error is not None else languages_reached(self.root, before, now)
            before = now  # a change made during the build is seen on the next round
            self.build(changed, only)

    def build(self, changed: list[str], only: set[str] | None = None) -> None:
        """Rebuild (``only`` these languages, else all); count a success, keep the site on a failure."""
        what = changed[0] if len(changed) == 1 else f"{changed[0]} and {len(changed) - 1} more"
        scope = f" the {', '.join(sorted(only))} pages" if only else ""
        self.log(f"Rebuilding{scope} after a change to {what} …")
        try:
            seconds = self.rebuild(only)
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive any failed build
            self.failed(exc, f"after a change to {what}")
            return
        with self._lock:
            self.version += 1
            self.error = None
        self.log(f"Rebuilt{scope} in {seconds:.1f} s after a change to {what}; open pages reload.")

