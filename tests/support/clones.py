"""Two real clones of one help desk repository, for the merge-safety tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.desk import git


def two_clones(origin: Path, tmp_path: Path) -> list[Path]:
    """Clones ``a`` and ``b`` of ``origin``, each with its own git user."""
    clones = []
    for name in ("a", "b"):
        path = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(origin), str(path)], check=True)
        git(path, "config", "user.name", name.upper())
        git(path, "config", "user.email", f"{name}@northwind.example")
        git(path, "config", "commit.gpgsign", "false")
        clones.append(path)
    return clones


def pull_both_ways(a: Path, b: Path) -> None:
    git(a, "pull", "-q", "--no-rebase", "--no-edit", str(b), "main")
    git(b, "pull", "-q", "--no-rebase", "--no-edit", str(a), "main")
