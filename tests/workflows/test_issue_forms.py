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

from ._wf import ROOT, TEMPLATES_DIR, load_yaml

SUPPORT = TEMPLATES_DIR / "support-request.yml"
KB_CORRECTION = TEMPLATES_DIR / "kb-correction.yml"

SUPPORT_IDS = ["category", "impact", "urgency", "channel", "asset", "description", "steps_tried", "article", "department"]
CONTRACT_LINE = re.compile(r"^#\s+(?P<id>[a-z_]+)\s+->\s+### (?P<label>.+?)\s*$")


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


def parse(body: str, path) -> dict[str, str]:
    """A heading-based reader, as the triage parser reads the body."""
    ids = {f["attributes"]["label"]: f["id"] for f in fields(path)}
    out, current = {}, None
    for line in body.splitlines():
        if line.startswith("### ") and line[4:] in ids:
            current = ids[line[4:]]
            out[current] = []
        elif current:
            out[current].append(line)
    return {k: "\n".join(v).strip() for k, v in out.items() if "\n".join(v).strip() != "_No response_"}


def test_support_form_field_ids_are_the_contract():
    assert [f["id"] for f in fields(SUPPORT)] == SUPPORT_IDS


@pytest.mark.parametrize("path", [SUPPORT, KB_CORRECTION], ids=lambda p: p.name)
def test_top_comment_lists_the_heading_of_every_field(path):
    assert contract(path) == {f["id"]: f["attributes"]["label"] for f in fields(path)}


@pytest.mark.parametrize("path", [SUPPORT, KB_CORRECTION], ids=lambda p: p.name)
def test_labels_are_unique_single_line_headings(path):
    labels = [f["attributes"]["label"] for f in fields(path)]
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert label == label.strip() and "\n" not in label and not label.startswith("#")


def test_category_options_are_the_category_ids_of_helpdesk_yml(config):
    assert by_id(SUPPORT)["category"]["attributes"]["options"] == config.category_ids()
    assert by_id(SUPPORT)["category"]["validations"]["required"] is True


def test_impact_urgency_and_channel_options_are_the_configured_ids(config):
    f = by_id(SUPPORT)
    assert f["impact"]["attributes"]["options"] == list(config["impact_levels"])
    assert f["urgency"]["attributes"]["options"] == list(config["urgency_levels"])
    assert f["channel"]["attributes"]["options"] == config.channels
    # a form filled in by the requester arrives through the web
    channel = f["channel"]["attributes"]
    assert channel["options"][channel["default"]] == "web"
    # every pair of the dropdowns gives a priority through the ITIL matrix
    for impact in f["impact"]["attributes"]["options"]:
        for urgency in f["urgency"]["attributes"]["options"]:
            assert config.derive_priority(impact, urgency) in config.priorities


def test_article_can_be_prefilled_from_a_link():
    article = by_id(SUPPORT)["article"]
    assert article["type"] == "input"  # ?template=support-request.yml&article=URL fills it
    assert by_id(KB_CORRECTION)["article"]["type"] == "input"


def test_rendered_body_reads_back_field_by_field():
    values = {
        "category": "network/vpn", "impact": "medium", "urgency": "high", "channel": "web",
        "asset": "NW-LT-0412",
        "description": "VPN drops every 10 minutes.\n\n### Not a field\nEven with a heading in the text.",
        "article": "https://northwind.github.io/helpdesk/network/vpn/",
    }
    body = render(SUPPORT, values)
    assert "### Steps tried\n\n_No response_" in body
    assert parse(body, SUPPORT) == values


def test_kb_correction_form_asks_for_the_article_and_the_fix():
    f = by_id(KB_CORRECTION)
    assert f["article"]["validations"]["required"] is True
    assert f["correction"]["validations"]["required"] is True
    assert f["problem"]["type"] == "dropdown"


def test_forms_warn_against_secrets():
    intro = load_yaml(SUPPORT)["body"][0]
    assert intro["type"] == "markdown" and "password" in intro["attributes"]["value"].lower()


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
