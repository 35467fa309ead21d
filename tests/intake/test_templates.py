"""Templates: the shipped ones are sound, `gitdesk check` finds broken custom ones, and
`gitdesk ticket reply --template` fills canned responses."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from tests.support.desk import AGENT, PROJECT

from gitdesk.intake import templates as tpl

from tests.support.intake import update_config


@pytest.fixture
def ticket(run_cli, mail_repo):
    result = run_cli("ticket", "new", "VPN will not connect", "--requester", "Lucía Fernández <lucia@northwind.example>",
                     "--channel", "phone", "--json", "--as", AGENT)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["id"]


def test_shipped_templates_are_complete_and_valid(mail_repo):
    from gitdesk.config import load_config
    from gitdesk.repo import Repo

    assert list(tpl.check_templates(Repo(mail_repo), load_config(mail_repo))) == []
    for kind in tpl.MAIL_KINDS:
        for language in tpl.LANGUAGES:
            assert (tpl.shipped_dir("mail") / f"{kind}.{language}.txt").is_file()
    responses = tpl.available(None, load_config(mail_repo), "responses")
    assert responses == ["acknowledge", "escalated", "kb-article", "need-info", "no-response"]
    for name in responses:
        for language in tpl.LANGUAGES:
            assert (tpl.shipped_dir("responses") / f"{name}.{language}.txt").is_file()


def test_check_reports_broken_custom_templates(run_cli, mail_repo):
    mail, responses = mail_repo / "desk-templates" / "mail", mail_repo / "desk-templates" / "responses"
    mail.mkdir(parents=True)
    responses.mkdir()
    (mail / "opened.en.txt").write_text("Subject: We got it\n\nHello $recipient_name\n")
    (mail / "resolved.en.txt").write_text("Hello\n\nno subject line\n")
    (mail / "opend.en.txt").write_text("Subject: [$ref] x\n\nbody\n")
    (responses / "thanks.en.txt").write_text("$greeting\n\nThanks $requster_name, that costs $ 5.\n")
    (responses / "thanks.fr.txt").write_text("Merci\n")
    (responses / "notes.md").write_text("not a template\n")
    (responses / "latin.en.txt").write_bytes("Olá $greeting".encode("latin-1"))
    update_config(mail_repo, mail={"templates_dir": "desk-templates/mail"}, responses_dir="desk-templates/responses")
    result = run_cli("check")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("desk-templates/")]
    assert lines == [
        "desk-templates/mail/opend.en.txt: name: unknown notification 'opend' (known: opened, public_reply, pending, resolved, closed, assigned, sla_warning)",
        "desk-templates/mail/opened.en.txt: line 1: the subject must contain $ref so replies find their ticket",
        "desk-templates/mail/resolved.en.txt: line 1: a notification template starts with a 'Subject: ...' line",
        "desk-templates/responses/latin.en.txt: not UTF-8 text (byte 2)",
        "desk-templates/responses/notes.md: template files are named <name>.<language>.txt",
        "desk-templates/responses/thanks.en.txt: line 3: a '$' that starts no placeholder (write $$ for a dollar sign, ${name} next to letters)",
        "desk-templates/responses/thanks.en.txt: line 3: unknown placeholder $requster_name (did you mean $requester_first_name?); allowed: "
        + ", ".join("$" + a for a in sorted(tpl.RESPONSE_FIELDS)),
        "desk-templates/responses/thanks.fr.txt: unknown language 'fr' (known: en, es, pt)",
    ]
    update_config(mail_repo, responses_dir="../outside")
    result = run_cli("check")
    assert "helpdesk.yml: responses_dir: must be a folder inside the repository, got '../outside'" in result.output


def test_a_broken_custom_template_stops_notify_with_one_line(run_cli, mail_repo, smtp, ticket):
    folder = mail_repo / "mine"
    folder.mkdir()
    (folder / "opened.en.txt").write_text("Subject: [$ref] hi\n\nHello $nobody\n")
    update_config(mail_repo, mail={"templates_dir": "mine"})
    result = run_cli("notify")
    assert result.exit_code == 1
    assert result.stderr.startswith("gitdesk: error: mine/opened.en.txt: line 3: unknown placeholder $nobody")
    assert smtp.received == []


def test_reply_fills_a_canned_response_and_records_it(run_cli, mail_repo, ticket, show):
    result = run_cli("ticket", "reply", ticket, "--template", "need-info", "--dry-run", "--as", AGENT)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"Hello Lucía,\n\nTo move HD-{ticket} forward I need a little more information:")
    assert text.endswith("Ana\nNorthwind IT Help Desk\n") and "$" not in text
    assert show(ticket)["comment_count"] == 0
    result = run_cli("ticket", "reply", ticket, "-t", "need-info", "--as", AGENT, "--json")
    assert result.exit_code == 0, result.output
    [comment] = json.loads(result.stdout)["comments"]
    assert comment["public"] is True and comment["body"] == text and comment["by"] == AGENT


def test_reply_with_a_linked_article(run_cli, mail_repo, ticket):
    shutil.copytree(PROJECT / "kb" / "network", mail_repo / "kb" / "network")
    update_config(mail_repo, site={"url": "https://help.northwind.example/"})
    result = run_cli("ticket", "reply", ticket, "-t", "kb-article", "--dry-run", "--as", AGENT)
    assert result.exit_code == 1
    assert f"has none linked (gitdesk ticket link {ticket} --kb PATH)" in result.stderr
    run_cli("ticket", "link", ticket, "--kb", "network/vpn-wont-connect.md", "--as", AGENT)
    result = run_cli("ticket", "reply", ticket, "-t", "kb-article", "--dry-run", "--as", AGENT)
    assert result.exit_code == 0, result.output
    title = (mail_repo / "kb/network/vpn-wont-connect.md").read_text().split("title: ", 1)[1].split("\n", 1)[0]
    assert f"    {title}\n    https://help.northwind.example/network/vpn-wont-connect.html\n" in result.output


def test_reply_in_spanish_and_portuguese(run_cli, mail_repo, ticket):
    update_config(mail_repo, language="es")
    out = run_cli("ticket", "reply", ticket, "-t", "acknowledge", "--dry-run", "--as", AGENT).output
    assert out.startswith(f"Hola, Lucía:\n\nGracias por escribirnos. Estoy revisando HD-{ticket} («VPN will not connect»)")
    update_config(mail_repo, language="pt")
    out = run_cli("ticket", "reply", ticket, "-t", "escalated", "--dry-run", "--as", AGENT).output
    assert out.startswith(f"Olá, Lucía,\n\nEncaminhei o chamado HD-{ticket} para a nossa equipe Service Desk")  # Brazilian Portuguese


def test_reply_through_an_editor(run_cli, mail_repo, ticket, tmp_path, show):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/I am looking into/I have started on/" "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    result = run_cli("ticket", "reply", ticket, "-t", "acknowledge", "--edit", "--as", AGENT, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 0, result.output
    assert "I have started on HD-" in show(ticket)["comments"][0]["body"]
    emptier = tmp_path / "empty.sh"
    emptier.write_text('#!/bin/sh\n: > "$1"\n')
    emptier.chmod(emptier.stat().st_mode | stat.S_IEXEC)
    result = run_cli("ticket", "reply", ticket, "-t", "acknowledge", "--edit", "--as", AGENT, env={"EDITOR": str(emptier), "VISUAL": str(emptier)})
    assert result.exit_code == 2 and "the reply is empty: nothing recorded" in result.stderr
    assert show(ticket)["comment_count"] == 1


def test_reply_usage(run_cli, mail_repo, ticket):
    result = run_cli("ticket", "reply", "--list")
    assert result.output.split() == ["acknowledge", "escalated", "kb-article", "need-info", "no-response"]
    result = run_cli("ticket", "reply", ticket)
    assert result.exit_code == 2 and "give REF... and --template NAME (responses: acknowledge, escalated" in result.stderr
    result = run_cli("ticket", "reply", ticket, "-t", "nope")
    assert result.exit_code == 1 and "no response template 'nope' (available: acknowledge," in result.stderr
    result = run_cli("ticket", "reply", ticket, "-t", "../../etc/passwd")
    assert result.exit_code == 1 and "not a template name" in result.stderr
    result = run_cli("ticket", "reply", "ZZZZZZ", "-t", "acknowledge")  # as every command taking REF...
    assert result.exit_code == 2 and "'ZZZZZZ' (not found)" in result.stderr and "nothing changed" in result.stderr


def test_custom_responses_win_and_fall_back(run_cli, mail_repo, ticket):
    folder = mail_repo / "responses"
    folder.mkdir()
    (folder / "acknowledge.en.txt").write_text("$greeting\n\nOur own words about $ref.\n")
    (folder / "printer-toner.en.txt").write_text("$greeting\n\nToner is in the cupboard by $desk_name.\n")
    update_config(mail_repo, responses_dir="responses")
    assert run_cli("ticket", "reply", ticket, "-t", "acknowledge", "--dry-run").output == f"Hello Lucía,\n\nOur own words about HD-{ticket}.\n"
    assert "need a little more information" in run_cli("ticket", "reply", ticket, "-t", "need-info", "--dry-run").output
    assert "printer-toner" in run_cli("ticket", "reply", "--list").output.split()
    update_config(mail_repo, language="pt")  # no Portuguese copy of the desk's own template: English
    assert "Toner is in the cupboard" in run_cli("ticket", "reply", ticket, "-t", "printer-toner", "--dry-run").output


@pytest.mark.parametrize("name, first, greeting", [
    ("Sam Reed", "Sam", "Hello Sam,"), ("Reed, Sam", "Sam", "Hello Sam,"), ("sam@example.com", "", "Hello,"),
    ("", "", "Hello,"), (None, "", "Hello,"), ('"Lucía Fernández"', "Lucía", "Hello Lucía,"),
])
def test_first_names(name, first, greeting):
    assert tpl.first_name(name) == first
    assert tpl.greeting("en", name) == greeting


def test_templates_stay_out_of_the_cli_start_up():
    """`gitdesk --help` must not import the mail machinery (the CLI root stays light)."""
    import subprocess
    import sys

    code = ("import sys, gitdesk.cli; gitdesk.cli.cli.main(['--help'], standalone_mode=False); "
            "print(sorted(m for m in sys.modules if m.startswith('gitdesk.intake') or m in ('smtplib', 'imaplib', 'html.parser')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"})
    assert out.stdout.strip().splitlines()[-1] == "[]"
