"""Canned responses: ``gitdesk ticket reply REF --template NAME``.

A response template (``templates/responses/<name>.<language>.txt``, or the help desk's own in
``responses_dir``) is filled from the ticket: greeting and requester's name, ticket reference,
title, the agent's name, the linked KB article (``$kb_title``, ``$kb_url``; a template that
uses them needs a linked article), the desk's contacts. The filled text is recorded as an
ordinary public comment, so the notifier mails it to the requester like any other reply.
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.errors import ValidationError
from gitdesk.intake import templates as tpl
from gitdesk.people import display_name


def fill_response(store, config, root: Path | None, ref: str, name: str, agent: str) -> str:
    """The text of response ``name`` for ticket ``ref``, written by ``agent``."""
    ticket = store.get(ref)
    template = tpl.load(root, config, "responses", name)
    values = tpl.ticket_values(ticket, config, root)
    requester = ticket.requester or {}
    articles = tpl.kb_articles(root, config, ticket.kb or ())
    used = {n for n, _ in tpl.placeholders(template.body.template)[0]}
    if used & {"kb_title", "kb_url"} and not articles:
        raise ValidationError(
            f"response {name!r} names a KB article, but {config.id_prefix}-{ticket.id} has none linked "
            f"(gitdesk ticket link {ticket.id} --kb PATH)", path=template.display, field="kb")
    kb_title, kb_url = articles[0] if articles else ("", "")
    values.update(
        greeting=tpl.greeting(config.language, requester.get("name")),
        requester_first_name=tpl.first_name(requester.get("name")),
        agent_name=display_name(agent),
        agent_first_name=tpl.first_name(display_name(agent)) or display_name(agent),
        kb_title=kb_title,
        kb_url=kb_url,  # empty without site.url: the title alone still finds the article
    )
    _, body = template.render({k: v for k, v in values.items() if k in tpl.RESPONSE_FIELDS})
    return tpl.tidy(body)


def available(root: Path | None, config) -> list[str]:
    """Names of the canned responses (shipped and the help desk's own)."""
    return tpl.available(root, config, "responses")
