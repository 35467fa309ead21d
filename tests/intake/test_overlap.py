"""Two mail runs at once (real processes, a real SMTP server): nothing is taken or sent twice,
and a run that cannot get the desk's lock in time says so and exits 75, having done nothing."""

from __future__ import annotations

import json

from tests.support.desk import HeldLock, gitdesk_processes, make_desk

from tests.support.intake import message


def test_two_notify_runs_at_once_send_each_message_once(smtp, mail_repo):
    desk = make_desk(mail_repo)
    for n in range(40):
        desk.new(title=f"Laptop {n} will not start", requester={"name": f"User {n}", "email": f"user{n}@northwind.example"},
                 channel="email")
    runs = gitdesk_processes(mail_repo, ["notify", "--json", "--wait", "120"], ["notify", "--json", "--wait", "120"])
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert sorted(json.loads(r.stdout)["sent"] for r in runs) == [0, 40]
    subjects = [r.message()["Subject"] for r in smtp.received]
    assert len(subjects) == 40 and len(set(subjects)) == 40


def test_two_intake_runs_at_once_open_each_ticket_once(mail_repo, smtp):
    files = [str(message(n)) for n in ("outlook-new.eml", "iso-8859-1.eml", "base64.eml", "two-messages.mbox")]
    runs = gitdesk_processes(mail_repo, ["intake", "email", *files, "--json", "--wait", "120"],
                             ["intake", "email", *files, "--json", "--wait", "120"])
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    opened = [m for r in runs for m in json.loads(r.stdout)["messages"] if m["action"] in ("new", "follow-up")]
    news = [p for p in mail_repo.glob("tickets/*/*.yml") if "action: new" in p.read_text()]
    assert len(news) == len(opened) == len({m["ticket"] for m in opened}) >= 4


def test_a_run_that_cannot_get_the_lock_exits_75_and_does_nothing(smtp, intake, mail_repo):
    intake(message("outlook-new.eml"))
    with HeldLock(mail_repo):
        [busy] = gitdesk_processes(mail_repo, ["notify", "--wait", "0.3"])
        [busy_intake] = gitdesk_processes(mail_repo, ["intake", "email", str(message("base64.eml")), "--wait", "0"])
        [dry] = gitdesk_processes(mail_repo, ["notify", "--dry-run"])  # reads only: no lock
    assert busy.returncode == busy_intake.returncode == 75
    assert busy.stdout == "" and busy.stderr.count("\n") == 1
    assert busy.stderr.startswith("gitdesk: error: .gitdesk/desk.lock: another gitdesk run holds the desk lock "
                                  "(pid ") and "`gitdesk test holder`" in busy.stderr and "waited 0.3 s" in busy.stderr
    assert smtp.received == [] and dry.returncode == 0 and "1 message would be sent" in dry.stdout
    assert len(list(mail_repo.glob("tickets/*/*.yml"))) == 1
    [after] = gitdesk_processes(mail_repo, ["notify", "--json", "--wait", "0"])
    assert after.returncode == 0 and json.loads(after.stdout)["sent"] == 1


def test_two_imap_intake_runs_at_once_open_each_ticket_once(imap, mail_repo):
    for n in range(30):
        imap.append((f"From: User {n} <user{n}@northwind.example>\r\nTo: helpdesk@northwind.example\r\n"
                     f"Subject: Monitor {n} flickers\r\nMessage-ID: <imap-{n}@northwind.example>\r\n\r\n"
                     f"Monitor {n} flickers since Monday.\r\n").encode())
    runs = gitdesk_processes(mail_repo, ["intake", "email", "--imap", "--json", "--wait", "120"],
                             ["intake", "email", "--imap", "--json", "--wait", "120"])
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    opened = sorted(len([m for m in json.loads(r.stdout)["messages"] if m["action"] == "new"]) for r in runs)
    assert opened == [0, 30]
    assert len(list(mail_repo.glob("tickets/*/*.yml"))) == 30
