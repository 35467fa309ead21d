"""One error hierarchy for the whole package.

Every failure a user can cause (bad input, a missing ticket, a refused transition, an
unreachable server) is a :class:`GitdeskError`. The command line turns it into one line on
stderr and the error's ``exit_code``; nothing below the CLI prints or exits.
"""

from __future__ import annotations


class GitdeskError(Exception):
    """Base class: a problem the user can act on, shown as one line without a traceback."""

    exit_code = 1
    # (field, message) of each problem when one error stands for several (a file's schema errors)
    problems: list[tuple[str, str]] | None = None

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None):
        self.message = message
        self.path = path
        self.field = field
        super().__init__(self.line())

    def line(self) -> str:
        """``path: field: message`` with whichever parts are known."""
        from gitdesk.textsafe import visible

        parts = [p for p in (self.path, self.field) if p]
        return visible(": ".join([*parts, self.message]))  # one line, whatever a name or value holds


class UsageError(GitdeskError):
    """The command was called with values that cannot work (exit 2, like Click's own)."""

    exit_code = 2


class ConfigError(GitdeskError):
    """``helpdesk.yml`` (or another settings file) is unreadable or invalid."""


class ValidationError(GitdeskError):
    """A document (event, article front matter, template) breaks its schema or rules."""


class NotFoundError(GitdeskError):
    """A ticket, article or file that was asked for does not exist."""


class AmbiguousIdError(UsageError):
    """A ticket id prefix matches more than one ticket."""


class TransitionError(GitdeskError):
    """A status change that the configured workflow does not allow."""


class RepoError(GitdeskError):
    """The help desk repository cannot be found or git failed."""


class RemoteError(GitdeskError):
    """A remote service (GitHub, IMAP, SMTP) failed or refused."""


class AuthError(RemoteError):
    """No token or password where one is needed, or it was refused."""


class BusyError(GitdeskError):
    """Another gitdesk run holds the desk lock and did not let go within ``--wait`` seconds.

    Exit 75 (EX_TEMPFAIL in sysexits.h): nothing was done; the same command can simply be run
    again later, which is what a scheduler (cron, CI) should do with this code."""

    exit_code = 75


class UncommittedError(RepoError):
    """The change is recorded (its files are written) but git could not commit them.

    Exit 3, unlike 1 ("nothing was done"): running the command again would record the change
    twice; commit the named files instead."""

    exit_code = 3
