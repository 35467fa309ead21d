"""``gitdesk site build`` shows its progress on a terminal, and only there (issue 11)."""

from __future__ import annotations

import os
import pty
import subprocess

from tests.support.kb import make_sample


def test_progress_on_a_terminal_and_not_in_a_pipe(tmp_path, gitdesk_exe):
    root = make_sample(tmp_path / "desk")
    env = {**os.environ, "GITDESK_REPO": str(root)}
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run([gitdesk_exe, "site", "build"], cwd=root, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=secondary, timeout=600)
        os.close(secondary)
        chunks = []
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(primary)
    assert proc.returncode == 0, proc.stdout
    shown = b"".join(chunks).decode()
    pages = sum(1 for _ in (root / "site").rglob("*.html"))
    assert f"\rBuilding pages: {pages - 1}/{pages - 1}" in shown or f"\rBuilding pages: {pages}/{pages}" in shown, shown
    piped = subprocess.run([gitdesk_exe, "site", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert piped.returncode == 0 and "Building pages" not in piped.stderr + piped.stdout
