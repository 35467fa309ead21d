"""The wheel is self-contained: built from the sources, installed into a fresh virtual environment
outside this repository, `gitdesk init` then `gitdesk site build` and `gitdesk serve` work.

The build runs on a copy of the sources in a temporary folder (so nothing is written into the
shared work tree); pip fetches gitdesk's dependencies from the package index, never from this
repository or its virtual environment.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from gitdesk import __version__
from tests.support.desk import PROJECT

pytestmark = pytest.mark.slow

IGNORED_DIRS = {"__pycache__", ".pytest_cache"}


def package_files(root: Path) -> set[str]:
    """Every file of the gitdesk package in the sources, as it is named inside a wheel.

    Developers' notes kept beside the code (``github/GITHUB.md``) are not package data; Markdown
    under ``templates/`` and ``site/assets/`` is.
    """
    base = root / "tooling" / "gitdesk"
    out = set()
    for p in base.rglob("*"):
        rel = p.relative_to(base)
        if not p.is_file() or IGNORED_DIRS & set(rel.parts) or p.suffix in (".pyc", ".pyo"):
            continue
        if p.suffix == ".md" and rel.parts[0] not in ("templates", "data", "site"):
            continue
        out.add("gitdesk/" + rel.as_posix())
    return out


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITDESK_REPO", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update({"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
                "GIT_COMMITTER_EMAIL": "test@example.com", "PYTHONUNBUFFERED": "1", **extra})
    return env


def sh(*args, cwd: Path, timeout: int = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def build_wheel(source: Path, work: Path) -> Path:
    """``python -m build --wheel`` on a copy of the sources (pyproject.toml, README.md, tooling/)."""
    copy = work / "src"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(source / name, copy / name)
    shutil.copytree(source / "tooling", copy / "tooling",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache"))
    sh(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", ".", cwd=copy)
    wheels = list((work / "dist").glob("gitdesk-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def install(wheel: Path, work: Path) -> Path:
    """A fresh virtual environment (no system site-packages) with the wheel and its dependencies."""
    venv = work / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=work)
    sh(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=work, timeout=1500)
    return venv


def serve_and_fetch(exe: Path, desk: Path, paths: list[str]) -> dict[str, tuple[int, str]]:
    """Start `gitdesk serve --port 0`, fetch ``paths`` over HTTP, stop it with Ctrl+C."""
    proc = subprocess.Popen([str(exe), "serve", "--port", "0"], cwd=desk, env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        url = None
        while url is None:
            try:
                line = lines.get(timeout=600)
            except queue.Empty:
                pytest.fail("gitdesk serve printed no address in 10 minutes")
            if line.startswith("Serving ") and " at http://127.0.0.1:" in line:
                url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        out = {}
        for path in paths:
            with urllib.request.urlopen(url + path, timeout=30) as response:
                out[path] = (response.status, response.read().decode("utf-8"))
        return out
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    wheel = build_wheel(PROJECT, tmp_path)
    assert wheel.name == f"gitdesk-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        inside = {n for n in zf.namelist() if n.startswith("gitdesk/")}
    missing = package_files(PROJECT) - inside
    assert not missing, f"files of the package left out of the wheel (add them to package-data): {sorted(missing)}"
    for must in ("gitdesk/schemas/config.schema.json", "gitdesk/data/defaults.yml", "gitdesk/templates/init/gitignore",
                 "gitdesk/templates/init/tickets/gitkeep", "gitdesk/templates/init/github/workflows/sla.yml",
                 "gitdesk/site/assets/iframe-worker-shim.js"):
        assert must in inside, must

    venv = install(wheel, tmp_path)
    exe = venv / "bin" / "gitdesk"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = sh(venv / "bin" / "python", "-c", "import gitdesk, sys; print(gitdesk.__file__); print(sys.prefix)", cwd=outside).stdout.split()
    assert Path(where[0]).is_relative_to(venv) and not Path(where[0]).is_relative_to(PROJECT), where
    assert sh(exe, "--version", cwd=outside).stdout.strip() == f"gitdesk {__version__}"

    sh(exe, "init", "desk", "--github", "acme/helpdesk", "--name", "Acme IT Help", cwd=outside)
    desk = outside / "desk"
    sh(exe, "check", cwd=desk)
    sh(exe, "kb", "check", cwd=desk)
    sh(exe, "site", "build", cwd=desk)
    assert (desk / "site" / "agents" / "commands.html").is_file()

    pages = serve_and_fetch(exe, desk, ["", "agents/commands.html", "get-help.html", "search/search_index.js"])
    status, home = pages[""]
    assert status == 200 and "Acme IT Help" in home and "Get help" in home
    assert "gitdesk ticket new" in pages["agents/commands.html"][1]
    assert pages["get-help.html"][0] == 200 and pages["search/search_index.js"][0] == 200
