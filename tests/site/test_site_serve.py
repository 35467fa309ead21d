"""`gitdesk serve`, the README's main-job command: build then serve on 127.0.0.1, as a real process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.kb import make_sample
from tests.support.cli import run_main


def _gitdesk() -> list[str]:
    exe = shutil.which("gitdesk", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "gitdesk"]


def _start(args: list[str], cwd: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*_gitdesk(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "GITDESK_REPO": ""}, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("Serving "):
            return proc, line.split(" at ", 1)[1].split()[0]
    proc.kill()
    raise AssertionError(f"serve did not start: {proc.stderr.read()}")


def test_serve_builds_a_fresh_clone_and_serves_it(tmp_path):
    root = make_sample(tmp_path / "clone")
    assert not (root / "site").exists()
    proc, url = _start(["serve", "--port", "0"], cwd=root / "kb")  # from a subfolder: the repo is found upward
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "index.html", timeout=30) as resp:
            body = resp.read().decode()
        assert resp.status == 200 and "Northwind IT Help" in body
        with urllib.request.urlopen(url + "accounts/reset-password.html", timeout=30) as resp:
            assert "Still stuck?" in resp.read().decode()
        assert (root / "site" / "index.html").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode in (0, -signal.SIGINT, 130)


def test_serve_no_build_without_a_site_is_one_line(tmp_path):
    root = make_sample(tmp_path / "clone")
    code, out, err = run_main("serve", "--no-build", "--port", "0", repo=root)
    assert code == 1 and "no built site here: run `gitdesk site build` first" in err and "Traceback" not in err


def test_serve_port_in_use_is_one_line(tmp_path):
    import socket

    root = make_sample(tmp_path / "clone")
    assert run_main("site", "build", repo=root)[0] == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out, err = run_main("serve", "--no-build", "--port", str(port), repo=root)
    assert code == 1 and f"cannot listen on 127.0.0.1:{port}" in err


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_serve_rejects_bad_ports(tmp_path, port):
    code, out, err = run_main("serve", "--port", port, repo=tmp_path)
    assert code == 2 and "--port" in err
