"""Fixtures for the mail tests: a help desk repository with mail settings, real SMTP and IMAP
servers on 127.0.0.1. Tests that need a tool this machine lacks (Dovecot, openssl) skip with the
reason, except under CI (CI=true), where a missing tool is a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.mail_servers import dovecot_binary, make_certificate, start_dovecot, start_smtp
from tests.support.intake import skip_or_fail, update_config


@pytest.fixture
def mail_repo(git_repo):
    """The project's help desk with a 64 KiB attachment limit and a long notification window."""
    update_config(git_repo, mail={"attachment_max_bytes": 65536}, notifications={"max_age": "1000d"})
    return git_repo


@pytest.fixture
def intake(run_cli, mail_repo):
    """``gitdesk intake email ARGS... --json`` -> (exit code, parsed JSON, Result)."""
    def run(*args, repo: Path | None = None, env: dict | None = None):
        result = run_cli("intake", "email", *[str(a) for a in args], "--json", repo=repo or mail_repo, env=env)
        try:
            data = json.loads(result.stdout)
        except ValueError:
            data = None
        return result.exit_code, data, result

    return run


@pytest.fixture
def show(run_cli, mail_repo):
    def get(ref: str, repo: Path | None = None) -> dict:
        result = run_cli("ticket", "show", ref, "--json", repo=repo or mail_repo)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return get


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    pair = make_certificate(tmp_path_factory.mktemp("tls"))
    if pair is None:
        skip_or_fail("openssl is not installed: cannot make a certificate for the TLS tests")
    return pair


@pytest.fixture
def trust(monkeypatch, certificate):
    """Make the test certificate the one CA that Python's default TLS context trusts."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    return certificate


@pytest.fixture
def smtp(mail_repo):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the help desk is configured to use it."""
    server = start_smtp()
    update_config(mail_repo, mail={"smtp": {"host": "127.0.0.1", "port": server.port, "starttls": False, "tls": False, "user": ""}})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot_path() -> str:
    path = dovecot_binary()
    if path is None:
        skip_or_fail("Dovecot is not installed (apt-get install dovecot-imapd): IMAP tests need a real server")
    return path


@pytest.fixture
def imap(dovecot_path, mail_repo, monkeypatch):
    """A real Dovecot IMAP server with an empty INBOX; the help desk is configured to read it."""
    try:
        server = start_dovecot(dovecot_path)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    monkeypatch.setenv("GITDESK_TEST_IMAP_PASSWORD", server.password)
    update_config(mail_repo, mail={"imap": server.settings()})
    yield server
    server.stop()
