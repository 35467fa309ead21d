"""Every `gitdesk ...` line a workflow runs parses against the real CLI.

The subcommand chain is resolved through `gitdesk.cli.cli` and each level's context is made with
Click's normal (not resilient) parsing, so an unknown command, an unknown option, a missing
argument or a value of the wrong type fails here instead of on GitHub at 3 a.m. Nothing runs:
no callback is invoked.

Commands whose modules other developers have not landed yet are marked xfail(strict=True) in
MISSING, by name: when one lands its case passes, strict xfail turns that into a failure, and
the entry must be deleted from MISSING, so the case then guards the workflow for good.
"""

from __future__ import annotations

import click
import pytest

from gitdesk.cli import cli

from tests.support.workflows import ROOT, gitdesk_calls

# command chain -> why it cannot parse yet (checked on the day these tests were written)
MISSING: dict[str, str] = {}

CALLS = gitdesk_calls()


def resolve(argv: list[str], root: click.Group = cli) -> list[str]:
    """Parse ``gitdesk ARGV`` level by level; return the command path. Raises UsageError."""
    ctx = root.make_context("gitdesk", list(argv))
    path = ["gitdesk"]
    command: click.Command = root
    with ctx:
        while isinstance(command, click.Group):
            rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
            if not rest:
                raise click.UsageError(f"{' '.join(path)} needs a subcommand", ctx=ctx)
            name, sub, rest = command.resolve_command(ctx, rest)
            if sub is None:
                raise click.UsageError(f"no such command {name!r}", ctx=ctx)
            ctx = sub.make_context(name, rest, parent=ctx)
            path.append(name)
            command = sub
        if ctx.args:
            raise click.UsageError(f"unexpected arguments {ctx.args}", ctx=ctx)
    return path


def case(call):
    marks = []
    if call.chain in MISSING:
        marks.append(pytest.mark.xfail(strict=True, reason=MISSING[call.chain], raises=click.UsageError))
    return pytest.param(call, id=f"{call.step.workflow}:{call.line}", marks=marks)


def test_the_workflows_run_the_expected_commands():
    found = sorted({(c.step.workflow, c.line) for c in CALLS})
    assert found == [
        ("intake.yml", "gitdesk intake email --imap --if-configured --json"),
        ("intake.yml", "gitdesk notify --if-configured --json"),
        ("kb-review.yml", "gitdesk kb review --open-tickets --json"),
        ("kb.yml", "gitdesk kb check"),
        ("kb.yml", "gitdesk site build"),
        ("metrics.yml", "gitdesk metrics --out metrics/"),
        ("notify.yml", "gitdesk notify --if-configured --json"),
        ("pages.yml", "gitdesk kb check"),
        ("pages.yml", "gitdesk site build"),
        ("sla.yml", "gitdesk notify --if-configured --json"),
        ("sla.yml", "gitdesk sla check --apply --json"),
        ("sync.yml", "gitdesk sync --if-configured --json"),
        ("triage.yml", 'gitdesk github triage "$ISSUE_NUMBER"'),
    ]


def test_missing_list_names_only_commands_the_workflows_run():
    assert set(MISSING) <= {c.chain for c in CALLS}


@pytest.mark.parametrize("call", [case(c) for c in CALLS])
def test_workflow_command_parses_against_the_cli(call, monkeypatch):
    monkeypatch.chdir(ROOT)  # workflows run at the top of the checkout
    path = resolve(call.argv)
    assert " ".join(path[1:]) == call.chain


# -- the resolver itself must reject what the CLI rejects ----------------------------------


def test_resolver_accepts_a_real_root_option():
    # `gitdesk --version` is parsed (and exits eagerly, as it does on the command line)
    with pytest.raises(click.exceptions.Exit):
        resolve(["--version"])


@pytest.mark.parametrize("argv", [["no-such-command"], ["--no-such-option"], []], ids=["command", "option", "empty"])
def test_resolver_rejects_bad_command_lines(argv):
    with pytest.raises(click.UsageError):
        resolve(argv)


def test_resolver_parses_leaf_options_strictly_without_running_anything():
    @click.group()
    def root():
        pass

    @root.group()
    def sla():
        pass

    @sla.command()
    @click.option("--apply", is_flag=True)
    @click.option("--fail-on", type=click.Choice(["at-risk", "breached"]))
    @click.argument("number", type=int, required=False)
    def check(apply, fail_on, number):
        raise AssertionError("parsing must not run the command")

    assert resolve(["sla", "check", "--apply", "--fail-on", "breached", "7"], root) == ["gitdesk", "sla", "check"]
    for bad in (["sla", "check", "--nope"], ["sla", "check", "--fail-on", "late"], ["sla", "check", "x"],
                ["sla", "check", "1", "2"], ["sla"], ["sla", "nope"]):
        with pytest.raises(click.UsageError):
            resolve(bad, root)
