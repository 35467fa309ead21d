"""The generated command and configuration references: nothing undocumented, nothing missing.

Coverage is asked of the code (every command path has help text; every key of defaults.yml has
a description in the schema) and of a real strict build (every command and every key appears on
the built pages, which sit in the Agents section's navigation).
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import click
import pytest

from gitdesk.cli import COMMANDS, cli
from gitdesk.config import validate_against
from gitdesk.site import reference
from gitdesk.publish.build import build_site
from gitdesk.scaffold import scaffold
from tests.support.desk import init_repo


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A desk scaffolded over the project's helpdesk.yml (init keeps it), built strictly."""
    root = init_repo(tmp_path_factory.mktemp("ref") / "desk")
    result = scaffold(root)
    assert "helpdesk.yml" in result.skipped
    build_site(root)
    return root / "site"


def _text(page: Path) -> str:
    return html.unescape(page.read_text(encoding="utf-8"))


# -- commands ---------------------------------------------------------------------------------------

def test_every_command_path_has_help_text():
    docs = reference.command_docs()
    names = {d.path for d in docs}
    assert reference.undocumented_commands(docs) == []
    for name in COMMANDS:  # every lazily loaded top-level command...
        assert ("gitdesk", name) in names, name
    for path in (("gitdesk", "ticket", "new"), ("gitdesk", "kb", "check"), ("gitdesk", "sla", "check"),
                 ("gitdesk", "github", "triage"), ("gitdesk", "config", "show")):  # ...and their subcommands
        assert path in names, path
    for doc in docs:
        assert doc.usage.startswith(f"Usage: {doc.name}"), doc.usage[:80]


def test_a_command_without_help_is_caught():
    group = click.Group("zz-group", help="A group with help.")
    group.add_command(click.Command("quiet", callback=lambda: None))
    cli.add_command(click.Command("zz-nohelp", callback=lambda: None))
    cli.add_command(group)
    try:
        assert set(reference.undocumented_commands()) == {"gitdesk zz-nohelp", "gitdesk zz-group quiet"}
    finally:
        cli.commands.pop("zz-nohelp")
        cli.commands.pop("zz-group")
    assert reference.undocumented_commands() == []


def test_every_command_is_in_the_built_reference(built):
    page = built / "agents" / "commands.html"
    raw = page.read_text(encoding="utf-8")
    text = _text(page)
    for doc in reference.command_docs():
        assert f'id="{reference._slug(doc.name)}"' in raw, f"{doc.name}: no heading"
        assert doc.usage.splitlines()[0] in text, f"{doc.name}: --help not shown"
        if doc.summary:
            assert doc.summary.split("\n")[0][:60] in text


def test_references_are_in_the_agents_navigation(built):
    for page in ("index.html", "sla-policy.html"):
        nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>\s*</div>\s*</div>', (built / "agents" / page).read_text(encoding="utf-8"), re.S)
        nav_html = nav.group(0) if nav else (built / "agents" / page).read_text(encoding="utf-8")
        assert 'href="commands.html"' in nav_html and 'href="configuration.html"' in nav_html, page
    home = (built / "agents" / "index.html").read_text(encoding="utf-8")
    assert ">Command reference</a>" in home and ">Configuration reference</a>" in home


# -- configuration ----------------------------------------------------------------------------------

def test_defaults_are_valid_against_the_schema():
    validate_against("config", reference._defaults(), path="gitdesk/data/defaults.yml")


def test_every_default_key_has_a_description_in_the_schema():
    missing = list(reference.iter_undocumented())
    assert missing == [], f"{len(missing)} key(s) of defaults.yml undocumented in config.schema.json:\n" + "\n".join(missing)


def test_an_undocumented_key_is_caught(monkeypatch):
    schema = copy.deepcopy(reference._schema())
    del schema["properties"]["name"]["description"]
    defaults = dict(reference._defaults(), surprise=1)
    monkeypatch.setattr(reference, "_schema", lambda: schema)
    monkeypatch.setattr(reference, "_defaults", lambda: defaults)
    missing = list(reference.iter_undocumented())
    assert "name: no description in config.schema.json" in missing
    assert "surprise: not in the schema" in missing


def test_every_default_key_is_in_the_built_reference(built):
    text = _text(built / "agents" / "configuration.html")
    codes = set(re.findall(r"<code>(.*?)</code>", text))
    headings = set(re.findall(r'<h2 id="[^"]*">(.*?)<a', text))
    for path in reference.default_key_paths():
        assert path in codes or path in headings, f"{path} is not in the configuration reference"
    row = re.search(r"<tr>\s*<td><code>mail\.imap\.port</code></td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", text, re.S)
    assert row and row.group(1) == "integer" and "993" in row.group(2), row and row.groups()


def test_config_keys_walk_the_whole_schema():
    keys = {k.path: k for k in reference.config_keys()}
    assert keys["sla.policies[].first_response"].type.startswith("duration")
    assert keys["teams.<team>.tier"].type.startswith("integer")
    assert keys["sla.calendars.<calendar>.hours.mon"].type == "list of HH:MM-HH:MM"
    assert keys["mail.imap.port"].default == 993 and keys["mail.imap.port"].has_default
    assert "categories[].children" in keys and "categories[].children[].id" not in keys  # the tree is walked once
    assert keys["language"].type == "string" and "regional tags" in keys["languages"].description
