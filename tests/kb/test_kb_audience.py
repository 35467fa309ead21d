"""Who a search is for: the agents' handbook is found by agents and never suggested to requesters.

Suggestions reach requesters (``gitdesk suggest``, the GitHub triage comment, e-mail
acknowledgements); a handbook page there would point a requester at internal procedure. An agent's
``kb search`` still finds the handbook, weighed by ``kb.search.internal_weight`` so a requester's
wording finds the public page first. Lexical mode: the rule is the same in every mode.
"""

from __future__ import annotations

import json

from tests.support.cli import run_main
from tests.support.kb import guide, write


def _with_handbook(sample):
    write(sample / "kb", "agents/reset-a-password-for-someone.md", guide(
        "Reset a password for a requester", audience="agents", tags="[password, reset]",
        summary="Verify the requester, then reset the password from the admin console.",
        body={"Fix": "Reset the forgotten password in the admin console after checking the requester's identity."}))
    return sample


def _paths(sample, *args):
    code, out, err = run_main("kb", "search", *args, "--mode", "lexical", "--json", "--limit", "10", repo=sample)
    assert code == 0, err
    return [r["path"] for r in json.loads(out)["results"]]


def test_an_agents_search_finds_the_handbook_and_a_requesters_does_not(sample):
    _with_handbook(sample)
    assert "agents/reset-a-password-for-someone.md" in _paths(sample, "reset a forgotten password")
    public = _paths(sample, "reset a forgotten password", "--for", "requesters")
    assert public and not any(p.startswith("agents/") for p in public)


def test_the_handbook_weighs_less_than_a_public_page_in_an_agents_search(sample):
    _with_handbook(sample)
    cfg = sample / "helpdesk.yml"
    base = cfg.read_text()
    cfg.write_text(base + "\nkb:\n  search:\n    internal_weight: 1.0\n")
    even = _paths(sample, "reset forgotten password admin console")
    cfg.write_text(base + "\nkb:\n  search:\n    internal_weight: 0.1\n")
    weighed = _paths(sample, "reset forgotten password admin console")
    assert even[0] == "agents/reset-a-password-for-someone.md"
    assert weighed[0] == "accounts/reset-password.md"


def test_suggestions_never_name_a_handbook_page(sample):
    _with_handbook(sample)
    code, out, err = run_main("suggest", "--text", "forgot my password, need a reset", "--mode", "lexical", "--json",
                              "--limit", "10", repo=sample)
    assert code == 0, err
    data = json.loads(out)
    paths = [r["path"] for r in (data["results"] if isinstance(data, dict) else data)]
    assert "accounts/reset-password.md" in paths
    assert not any(p.startswith("agents/") for p in paths)
