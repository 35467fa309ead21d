"""``gitdesk intake email FILES``: real messages into a real git repository, end to end."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.support.desk import AGENT, git, init_repo

from tests.support.intake import LUCIA, MESSAGES, SAM, message, update_config

ALL = sorted(str(p) for p in MESSAGES.iterdir() if p.suffix in (".eml", ".mbox"))
TAKEN = 15  # messages that become events: 12 new tickets and 3 replies


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every file under tickets/, by repository-relative path."""
    root = repo / "tickets"
    if not root.exists():
        return {}
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def events_by_message(repo: Path) -> Counter:
    """How many event files carry each Message-ID (must never exceed 1)."""
    import yaml

    counts: Counter = Counter()
    for path in (repo / "tickets").glob("*/*.yml"):
        data = yaml.safe_load(path.read_text())
        for mid in (data.get("add") or {}).get("message_ids") or ():
            counts[mid] += 1
    return counts


def test_new_ticket_from_an_outlook_message(intake, show):
    code, data, _ = intake(message("outlook-new.eml"))
    assert code == 0 and data["counts"] == {"new": 1}
    assert data["messages"][0]["ref"] == f"HD-{SAM}"
    t = show(SAM)
    assert t["title"] == "VPN keeps disconnecting every 10 minutes"
    assert t["requester"] == {"name": "Sam Reed", "email": "sam.reed@northwind.example"}
    assert (t["channel"], t["status"], t["team"], t["tier"]) == ("email", "new", "service-desk", 1)
    assert t["description"].startswith("Hi,\n\nSince this morning the VPN (GlobalProtect) disconnects")
    assert t["created_at"] == "2026-11-02T09:12:41Z" and t["created_by"] == "Sam Reed <sam.reed@northwind.example>"
    assert t["message_ids"] == ["<DB9PR04MB8412A1B2C3D4E5F6A7B8C9D0E1@DB9PR04MB8412.eurprd04.prod.outlook.com>"]


def test_every_fixture_in_any_order(intake, show, mail_repo):
    code, data, result = intake(*reversed(ALL))  # replies named before their originals: taken by arrival time
    assert code == 1  # no-sender.eml is rejected...
    assert result.stderr.strip().splitlines() == [f"gitdesk: error: {message('no-sender.eml')}: from: no From header"]
    assert data["counts"] == {"new": 12, "comment": 3, "skipped": 1, "rejected": 1}  # ...and everything else is taken
    assert "Traceback" not in result.output
    lucia = show(LUCIA)
    assert lucia["title"] == "Impresión en color no funciona"
    assert lucia["requester"]["name"] == "Lucía Fernández"
    [reply] = lucia["comments"]
    assert reply["body"] == "Ya funciona, gracias. Han cambiado el driver esta mañana."
    assert (reply["via"], reply["public"]) == ("email", True)
    assert reply["message_id"] == "<CAO3v+Zk1pQ7rTm8Yx4nB6uW2sD9eF0gH5jK3lZ7xC2vB8nM4qw@mail.gmail.com>"
    sam = show(SAM)
    assert [c["body"].split("\n")[0] for c in sam["comments"]] == ["Still happening this morning, the log is attached.", "5"]
    assert all("mallory" not in c["by"] for c in sam["comments"])
    titles = {m["ticket"]: m["detail"] for m in data["messages"] if m["action"] == "new"}
    assert any("Portátil não liga" in d for d in titles.values())
    assert any("Excel says “locked for editing”" in d for d in titles.values())
    assert max(events_by_message(mail_repo).values()) == 1


def test_running_twice_takes_each_message_once(intake, mail_repo):
    intake(*ALL)
    before = snapshot(mail_repo)
    code, data, _ = intake(*ALL)
    assert code == 1
    assert data["counts"] == {"duplicate": TAKEN, "skipped": 1, "rejected": 1}
    assert snapshot(mail_repo) == before


def test_crash_half_way_then_rerun(intake, mail_repo, monkeypatch):
    """A run that dies after N messages (even between an attachment and its event) loses and
    doubles nothing: the next run takes exactly what is missing."""
    from gitdesk.config import load_config
    from gitdesk.intake import ingest
    from gitdesk.intake.runner import intake_files
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    real_append_calls = {"n": 0}
    original = ingest.MailIntake._write

    def dying_write(self, event, files):
        real_append_calls["n"] += 1
        if real_append_calls["n"] == 6:
            from gitdesk.intake import attachments

            attachments.write(files)  # the attachments are on disk, the event is not
            raise RuntimeError("power cut")
        return original(self, event, files)

    monkeypatch.setattr(ingest.MailIntake, "_write", dying_write)
    config = load_config(mail_repo)
    taker = ingest.MailIntake(open_store(Repo(mail_repo), config), config, mail_repo)
    outcomes: list = []
    with pytest.raises(RuntimeError):
        intake_files(taker, ALL, outcomes)
    assert sum(1 for o in outcomes if o.event is not None) == 5
    monkeypatch.setattr(ingest.MailIntake, "_write", original)
    code, data, _ = intake(*ALL)
    assert data["counts"]["duplicate"] == 5 and data["counts"]["new"] + data["counts"]["comment"] == TAKEN - 5
    counts = events_by_message(mail_repo)
    assert len(counts) == TAKEN and set(counts.values()) == {1}


def test_two_clones_read_the_same_messages_then_merge(tmp_path, run_cli):
    """Two clones take overlapping messages at the same time and commit; git merges them into
    one history with every message once (the same message writes the same file names)."""
    a = init_repo(tmp_path / "a")
    update_config(a, mail={"attachment_max_bytes": 65536})
    git(a, "commit", "-qam", "mail settings")
    b = tmp_path / "b"
    subprocess.run(["git", "clone", "-q", str(a), str(b)], check=True)
    git(b, "config", "user.name", "Ben Okafor")
    git(b, "config", "user.email", "ben.okafor@northwind.example")
    first = [message(n) for n in ("outlook-new.eml", "outlook-reply.eml", "iso-8859-1.eml", "huge-attachment.eml")]
    second = [message(n) for n in ("outlook-new.eml", "forged-subject.eml", "iso-8859-1.eml", "gmail-reply.eml",
                                   "huge-attachment.eml", "hostile-attachments.eml")]
    for repo, files in ((a, first), (b, second)):
        result = run_cli("intake", "email", *map(str, files), "--commit", repo=repo)
        assert result.exit_code == 0, result.output
    git(b, "pull", "-q", "--no-rebase", str(a), "main")
    assert git(b, "status", "--porcelain") == ""
    counts = events_by_message(b)
    assert len(counts) == 7 and set(counts.values()) == {1}
    sam = json.loads(run_cli("ticket", "show", SAM, "--json", repo=b).stdout)
    assert [h["action"] for h in sam["history"]] == ["new", "comment"]
    again = run_cli("intake", "email", *map(str, first + second), "--json", repo=b)  # B now knows what A took
    assert json.loads(again.stdout)["counts"] == {"duplicate": 10}
    check = run_cli("check", "--json", repo=b)
    problems = json.loads(check.stdout)["problems"]
    assert problems == []


def test_check_accepts_attachment_folders(intake, run_cli, mail_repo):
    intake(message("huge-attachment.eml"))
    result = run_cli("check")
    assert result.exit_code == 0, result.output


def test_reply_reopens_a_resolved_ticket(intake, run_cli, show, mail_repo):
    intake(message("outlook-new.eml"))
    assert run_cli("ticket", "resolve", SAM, "-m", "Updated the VPN client.", "--as", AGENT).exit_code == 0
    code, data, _ = intake(message("outlook-reply.eml"))
    assert code == 0 and data["messages"][0]["reopened"] is True
    t = show(SAM)
    assert t["status"] == "open" and t["reopen_count"] == 1 and t["resolved_at"] is None
    last = t["history"][-1]
    assert (last["action"], last["from"], last["set"]["status"]) == ("comment", "resolved", "open")
    body = t["comments"][-1]["body"]
    assert body.startswith("Still happening this morning, the log is attached.\n\nSam\n\nAttachments:\n- GlobalProtect.log (486 bytes)")
    assert "Sent: Monday" not in body
    [path] = t["attachments"]
    assert path.startswith(f"tickets/{SAM[:2]}/{SAM}.attachments/") and path.endswith("-GlobalProtect.log")
    assert (mail_repo / path).read_bytes().count(b"tunnel down") == 6


def test_rating_reply_rates_a_resolved_ticket(intake, run_cli, show):
    intake(message("outlook-new.eml"))
    run_cli("ticket", "resolve", SAM, "--as", AGENT)
    code, data, _ = intake(message("rating-reply.eml"))
    assert data["counts"] == {"rate": 1}
    t = show(SAM)
    assert t["satisfaction"] == {"rating": 5, "comment": "Quick and friendly, thank you."}
    assert t["status"] == "resolved" and t["comment_count"] == 0


def test_reply_to_a_closed_ticket_opens_a_linked_follow_up(intake, run_cli, show):
    intake(message("outlook-new.eml"))
    run_cli("ticket", "close", SAM, "--as", AGENT)
    code, data, _ = intake(message("outlook-reply.eml"))
    [outcome] = data["messages"]
    assert outcome["action"] == "follow-up" and outcome["ticket"] != SAM
    follow = show(outcome["ticket"])
    assert follow["related"] == [SAM] and follow["status"] == "new"
    assert follow["title"] == "We have your request: VPN keeps disconnecting every 10 minutes"
    assert show(SAM)["status"] == "closed"


def test_forged_ticket_id_from_a_stranger_opens_a_new_ticket(intake, show, run_cli):
    intake(message("outlook-new.eml"))
    code, data, _ = intake(message("forged-subject.eml"))
    [outcome] = data["messages"]
    assert outcome["action"] == "new" and outcome["ticket"] != SAM
    stranger = show(outcome["ticket"])
    assert stranger["requester"]["email"] == "mallory@evil.example"
    assert "not added to HD-Z8QVDD6NW9 (the sender is not a participant)" in stranger["history"][0]["reason"]
    assert show(SAM)["comment_count"] == 0
    # the same words from someone who took part in the ticket are a reply
    run_cli("ticket", "comment", SAM, "Adding Kim from Finance.", "--as", "Kim Lee <kim.lee@northwind.example>")
    raw = message("forged-subject.eml").read_bytes().replace(b"Mallory <mallory@evil.example>", b"Kim Lee <kim.lee@northwind.example>")
    path = Path(str(message("forged-subject.eml"))).parent
    copy = path.parent / "tmp-participant.eml"
    try:
        copy.write_bytes(raw.replace(b"<forged-1@evil.example>", b"<kim-1@northwind.example>"))
        code, data, _ = intake(copy)
    finally:
        copy.unlink()
    assert data["messages"][0]["action"] == "comment" and data["messages"][0]["ticket"] == SAM


def test_participants_failing_dmarc_are_not_trusted(intake, show, tmp_path):
    intake(message("outlook-new.eml"))
    raw = message("outlook-reply.eml").read_bytes().replace(b"dmarc=pass", b"dmarc=fail")
    (tmp_path / "spoofed.eml").write_bytes(raw)
    code, data, _ = intake(tmp_path / "spoofed.eml")
    assert data["messages"][0]["action"] == "new"
    assert "failed DMARC" in show(data["messages"][0]["ticket"])["history"][0]["reason"]


def test_requester_reply_to_a_pending_ticket_restarts_it(intake, run_cli, show):
    intake(message("iso-8859-1.eml"))
    run_cli("ticket", "pending", LUCIA, "-m", "¿Qué modelo de impresora es?", "--as", AGENT)
    intake(message("gmail-reply.eml"))
    t = show(LUCIA)
    assert t["status"] == "open" and t["comments"][-1]["by"] == "Lucía Fernández <lucia.fernandez@northwind.example>"


def test_attachment_limit(intake, show, mail_repo):
    code, data, _ = intake(message("huge-attachment.eml"))
    t = show(data["messages"][0]["ticket"])
    assert "- screen-recording.mp4 (96.0 KB): not saved, larger than the limit of 64.0 KB" in t["description"]
    assert "- error.png (70 bytes)" in t["description"]
    [png] = t["attachments"]
    assert png.endswith("-error.png") and (mail_repo / png).stat().st_size == 70
    assert not list(mail_repo.glob("tickets/*/*.attachments/*.mp4"))


def test_a_really_large_attachment_with_the_default_limit(intake, show, mail_repo, tmp_path):
    """12 MiB of attachment against the default 10 MiB limit: the ticket, not the file."""
    import base64

    update_config(mail_repo, mail={"attachment_max_bytes": 10485760})
    blob = base64.encodebytes(b"\x00\x01" * (6 * 1024 * 1024)).replace(b"\n", b"\r\n")
    raw = (b"From: Mark Evans <mark.evans@northwind.example>\r\nSubject: Disk image\r\nMessage-ID: <big-1@northwind.example>\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nImage attached.\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=disk.img\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"\r\n--b--\r\n")
    (tmp_path / "big.eml").write_bytes(raw)
    code, data, _ = intake(tmp_path / "big.eml")
    t = show(data["messages"][0]["ticket"])
    assert "disk.img (12.0 MB): not saved, larger than the limit of 10.0 MB" in t["description"]
    assert t["attachments"] == [] and not list(mail_repo.glob("tickets/*/*.attachments"))


def test_hostile_attachment_names_stay_in_the_ticket_folder(intake, show, mail_repo):
    code, data, _ = intake(message("hostile-attachments.eml"))
    tid = data["messages"][0]["ticket"]
    folder = mail_repo / "tickets" / tid[:2] / f"{tid}.attachments"
    names = sorted(p.name.split("-", 1)[1] for p in folder.iterdir())
    assert names == sorted(["passwd", "win.ini", "bashrc", "attachment_CON.txt", "resume_cafe_rm_-rf_.pdf", "evil_name_.txt",
                            "a" * 96 + ".pdf", "GlobalProtect.log", "GlobalProtect-2.log", "message-10.eml"])
    assert sorted(show(tid)["attachments"]) == sorted(p.relative_to(mail_repo).as_posix() for p in folder.iterdir())
    assert git(mail_repo, "status", "--porcelain", "--untracked-files=all", "--", ":!tickets", ":!helpdesk.yml") == ""
    assert b"Click here to reset your payslip password." in next(folder.glob("*-message-10.eml")).read_bytes()


def test_automatic_mail(intake, show, mail_repo):
    intake(message("outlook-new.eml"))
    code, data, _ = intake(message("auto-reply.eml"), message("monitoring-alert.eml"))
    actions = {Path(m["source"]).name: m["action"] for m in data["messages"]}
    assert actions == {"auto-reply.eml": "skipped", "monitoring-alert.eml": "new"}
    assert show(SAM)["comment_count"] == 0
    alert = [m for m in data["messages"] if m["action"] == "new"][0]
    assert show(alert["ticket"])["tags"] == ["auto-generated"]


def test_mail_from_the_desk_itself_is_skipped(intake, tmp_path):
    raw = message("outlook-new.eml").read_bytes().replace(b"From: Sam Reed <sam.reed@northwind.example>",
                                                          b"From: Northwind IT <HELPDESK@northwind.example>")
    (tmp_path / "loop.eml").write_bytes(raw)
    code, data, _ = intake(tmp_path / "loop.eml")
    assert data["messages"][0]["action"] == "skipped" and "mail loop" in data["messages"][0]["detail"]


def test_a_huge_body_is_truncated_not_refused(intake, show, tmp_path):
    raw = b"From: a@northwind.example\r\nSubject: log dump\r\nMessage-ID: <dump@x>\r\n\r\n" + b"line of log text\r\n" * 40000
    (tmp_path / "dump.eml").write_bytes(raw)
    code, data, _ = intake(tmp_path / "dump.eml")
    assert code == 0
    description = show(data["messages"][0]["ticket"])["description"]
    assert len(description) < 101_000 and description.endswith("more characters not shown]")


def test_dry_run_writes_nothing(intake, mail_repo):
    code, data, result = intake(*ALL, "--dry-run")
    assert data["dry_run"] is True
    assert data["counts"] == {"new": 12, "comment": 3, "skipped": 1, "rejected": 1}
    assert snapshot(mail_repo) == {}
    assert git(mail_repo, "status", "--porcelain") == " M helpdesk.yml\n"


def test_commit_records_everything_in_one_commit_without_personal_data(run_cli, mail_repo):
    git(mail_repo, "commit", "-qam", "settings")
    result = run_cli("intake", "email", *ALL, "--commit")
    assert result.exit_code == 1  # the rejected message
    assert git(mail_repo, "status", "--porcelain", "--untracked-files=all") == ""
    log = git(mail_repo, "log", "-1", "--format=%B")
    assert log.startswith("intake: 12 new, 3 comment") and "@" not in log and "Sam" not in log
    files = git(mail_repo, "show", "--name-only", "--format=", "HEAD").split()
    assert len([f for f in files if f.endswith(".yml")]) == TAKEN
    assert any(".attachments/" in f for f in files)


def test_commit_picks_up_files_a_crashed_run_left(run_cli, mail_repo, monkeypatch):
    git(mail_repo, "commit", "-qam", "settings")
    assert run_cli("intake", "email", str(message("outlook-new.eml"))).exit_code == 0  # written, not committed
    assert git(mail_repo, "status", "--porcelain", "--untracked-files=all").count("tickets/") == 1
    result = run_cli("intake", "email", str(message("outlook-new.eml")), str(message("iso-8859-1.eml")), "--commit")
    assert result.exit_code == 0, result.output
    assert git(mail_repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_bad_command_lines(run_cli, mail_repo, tmp_path):
    result = run_cli("intake", "email")
    assert result.exit_code == 2 and "give .eml or mbox FILES, or --imap" in result.output
    result = run_cli("intake", "email", str(message("outlook-new.eml")), "--imap")
    assert result.exit_code == 2
    result = run_cli("intake", "email", str(tmp_path / "missing.eml"))
    assert result.exit_code == 1 and f"gitdesk: error: {tmp_path / 'missing.eml'}: cannot read: No such file or directory" in result.stderr
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 10)
    result = run_cli("intake", "email", str(tmp_path / "junk.bin"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.output
    result = run_cli("intake", "email", "--imap")
    assert result.exit_code == 1 and result.stderr.strip() == "gitdesk: error: helpdesk.yml: mail.imap.host: no IMAP server: set mail.imap.host"


def test_a_planted_symlink_cannot_redirect_attachments(intake, mail_repo, tmp_path):
    """A repository may contain symlinks: the attachment folder of the ticket a message will
    open points outside; the message is rejected and nothing is written there."""
    from gitdesk.model.ids import ticket_id_from

    tid = ticket_id_from("mail:<huge-mark-20261104@northwind.example>")
    outside = tmp_path / "outside"
    outside.mkdir()
    (mail_repo / "tickets" / tid[:2]).mkdir(parents=True)
    (mail_repo / "tickets" / tid[:2] / f"{tid}.attachments").symlink_to(outside)
    code, data, result = intake(message("huge-attachment.eml"), message("outlook-new.eml"))
    assert code == 1 and data["counts"] == {"new": 1, "rejected": 1}
    assert f"tickets/{tid[:2]}/{tid}.attachments: is a symbolic link" in result.stderr
    assert list(outside.iterdir()) == []


def test_one_message_on_standard_input(run_cli, show):
    result = run_cli("intake", "email", "-", "--json", input=message("base64.eml").read_bytes())
    assert result.exit_code == 0, result.output
    [taken] = json.loads(result.stdout)["messages"]
    assert taken["source"] == "<stdin>" and show(taken["ticket"])["title"] == "Portátil não liga"


def test_a_reply_to_a_merged_ticket_is_threaded_onto_the_ticket_kept(intake, run_cli, show, mail_repo):
    """Issue 11: the CLI refuses a comment on a merged ticket; mail goes on in the ticket kept."""
    intake(message("outlook-new.eml"))
    result = run_cli("ticket", "new", "VPN disconnects", "--requester", "Sam Reed <sam.reed@northwind.example>", "--json")
    master = json.loads(result.output)["id"]
    assert run_cli("ticket", "merge", SAM, "--into", master, "--as", AGENT).exit_code == 0
    code, data, _ = intake(message("outlook-reply.eml"))
    assert code == 0 and data["messages"][0]["ref"] == f"HD-{master}"
    assert show(master)["comments"][-1]["body"].startswith("Still happening this morning")
    assert [c for c in show(SAM)["comments"] if "Still happening" in c["body"]] == []


def test_a_new_message_like_an_open_ticket_is_flagged_as_a_possible_duplicate(run_cli, mail_repo, tmp_path):
    update_config(mail_repo, kb={"search": {"mode": "lexical"}})  # word counts: no model needed
    first = message("outlook-new.eml")
    again = tmp_path / "again.eml"
    raw = first.read_bytes()
    again.write_bytes(raw.replace(b"Message-ID: <", b"Message-ID: <again-", 1))
    result = run_cli("intake", "email", str(first), repo=mail_repo)
    assert result.exit_code == 0 and "possible duplicate" not in result.stderr
    result = run_cli("intake", "email", str(again), repo=mail_repo)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("possible duplicate of HD-") == 1 and "gitdesk ticket merge" in result.stderr
