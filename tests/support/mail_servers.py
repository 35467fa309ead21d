"""Real mail servers on 127.0.0.1 for the intake tests: aiosmtpd (SMTP) and Dovecot (IMAP).

Dovecot runs as an unprivileged process (as ``nobody`` when the tests run as root) with a
throw-away configuration: plain-text login for one user from a passwd-file, a Maildir store in a
temporary folder, a free port. ``openssl`` makes a self-signed certificate for the TLS tests;
clients trust it through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.settimeout(2)
                if s.recv(100):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


# -- certificates ---------------------------------------------------------------------------------

def make_certificate(folder: Path) -> tuple[Path, Path] | None:
    """(cert, key) for 127.0.0.1/localhost, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


# -- SMTP -----------------------------------------------------------------------------------------

@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    def message(self):
        import email
        import email.policy

        return email.message_from_bytes(self.data, policy=email.policy.default)


class Recorder:
    """aiosmtpd handler: keeps what it accepts; answers DATA number N with ``answers[N]``."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: dict[int, str] = {}
        self.data_count = 0

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        answer = self.answers.get(self.data_count)
        if answer:
            return answer
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 2.0.0 OK: queued"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder
    controller: object
    user: str | None = None
    password: str | None = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(*, tls_context=None, auth: tuple[str, str] | None = None) -> SmtpServer:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    recorder = Recorder()
    kwargs: dict = {}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    if auth is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == auth[0] and auth_data.password.decode() == auth[1]
            return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls_context is not None)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return SmtpServer("127.0.0.1", port, recorder, controller, *(auth or (None, None)))


# -- IMAP (Dovecot) -------------------------------------------------------------------------------

def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in DOVECOT_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class Dovecot:
    base: Path
    port: int
    user: str = "helpdesk"
    password: str = "s3cret-for-tests"
    process: subprocess.Popen | None = None
    tls: bool = False
    cert: Path | None = None
    extra_folders: list[str] = field(default_factory=list)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"

    def client(self) -> imaplib.IMAP4:
        if self.tls:
            import ssl

            ctx = ssl.create_default_context(cafile=str(self.cert))
            conn = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=ctx)
        else:
            conn = imaplib.IMAP4("127.0.0.1", self.port)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in ``folder``."""
        conn = self.client()
        try:
            typ, _ = conn.select(f'"{folder}"', readonly=True)
            assert typ == "OK"
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for item in data or []:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0].split()
                out[uid] = set(flags)
            return out
        finally:
            conn.logout()

    def settings(self, **extra) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "tls": self.tls, "user": self.user,
                "password_env": "GITDESK_TEST_IMAP_PASSWORD", "folder": "INBOX", "processed_folder": "", **extra}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.base, ignore_errors=True)


CONF = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def start_dovecot(binary: str, *, tls: bool = False, cert: tuple[Path, Path] | None = None) -> Dovecot:
    """Start Dovecot as an unprivileged process on a free port; raise RuntimeError with its log."""
    base = Path(tempfile.mkdtemp(prefix="gitdesk-dovecot-"))
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        account = pwd.getpwnam("nobody")
    else:
        account = pwd.getpwuid(os.geteuid())
    import grp

    group = grp.getgrgid(account.pw_gid).gr_name
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    server = Dovecot(base=base, port=0, tls=tls)
    (base / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    ssl_files = ""
    if tls:
        assert cert is not None
        cert_path, key_path = base / "cert.pem", base / "key.pem"
        shutil.copy(cert[0], cert_path)
        shutil.copy(cert[1], key_path)
        server.cert = cert_path
        ssl_files = f"ssl_cert = <{cert_path}\nssl_key = <{key_path}"
    last_error = ""
    for _attempt in range(3):
        imap_port, imaps_port = free_port(), free_port()
        server.port = imaps_port if tls else imap_port
        (base / "dovecot.conf").write_text(CONF.format(
            base=base, user=account.pw_name, group=group, uid=account.pw_uid, gid=account.pw_gid,
            imap_port=0 if tls else imap_port, imaps_port=imaps_port if tls else 0,
            ssl="required" if tls else "no", ssl_files=ssl_files))
        if os.geteuid() == 0:
            for path in [base, *base.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
        kwargs = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if os.geteuid() == 0 else {}
        proc = subprocess.Popen([binary, "-F", "-c", str(base / "dovecot.conf")], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, **kwargs)
        server.process = proc
        if tls:
            ok = _wait_tls(server.port)
        else:
            ok = wait_port(server.port)
        if ok and proc.poll() is None:
            return server
        out = b""
        if proc.poll() is None:
            proc.terminate()
            proc.wait(5)
        out = proc.stdout.read() if proc.stdout else b""
        last_error = out.decode(errors="replace")[-1500:] + "\n" + server.log()
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"dovecot did not start:\n{last_error}")


def _wait_tls(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False
