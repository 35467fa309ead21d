"""Run the real console script in real folders, as a user runs `gitdesk init` and its checks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CHECKS = (("check",), ("kb", "check"), ("site", "build"))


def run(exe: str, *args: str, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """``gitdesk ARGS`` as a user runs it (a fresh process, GITDESK_REPO unset)."""
    full_env = {k: v for k, v in os.environ.items() if k != "GITDESK_REPO"}
    full_env.update({"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                     "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"})
    full_env.update(env or {})
    return subprocess.run([exe, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def assert_checks_pass(exe: str, root: Path) -> None:
    """`gitdesk check`, `gitdesk kb check` and a strict `gitdesk site build` all exit 0."""
    for args in CHECKS:
        proc = run(exe, *args, cwd=root)
        assert proc.returncode == 0, f"gitdesk {' '.join(args)} failed in {root}:\n{proc.stdout}\n{proc.stderr}"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` except git's own folder and the derived ones."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".gitdesk/", "site/")):
            out[rel] = path.read_bytes()
    return out
