"""The Click classes every gitdesk command is built from (light: imported at start-up)."""

from __future__ import annotations

from typing import Any

import click


class Group(click.Group):
    """Every gitdesk command group: an unknown subcommand gets "Did you mean ...?" among all
    the group's commands (lazy ones too); subgroups made with ``@group.group()`` are one too."""

    group_class = type

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            names = [n for n in self.list_commands(ctx) if not getattr(self.get_command(ctx, n), "hidden", False)]
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=names, ctx=ctx) from None


class Choice(click.Choice):
    """``click.Choice`` that says which choice was probably meant ("Did you mean 'high'?")."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            import difflib

            close = difflib.get_close_matches(str(value), [str(c) for c in self.choices], n=1)
            if not close:
                raise
            raise click.BadParameter(f"{exc.message} Did you mean {close[0]!r}?", ctx=exc.ctx, param=exc.param) from None
