"""A feedback mail in (files and a real IMAP server) -> a feedback record out, never a ticket."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from gitdesk.config import load_config
from gitdesk.kb.feedback import feedback_dir, load_feedback, marker_line
from tests.support.cli import run_main
from tests.support.desk import git
from tests.support.intake import update_config
from tests.support.mail_servers import dovecot_binary, start_dovecot


def feedback_mail(n: int, *, sender: str = "reader@example.org", article: str = "accounts/reset-password.es.md",
                  vote: bool = False, reason: str | None = "unclear", comment: str = "No veo el enlace.",
                  marker: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Reader <{sender}>"
    msg["To"] = "helpdesk@northwind.example"
    msg["Subject"] = "Opinión sobre el artículo: Restablecer una contraseña"
    msg["Message-ID"] = f"<fb{n}@example.org>"
    msg["Date"] = format_datetime(datetime(2026, 12, 1, 10, n % 60, tzinfo=timezone.utc))
    line = marker or marker_line(article, vote, reason, "es")
    msg.set_content(f"{comment}\n\n---\n{line}\n(Conserve la línea de abajo.)\n")
    return msg.as_bytes()


def intake(root: Path, *args) -> tuple[int, dict, str]:
    code, out, err = run_main("intake", "email", *args, "--json", repo=root)
    return code, json.loads(out), err


def tickets(root: Path) -> list:
    code, out, _ = run_main("ticket", "list", "--json", repo=root)
    assert code == 0
    return json.loads(out)


def write(tmp_path: Path, name: str, raw: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def test_feedback_mail_becomes_a_record_and_no_ticket(fdesk, tmp_path):
    path = write(tmp_path, "fb.eml", feedback_mail(1))
    code, data, _ = intake(fdesk, path, "--commit")
    assert code == 0 and data["counts"] == {"feedback": 1}
    assert data["messages"][0]["ticket"] is None
    [fb] = load_feedback(fdesk, load_config(fdesk))
    assert (fb.article, fb.helpful, fb.reason, fb.comment, fb.channel, fb.language) == (
        "accounts/reset-password.es.md", False, "unclear", "No veo el enlace.", "email", "es")
    assert tickets(fdesk) == []
    record = next(feedback_dir(fdesk).iterdir())
    assert "reader" not in record.read_text() and "fb1@" not in record.read_text()
    assert git(fdesk, "status", "--porcelain").strip() == ""  # --commit committed the record
    assert "feedback on accounts/reset-password.es.md: no" in git(fdesk, "log", "-1", "--format=%B")
    # the same message again: recorded once
    code, data, _ = intake(fdesk, path)
    assert code == 0 and data["counts"] == {"duplicate": 1} and len(list(feedback_dir(fdesk).iterdir())) == 1


@pytest.mark.parametrize("kwargs, why", [
    ({"marker": "gitdesk-feedback:v1?vote=no&lang=es"}, "names no article"),
    ({"article": "accounts/gone.md"}, "no article accounts/gone.md"),
    ({"marker": "gitdesk-feedback:v1?article=accounts/reset-password.md&vote=maybe"}, "the vote must be yes or no"),
    ({"comment": "x" * 5000}, "longer than 1000 characters"),
    ({"marker": "gitdesk-feedback:v1?article=<script>"}, "malformed feedback marker"),
])
def test_forged_feedback_mail_is_refused_and_writes_nothing(fdesk, tmp_path, kwargs, why):
    code, out, err = run_main("intake", "email", write(tmp_path, "bad.eml", feedback_mail(2, **kwargs)), repo=fdesk)
    assert code == 0, err
    [line] = [ln for ln in out.splitlines() if ln.startswith("refused")]
    assert why in line
    assert not feedback_dir(fdesk).exists() and tickets(fdesk) == []


def test_a_flood_of_votes_is_refused_beyond_the_limits(fdesk, tmp_path):
    update_config(fdesk, kb={"feedback": {"max_per_sender": 3, "max_per_article": 5, "review_after": 0}})
    paths = [write(tmp_path, f"m{n}.eml", feedback_mail(n)) for n in range(6)]  # one sender
    paths += [write(tmp_path, f"o{n}.eml", feedback_mail(100 + n, sender=f"r{n}@example.org")) for n in range(4)]
    code, data, _ = intake(fdesk, *paths)
    assert code == 0 and data["counts"] == {"feedback": 5, "refused": 5}
    refusals = [m["detail"] for m in data["messages"] if m["action"] == "refused"]
    assert sum("max_per_sender: 3" in r for r in refusals) == 3
    assert sum("max_per_article: 5" in r for r in refusals) == 2
    assert len(load_feedback(fdesk, load_config(fdesk))) == 5 and tickets(fdesk) == []


def test_an_ordinary_mail_still_opens_a_ticket(fdesk, tmp_path):
    msg = EmailMessage()
    msg["From"] = "Sam <sam@example.org>"
    msg["To"] = "helpdesk@northwind.example"
    msg["Subject"] = "Printer jams"
    msg["Message-ID"] = "<plain@example.org>"
    msg.set_content("The printer on floor 2 jams.")
    code, data, _ = intake(fdesk, write(tmp_path, "plain.eml", msg.as_bytes()))
    assert data["counts"] == {"new": 1} and not feedback_dir(fdesk).exists()


def test_feedback_from_a_real_imap_mailbox(fdesk, monkeypatch):
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("Dovecot is not installed")
    server = start_dovecot(binary)
    try:
        monkeypatch.setenv("GITDESK_TEST_IMAP_PASSWORD", server.password)
        update_config(fdesk, mail={"imap": server.settings()})
        server.append(feedback_mail(1))
        server.append(feedback_mail(2, marker="gitdesk-feedback:v1?vote=yes"))
        code, data, _ = intake(fdesk, "--imap")
        assert code == 0 and data["counts"] == {"feedback": 1, "refused": 1}
        flags = [f for _, f in sorted(server.flags().items())]
        assert all("GitdeskTaken" in f for f in flags)  # both done with: a refusal is not retried
        code, data, _ = intake(fdesk, "--imap")
        assert data["messages"] == []
    finally:
        server.stop()
    assert len(load_feedback(fdesk, load_config(fdesk))) == 1 and tickets(fdesk) == []


def test_no_votes_by_mail_open_one_review_task(fdesk, tmp_path):
    update_config(fdesk, kb={"feedback": {"review_after": 3}})
    paths = [write(tmp_path, f"n{n}.eml", feedback_mail(200 + n, sender=f"s{n}@example.org")) for n in range(3)]
    code, data, err = intake(fdesk, *paths, "--commit")
    assert code == 0 and data["counts"] == {"feedback": 3}
    assert "review task HD-" in err and "accounts/reset-password.md" in err
    [task] = tickets(fdesk)
    assert "kb-review" in task["tags"] and task["team"] == "service-desk"  # the article's owner
    assert git(fdesk, "status", "--porcelain", "--untracked-files=all", "--", "tickets").strip() == ""
    more = [write(tmp_path, f"m{n}.eml", feedback_mail(300 + n, sender=f"t{n}@example.org")) for n in range(3)]
    code, data, err = intake(fdesk, *more)
    assert data["counts"] == {"feedback": 3} and "review task" not in err
    assert len(tickets(fdesk)) == 1  # never a second while one is open
