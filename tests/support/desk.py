"""Real help desks for tests: git repositories in temporary folders, a desk on them, a fixed
clock, real ``gitdesk`` processes and a lock held by another process."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
AGENT = "Ana Lima <ana.lima@northwind.example>"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def init_repo(path: Path, *, config: bool = True, config_text: str | None = None,
              name: str = "Ana Lima", email: str = "ana.lima@northwind.example") -> Path:
    """A fresh git repository set up like a help desk: ``helpdesk.yml`` from ``config_text``, or
    copied from the project; committed with ``.gitignore``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", name)
    git(path, "config", "user.email", email)
    git(path, "config", "commit.gpgsign", "false")
    if config or config_text is not None:
        if config_text is not None:
            (path / "helpdesk.yml").write_text(config_text, encoding="utf-8")
        else:
            shutil.copy(PROJECT / "helpdesk.yml", path / "helpdesk.yml")
        (path / ".gitignore").write_text(".gitdesk/\nsite/\n")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "help desk")
    return path


class FixedClock:
    """A clock that advances one minute per reading, from a fixed start."""

    def __init__(self, start: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc), step: timedelta = timedelta(minutes=1)):
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


def make_desk(repo_path: Path, actor: str = AGENT, clock=None):
    from gitdesk.config import load_config
    from gitdesk.operations import Desk
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    repo = Repo(repo_path)
    config = load_config(repo_path)
    kwargs = {"clock": clock} if clock else {}
    return Desk(open_store(repo, config), config, actor, **kwargs)


def gitdesk_processes(repo: Path, *commands: list[str], env: dict | None = None, timeout: float = 300) -> list[subprocess.CompletedProcess]:
    """Start one real ``gitdesk`` process per command at the same moment; wait for all of them."""
    exe = str(Path(os.sys.executable).with_name("gitdesk"))
    full_env = {**os.environ, "GITDESK_REPO": str(repo), **(env or {})}
    procs = [subprocess.Popen([exe, *args], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL) for args in commands]
    # every process's pipes are drained at once: read one after the other, a lock holder whose
    # output outgrows the pipe (64 KiB) blocks on writing while the reader waits on the other
    # process, which waits on the holder's lock: a deadlock until --wait runs out
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(procs) or 1) as pool:
        results = list(pool.map(lambda proc: proc.communicate(timeout=timeout), procs))
    return [subprocess.CompletedProcess([exe, *args], proc.returncode, stdout, stderr)
            for args, proc, (stdout, stderr) in zip(commands, procs, results, strict=True)]


class HeldLock:
    """The desk's lock held by another process (as a concurrent run would), until ``release()``."""

    def __init__(self, repo: Path):
        code = ("import sys; from gitdesk.locking import desk_lock\n"
                "with desk_lock(sys.argv[1], 'test holder', 0):\n    print('held', flush=True); sys.stdin.readline()\n")
        self.proc = subprocess.Popen([os.sys.executable, "-c", code, str(repo)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.proc.communicate("\n", timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
