"""``gitdesk intake email --imap`` against a real Dovecot server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.desk import git, init_repo

from tests.support.intake import LUCIA, SAM, message, update_config
from tests.support.mail_servers import start_dovecot
from .test_intake_files import events_by_message, snapshot

FIRST = ["outlook-new.eml", "iso-8859-1.eml", "gmail-reply.eml", "auto-reply.eml", "no-sender.eml"]


def fill(imap, names):
    for name in names:
        imap.append(message(name).read_bytes())


def by_subject_flags(imap, folder="INBOX"):
    """Flags of each message, keyed by its position (UID order)."""
    return [flags for _, flags in sorted(imap.flags(folder).items())]


def test_mailbox_is_read_once_and_marked(imap, intake, show):
    fill(imap, FIRST)
    code, data, result = intake("--imap")
    assert code == 1, result.output  # no-sender.eml
    assert data["counts"] == {"new": 2, "comment": 1, "skipped": 1, "rejected": 1}
    assert [m["source"] for m in data["messages"]] == [f"imap:INBOX/{n}" for n in range(1, 6)]
    flags = by_subject_flags(imap)
    for taken in (0, 1, 2, 3):
        assert {"\\Seen", "GitdeskTaken"} <= flags[taken]
    assert "GitdeskRejected" in flags[4] and "\\Seen" not in flags[4]  # left unread for a person
    assert show(LUCIA)["comments"][0]["body"] == "Ya funciona, gracias. Han cambiado el driver esta mañana."
    code, data, _ = intake()  # the default source when mail.imap.host is set
    assert code == 0 and data["messages"] == []
    fill(imap, ["outlook-reply.eml"])
    code, data, _ = intake("--imap")
    assert data["counts"] == {"comment": 1} and data["messages"][0]["ticket"] == SAM


def test_messages_read_by_an_agent_are_still_taken(imap, intake):
    fill(imap, ["outlook-new.eml", "html-only.eml"])
    conn = imap.client()
    conn.select("INBOX")
    conn.uid("STORE", "1:*", "+FLAGS", "(\\Seen)")
    conn.logout()
    code, data, _ = intake("--imap")
    assert data["counts"] == {"new": 2}


def test_processed_messages_move_to_a_folder(imap, intake, mail_repo):
    update_config(mail_repo, mail={"imap": {"processed_folder": "Processed by gitdesk"}})
    fill(imap, ["outlook-new.eml", "no-sender.eml", "quoted-printable.eml"])
    code, data, _ = intake("--imap")
    assert data["counts"] == {"new": 2, "rejected": 1}
    inbox = by_subject_flags(imap)
    assert len(inbox) == 1 and "GitdeskRejected" in inbox[0]
    assert [("\\Seen" in f and "GitdeskTaken" in f) for f in by_subject_flags(imap, "Processed by gitdesk")] == [True, True]
    assert intake("--imap")[1]["messages"] == []


def test_crash_between_writing_and_marking(imap, intake, mail_repo, monkeypatch):
    """The events of message 2 are written but the run dies before the server hears about it:
    the next run finds its Message-ID taken, only marks it, and takes the rest."""
    from gitdesk.config import load_config
    from gitdesk.intake import imap as imap_module
    from gitdesk.intake.ingest import MailIntake
    from gitdesk.intake.runner import intake_imap
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    fill(imap, ["outlook-new.eml", "iso-8859-1.eml", "gmail-reply.eml", "outlook-reply.eml"])
    original = imap_module.Mailbox.mark_processed
    calls = {"n": 0}

    def dying_mark(self, uid):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionResetError("network gone")
        return original(self, uid)

    monkeypatch.setattr(imap_module.Mailbox, "mark_processed", dying_mark)
    config = load_config(mail_repo)
    outcomes: list = []
    with pytest.raises(ConnectionResetError):
        intake_imap(MailIntake(open_store(Repo(mail_repo), config), config, mail_repo), config["mail"]["imap"], outcomes)
    assert len(outcomes) == 2
    monkeypatch.setattr(imap_module.Mailbox, "mark_processed", original)
    code, data, _ = intake("--imap")
    assert [m["action"] for m in data["messages"]] == ["duplicate", "comment", "comment"]
    assert all({"\\Seen", "GitdeskTaken"} <= f for f in by_subject_flags(imap))
    assert set(events_by_message(mail_repo).values()) == {1} and len(events_by_message(mail_repo)) == 4


def test_two_clones_read_the_same_mailbox(imap, tmp_path, run_cli, monkeypatch):
    """Clone A takes the messages but has not marked them when clone B reads the mailbox; both
    commit, B pulls A: one event per message, no conflict."""
    from gitdesk.intake import imap as imap_module

    a = init_repo(tmp_path / "a")
    update_config(a, mail={"imap": imap.settings()})
    git(a, "commit", "-qam", "mail settings")
    b = tmp_path / "b"
    subprocess.run(["git", "clone", "-q", str(a), str(b)], check=True)
    git(b, "config", "user.name", "Ben Okafor")
    git(b, "config", "user.email", "ben.okafor@northwind.example")
    fill(imap, ["outlook-new.eml", "outlook-reply.eml", "iso-8859-1.eml", "huge-attachment.eml"])
    original = imap_module.Mailbox.mark_processed
    monkeypatch.setattr(imap_module.Mailbox, "mark_processed", lambda self, uid: None)
    result = run_cli("intake", "email", "--imap", "--commit", repo=a)
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(imap_module.Mailbox, "mark_processed", original)
    result = run_cli("intake", "email", "--imap", "--commit", "--json", repo=b)
    assert json.loads(result.stdout)["counts"] == {"new": 3, "comment": 1}
    git(b, "pull", "-q", "--no-rebase", str(a), "main")
    assert git(b, "status", "--porcelain") == ""
    assert snapshot(a) == snapshot(b)
    counts = events_by_message(b)
    assert len(counts) == 4 and set(counts.values()) == {1}
    assert run_cli("intake", "email", "--imap", "--json", repo=a).stdout.count('"action"') == 0


def test_dry_run_marks_and_writes_nothing(imap, intake, mail_repo):
    fill(imap, ["outlook-new.eml", "outlook-reply.eml"])
    code, data, _ = intake("--imap", "--dry-run")
    assert data["counts"] == {"new": 1, "comment": 1}
    assert snapshot(mail_repo) == {}
    assert all("GitdeskTaken" not in f and "\\Seen" not in f for f in by_subject_flags(imap))


def test_login_problems_are_one_line(imap, run_cli, mail_repo, monkeypatch):
    monkeypatch.setenv("GITDESK_TEST_IMAP_PASSWORD", "wrong")
    result = run_cli("intake", "email", "--imap")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"gitdesk: error: mail.imap: the IMAP server 127.0.0.1:{imap.port} refused the login for helpdesk")
    assert result.stderr.count("\n") == 1 and "wrong" not in result.output
    monkeypatch.delenv("GITDESK_TEST_IMAP_PASSWORD")
    result = run_cli("intake", "email", "--imap")
    assert result.stderr.strip() == "gitdesk: error: mail.imap: the environment variable GITDESK_TEST_IMAP_PASSWORD (mail.imap.password_env) is not set"
    monkeypatch.setenv("GITDESK_TEST_IMAP_PASSWORD", imap.password)
    update_config(mail_repo, mail={"imap": {"folder": "No Such Folder"}})
    result = run_cli("intake", "email", "--imap")
    assert result.exit_code == 1 and "cannot open the IMAP folder 'No Such Folder'" in result.stderr
    imap.stop()
    result = run_cli("intake", "email", "--imap")
    assert result.exit_code == 1 and f"cannot connect to the IMAP server 127.0.0.1:{imap.port}" in result.stderr


def test_imap_over_tls(dovecot_path, trust, intake, mail_repo, monkeypatch, show):
    server = start_dovecot(dovecot_path, tls=True, cert=trust)
    try:
        monkeypatch.setenv("GITDESK_TEST_IMAP_PASSWORD", server.password)
        update_config(mail_repo, mail={"imap": server.settings()})
        server.append(message("outlook-new.eml").read_bytes())
        code, data, _ = intake("--imap")
        assert code == 0 and data["counts"] == {"new": 1}
        assert show(SAM)["requester"]["email"] == "sam.reed@northwind.example"
        monkeypatch.delenv("SSL_CERT_FILE")  # an untrusted certificate is refused, not ignored
        monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")
        code, data, result = intake("--imap")
        assert code == 1 and "certificate verify failed" in result.stderr
    finally:
        server.stop()


def test_a_message_too_large_to_take_is_set_aside(imap, intake, monkeypatch):
    from gitdesk.intake import imap as imap_module

    monkeypatch.setattr(imap_module, "MAX_MESSAGE_BYTES", 50_000)
    fill(imap, ["huge-attachment.eml", "outlook-new.eml"])
    code, data, result = intake("--imap")
    assert code == 1 and [m["action"] for m in data["messages"]] == ["rejected", "new"]
    assert "imap:INBOX/1: message: message of " in result.stderr and "larger than the limit of 50000" in result.stderr
    flags = by_subject_flags(imap)
    assert "GitdeskRejected" in flags[0] and "GitdeskTaken" in flags[1]
    assert intake("--imap")[1]["messages"] == []  # set aside for a person, not retried every run
