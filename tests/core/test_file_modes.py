"""Files the CLI writes follow the umask like any other tool (issue 11: event files were 0600 and
the built site/ 0700, unreadable by a web server or a colleague on a shared checkout)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.desk import init_repo
from tests.support.kb import make_sample


def _run(exe: str, cwd: Path, umask: int, *args: str) -> subprocess.CompletedProcess:
    def preexec():
        os.umask(umask)

    env = {**os.environ, "GITDESK_REPO": str(cwd)}
    result = subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=preexec, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_event_files_follow_the_umask(tmp_path, gitdesk_exe, umask):
    repo = init_repo(tmp_path / "desk")
    _run(gitdesk_exe, repo, umask, "ticket", "new", "Printer jams", "--requester", "sam@example.com")
    events = [p for p in (repo / "tickets").rglob("*.yml")]
    assert events
    assert {oct(mode(p)) for p in events} == {oct(0o666 & ~umask)}


def test_built_site_follows_the_umask(tmp_path, gitdesk_exe):
    root = make_sample(tmp_path / "desk")
    init_repo(root, config=False)
    _run(gitdesk_exe, root, 0o022, "site", "build")
    site = root / "site"
    assert mode(site) == 0o755
    assert {oct(mode(p)) for p in site.rglob("*") if p.is_dir()} == {oct(0o755)}
    assert {oct(mode(p)) for p in site.rglob("*") if p.is_file()} == {oct(0o644)}
