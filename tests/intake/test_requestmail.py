"""The e-mail "Open a ticket" template of every language, read back by the real ``gitdesk intake email``."""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest

from gitdesk.config import load_config
from gitdesk.requestmail import level_options, parse, prefill
from gitdesk.model.ids import ticket_id_from


def answered(config, language: str, body: str, *, impact: str, urgency: str) -> str:
    """The body as a requester sends it: one answer kept per question, a description typed in."""
    for kind, keep in (("impact", impact), ("urgency", urgency)):
        options = level_options(config, kind, language)
        shown = [answer for _, answer in (reversed(options) if kind == "impact" else options)]
        line = " / ".join(shown)
        assert line in body
        body = body.replace(line, dict(options)[keep])
    hint_end = body.index("\n\n\n") + 1
    return body[:hint_end] + "The printer on floor 2 shows 'offline' since this morning.\n" + body[hint_end:]


def write_message(path, *, subject: str, body: str, sender: str, message_id: str) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "helpdesk@northwind.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Nov 2026 09:12:41 +0000"
    msg["Message-ID"] = message_id
    msg.set_content(body)  # UTF-8, quoted-printable where needed: as mail clients send it
    path.write_bytes(bytes(msg))


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_prefilled_request_round_trip_through_intake(language, intake, show, mail_repo, tmp_path):
    config = load_config(mail_repo)
    form = prefill(config, language, category="printing", article="printing/printer-offline.md", article_title="Printer offline")
    assert set(form) == {"subject", "body", "mailto"}
    query = parse_qs(urlsplit(form["mailto"]).query)
    assert query["subject"] == [form["subject"]] and query["body"] == [form["body"]]
    body = answered(config, language, form["body"], impact="medium", urgency="high")
    mid = f"<request-{language}@northwind.example>"
    eml = tmp_path / f"request-{language}.eml"
    write_message(eml, subject=form["subject"], body=body, sender="Lucía Gómez <lucia@northwind.example>", message_id=mid)
    code, data, result = intake(eml)
    assert code == 0, result.output
    assert data["counts"] == {"new": 1}
    ticket = show(ticket_id_from("mail:" + mid))
    assert (ticket["category"], ticket["impact"], ticket["urgency"]) == ("printing", "medium", "high")
    assert ticket["priority"] == "high"  # from the matrix: medium impact x high urgency
    assert ticket["kb"] == ["printing/printer-offline.md"]
    assert ticket["title"] == form["subject"]


def test_untouched_or_unclear_answers_set_nothing(mail_repo):
    config = load_config(mail_repo)
    form = prefill(config, "es")
    assert parse(config, form["body"]) == {}  # every option still there: the requester chose none
    assert "Categoría:" in form["body"] and form["subject"] == "Solicitud de ayuda"


def test_answers_are_read_in_any_language_without_accents(mail_repo):
    config = load_config(mail_repo)
    body = ("> Quantas pessoas sao afetadas? So eu\n"
            "How urgent is it?   it can wait\n"
            "categoria: IMPRESORAS Y ESCANERES\n"
            "Artigo que consultei antes: Impressora offline (printing/printer-offline.pt.md)\n")
    assert parse(config, body) == {"impact": "low", "urgency": "low", "category": "printing",
                                   "article": "printing/printer-offline.pt.md"}
    assert parse(config, "Category: no such thing\nThe article I read first: ../../etc/passwd.md\n") == {}


def test_the_articles_published_address_is_read_as_its_path(mail_repo):
    config = load_config(mail_repo)
    config.raw["site"] = {**config.raw["site"], "url": "https://help.northwind.example/"}
    body = "The article I read first: https://help.northwind.example/network/vpn-wont-connect.es.html#fix\n"
    assert parse(config, body) == {"article": "network/vpn-wont-connect.es.md"}
    assert parse(config, "The article I read first: https://elsewhere.example/x.html\n") == {}


def test_no_mail_address_no_mailto(mail_repo):
    config = load_config(mail_repo)
    config.raw["mail"] = {**config.raw["mail"], "address": ""}
    assert prefill(config, "pt")["mailto"] is None
