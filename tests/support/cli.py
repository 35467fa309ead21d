"""The one in-process ``gitdesk`` runner of the tests (Click's CliRunner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result


def invoke(*args: Any, repo: Path | str | None = None, input: str | None = None, env: dict | None = None,
           catch_exceptions: bool = True) -> Result:
    """Run ``gitdesk ARGS`` in this process; ``repo`` becomes ``GITDESK_REPO``. ``result.output``
    holds stdout and stderr as a terminal shows them, ``result.stdout``/``result.stderr`` each."""
    from gitdesk.cli import cli

    full_env = {**({"GITDESK_REPO": str(repo)} if repo is not None else {}), **(env or {})}
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=full_env, catch_exceptions=catch_exceptions)


def run_main(*args: Any, repo: Path | str | None = None, input: str | None = None,
             env: dict | None = None) -> tuple[int, str, str]:
    """Run the console entry point ``gitdesk.cli.main`` in this process, so errors go through the
    real one-line error handling; returns ``(exit code, stdout, stderr)``."""
    from gitdesk.cli import main

    full_env = {"GITDESK_REPO": str(repo) if repo else None, "GITDESK_JSON_COMPACT": None, **(env or {})}
    with CliRunner().isolation(input=input, env=full_env) as (out, err, _):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return code, out.getvalue().decode(), err.getvalue().decode()
