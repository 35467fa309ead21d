"""``gitdesk check`` and the defaults' example contact details: a warning, a failure under --strict."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.support.desk import init_repo

OWN = {"phone": "+34 910 000 123", "email": "soporte@acme.es", "chat": "#soporte", "web": "", "walk-in": "Planta 2, sala 2.14"}


def desk_with(tmp_path, contacts: dict, address: str = "soporte@acme.es"):
    config = {"name": "Acme", "site": {"contacts": contacts}, "mail": {"address": address}}
    return init_repo(tmp_path / "desk", config_text=yaml.safe_dump(config, allow_unicode=True))


def run(run_cli, repo, *args):
    result = run_cli("check", *args, repo=repo)
    return result.exit_code, result.stdout, result.stderr


def test_own_contact_details_pass_even_strict(run_cli, tmp_path):
    repo = desk_with(tmp_path, OWN)
    assert run(run_cli, repo, "--strict") == (0, "OK: helpdesk.yml and 0 event files are valid.\n", "")


def test_the_defaults_contacts_warn_and_fail_under_strict(run_cli, tmp_path):
    repo = init_repo(tmp_path / "desk", config_text="name: Acme\n")  # every contact detail left at its default
    code, out, err = run(run_cli, repo)
    assert code == 0 and out == "OK: helpdesk.yml and 0 event files are valid.\n"
    assert err.splitlines()[-1] == "4 warning(s): `gitdesk check --strict` fails on them"
    assert err.splitlines()[:-1] == [
        "warning: helpdesk.yml: site.contacts.phone: '+44 20 7946 0000' is the example phone number of the defaults: put your desk's own (or remove it) before publishing the site",
        "warning: helpdesk.yml: site.contacts.email: 'helpdesk@example.com' is the example e-mail address of the defaults: put your desk's own (or remove it) before publishing the site",
        "warning: helpdesk.yml: site.contacts.walk-in: 'IT bar, ground floor' is the example location of the defaults: put your desk's own (or remove it) before publishing the site",
        "warning: helpdesk.yml: mail.address: 'helpdesk@example.com' is the example e-mail address of the defaults: put your desk's own (or remove it) before publishing the site",
    ]
    code, out, err = run(run_cli, repo, "--strict")
    assert code == 1 and err == "" and len(out.splitlines()) == 4 and out.startswith("helpdesk.yml: site.contacts.phone: ")
    data = json.loads(run_cli("check", "--json", repo=repo).stdout)
    assert data["ok"] is True and data["problems"] == [] and [w["field"] for w in data["warnings"]] == [
        "site.contacts.phone", "site.contacts.email", "site.contacts.walk-in", "mail.address"]


@pytest.mark.parametrize("field, value", [
    ("phone", "+44 (0)20 7946-0000 ext. 12"),   # the example number, written differently
    ("walk-in", "IT Bar, Ground Floor (10:00-16:00)"),  # the example location with hours added
    ("email", "HelpDesk@Example.com"),
])
def test_the_example_written_differently_still_warns(run_cli, tmp_path, field, value):
    repo = desk_with(tmp_path, {**OWN, field: value})
    code, out, err = run(run_cli, repo, "--strict")
    assert code == 1 and out.startswith(f"helpdesk.yml: site.contacts.{field}: {value!r} is the example ")


def test_removed_contacts_do_not_warn(run_cli, tmp_path):
    repo = desk_with(tmp_path, {"phone": "", "email": "", "walk-in": ""})
    assert run(run_cli, repo, "--strict")[0] == 0


def test_a_languages_own_contact_texts_are_checked_too(tmp_path):
    """``site.translations.<code>.contacts`` (what the Spanish pages show) is published as well."""
    from gitdesk.checker import check_placeholder_contacts
    from gitdesk.config import load_config

    repo = desk_with(tmp_path, OWN)
    config = load_config(repo)  # the key belongs to the site's languages: set here, past the schema
    config.raw["site"]["translations"] = {"es": {"contacts": {"phone": "+44 20 7946 0000 (extensión 4357)", "email": "soporte@acme.es"}}}
    assert [p.line() for p in check_placeholder_contacts(None, config)] == [
        "helpdesk.yml: site.translations.es.contacts.phone: '+44 20 7946 0000 (extensión 4357)' is the example "
        "phone number of the defaults: put your desk's own (or remove it) before publishing the site"]
