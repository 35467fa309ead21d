"""The issue forms are a contract with `gitdesk github triage`, which parses the body GitHub
renders from them ("### <label>", a blank line, the value). These tests hold the forms to it:
fixed field ids, the documented headings, options that are exactly helpdesk.yml's ids, and a
rendered body that a heading-based parser reads back field by field.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from gitdesk.config import load_config

from tests.support.workflows import ROOT, TEMPLATES_DIR, load_yaml

SUPPORT = TEMPLATES_DIR / "support-request.yml"
KB_CORRECTION = TEMPLATES_DIR / "kb-correction.yml"
LANGUAGES = {"en": "", "es": ".es", "pt": ".pt"}
SUPPORTS = {lang: TEMPLATES_DIR / f"support-request{suffix}.yml" for lang, suffix in LANGUAGES.items()}
CORRECTIONS = {lang: TEMPLATES_DIR / f"kb-correction{suffix}.yml" for lang, suffix in LANGUAGES.items()}
ALL_FORMS = [*SUPPORTS.values(), *CORRECTIONS.values()]

SUPPORT_IDS = ["description", "category", "impact", "urgency", "steps_tried", "asset", "department", "article"]
CONTRACT_LINE = re.compile(r"^#\s+(?P<id>[a-z_]+)\s+->\s+### (?P<label>.+?)\s*$")
ITIL_WORDS = re.compile(r"\b(impact|urgency|impacto|urgencia|urgência|priority|prioridad|prioridade)\b", re.I)


def fields(path):
    return [f for f in load_yaml(path)["body"] if f["type"] != "markdown"]


def by_id(path):
    return {f["id"]: f for f in fields(path)}


def contract(path) -> dict[str, str]:
    """The `id -> ### Label` lines of the comment at the top of a form."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = CONTRACT_LINE.match(line)
        if m:
            out[m.group("id")] = m.group("label")
    return out


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT)


def render(path, values: dict[str, str]) -> str:
    """The issue body GitHub writes for a submitted form."""
    parts = []
    for f in fields(path):
        value = values.get(f["id"], "").strip() or "_No response_"
        parts.append(f"### {f['attributes']['label']}\n\n{value}")
    return "\n\n".join(parts)


def test_the_forms_are_generated_from_helpdesk_yml(config):
    """Regenerate after changing categories or texts: the loop below, writing instead of comparing."""
    from gitdesk.intake.forms import forms

    config.raw["languages"] = [config.language] + [code for code in LANGUAGES if code != config.language]
    site = load_yaml(TEMPLATES_DIR / "config.yml")["contact_links"][0]["url"]
    expected = forms(config, site_url=site)
    assert sorted(expected) == sorted(p.name for p in ALL_FORMS)
    for name, text in expected.items():
        assert (TEMPLATES_DIR / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_support_form_field_ids_are_the_contract(lang):
    assert [f["id"] for f in fields(SUPPORTS[lang])] == SUPPORT_IDS


@pytest.mark.parametrize("path", ALL_FORMS, ids=lambda p: p.name)
def test_top_comment_lists_the_heading_of_every_field(path):
    assert contract(path) == {f["id"]: f["attributes"]["label"] for f in fields(path)}


@pytest.mark.parametrize("path", ALL_FORMS, ids=lambda p: p.name)
def test_labels_are_unique_single_line_plain_questions(path):
    labels = [f["attributes"]["label"] for f in fields(path)]
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert label == label.strip() and "\n" not in label and not label.startswith("#")
        assert not ITIL_WORDS.search(label), label
    for f in fields(path):
        options = f["attributes"].get("options") or []
        assert len(set(options)) == len(options) and not any(ITIL_WORDS.search(o) or "/" in o for o in options)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_categories_are_shown_by_name_and_read_back_as_ids(config, lang):
    from gitdesk.intake.forms import read_choice
    from gitdesk.requestmail import category_name

    category = by_id(SUPPORTS[lang])["category"]
    names = category["attributes"]["options"]
    assert names == [category_name(config, cid, lang) for cid in config.category_ids()]
    assert [read_choice(config, "category", name) for name in names] == config.category_ids()
    assert category["validations"]["required"] is True
    if lang != "en":
        assert not set(names) & set(by_id(SUPPORT)["category"]["attributes"]["options"]) - {"VPN"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_impact_and_urgency_are_plain_answers_that_give_every_priority(config, lang):
    from gitdesk.intake.forms import read_choice

    f = by_id(SUPPORTS[lang])
    impact = [read_choice(config, "impact", o) for o in f["impact"]["attributes"]["options"]]
    urgency = [read_choice(config, "urgency", o) for o in f["urgency"]["attributes"]["options"]]
    assert sorted(impact) == sorted(config["impact_levels"]) and sorted(urgency) == sorted(config["urgency_levels"])
    assert {config.derive_priority(i, u) for i in impact for u in urgency} == set(config.priorities)
    assert "channel" not in f  # a requester is not asked how their own request arrived


def test_article_can_be_prefilled_from_a_link():
    for lang in LANGUAGES:
        assert by_id(SUPPORTS[lang])["article"]["type"] == "input"  # ?template=support-request.es.yml&article=URL fills it
        assert by_id(CORRECTIONS[lang])["article"]["type"] == "input"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rendered_body_reads_back_through_the_triage_parser(config, lang):
    from gitdesk.github.mapping import DEFAULT_FORM_LABELS, form_labels, parse_form

    f = by_id(SUPPORTS[lang])
    values = {
        "category": f["category"]["attributes"]["options"][5], "impact": f["impact"]["attributes"]["options"][1],
        "urgency": f["urgency"]["attributes"]["options"][0], "asset": "NW-LT-0412",
        "description": "VPN drops every 10 minutes.\n\n### Not a field\nEven with a heading in the text.",
        "article": "https://northwind.github.io/helpdesk/network/vpn/",
    }
    body = render(SUPPORTS[lang], values)
    assert f"### {f['steps_tried']['attributes']['label']}\n\n_No response_" in body
    for labels in (form_labels(ROOT), DEFAULT_FORM_LABELS):  # with this repository's forms, and with none
        parsed = {k: v for k, v in parse_form(body, labels).items() if v is not None}
        assert parsed == values


def test_kb_correction_form_asks_for_the_article_and_the_fix():
    for lang in LANGUAGES:
        f = by_id(CORRECTIONS[lang])
        assert f["article"]["validations"]["required"] is True
        assert f["correction"]["validations"]["required"] is True
        assert f["problem"]["type"] == "dropdown" and len(f["problem"]["attributes"]["options"]) == 6


@pytest.mark.parametrize("lang, words", [("en", ("password", "who can read this")), ("es", ("contraseñas", "quién puede leer esto")),
                                         ("pt", ("senhas", "quem pode ler isto"))])
def test_forms_say_who_can_read_them_and_warn_against_secrets(lang, words):
    for path in (SUPPORTS[lang], CORRECTIONS[lang]):
        intro = load_yaml(path)["body"][0]
        assert intro["type"] == "markdown"
        assert all(w in intro["attributes"]["value"].lower() for w in words)


def test_blank_issues_are_off_and_the_site_is_linked(config):
    cfg = load_yaml(TEMPLATES_DIR / "config.yml")
    assert cfg["blank_issues_enabled"] is False
    links = cfg["contact_links"]
    assert links and all(urlparse(link["url"]).scheme == "https" for link in links)
    site_url = config["site"].get("url")
    if site_url:  # once helpdesk.yml names the published site, the link must point to it
        assert links[0]["url"].rstrip("/") == site_url.rstrip("/")
    # the phone number for critical incidents is the configured one
    phone = config["site"]["contacts"]["phone"]
    assert phone.split(" (")[0] in links[0]["about"]


def test_codeowners_cover_the_knowledge_base():
    rules = [line.split() for line in (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    owners = {r[0]: r[1:] for r in rules}
    assert owners["/kb/"] and all(o.startswith("@") for o in owners["/kb/"])
    assert owners["/.github/workflows/"]


def test_pull_request_template_asks_for_the_kb_check():
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "gitdesk kb check" in text and "- [ ]" in text


def test_github_forms_keeps_the_forms_in_step_with_helpdesk_yml(tmp_path):
    import shutil

    from tests.support.cli import run_main

    assert run_main("github", "forms", "--check", repo=ROOT)[0] == 0  # this repository's forms are up to date
    desk = tmp_path / "desk"
    desk.mkdir()
    text = (ROOT / "helpdesk.yml").read_text(encoding="utf-8")
    (desk / "helpdesk.yml").write_text(text + "\nsite:\n  url: https://help.acme.example/\n", encoding="utf-8")
    shutil.copytree(TEMPLATES_DIR, desk / ".github" / "ISSUE_TEMPLATE")
    code, out, _ = run_main("github", "forms", "--check", repo=desk)
    assert code == 1 and "out of date  .github/ISSUE_TEMPLATE/support-request.yml" in out  # the site moved
    code, out, _ = run_main("github", "forms", repo=desk)
    assert code == 0 and "updated  .github/ISSUE_TEMPLATE/support-request.yml" in out
    assert "https://help.acme.example/" in (desk / ".github/ISSUE_TEMPLATE/support-request.yml").read_text(encoding="utf-8")
    assert run_main("github", "forms", "--check", repo=desk)[0] == 0
