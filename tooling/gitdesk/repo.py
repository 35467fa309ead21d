"""Finding the help desk repository and talking to git.

A help desk repository is a folder with ``helpdesk.yml`` (or, failing that, a ``tickets/``
folder or a git top level). ``--repo``/``GITDESK_REPO`` name it; otherwise the search walks up
from the current directory. Git is called as a subprocess (no library): it is always there.
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from gitdesk.errors import RepoError, UncommittedError
from gitdesk.people import git_ident

ENV_REPO = "GITDESK_REPO"
# how long a commit retries while another git process holds the index lock (seconds)
ENV_LOCK_WAIT = "GITDESK_GIT_LOCK_WAIT"
GIT_LOCK_WAIT = 15.0
# what git says when another commit got in between our add and our commit, retried like the lock:
# HEAD moved under the commit, or that commit's partial-commit index dropped our staged file
RACES = ("cannot lock ref 'HEAD'", "did not match any file(s) known to git")
MARKERS = ("helpdesk.yml", "tickets", ".git")


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The help desk root: ``start`` itself if given via --repo, else walk up from the cwd."""
    explicit = start or os.environ.get(ENV_REPO)
    if explicit:
        root = Path(explicit).expanduser()
        if not root.is_dir():
            raise RepoError(f"not a folder: {root}", path=str(root))
        return root.resolve()
    here = Path.cwd().resolve()
    for marker in MARKERS:  # the most specific marker wins over a git top level further up
        for folder in (here, *here.parents):
            if (folder / marker).exists():
                return folder
    return here


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(root: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    """Run git in ``root``; raise :class:`RepoError` with git's own first line on failure."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, input=input,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise RepoError("git is not installed") from None
    if check and proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()
        raise RepoError(f"git {args[0]} failed: {first[0] if first else proc.returncode}", path=str(root))
    return proc


@dataclass
class Repo:
    """A help desk repository on disk."""

    root: Path

    @classmethod
    def discover(cls, start: str | os.PathLike | None = None) -> Repo:
        return cls(find_root(start))

    @property
    def tickets_dir(self) -> Path:
        return self.root / "tickets"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".gitdesk"

    @cached_property
    def git_toplevel(self) -> Path | None:
        """The work tree's top folder, found by looking for ``.git`` (no subprocess)."""
        here = self.root.resolve()
        for folder in (here, *here.parents):
            marker = folder / ".git"
            if marker.is_dir() or marker.is_file():
                return folder if git_available() else None
        return None

    @property
    def is_git(self) -> bool:
        return self.git_toplevel is not None

    def git_identity(self) -> str | None:
        """``Name <email>`` from git config, or None."""
        if not git_available():
            return None
        found = dict(line.partition(" ")[::2] for line in
                     run_git(self.root, "config", "--get-regexp", r"^user\.(name|email)$", check=False).stdout.splitlines())
        name, email = found.get("user.name", "").strip(), found.get("user.email", "").strip()
        if name and email:
            return f"{name} <{email}>"
        return name or email or None

    def commit(self, paths: list[Path], message: str, *, author: str | None = None) -> None:
        """Commit exactly ``paths`` with ``message`` (the audit trail in ``git log``); ``author``
        (``Name <email>``, or a bare email or name) instead of git's user when given."""
        if not self.is_git:
            raise RepoError("--commit needs a git repository", path=str(self.root))
        rel = [str(Path(p).resolve().relative_to(self.root.resolve())) for p in paths]
        deadline = time.monotonic() + float(os.environ.get(ENV_LOCK_WAIT) or GIT_LOCK_WAIT)
        pause = 0.05
        while True:
            try:
                run_git(self.root, "add", "--", *rel)
                run_git(self.root, "commit", "--quiet", "--no-verify", *git_author_args(author), "-m", message, "--", *rel)
                return
            except RepoError as exc:
                # the files are written: a failure here must not read as "nothing was done"
                held = "index.lock" in exc.message
                if (held or any(m in exc.message for m in RACES)) and time.monotonic() < deadline:
                    time.sleep(pause * (0.5 + random.random()))  # jitter: eight agents do not retry in step
                    pause = min(pause * 2, 1.0)
                    continue
                why = "another git process holds git's index lock (index.lock)" if held else exc.message
                names = " ".join(shlex.quote(r) for r in rel)
                raise UncommittedError(
                    f"the change is recorded in {', '.join(rel)} but not committed: {why}; "
                    f"commit it with `git add -- {names} && git commit -m {shlex.quote(message.splitlines()[0])} -- {names}` "
                    "(do not run the command again: that would record the change twice)", path=str(self.root)) from None


def git_author_args(who: str | None) -> list[str]:
    """``["--author", "Name <email>"]`` for git from an actor as gitdesk writes it ("Sam Reed
    <sam@x>", "sam@x" or "Sam Reed"); nothing for None."""
    if not who or not who.strip():
        return []
    return ["--author", git_ident(who)]


def default_actor(repo: Repo | None, explicit: str | None) -> str:
    """Who is making a change: ``--as``, else git's user, else the login name."""
    if explicit:
        return explicit.strip()
    if repo is not None:
        ident = repo.git_identity()
        if ident:
            return ident
    return os.environ.get("GITDESK_ACTOR") or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
