"""A ticket opened from an article's "Still stuck? Open a ticket" link records that article as
``source_article`` (what the KB figures count), by e-mail and through the GitHub issue form."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from gitdesk.config import load_config
from gitdesk.github import mapping as m
from gitdesk.kb.placeholders import PageInfo, SiteContext
from gitdesk.kb.placeholders.content import ticket_link
from gitdesk.model.ids import ticket_id_from
from gitdesk.requestmail import prefill
from tests.intake.test_requestmail import answered, write_message
from tests.support.desk import PROJECT
from tests.support.github_backend import form_body

ARTICLE = "network/vpn-wont-connect.es.md"


def test_still_stuck_mail_records_the_source_article(intake, show, mail_repo, tmp_path):
    config = load_config(mail_repo)
    # the link at the end of the article carries it to the Open a ticket page (mail channel)
    link = ticket_link(SiteContext(root=mail_repo, config=config, language="es"), PageInfo(src_uri=ARTICLE, title="La VPN no conecta"))
    assert parse_qs(urlsplit(link).query)["article"] == [ARTICLE]
    # ...whose mail template (gitdesk.js fills the article in) reaches intake
    form = prefill(config, "es", category="network/vpn", article=ARTICLE, article_title="La VPN no conecta")
    body = answered(config, "es", form["body"], impact="medium", urgency="high")
    mid = "<still-stuck@northwind.example>"
    eml = tmp_path / "still-stuck.eml"
    write_message(eml, subject=form["subject"], body=body, sender="Lucía Gómez <lucia@northwind.example>", message_id=mid)
    code, data, result = intake(eml)
    assert code == 0 and data["counts"] == {"new": 1}, result.output
    ticket = show(ticket_id_from("mail:" + mid))
    assert ticket["source_article"] == ARTICLE and ticket["kb"] == [ARTICLE]


def test_a_plain_request_has_no_source_article(intake, show, mail_repo, tmp_path):
    config = load_config(mail_repo)
    form = prefill(config, "en", category="printing")
    body = answered(config, "en", form["body"], impact="medium", urgency="high")
    mid = "<plain@northwind.example>"
    eml = tmp_path / "plain.eml"
    write_message(eml, subject=form["subject"], body=body, sender="Sam Reed <sam@northwind.example>", message_id=mid)
    code, _, result = intake(eml)
    assert code == 0, result.output
    assert show(ticket_id_from("mail:" + mid))["source_article"] is None


def test_still_stuck_issue_form_records_the_source_article():
    ctx = m.Context(load_config(PROJECT), "octo-org/helpdesk", m.form_labels(PROJECT), kb_paths={"network/vpn-wont-connect.md"})
    url = "https://help.northwind.example/network/vpn-wont-connect.html"
    issue = {"number": 9, "title": "VPN", "body": form_body(article=url), "state": "open", "user": {"login": "alice"},
             "author_association": "NONE", "labels": [], "assignees": [], "created_at": "2026-11-02T09:00:00Z",
             "updated_at": "2026-11-02T09:00:00Z", "closed_at": None, "html_url": "https://github.com/octo-org/helpdesk/issues/9"}
    event = m.new_event(issue, "0000000009", ctx)
    assert event.set["source_article"] == "network/vpn-wont-connect.md"
    assert event.add["kb"] == ["network/vpn-wont-connect.md"]
    plain = m.new_event({**issue, "body": form_body()}, "0000000009", ctx)
    assert "source_article" not in plain.set
