"""`gitdesk github triage` reads the issue forms of every language (headings and answers), against
the fake GitHub over HTTP, with and without the forms in the repository."""

from __future__ import annotations

import pytest
import yaml

from gitdesk.config import load_config
from gitdesk.intake.forms import forms

from tests.support.github_backend import writes


def submitted(form_text: str, answers: dict[str, int | str]) -> str:
    """The body GitHub writes for the form: an option index or a text per field id."""
    parts = []
    for field in yaml.safe_load(form_text)["body"]:
        if field["type"] == "markdown":
            continue
        value = answers.get(field["id"])
        if isinstance(value, int):
            value = field["attributes"]["options"][value]
        parts.append(f"### {field['attributes']['label']}\n\n{value or '_No response_'}")
    return "\n\n".join(parts)


def desk_forms(desk, languages=("en", "es", "pt")) -> dict[str, str]:
    config = load_config(desk)
    config.raw["languages"] = list(languages)
    return forms(config, site_url="https://octo-org.github.io/helpdesk/")


@pytest.mark.parametrize("with_forms", [False, True], ids=["shipped-headings", "repository-forms"])
@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_triage_reads_every_languages_form(gd, sync_desk, fake_github, lang, with_forms):
    generated = desk_forms(sync_desk)
    if with_forms:
        folder = sync_desk / ".github" / "ISSUE_TEMPLATE"
        folder.mkdir(parents=True)
        for name, text in generated.items():
            (folder / name).write_text(text, encoding="utf-8")
    name = "support-request.yml" if lang == "en" else f"support-request.{lang}.yml"
    # category 5 = network/vpn; impact 1 = medium (fewest first); urgency 0 = high (most urgent first)
    body = submitted(generated[name], {"description": "La VPN se corta / A VPN cai.", "category": 5, "impact": 1, "urgency": 0,
                                       "department": "Finanzas"})
    fake_github.seed_issue("VPN", body, user="alice")
    run = gd(sync_desk, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert run.json["missing"] == [] and run.json["problems"] == []
    assert sorted(fake_github.issue_labels(1)) == ["category: network/vpn", "channel: web", "priority: high"]
    before = len(fake_github.requests)
    assert gd(sync_desk, "github", "triage", "1", "--no-kb").code == 0
    assert writes(fake_github, before) == []


def test_unanswered_questions_of_a_portuguese_form_are_asked_for(gd, sync_desk, fake_github):
    body = submitted(desk_forms(sync_desk)["support-request.pt.yml"], {"description": "Notebook lento.", "category": 9, "urgency": 2})
    fake_github.seed_issue("Notebook lento", body, user="alice")
    run = gd(sync_desk, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert run.json["missing"] == ["Impact"]
    assert sorted(fake_github.issue_labels(1)) == ["category: hardware/performance", "channel: web", "needs-triage"]


def test_the_description_of_a_spanish_form_becomes_the_tickets(gd, sync_desk, fake_github):
    body = submitted(desk_forms(sync_desk)["support-request.es.yml"],
                     {"description": "La impresora de la 2.ª planta no imprime.", "category": "Impresoras y escáneres",
                      "impact": "Solo a mí", "urgency": "Puede esperar", "steps_tried": "Reinicié la impresora."})
    fake_github.seed_issue("La impresora no imprime", body, user="alice")
    assert gd(sync_desk, "github", "triage", "1", "--no-kb").code == 0
    assert sorted(fake_github.issue_labels(1)) == ["category: printing", "channel: web", "priority: low"]
    run = gd(sync_desk, "sync", "--pull-only", "--json")  # the ticket the issue becomes
    assert run.code == 0, run.err
    [ticket] = gd(sync_desk, "ticket", "list", "--json").json
    shown = gd(sync_desk, "ticket", "show", ticket["id"], "--json").json
    assert (shown["category"], shown["impact"], shown["urgency"], shown["priority"]) == ("printing", "low", "low", "low")
    assert shown["description"] == "La impresora de la 2.ª planta no imprime.\n\nSteps tried:\nReinicié la impresora."
    assert shown["requester"] == {"name": "alice"}


@pytest.mark.parametrize("lang, intro, question", [
    ("es", "Gracias por su solicitud.", "- **¿A cuántas personas afecta?**"),
    ("pt", "Obrigado pelo seu pedido.", "- **Quantas pessoas são afetadas?**"),
])
def test_the_missing_information_comment_speaks_the_forms_language(gd, sync_desk, fake_github, github_client, lang, intro, question):
    name = f"support-request.{lang}.yml"
    generated = desk_forms(sync_desk)
    fake_github.seed_issue("x", submitted(generated[name], {"description": "x", "category": 9, "urgency": 2}), user="alice")
    run = gd(sync_desk, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert run.json["missing"] == ["Impact"]  # the ids stay English for agents and scripts
    [ask] = [c for c in fake_github.comments(1) if '"kind":"triage"' in c.body]
    assert ask.body.startswith(intro) and question in ask.body and "Impact" not in ask.body
    github_client.get_repo("octo-org/helpdesk").get_issue(1).edit(
        body=submitted(generated[name], {"description": "x", "category": 9, "impact": 0, "urgency": 2}))
    assert gd(sync_desk, "github", "triage", "1", "--no-kb").code == 0
    [done] = [c for c in fake_github.comments(1) if '"kind":"triage"' in c.body]
    assert done.id == ask.id and done.body.startswith("Gracias: esta solicitud" if lang == "es" else "Obrigado: este pedido")
