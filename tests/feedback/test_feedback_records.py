"""The feedback record contract: checked, written once, read back, never a ticket."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gitdesk.config import load_config
from gitdesk.kb.feedback import (
    Feedback,
    FeedbackFlood,
    FeedbackRefused,
    feedback_dir,
    load_feedback,
    marker_line,
    record_feedback,
    record_marker_message,
)
from tests.support.cli import run_main
from tests.support.desk import git

AT = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def _files(root):
    folder = feedback_dir(root)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_vote_is_written_once_and_read_back(fdesk):
    config = load_config(fdesk)
    done = record_feedback(fdesk, config, article="accounts/reset-password.es.md", helpful=False, reason="unclear",
                           comment="No encuentro el enlace\x1b[2J", channel="email", at=AT, source="<m1@example.org>",
                           sender="lector@example.org")
    assert done.created and done.path.parent == fdesk / "tickets" / ".feedback"
    again = record_feedback(fdesk, config, article="accounts/reset-password.es.md", helpful=False, reason="unclear",
                            comment="No encuentro el enlace", channel="email", at=AT, source="<m1@example.org>")
    assert not again.created and len(_files(fdesk)) == 1
    [fb] = load_feedback(fdesk, config)
    assert fb == Feedback("accounts/reset-password.es.md", False, "unclear", "No encuentro el enlace?[2J", AT, "email", "es")
    text = done.path.read_text(encoding="utf-8")
    assert "lector" not in text and "m1@example.org" not in text  # no identity, only a digest of the message id


@pytest.mark.parametrize("fields, field", [
    ({"article": ""}, "article"),
    ({"article": "accounts/no-such-page.md"}, "article"),
    ({"article": "../helpdesk.yml"}, "article"),
    ({"article": "agents/sla-policy.md"}, "article"),
    ({"article": "accounts/index.md"}, "article"),
    ({"helpful": "maybe"}, "vote"),
    ({"reason": "because"}, "reason"),
    ({"helpful": True, "reason": "unclear"}, "reason"),
    ({"comment": "x" * 1001}, "comment"),
    ({"language": "de"}, "language"),
    ({"channel": "fax"}, "channel"),
])
def test_bad_votes_are_refused_and_nothing_is_written(fdesk, fields, field):
    config = load_config(fdesk)
    args = {"article": "accounts/reset-password.md", "helpful": False, "reason": None, "comment": None,
            "channel": "serve", **fields}
    with pytest.raises(FeedbackRefused) as err:
        record_feedback(fdesk, config, **args)
    assert err.value.field == field and "\n" not in err.value.line()
    assert _files(fdesk) == []


def test_flood_limits(fdesk):
    with (fdesk / "helpdesk.yml").open("a", encoding="utf-8") as fh:
        fh.write("kb:\n  feedback: {max_per_sender: 2, max_per_article: 3}\n")
    config = load_config(fdesk)
    for _ in range(2):
        record_feedback(fdesk, config, article="accounts/reset-password.md", helpful=True, channel="email", sender="a@x.org")
    with pytest.raises(FeedbackFlood):
        record_feedback(fdesk, config, article="accounts/reset-password.md", helpful=True, channel="email", sender="A@x.org")
    record_feedback(fdesk, config, article="accounts/reset-password.md", helpful=True, channel="email", sender="b@x.org")
    with pytest.raises(FeedbackFlood):
        record_feedback(fdesk, config, article="accounts/reset-password.md", helpful=True, channel="email", sender="c@x.org")
    assert len(_files(fdesk)) == 3
    assert "a@x.org" not in (fdesk / ".gitdesk" / "feedback-arrivals.json").read_text()


def test_marker_round_trip_and_forged_markers(fdesk):
    config = load_config(fdesk)
    body = f"Los pasos no sirven.\n\n---\n{marker_line('accounts/reset-password.es.md', False, 'did-not-work', 'es')}\n"
    done = record_marker_message(fdesk, config, body, channel="email", at=AT, source="x", sender=None)
    assert done is not None and done.feedback.comment == "Los pasos no sirven." and done.feedback.reason == "did-not-work"
    assert record_marker_message(fdesk, config, "an ordinary mail", channel="email", at=AT, source="y", sender=None) is None
    for forged in ("gitdesk-feedback:v1?vote=no&lang=es", "gitdesk-feedback:v1?article=nope.md&vote=no",
                   "gitdesk-feedback:v1?article=accounts%2Freset-password.md&vote=perhaps",
                   "gitdesk-feedback:v1 <script>"):
        with pytest.raises(FeedbackRefused):
            record_marker_message(fdesk, config, forged, channel="email", at=AT, source=forged, sender=None)
    assert len(_files(fdesk)) == 1


def test_a_record_never_becomes_or_breaks_a_ticket(fdesk):
    config = load_config(fdesk)
    code, out, _ = run_main("ticket", "new", "Printer jams", "-d", "It jams.", "-r", "Ana <ana@x.org>", "-p", "low", "-c", "printing", repo=fdesk)
    assert code == 0
    for n in range(3):
        record_feedback(fdesk, config, article="printing/badge-release.md", helpful=bool(n % 2), channel="serve")
    git(fdesk, "add", "-A")
    git(fdesk, "commit", "-q", "-m", "votes")
    code, out, err = run_main("check", repo=fdesk)
    assert code == 0, out + err
    assert "OK: helpdesk.yml and 1 event files are valid." in out  # the records are not event files
    code, out, _ = run_main("ticket", "list", "--json", repo=fdesk)
    import json
    assert [t["title"] for t in json.loads(out)] == ["Printer jams"]
    code, out, err = run_main("ticket", "show", "FEEDBACK", repo=fdesk)
    assert code != 0


def test_gitdesk_check_names_a_broken_record(fdesk):
    config = load_config(fdesk)
    done = record_feedback(fdesk, config, article="printing/badge-release.md", helpful=True, channel="serve")
    bad = done.path.with_name("01JF0000000000000000000000.yml")
    bad.write_text("article: printing/badge-release.md\nhelpful: maybe\nat: 2026-12-01T00:00:00Z\nchannel: serve\nlanguage: en\n")
    (done.path.parent / "notes.txt").write_text("hello")
    code, out, _ = run_main("check", repo=fdesk)
    assert code == 1
    assert "tickets/.feedback/01JF0000000000000000000000.yml: helpful: expected true or false" in out
    assert "tickets/.feedback/notes.txt: not a feedback record" in out
    assert done.path.name not in out
