"""``gitdesk notify`` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import json
import ssl
from datetime import timedelta

import pytest

from tests.support.desk import AGENT, git, make_desk

from tests.support.intake import LUCIA, SAM, message, update_config
from tests.support.mail_servers import start_smtp

CHEN = "Chen Wei <chen.wei@northwind.example>"
SAM_EMAIL = "sam.reed@northwind.example"


@pytest.fixture
def notify(run_cli, mail_repo):
    """``gitdesk notify ARGS --json`` -> (exit code, JSON, Result)."""
    def run(*args, env=None):
        result = run_cli("notify", *args, "--json", "--as", "gitdesk[bot]", env=env)
        try:
            data = json.loads(result.stdout)
        except ValueError:
            data = None
        return result.exit_code, data, result

    return run


def mails(server):
    return [r.message() for r in server.received]


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def opened_tickets(intake, *names):
    code, data, _ = intake(*[message(n) for n in names])
    return [m["ticket"] for m in data["messages"]]


def test_the_requester_hears_about_each_step_once(smtp, intake, notify, run_cli, show):
    opened_tickets(intake, "outlook-new.eml")
    code, data, _ = notify()
    assert code == 0 and (data["sent"], data["refused"], data["due"]) == (1, 0, 0)
    [msg] = mails(smtp)
    assert msg["To"] == "Sam Reed <sam.reed@northwind.example>"
    assert msg["From"] == "Northwind IT Help Desk <helpdesk@northwind.example>"
    assert msg["Subject"] == f"[HD-{SAM}] We have your request: VPN keeps disconnecting every 10 minutes"
    assert msg["In-Reply-To"].strip() == "<DB9PR04MB8412A1B2C3D4E5F6A7B8C9D0E1@DB9PR04MB8412.eurprd04.prod.outlook.com>"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Reply-To"] == "helpdesk@northwind.example"
    assert msg["Message-ID"].startswith(f"<gitdesk.{SAM}.opened.") and msg["Message-ID"].endswith("@northwind.example>")
    body = text_of(msg)
    assert body.startswith("Hello Sam,\n\nThank you for contacting Northwind IT Help Desk. We have logged your request as HD-")
    assert "$" not in body and "\n\n\n" not in body
    assert smtp.received[0].recipients == [SAM_EMAIL] and smtp.received[0].sender == "helpdesk@northwind.example"

    steps = [
        (["ticket", "assign", SAM, CHEN], [("assigned", "chen.wei@northwind.example")]),
        (["ticket", "comment", SAM, "Please restart the VPN client and tell me if it still drops."], [("public_reply", SAM_EMAIL)]),
        (["ticket", "comment", SAM, "--internal", "Known issue on the Frankfurt gateway; password is hunter2"], []),
        (["ticket", "pending", SAM, "-m", "Which version of GlobalProtect do you have?"], [("pending", SAM_EMAIL)]),
        (None, []),  # Sam answers by email: nobody is told about their own words
        (["ticket", "resolve", SAM, "-m", "Upgraded GlobalProtect to 6.2."], [("resolved", SAM_EMAIL)]),
        (["ticket", "close", SAM], [("closed", SAM_EMAIL)]),
    ]
    sent_before = 1
    for args, expected in steps:
        if args is None:
            assert intake(message("outlook-reply.eml"))[1]["counts"] == {"comment": 1}
        else:
            assert run_cli(*args, "--as", AGENT).exit_code == 0
        code, data, _ = notify()
        assert code == 0
        assert [(n["kind"], n["to"].split("<")[-1].rstrip(">")) for n in data["notifications"]] == expected, args
        assert len(smtp.received) == sent_before + len(expected)
        sent_before = len(smtp.received)
    kinds = {m["Subject"].split("] ")[1].split(":")[0]: m for m in mails(smtp)}
    assert "Please restart the VPN client" in text_of(kinds["New reply"])
    assert "Ana Lima replied to your request" in text_of(kinds["New reply"])
    assert "Which version of GlobalProtect do you have?" in text_of(kinds["We need something from you"])
    resolved = text_of(kinds["Resolved"])
    assert "Upgraded GlobalProtect to 6.2." in resolved and "from 1 (poor) to\n5 (excellent)" in resolved
    assigned = text_of(kinds["Assigned to you"])
    assert assigned.startswith("Hello Chen,\n\nAna Lima assigned HD-") and "Requester: Sam Reed <sam.reed@northwind.example>" in assigned
    assert all("hunter2" not in m.as_string() and "Frankfurt" not in m.as_string() for m in mails(smtp))
    assert notify()[1]["notifications"] == []
    notified = show(SAM)["notified"]
    assert len(notified) == len(smtp.received) and all(k.count(":") == 2 for k in notified)
    assert not any(SAM_EMAIL in k for k in notified)  # markers hold a hash, not the address


def test_an_internal_comment_on_a_status_change_is_not_sent(smtp, intake, notify, mail_repo):
    from gitdesk.model.event import Event, utcnow
    from gitdesk.model.ids import new_event_id

    [tid] = opened_tickets(intake, "quoted-printable.eml")
    desk = make_desk(mail_repo)
    at = utcnow()
    desk.record(Event(id=new_event_id(at), ticket=tid, at=at, by=AGENT, action="resolve", set={"status": "resolved"},
                      comment={"body": "Dock firmware bug, vendor case 12345: do not tell the user", "public": False}))
    code, data, _ = notify()
    assert [n["kind"] for n in data["notifications"]] == ["opened", "resolved"]
    assert all("vendor case" not in m.as_string() for m in mails(smtp))


def test_temporary_smtp_failure_half_way(smtp, intake, notify, show):
    """The server fails the 2nd message: the run stops there; the next sends the rest, none twice."""
    tickets = opened_tickets(intake, "outlook-new.eml", "iso-8859-1.eml", "html-only.eml", "base64.eml")
    smtp.recorder.answers[2] = "451 4.3.0 Mail server temporarily unavailable"
    code, data, result = notify()
    assert code == 1 and (data["sent"], data["due"]) == (1, 3)
    assert result.stderr.strip() == "gitdesk: error: mail.smtp: the SMTP server answered 451 4.3.0 Mail server temporarily unavailable"
    assert len(smtp.received) == 1
    code, data, _ = notify()
    assert code == 0 and data["sent"] == 3
    ids = [m["Message-ID"] for m in mails(smtp)]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert sorted(r.recipients[0] for r in smtp.received) == sorted(
        ["sam.reed@northwind.example", "lucia.fernandez@northwind.example", "priya.shah@northwind.example", "joao.silva@northwind.example"])
    assert notify()[1]["notifications"] == [] and len(smtp.received) == 4
    for tid in tickets:
        assert len(show(tid)["notified"]) == 1


def test_permanent_refusal_is_recorded_and_not_retried(smtp, intake, notify, show):
    opened_tickets(intake, "outlook-new.eml", "iso-8859-1.eml", "html-only.eml")
    smtp.recorder.answers[2] = "550 5.1.1 <lucia.fernandez@northwind.example>: mailbox unavailable"
    code, data, result = notify()
    assert code == 0 and (data["sent"], data["refused"]) == (2, 1)
    refused = [n for n in data["notifications"] if n["status"] == "refused"][0]
    assert refused["ticket"] == LUCIA
    history = show(LUCIA)["history"]
    assert history[-1]["action"] == "notify" and "550 5.1.1" in history[-1]["reason"]
    assert notify()[1]["notifications"] == [] and len(smtp.received) == 2


def test_dry_run_sends_and_records_nothing(smtp, intake, run_cli, mail_repo):
    opened_tickets(intake, "base64.eml")
    update_config(mail_repo, language="pt")
    before = sorted(p.name for p in mail_repo.glob("tickets/*/*.yml"))
    result = run_cli("notify", "--dry-run")
    assert result.exit_code == 0
    assert "Subject: [HD-" in result.output and "] Recebemos o seu pedido: Portátil não liga" in result.output
    assert "Olá, João,\n\nObrigado por entrar em contato com Northwind IT Help Desk." in result.output  # Brazilian Portuguese
    assert result.output.strip().endswith("1 message would be sent (dry run: nothing sent)")
    assert smtp.received == [] and sorted(p.name for p in mail_repo.glob("tickets/*/*.yml")) == before


def test_languages(smtp, intake, notify, mail_repo):
    update_config(mail_repo, language="es")
    opened_tickets(intake, "iso-8859-1.eml")
    notify()
    [msg] = mails(smtp)
    assert msg["Subject"] == f"[HD-{LUCIA}] Hemos recibido su solicitud: Impresión en color no funciona"
    assert text_of(msg).startswith("Hola, Lucía:\n\nGracias por contactar con Northwind IT Help Desk.")


def test_off_stale_and_filtered(smtp, intake, notify, mail_repo, run_cli):
    opened_tickets(intake, "outlook-new.eml")  # a message of 2 November
    update_config(mail_repo, notifications={"enabled": False})
    result = run_cli("notify")
    assert result.output.strip() == "Notifications are off (notifications.enabled in helpdesk.yml)."
    update_config(mail_repo, notifications={"enabled": True, "max_age": "1d"})
    assert notify()[1]["notifications"] == []  # three weeks old: never sent
    update_config(mail_repo, notifications={"max_age": "1000d", "events": ["resolved"]})
    assert notify()[1]["notifications"] == []
    run_cli("ticket", "resolve", SAM, "--as", AGENT)
    assert [n["kind"] for n in notify()[1]["notifications"]] == ["resolved"]
    assert smtp.received and len(smtp.received) == 1


def test_machines_and_people_without_an_address_get_no_mail(smtp, intake, notify, run_cli):
    [alert] = opened_tickets(intake, "monitoring-alert.eml")
    run_cli("ticket", "comment", alert, "Cleared old backups on D:", "--as", AGENT)
    run_cli("ticket", "assign", alert, "Someone Without Address", "--as", AGENT)
    run_cli("ticket", "new", "Phone call about the projector", "--requester", "Walk-in visitor", "--channel", "walk-in", "--as", AGENT)
    code, data, _ = notify()
    assert code == 0 and data["notifications"] == [] and smtp.received == []


def test_sla_warnings_reach_the_assignee_or_the_team(smtp, notify, run_cli, mail_repo, show):
    from gitdesk.model.event import utcnow

    from tests.support.desk import FixedClock

    desk = make_desk(mail_repo, clock=FixedClock(start=utcnow() - timedelta(hours=2), step=timedelta(seconds=1)))
    assigned = desk.new(title="Payroll server down", requester={"name": "Dana", "email": "dana@northwind.example"},
                        priority="critical", assignee=CHEN).id
    unassigned = desk.new(title="Core switch alarm", priority="critical").id
    result = run_cli("sla", "check", "--apply", "--json", "--as", "gitdesk[bot]")
    assert result.exit_code == 0, result.output
    code, data, _ = notify()
    warnings = [n for n in data["notifications"] if n["kind"] == "sla_warning"]
    to = sorted((n["ticket"], n["to"]) for n in warnings)
    assert to == sorted([(assigned, CHEN)] * 2 + [(unassigned, "Ana Lima <ana.lima@northwind.example>")] * 2
                        + [(unassigned, "Ben Okafor <ben.okafor@northwind.example>")] * 2)
    body = text_of([m for m in mails(smtp) if m["To"] == CHEN and "SLA warning" in m["Subject"]][0])
    assert "SLA first response" in body and "Payroll server down" in body
    for tid in (assigned, unassigned):
        notified = show(tid)["notified"]
        assert {"sla:at-risk:first_response:0", "sla:breached:first_response:1"} <= set(notified)
    count = len(smtp.received)
    run_cli("sla", "check", "--apply", "--as", "gitdesk[bot]")
    assert notify()[1]["notifications"] == [] and len(smtp.received) == count


def test_custom_templates_override_the_shipped_ones(smtp, intake, notify, mail_repo):
    folder = mail_repo / "mail-templates"
    folder.mkdir()
    (folder / "opened.en.txt").write_text("Subject: Ticket $ref logged\n\nDear $recipient_name, we are on it ($title).\n")
    update_config(mail_repo, mail={"templates_dir": "mail-templates"})
    opened_tickets(intake, "outlook-new.eml")
    notify()
    [msg] = mails(smtp)
    assert msg["Subject"] == f"Ticket HD-{SAM} logged"
    assert text_of(msg) == "Dear Sam Reed, we are on it (VPN keeps disconnecting every 10 minutes).\n"


def test_commit_records_what_was_sent(smtp, intake, run_cli, mail_repo):
    git(mail_repo, "commit", "-qam", "settings")
    run_cli("intake", "email", str(message("outlook-new.eml")), "--commit")
    result = run_cli("notify", "--commit", "--as", "gitdesk[bot]")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"sent     opened       HD-{SAM} -> Sam Reed <sam.reed@northwind.example>", "1 sent, 0 refused"]
    assert git(mail_repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(mail_repo, "log", "-1", "--format=%B").strip() == f"notify: 1 message sent\n\nHD-{SAM}: opened sent"


def test_smtp_with_starttls_and_login(intake, notify, mail_repo, trust, monkeypatch):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(trust[0]), str(trust[1]))
    server = start_smtp(tls_context=context, auth=("desk", "smtp-pass"))
    try:
        update_config(mail_repo, mail={"smtp": {"host": "127.0.0.1", "port": server.port, "starttls": True, "tls": False,
                                                "user": "desk", "password_env": "GITDESK_TEST_SMTP_PASSWORD"}})
        opened_tickets(intake, "outlook-new.eml")
        code, data, result = notify()
        assert code == 1 and result.stderr.strip() == (
            "gitdesk: error: mail.smtp: the environment variable GITDESK_TEST_SMTP_PASSWORD is not set")
        monkeypatch.setenv("GITDESK_TEST_SMTP_PASSWORD", "wrong")
        code, data, result = notify()
        assert code == 1 and "refused the login for desk" in result.stderr and "wrong" not in result.output
        monkeypatch.setenv("GITDESK_TEST_SMTP_PASSWORD", "smtp-pass")
        code, data, result = notify()
        assert code == 0 and data["sent"] == 1 and len(server.received) == 1
    finally:
        server.stop()


def test_refuses_to_send_in_clear_when_starttls_is_expected(smtp, intake, notify, mail_repo):
    update_config(mail_repo, mail={"smtp": {"starttls": True}})
    opened_tickets(intake, "outlook-new.eml")
    code, data, result = notify()
    assert code == 1 and "does not offer STARTTLS" in result.stderr and smtp.received == []
    update_config(mail_repo, mail={"smtp": {"host": ""}})
    assert notify()[2].stderr.strip() == "gitdesk: error: helpdesk.yml: mail.smtp.host: no SMTP server: set mail.smtp.host"


def test_names_typed_with_line_breaks_cannot_inject_headers(smtp, notify, run_cli):
    result = run_cli("ticket", "new", "Printer jam", "--requester", "Sam\r\nBcc: everyone@northwind.example <sam.reed@northwind.example>",
                     "--channel", "phone", "--as", AGENT)
    assert result.exit_code == 0, result.output
    code, data, _ = notify()
    assert code == 0 and data["sent"] == 1
    [received] = smtp.received
    assert received.recipients == [SAM_EMAIL]
    assert "Bcc" not in received.message().keys()


def test_the_acknowledgement_suggests_kb_articles(smtp, intake, notify, mail_repo):
    """With a KB, the "we have your request" mail lists the articles most likely to answer it
    (kb search, lexical here so no model is needed), before the signature."""
    from tests.support.kb import guide, write

    update_config(mail_repo, kb={"search": {"mode": "lexical"}})
    write(mail_repo / "kb", "network/vpn-drops.md", guide("VPN keeps disconnecting", category="network/vpn", tags="[vpn, globalprotect]",
                                                          summary="GlobalProtect drops the tunnel every few minutes.",
                                                          body={"Symptoms": "The VPN disconnects every 10 minutes."}))
    write(mail_repo / "kb", "printing/toner.md", guide("Replace the toner", category="printing", tags="[printer]"))
    opened_tickets(intake, "outlook-new.eml")
    assert notify()[1]["sent"] == 1
    body = text_of(mails(smtp)[0])
    block = "These articles may already answer your question:\n\n- VPN keeps disconnecting\n"
    assert block in body and "toner" not in body.lower()
    assert body.index(block) < body.rindex("Northwind IT Help Desk") and "\n\n\n" not in body
