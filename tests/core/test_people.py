"""One reading of "Name <email>" for every command (gitdesk.people)."""

from __future__ import annotations

import pytest

from gitdesk import people
from gitdesk.config import Config
from gitdesk.kb.privacy import Person, parse_identity


@pytest.mark.parametrize("text, expected", [
    ("Ana Lima <ana@example.com>", ("Ana Lima", "ana@example.com")),
    ('"Ana  Lima"  <ana@example.com>', ("Ana Lima", "ana@example.com")),
    ("ana@example.com", ("", "ana@example.com")),
    ("Ana Lima", ("Ana Lima", "")),
    ("<ana@example.com>", ("", "ana@example.com")),
    ("", ("", "")),
    (None, ("", "")),
])
def test_split(text, expected):
    assert people.split(text) == expected


def test_parse_and_format_round_trip():
    person = people.parse_person("Ana Lima <ana@example.com>", "Finance")
    assert person == {"name": "Ana Lima", "email": "ana@example.com", "department": "Finance"}
    assert people.format_person(person) == "Ana Lima <ana@example.com>"
    assert people.parse_person("ana@example.com") == {"email": "ana@example.com"}
    assert people.format_person({"name": "Ana"}) == "Ana" and people.format_person(None) is None


def test_views_of_a_person():
    who = "Chen Wei <Chen@Northwind.example>"
    assert people.display_name(who) == "Chen Wei" and people.display_name("chen@x.example") == "chen@x.example"
    assert people.email_of(who) == "chen@northwind.example" and people.email_of("Chen Wei") == ""
    assert people.email_or_name(who) == "Chen@Northwind.example" and people.email_or_name("Chen Wei") == "Chen Wei"
    assert people.public_name(who) == "Chen Wei" and people.public_name("chen@x.example") == "chen"
    assert people.public_name(None) == "unknown"
    assert people.git_ident("sam@x") == "sam <sam@x>" and people.git_ident("Sam Reed") == "Sam Reed <>"


def test_same_person_and_bots():
    requester = {"name": "Ana Lima", "email": "ana@example.com"}
    assert people.same_person("Ana Lima <ana@example.com>", requester)
    assert people.same_person("ANA@example.com", requester) and people.same_person("Ana Lima", requester)
    assert not people.same_person("Sam <sam@example.com>", requester) and not people.same_person("x", None)
    assert people.is_bot("gitdesk-bot", ["gitdesk-bot"]) and people.is_bot("renovate[bot]", [])
    assert not people.is_bot("Ana Lima <ana@example.com>", ["gitdesk-bot"])


def test_config_and_privacy_use_the_same_reading():
    config = Config({"bots": ["helper"]})
    assert config.is_bot("helper <helper@x.example>") and not config.is_bot("Ana")
    assert parse_identity("Ana Lima <Ana@X.example>") == Person("Ana Lima", "ana@x.example")
    assert parse_identity("ana@x.example") == Person("", "ana@x.example")
    assert parse_identity("Ana <not an address>") is None and parse_identity("Ana <a@x> extra") is None
