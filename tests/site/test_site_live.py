"""`gitdesk serve` kept live (issue 18): a change to kb/ rebuilds the site, the open page reloads,
a broken edit keeps the last good site and says why, and the reload script lives only in what
the server sends, never in the site/ on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gitdesk.publish.live import LiveSite, snapshot
from tests.site.test_site_serve import _gitdesk
from tests.support.kb import make_sample
from tests.support.waiting import wait_until

ARTICLE = "kb/accounts/reset-password.md"
PAGE = "accounts/reset-password.html"
BROKEN = "---\ntitle: [unclosed\n---\n# Broken\n"


class Served:
    """A real `gitdesk serve --port 0` process; its stderr is collected as it comes."""

    def __init__(self, root: Path, *args: str):
        self.proc = subprocess.Popen([*_gitdesk(), "serve", "--port", "0", *args], cwd=root, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, "GITDESK_REPO": ""},
                                     start_new_session=True)
        self.err: list[str] = []
        threading.Thread(target=lambda: self.err.extend(iter(self.proc.stderr.readline, "")), daemon=True).start()
        self.url = ""
        for line in iter(self.proc.stdout.readline, ""):
            if line.startswith("Serving "):
                self.url = line.split(" at ", 1)[1].split()[0]
                break
        assert self.url, f"serve did not start: {''.join(self.err)}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return resp.read().decode()

    def state(self) -> dict:
        return json.loads(self.get("__gitdesk/version"))

    def stderr(self) -> str:
        return "".join(self.err)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        self.proc.wait(timeout=60)


@pytest.fixture
def served(tmp_path):
    started: list[Served] = []

    def start(root: Path, *args: str) -> Served:
        started.append(Served(root, *args))
        return started[-1]

    yield start
    for s in started:
        s.stop()


def _edit(root: Path, marker: str) -> None:
    path = root / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")


def _no_live_script_on_disk(root: Path) -> None:
    leaked = [p for p in (root / "site").rglob("*") if p.is_file() and b"__gitdesk" in p.read_bytes()]
    assert leaked == [], leaked


def test_an_edit_is_served_a_broken_edit_keeps_the_last_good_site(tmp_path, served):
    root = make_sample(tmp_path / "desk")
    s = served(root)
    page = s.get(PAGE)
    assert '<script src="/__gitdesk/live.js?v=1"></script></body>' in page and s.state() == {"version": 1, "error": None}
    script = s.get("__gitdesk/live.js")
    assert "location.reload()" in script and "textContent" in script and "innerHTML" not in script

    _edit(root, "Hold the power button for ten seconds first.")
    assert wait_until(lambda: "Hold the power button for ten seconds first." in s.get(PAGE), timeout=180), s.stderr()
    assert wait_until(lambda: s.state()["version"] == 2) and "?v=2" in s.get(PAGE)  # counted just after the swap
    assert wait_until(lambda: "Rebuilt in " in s.stderr()), s.stderr()
    assert f"after a change to {ARTICLE}" in s.stderr()

    (root / "kb" / "accounts" / "broken.md").write_text(BROKEN, encoding="utf-8")
    assert wait_until(lambda: s.state()["error"] is not None, timeout=180), s.stderr()
    error = s.state()["error"]
    assert "kb/accounts/broken.md" in error and "malformed YAML" in error and "last good build" in error
    assert wait_until(lambda: "Still serving the last good site." in s.stderr()), s.stderr()
    assert "Hold the power button for ten seconds first." in s.get(PAGE) and s.state()["version"] == 2
    assert (root / "site" / "index.html").is_file() and not (root / "site" / "accounts" / "broken.html").exists()

    (root / "kb" / "accounts" / "broken.md").write_text("# Fixed now\n\nBack to [reset](reset-password.md).\n", encoding="utf-8")
    assert wait_until(lambda: s.state() == {"version": 3, "error": None}, timeout=180), s.stderr()
    assert "Fixed now" in s.get("accounts/broken.html")
    _no_live_script_on_disk(root)


def test_serve_started_on_a_broken_article_serves_the_last_good_site(tmp_path, served):
    from tests.support.cli import run_main

    root = make_sample(tmp_path / "desk")
    assert run_main("site", "build", repo=root)[0] == 0
    (root / "kb" / "accounts" / "broken.md").write_text(BROKEN, encoding="utf-8")
    s = served(root)
    assert "kb/accounts/broken.md" in (s.state()["error"] or "") and "Reset" in s.get(PAGE)
    assert "Rebuild failed when serve started" in s.stderr() or wait_until(lambda: "Rebuild failed when serve started" in s.stderr())
    (root / "kb" / "accounts" / "broken.md").unlink()
    assert wait_until(lambda: s.state() == {"version": 2, "error": None}, timeout=180), s.stderr()
    assert "Rebuilding after a change to kb/accounts/broken.md …" in s.stderr()


def test_serve_without_a_site_still_stops_on_a_broken_article(tmp_path):
    from tests.support.cli import run_main

    root = make_sample(tmp_path / "desk")
    (root / "kb" / "accounts" / "broken.md").write_text(BROKEN, encoding="utf-8")
    code, out, err = run_main("serve", "--port", "0", repo=root)
    assert code == 1 and "malformed YAML" in err and "Serving" not in out


def test_an_edit_rebuilds_only_its_language_and_an_added_page_everything(tmp_path, served):
    from tests.support.kb import guide

    root = make_sample(tmp_path / "desk")
    config = root / "helpdesk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "languages: [en, es]"), encoding="utf-8")
    (root / "kb" / "accounts" / "reset-password.es.md").write_text(guide(
        "Restablecer una contraseña olvidada", language="es", intro="Para quien olvidó la contraseña."), encoding="utf-8")
    (root / "kb" / "open-a-ticket.es.md").write_text("# Abrir una incidencia\n\n<!-- gitdesk:open-ticket -->\n", encoding="utf-8")
    s = served(root)
    english_before = (root / "site" / PAGE).read_bytes()
    assert "Para quien olvidó la contraseña." in s.get("es/" + PAGE)

    spanish = root / "kb" / "accounts" / "reset-password.es.md"
    spanish.write_text(spanish.read_text(encoding="utf-8") + "\nPruebe primero en el portal.\n", encoding="utf-8")
    assert wait_until(lambda: "Pruebe primero en el portal." in s.get("es/" + PAGE), timeout=180), s.stderr()
    assert wait_until(lambda: "Rebuilt the es pages in " in s.stderr()), s.stderr()
    assert (root / "site" / PAGE).read_bytes() == english_before  # the English pages kept, as they were
    assert "Reset a forgotten password" in s.get(PAGE) and (root / "site" / "search" / "search_index.js").is_file()

    _edit(root, "Only English changed.")
    assert wait_until(lambda: "Only English changed." in s.get(PAGE), timeout=180), s.stderr()
    assert wait_until(lambda: "Rebuilt the en pages in " in s.stderr()), s.stderr()
    assert "Pruebe primero en el portal." in s.get("es/" + PAGE)  # the Spanish folder is back after the root's rebuild

    (root / "kb" / "accounts" / "new-starter.md").write_text(guide("Set up a new starter"), encoding="utf-8")
    assert wait_until(lambda: "Rebuilt in " in s.stderr(), timeout=180), s.stderr()  # a new page: every language
    assert "Set up a new starter" in s.get("accounts/new-starter.html")
    _no_live_script_on_disk(root)


def test_helpdesk_yml_change_rebuilds(tmp_path, served):
    root = make_sample(tmp_path / "desk")
    s = served(root)
    config = root / "helpdesk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: ", "name: Lakeside ", 1), encoding="utf-8")
    assert wait_until(lambda: s.state()["version"] == 2, timeout=180), s.stderr()
    assert "after a change to helpdesk.yml" in s.stderr()


def test_no_watch_serves_the_site_as_built(tmp_path, served):
    root = make_sample(tmp_path / "desk")
    s = served(root, "--no-watch")
    assert "__gitdesk" not in s.get(PAGE) and "Watching" not in s.stderr()
    with pytest.raises(urllib.error.HTTPError) as err:
        s.get("__gitdesk/version")
    assert err.value.code == 404


def test_site_build_writes_no_live_script(tmp_path):
    from tests.support.cli import run_main

    root = make_sample(tmp_path / "desk")
    assert run_main("site", "build", repo=root)[0] == 0
    _no_live_script_on_disk(root)


def test_a_burst_of_saves_is_one_rebuild_and_swap_files_are_ignored(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("# A\n")
    (tmp_path / "kb" / ".a.md.swp").write_text("vim")
    (tmp_path / "kb" / "a.md~").write_text("backup")
    assert sorted(snapshot(tmp_path)) == ["kb/a.md"]
    builds: list[int] = []
    go_on = threading.Event()

    def rebuild(only) -> float:
        builds.append(1)
        go_on.wait(30)
        return 0.1

    live = LiveSite(tmp_path, rebuild, lambda line: None, every=0.02, quiet=0.2)
    live.start()
    try:
        for i in range(5):  # an editor's save: write, rename, touch... within the quiet period
            (tmp_path / "kb" / "a.md").write_text(f"# A\n\n{'x' * i}\n")
        assert wait_until(lambda: builds == [1])
        (tmp_path / "kb" / "b.md").write_text("# B\n")  # a change during the build: one more build after it
        go_on.set()
        assert wait_until(lambda: builds == [1, 1])
        assert wait_until(lambda: live.version == 3)
    finally:
        live.stop.set()
    assert builds == [1, 1] and live.error is None


@pytest.mark.browser
def test_the_open_page_reloads_after_an_edit_and_shows_a_failed_rebuild(tmp_path, served, browser):
    root = make_sample(tmp_path / "desk")
    s = served(root)
    page = browser.new_page()
    page.goto(s.url + PAGE)
    page.evaluate("window.__notReloaded = true")
    _edit(root, "Reloaded by itself.")
    page.wait_for_function("document.body && document.body.innerText.includes('Reloaded by itself.')", timeout=180_000)
    assert page.evaluate("window.__notReloaded === undefined")  # a new document, not a patched one

    (root / "kb" / "accounts" / "broken.md").write_text(BROKEN, encoding="utf-8")
    overlay = page.locator("#gitdesk-live-error")
    overlay.wait_for(state="visible", timeout=180_000)
    assert "kb/accounts/broken.md" in overlay.inner_text() and "Reloaded by itself." in page.inner_text("article")
    (root / "kb" / "accounts" / "broken.md").unlink()
    page.wait_for_function("!document.getElementById('gitdesk-live-error')", timeout=180_000)
    page.close()
