"""The support mailbox over IMAP (``mail.imap`` in helpdesk.yml; the password only from the
environment variable named by ``password_env``).

Messages are read with ``BODY.PEEK[]`` (reading does not mark them seen) in UID order, and
marked only after their events are written: with ``\\Seen`` and the keyword ``GitdeskTaken``
(or moved to ``processed_folder`` when one is set). Messages gitdesk cannot use get
``GitdeskRejected`` and stay unread, for a person to look at. A run that dies between writing
and marking leaves the message unmarked; the next run finds its Message-ID already taken and
only marks it. Agents reading the mailbox in a mail client do not hide anything from gitdesk:
what is unprocessed is decided by the keyword, not by ``\\Seen`` (unless the server cannot store
keywords, then ``UNSEEN`` is all there is).
"""

from __future__ import annotations

import imaplib
import os
import re
import socket
import ssl
from collections.abc import Iterator

from gitdesk.errors import AuthError, ConfigError, RemoteError, ValidationError

TAKEN = "GitdeskTaken"
REJECTED = "GitdeskRejected"
TIMEOUT = 60
MAX_MESSAGE_BYTES = 200 * 1024 * 1024


def _quote(name: str) -> str:
    """An IMAP quoted string (mailbox names with spaces)."""
    if re.fullmatch(r"[A-Za-z0-9_./-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """A connection to the support mailbox; use as a context manager."""

    def __init__(self, settings: dict, *, readonly: bool = False, environ: dict | None = None):
        self.settings = settings
        self.readonly = readonly
        self.environ = os.environ if environ is None else environ
        self.conn: imaplib.IMAP4 | None = None
        self.keywords = True
        self.capabilities: set[str] = set()

    # -- connecting ------------------------------------------------------------------------
    def _password(self) -> str:
        var = self.settings.get("password_env") or ""
        if not var:
            raise ConfigError("no password_env: name the environment variable holding the IMAP password",
                              path="helpdesk.yml", field="mail.imap.password_env")
        value = self.environ.get(var)
        if not value:
            raise AuthError(f"the environment variable {var} (mail.imap.password_env) is not set", field="mail.imap")
        return value

    def open(self) -> Mailbox:
        host = self.settings.get("host") or ""
        if not host:
            raise ConfigError("no IMAP server: set mail.imap.host", path="helpdesk.yml", field="mail.imap.host")
        port = int(self.settings.get("port") or (993 if self.settings.get("tls", True) else 143))
        user = self.settings.get("user") or ""
        if not user:
            raise ConfigError("no IMAP user: set mail.imap.user", path="helpdesk.yml", field="mail.imap.user")
        password = self._password()
        where = f"{host}:{port}"
        try:
            conn: imaplib.IMAP4
            if self.settings.get("tls", True):
                conn = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
            else:
                conn = imaplib.IMAP4(host, port, timeout=TIMEOUT)
                if "STARTTLS" in conn.capabilities:
                    conn.starttls(ssl_context=ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            raise RemoteError(f"cannot connect to the IMAP server {where}: {_reason(exc)}", field="mail.imap") from None
        try:
            conn.login(user, password)
        except imaplib.IMAP4.error as exc:
            _close(conn)
            raise AuthError(f"the IMAP server {where} refused the login for {user}: {_reason(exc)}", field="mail.imap") from None
        except OSError as exc:
            _close(conn)
            raise RemoteError(f"IMAP server {where}: {_reason(exc)}", field="mail.imap") from None
        self.conn = conn
        self.capabilities = {c.upper() for c in conn.capabilities}
        folder = self.settings.get("folder") or "INBOX"
        self._select(folder)
        permanent = " ".join(x.decode("ascii", "replace") for x in (conn.untagged_responses.get("PERMANENTFLAGS") or [])
                             if isinstance(x, bytes) and x)
        self.keywords = "\\*" in permanent or TAKEN in permanent
        processed = self.settings.get("processed_folder") or ""
        if processed and not self.readonly:
            self._ensure_folder(processed)
        return self

    def _call(self, what: str, fn, *args):
        """One IMAP command; any failure becomes a one-line RemoteError naming ``what``."""
        try:
            typ, data = fn(*args)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise RemoteError(f"{what}: {_reason(exc)}", field="mail.imap") from None
        if typ != "OK":
            raise RemoteError(f"{what}: {_text(data)}", field="mail.imap")
        return data

    @property
    def _live(self) -> imaplib.IMAP4:
        """The open connection (every command runs between open() and close())."""
        assert self.conn is not None, "the mailbox is not open"
        return self.conn

    def _select(self, folder: str) -> None:
        self._call(f"cannot open the IMAP folder {folder!r}", self._live.select, _quote(folder), self.readonly)

    def _ensure_folder(self, folder: str) -> None:
        data = self._call(f"cannot list the IMAP folder {folder!r}", self._live.list, '""', _quote(folder))
        if any(d for d in data if d):
            return
        self._call(f"cannot create the IMAP folder {folder!r}", self._live.create, _quote(folder))

    def __enter__(self) -> Mailbox:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            _close(self.conn)
            self.conn = None

    # -- reading ---------------------------------------------------------------------------
    def _uid(self, *args):
        return self._call(f"IMAP {args[0]} failed", self._live.uid, *args)

    def pending_uids(self) -> list[int]:
        """UIDs of messages not yet processed (nor rejected), oldest first."""
        if self.keywords:
            data = self._uid("SEARCH", None, "UNDELETED", "UNKEYWORD", TAKEN, "UNKEYWORD", REJECTED)
        else:
            data = self._uid("SEARCH", None, "UNDELETED", "UNSEEN")
        return sorted(int(x) for x in b" ".join(d for d in data if d).split())

    def fetch(self, uid: int) -> bytes | ValidationError | None:
        """The raw message (without marking it seen); None if it vanished meanwhile, an error
        (for the rejected pile) if it is too large to take."""
        data = self._uid("FETCH", str(uid), "(RFC822.SIZE)")
        text = b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d)
        size = re.search(rb"RFC822\.SIZE (\d+)", text)
        if size and int(size.group(1)) > MAX_MESSAGE_BYTES:
            return ValidationError(f"message of {int(size.group(1))} bytes is larger than the limit of {MAX_MESSAGE_BYTES}",
                                   field="message")
        data = self._uid("FETCH", str(uid), "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def messages(self) -> Iterator[tuple[int, bytes | ValidationError]]:
        for uid in self.pending_uids():
            raw = self.fetch(uid)
            if raw is not None:
                yield uid, raw

    # -- marking ---------------------------------------------------------------------------
    def mark_processed(self, uid: int) -> None:
        flags = f"(\\Seen {TAKEN})" if self.keywords else "(\\Seen)"
        self._uid("STORE", str(uid), "+FLAGS.SILENT", flags)
        processed = self.settings.get("processed_folder") or ""
        if processed:
            self._move(uid, processed)

    def mark_rejected(self, uid: int) -> None:
        if self.keywords:
            self._uid("STORE", str(uid), "+FLAGS.SILENT", f"({REJECTED})")

    def _move(self, uid: int, folder: str) -> None:
        if "MOVE" in self.capabilities:
            self._uid("MOVE", str(uid), _quote(folder))
            return
        self._uid("COPY", str(uid), _quote(folder))
        self._uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self._uid("EXPUNGE", str(uid))
        else:
            self._call("IMAP EXPUNGE failed", self._live.expunge)


def _text(data) -> str:
    parts = []
    for d in data or []:
        if isinstance(d, bytes):
            parts.append(d.decode("utf-8", "replace"))
    return " ".join(parts)[:200] or "no reason given"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return (text or type(exc).__name__)[:200]


def _close(conn: imaplib.IMAP4) -> None:
    try:
        try:
            if conn.state == "SELECTED":
                conn.close()
        finally:
            conn.logout()
    except (imaplib.IMAP4.error, OSError):
        pass
