"""The Message-ID index under .gitdesk/: it follows the files, whoever writes or removes them."""

from __future__ import annotations

import os
import shutil

from gitdesk.intake.msgindex import MessageIndex

from tests.support.intake import SAM, message

SAM_MID = "<DB9PR04MB8412A1B2C3D4E5F6A7B8C9D0E1@DB9PR04MB8412.eurprd04.prod.outlook.com>"


def index_of(repo):
    idx = MessageIndex(repo / "tickets", repo / ".gitdesk", max_bytes=1 << 20)
    idx.refresh()
    return idx


def test_follows_files_written_removed_and_pulled(intake, mail_repo, tmp_path):
    assert index_of(mail_repo).get(SAM_MID) is None
    intake(message("outlook-new.eml"))
    idx = index_of(mail_repo)
    assert idx.get(SAM_MID) == SAM and idx.stats["files"] == 1
    assert index_of(mail_repo).stats["files"] == 0  # nothing new: nothing read again
    [event] = (mail_repo / "tickets" / SAM[:2]).glob("*.yml")
    moved = tmp_path / event.name
    shutil.move(event, moved)  # e.g. a checkout of a branch without it
    assert index_of(mail_repo).get(SAM_MID) is None
    shutil.move(moved, event)  # e.g. git pull bringing it (back)
    assert index_of(mail_repo).get(SAM_MID) == SAM


def test_a_file_that_vanished_is_never_an_answer(intake, mail_repo):
    intake(message("outlook-new.eml"))
    idx = index_of(mail_repo)
    [event] = (mail_repo / "tickets" / SAM[:2]).glob("*.yml")
    event.unlink()
    assert idx.get(SAM_MID) is None  # verified against the disk even before a refresh


def test_changes_within_the_same_second_are_seen(intake, mail_repo):
    intake(message("outlook-new.eml"))
    bucket = mail_repo / "tickets" / SAM[:2]
    mtime = bucket.stat().st_mtime_ns
    index_of(mail_repo)
    intake(message("outlook-reply.eml"))
    os.utime(bucket, ns=(mtime, mtime))  # the folder's time did not move (coarse timestamps)
    assert index_of(mail_repo).get("<DB9PR04MB8412F00DBA5E11C0FFEE0000AB12@DB9PR04MB8412.eurprd04.prod.outlook.com>") == SAM


def test_a_damaged_index_is_rebuilt(intake, mail_repo):
    intake(message("outlook-new.eml"))
    index_of(mail_repo).close()
    (mail_repo / ".gitdesk" / "intake-index.sqlite3").write_bytes(b"this is not a database" * 100)
    assert index_of(mail_repo).get(SAM_MID) == SAM
    assert (mail_repo / ".gitdesk" / ".gitignore").read_text() == "*\n"


def test_broken_event_files_are_skipped_not_fatal(intake, mail_repo):
    intake(message("outlook-new.eml"))
    (mail_repo / "tickets" / SAM[:2] / f"{SAM}.0000000000ZZZZZZZZZZZZZZZZ.yml").write_text("add: {message_ids: [unclosed\n")
    (mail_repo / "tickets" / "AA").mkdir()
    (mail_repo / "tickets" / "AA" / "x.yml").write_bytes(b"\xff\xfe message_ids")
    assert index_of(mail_repo).get(SAM_MID) == SAM
