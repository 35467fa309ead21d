"""The privacy scan's one combined matcher finds exactly what one regex per person found
(issue 11: 2,000 requesters made that 3 s a page), and the site build still refuses a page that
names a requester from the ticket store."""

from __future__ import annotations

import random
import re

import pytest

from gitdesk.kb.privacy import PeopleMatcher, Person, find_people

WORDS = ["Ana", "Lima", "Ben", "Okafor", "Chen", "Wei", "José", "Müller", "O'Brien", "Jean-Luc", "Ng", "Ann", "Annabel"]


def per_person(text: str, people: list[Person]) -> set[str]:
    """The old rule, written out by the test: a full name (two words or more) whole and
    case-insensitive with any whitespace between words; an email anywhere, case-insensitive."""
    out = set()
    for p in people:
        if p.email and p.email in text.lower():
            out.add(f"email address of a person ({p.email})")
        words = p.name.split()
        if len(words) >= 2 and re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", text, re.I):
            out.add(f"name of a person ({p.name})")
    return out


@pytest.mark.parametrize("seed", range(25))
def test_the_combined_matcher_finds_what_one_regex_per_person_found(seed):
    rng = random.Random(seed)
    people = []
    for i in range(40):  # two- and three-word names (some prefixes of others), one-word names, emails
        words = [rng.choice(WORDS) for _ in range(1 if i % 5 == 0 else 3 if i % 7 == 0 else 2)]
        people.append(Person(" ".join(words), f"p{i}.{words[0].lower()}@example.org" if i % 2 else ""))
    people.append(Person("", "p1.ana@example.or"))  # an address that is a prefix of another
    chunks = ["Hello", "ANA  LIMA", "ana\nlima", "xAna Lima", "Ana Limas", "(Chen Wei)", "p3.ben@EXAMPLE.org",
              "jean-luc ng", "O'Brien Ann", "Annabel Ng", "text", "p11.ana@example.org", "José Müller.", "p1.ana@example.org"]
    for _ in range(30):
        text = " ".join(rng.choice(chunks) for _ in range(rng.randint(0, 12)))
        found = find_people(text, people)
        assert {what for _, what in found} == per_person(text, people), text
        assert found == sorted(found) and all(text[pos:pos + 1] for pos, _ in found)


def test_a_page_is_scanned_with_one_pattern_whatever_the_number_of_people(monkeypatch):
    """The cost that made 2,000 requesters take 3 s a page: a pattern per person per page.
    Counted, not timed: the patterns compiled and the searches run over each page."""
    import gitdesk.kb.privacy as privacy

    people = [Person(f"Given{i} Family{i}", f"person{i}@example.org") for i in range(2000)]
    find_people("warm-up", people)  # the matcher is built once per set of people
    calls = {"compile": 0, "search": 0}
    real_compile = re.compile

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def __getattr__(self, name):
            attr = getattr(self.pattern, name)
            if name in ("search", "finditer", "match", "findall"):
                calls["search"] += 1
            return attr

    def compile_(*args, **kwargs):
        calls["compile"] += 1
        return Counting(real_compile(*args, **kwargs))

    monkeypatch.setattr(privacy.re, "compile", compile_)
    page = "<p>Nobody is named on this page.</p>" * 200
    for _ in range(10):
        assert find_people(page, people) == []
    assert calls["compile"] == 0 and calls["search"] <= 10, calls


def test_offsets_point_at_the_first_mention():
    people = [Person("Ana Lima", "ana.lima@northwind.example")]
    text = "See ana lima, then Ana Lima, or mail ANA.LIMA@northwind.example"
    assert find_people(text, people) == [(4, "name of a person (Ana Lima)"),
                                         (37, "email address of a person (ana.lima@northwind.example)")]


def test_redaction_replaces_every_mention():
    matcher = PeopleMatcher([Person("Ana Lima", "ana@x.example"), Person("Ben", "")])
    assert matcher.sub("Ana  Lima <ana@x.example> and Ben") == "Name Surname <name@example.com> and Ben"
    assert PeopleMatcher([]).find("anything") == []
    both = PeopleMatcher([Person("", "sam@x.example"), Person("", "xsam@x.example"), Person("", "sam@x.ex")])
    assert both.sub("mail xsam@x.example or <sam@x.ex>") == "mail name@example.com or <name@example.com>"


def test_the_site_refuses_a_requester_named_in_the_ticket_store(tmp_path, run_cli):
    from gitdesk.errors import GitdeskError
    from tests.support.desk import init_repo
    from tests.support.kb import guide, make_sample, write
    from tests.support.site import build

    root = make_sample(tmp_path / "desk")
    init_repo(root, config=False)
    assert run_cli("ticket", "new", "Printer jams", "--requester", "Priya Natarajan <priya@example.org>", repo=root).exit_code == 0
    write(root / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": "Ask priya  natarajan."}))
    with pytest.raises(GitdeskError, match=r"name of a person \(Priya Natarajan\): personal data"):
        build(root, tmp_path / "site")
