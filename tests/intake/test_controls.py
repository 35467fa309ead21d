"""Terminal escapes in what requesters write never reach a terminal or a mail header: C0 (ESC)
and C1 (U+009B, a one-character "ESC [") controls are gone from mail intake titles, output lines,
--json, `notify --dry-run` and outgoing subjects."""

from __future__ import annotations

import json
from email.message import EmailMessage

from tests.support.desk import gitdesk_processes

CONTROLS = [chr(c) for c in [*range(0, 9), *range(11, 32), 127, *range(128, 160)]]


def no_controls(text: str, *, newlines: bool = True) -> bool:
    bad = set(CONTROLS) | (set() if newlines else {"\n", "\t"})
    return not bad.intersection(text)


def hostile_mail(tmp_path):
    msg = EmailMessage()
    msg["From"] = "Eve Hacker <eve@northwind.example>"
    msg["To"] = "helpdesk@northwind.example"
    msg["Subject"] = "Printer \x9b2J\x9b31mbroken\x1b]0;owned\x07 again"
    msg["Message-ID"] = "<hostile-1@northwind.example>"
    msg.set_content("It prints \x9b1mbold\x1b[0m pages.\n")
    path = tmp_path / "hostile.eml"
    path.write_bytes(bytes(msg))
    return path


def test_mail_intake_keeps_no_c0_or_c1_control_in_titles_lines_json_or_subjects(mail_repo, smtp, tmp_path):
    mail = hostile_mail(tmp_path)
    [taken] = gitdesk_processes(mail_repo, ["intake", "email", str(mail)])
    assert taken.returncode == 0, taken.stderr
    assert "Printer" in taken.stdout and no_controls(taken.stdout)
    [listed] = gitdesk_processes(mail_repo, ["ticket", "list", "--json"])
    [ticket] = json.loads(listed.stdout)
    assert ticket["title"].startswith("Printer ") and no_controls(ticket["title"], newlines=False)
    assert "\\u009b" not in listed.stdout and no_controls(listed.stdout)
    [shown] = gitdesk_processes(mail_repo, ["ticket", "show", ticket["id"], "--json"])
    assert no_controls(shown.stdout) and no_controls(json.loads(shown.stdout)["description"] or "")
    [dry] = gitdesk_processes(mail_repo, ["notify", "--dry-run"])
    assert "Subject: [HD-" in dry.stdout and no_controls(dry.stdout)
    [sent] = gitdesk_processes(mail_repo, ["notify", "--json"])
    assert sent.returncode == 0 and no_controls(sent.stdout)
    [received] = smtp.received
    assert str(received.message()["Subject"]).strip().startswith("[HD-") and no_controls(str(received.message()["Subject"]), newlines=False)


def test_a_title_typed_with_escapes_is_shown_and_mailed_without_them(mail_repo, smtp):
    title = "VPN \x1b[2J\x1b[31mdown\x9b0m \x85now"
    [made] = gitdesk_processes(mail_repo, ["ticket", "new", title, "--requester", "Sam Reed <sam@northwind.example>",
                                           "--channel", "email", "--json"])
    assert made.returncode == 0, made.stderr
    assert no_controls(made.stdout)  # --json escapes them all (\\u001b, \\u009b)
    assert json.loads(made.stdout)["title"] == " ".join(title.split())  # the record keeps what was typed
    [dry] = gitdesk_processes(mail_repo, ["notify", "--dry-run"])
    assert "VPN" in dry.stdout and no_controls(dry.stdout)
    [sent] = gitdesk_processes(mail_repo, ["notify"])
    assert sent.returncode == 0 and no_controls(sent.stdout)
    [received] = smtp.received
    subject = str(received.message()["Subject"])
    assert "VPN" in subject and no_controls(subject, newlines=False)
