"""Changing many tickets in one command against one command per ticket, in the same run.

``ticket resolve A B C ...`` (or ``--from -``) loads the configuration, the store and its cache
once, and commits once; the baseline is the same change as one ``gitdesk ticket resolve REF``
process per ticket, as a script did before. Both run on a fresh copy of the same desk with N
tickets (default 40). Run: ``.venv/bin/python benchmarks/bulk_changes.py [--tickets N]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).with_name("gitdesk"))


def run(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([EXE, *args], cwd=repo, input=stdin, capture_output=True, text=True, check=False).stdout


def desk(root: Path, n: int) -> tuple[Path, list[str]]:
    root.mkdir()
    for cmd in (["init", "-q", "-b", "main"], ["config", "user.name", "Ana"], ["config", "user.email", "ana@x.example"]):
        subprocess.run(["git", *cmd], cwd=root, check=True)
    shutil.copy(PROJECT / "helpdesk.yml", root / "helpdesk.yml")
    ids = [json.loads(run(root, "ticket", "new", f"Printer {i} jams", "-r", "sam@x.example", "--json"))["id"] for i in range(n)]
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "desk"], cwd=root, check=True)
    return root, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=40)
    n = parser.parse_args().tickets
    with tempfile.TemporaryDirectory() as tmp:
        base, ids = desk(Path(tmp) / "base", n)
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        shutil.copytree(base, one)
        shutil.copytree(base, many)
        start = time.perf_counter()
        for tid in ids:
            run(one, "ticket", "resolve", tid, "-m", "Replaced the fuser", "--commit")
        per_ticket = time.perf_counter() - start
        start = time.perf_counter()
        out = run(many, "ticket", "resolve", "--from", "-", "-m", "Replaced the fuser", "--commit", stdin="\n".join(ids))
        bulk = time.perf_counter() - start
        assert f"{n} changed, 0 failed" in out, out
    print(f"{n} tickets resolved and committed")
    print(f"  one process per ticket (baseline): {per_ticket:7.2f} s  ({per_ticket / n * 1000:6.0f} ms per ticket)")
    print(f"  one bulk command (--from -):       {bulk:7.2f} s  ({bulk / n * 1000:6.0f} ms per ticket)")
    print(f"  ratio baseline / bulk: {per_ticket / bulk:.1f}x")


if __name__ == "__main__":
    main()
