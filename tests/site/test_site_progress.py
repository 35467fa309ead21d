"""``gitdesk site build`` shows its progress on a terminal, and only there (issue 11): its stages,
the pages as they render and the time it took (issue 18); a pipe gets one final line."""

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
    assert f"\rRendering pages {pages - 1}/{pages - 1}" in shown or f"\rRendering pages {pages}/{pages}" in shown, shown
    stages = [line.split("\r")[-1] for line in shown.replace("\r\n", "\n").split("\n") if line]
    assert [line.split(" …")[0].split(" in ")[0] for line in stages if not line.startswith("Rendering")] == [
        "Reading kb/", "Building index", "Search index", "Checking the site stays offline", "Done"], shown
    assert stages.index("Building index …") < next(i for i, line in enumerate(stages) if line.startswith("Rendering"))
    assert stages[-1].startswith("Done in ") and stages[-1].endswith(" s"), shown
    piped = subprocess.run([gitdesk_exe, "site", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr
    [line] = piped.stdout.splitlines()
    assert line.startswith(f"Built {pages} page(s) into ") and " s (open " in line, line
