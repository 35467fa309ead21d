"""`site build --json` and `serve --json`: what a script (or an agent) reads instead of prose."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support.cli import run_main
from tests.support.kb import make_sample


def test_site_build_json_then_serve_json_prints_one_line_with_the_url(tmp_path):
    root = make_sample(tmp_path / "clone")
    code, out, err = run_main("site", "build", "--json", repo=root)
    assert code == 0, err
    built = json.loads(out)
    assert built["pages"] > 3 and Path(built["index"]).is_file() and built["warnings"] == []
    assert Path(built["site_dir"]) == root / "site"

    exe = shutil.which("gitdesk", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen([exe, "serve", "--no-build", "--port", "0", "--json"], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "GITDESK_REPO": ""}, start_new_session=True)
    try:
        line = proc.stdout.readline()  # blocks until the server is up (or the process ends)
        ready = json.loads(line)
        assert line.count("\n") == 1 and ready["url"].startswith("http://127.0.0.1:") and ready["port"] > 0
        with urllib.request.urlopen(ready["url"] + "index.html", timeout=30) as resp:
            assert resp.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)


def test_site_build_error_under_json_is_an_object(tmp_path):
    root = make_sample(tmp_path / "clone")
    (root / "kb" / "broken.md").write_text("# Broken\n\n[gone](nowhere.md)\n", encoding="utf-8")
    code, out, err = run_main("site", "build", "--json", repo=root)
    assert code != 0 and out == ""
    error = json.loads(err)["error"]  # stderr is the one object: MkDocs' warning is in it
    assert error["exit_code"] == code and "nowhere.md" in error["message"]
