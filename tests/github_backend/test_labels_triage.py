"""`gitdesk github labels` (idempotent: a second run sends no write request) and `gitdesk github
triage` (labels from the issue form, one missing-information comment, one KB comment, both
edited in place), against the fake GitHub over HTTP."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from gitdesk.config import load_config
from gitdesk.github.labels import desired_labels

from tests.support.github_backend import configure, form_body, writes


# -- labels -------------------------------------------------------------------------------------
def test_labels_creates_the_whole_set_then_a_second_run_writes_nothing(gd, sync_desk, fake_github):
    fake_github.seed_label("bug", "d73a4a", "Something is not working")
    run = gd(sync_desk, "github", "labels", "--json")
    assert run.code == 0, run.err
    wanted = desired_labels(load_config(sync_desk))
    assert len(run.json["created"]) == len(wanted) and run.json["updated"] == []
    on_server = {lab.name: lab for lab in fake_github.labels()}
    for spec in wanted:
        assert (on_server[spec.name].color, on_server[spec.name].description) == (spec.color, spec.description)
    names = set(on_server)
    for expected in ("priority: critical", "tier: 3", "status: pending", "status: resolved", "channel: walk-in",
                     "category: network", "category: network/vpn", "sla: at-risk", "sla: breached", "needs-triage"):
        assert expected in names
    assert on_server["bug"].color == "d73a4a"  # labels gitdesk does not own are left alone
    before = len(fake_github.requests)
    run = gd(sync_desk, "github", "labels", "--json")
    assert run.code == 0
    assert writes(fake_github, before) == []
    assert run.json["created"] == [] and run.json["updated"] == [] and run.json["unchanged"] == len(wanted)
    assert fake_github.count("GET", "/repos/*/labels") == 2  # one page per run (per_page=100)


def test_labels_updates_only_what_differs_and_dry_run_writes_nothing(gd, sync_desk, fake_github):
    assert gd(sync_desk, "github", "labels").code == 0
    fake_github.repo().label_by_name("priority: high").color = "000000"
    fake_github.repo().label_by_name("tier: 2").name = "Tier: 2"
    before = len(fake_github.requests)
    run = gd(sync_desk, "github", "labels", "--dry-run", "--json")
    assert sorted(run.json["updated"]) == ["priority: high", "tier: 2"] and writes(fake_github, before) == []
    run = gd(sync_desk, "github", "labels")
    assert run.code == 0 and "2 updated" in run.out
    assert [(r.method, unquote(r.path)) for r in writes(fake_github, before)] == [
        ("PATCH", "/repos/octo-org/helpdesk/labels/priority: high"), ("PATCH", "/repos/octo-org/helpdesk/labels/Tier: 2")]
    assert fake_github.repo().label_by_name("tier: 2").name == "tier: 2"


def test_labels_reads_every_page(gd, sync_desk, fake_github):
    for i in range(130):
        fake_github.seed_label(f"area-{i:03d}")
    assert gd(sync_desk, "github", "labels").code == 0
    before = len(fake_github.requests)
    assert gd(sync_desk, "github", "labels").code == 0
    assert writes(fake_github, before) == []
    assert fake_github.count("GET", "/repos/*/labels", page="2") == 2


# -- triage -------------------------------------------------------------------------------------
def _kb_comments(gh, number):
    return [c for c in gh.comments(number) if '"kind":"kb"' in c.body]


def _triage_comments(gh, number):
    return [c for c in gh.comments(number) if '"kind":"triage"' in c.body]


def test_triage_labels_a_complete_form_and_suggests_articles_once(gd, sync_desk, fake_github, kb_copy):
    kb_copy(sync_desk)
    fake_github.seed_issue("VPN will not connect from home", form_body(), user="alice")
    run = gd(sync_desk, "github", "triage", "1", "--json")
    assert run.code == 0, run.err
    assert sorted(fake_github.issue_labels(1)) == ["category: network/vpn", "channel: web", "priority: high"]
    assert run.json["missing"] == [] and _triage_comments(fake_github, 1) == []
    [kb] = _kb_comments(fake_github, 1)
    # hybrid ranking (issue 13) puts the home-network articles beside it for "disconnects ... from home"
    assert "network/vpn-wont-connect.md" in kb.body and "network/vpn-wont-connect.md" in [a["path"] for a in run.json["kb"]]
    before = len(fake_github.requests)
    run = gd(sync_desk, "github", "triage", "1", "--json")
    assert run.code == 0
    assert writes(fake_github, before) == []  # nothing changed: no write request at all
    assert run.json["kb_comment"] == "unchanged"


def test_triage_asks_once_for_what_is_missing_and_updates_that_comment(gd, sync_desk, fake_github, github_client, kb_copy):
    kb_copy(sync_desk)
    fake_github.seed_issue("Laptop very slow", form_body(category="hardware/performance", impact="_No response_",
                                                         urgency="_No response_"), user="alice")
    run = gd(sync_desk, "github", "triage", "1", "--json")
    assert run.code == 0, run.err
    assert run.json["missing"] == ["Impact and Urgency"]
    assert "needs-triage" in fake_github.issue_labels(1) and "category: hardware/performance" in fake_github.issue_labels(1)
    [ask] = _triage_comments(fake_github, 1)
    assert "**Impact and Urgency**" in ask.body
    before = len(fake_github.requests)
    for _ in range(2):
        assert gd(sync_desk, "github", "triage", "1").code == 0
    assert writes(fake_github, before) == [] and len(_triage_comments(fake_github, 1)) == 1
    # the requester fills the form in: the label goes, the same comment says thanks
    issue = github_client.get_repo("octo-org/helpdesk").get_issue(1)
    issue.edit(body=form_body(category="hardware/performance", impact="low", urgency="high"))
    run = gd(sync_desk, "github", "triage", "1", "--json")
    assert run.json["missing"] == [] and run.json["labels_removed"] == ["needs-triage"]
    assert "priority: medium" in fake_github.issue_labels(1) and "needs-triage" not in fake_github.issue_labels(1)
    [thanks] = _triage_comments(fake_github, 1)
    assert thanks.id == ask.id and thanks.body.startswith("Thanks: this request now has everything")
    assert len(_kb_comments(fake_github, 1)) == 1


def test_triage_reports_unknown_values_and_never_overrides_an_agents_label(gd, sync_desk, fake_github):
    fake_github.seed_issue("Strange request", form_body(category="<script>alert(1)</script>", impact="high",
                                                        urgency="low"), user="mallory", labels=["priority: critical"])
    run = gd(sync_desk, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert run.json["missing"] == ["Category"]
    assert any(p.startswith("Category '<script>") for p in run.json["problems"])
    labels = fake_github.issue_labels(1)
    assert "priority: critical" in labels and "priority: medium" not in labels and "needs-triage" in labels
    assert run.json["labels_kept"] == ["priority: critical (the form says medium)"]
    assert not any("<script>" in name for name in labels)


def test_kb_suggestions_are_edited_in_place_when_the_issue_changes(gd, sync_desk, fake_github, github_client, kb_copy):
    kb_copy(sync_desk)
    fake_github.seed_issue("VPN will not connect", form_body(), user="alice")
    assert gd(sync_desk, "github", "triage", "1").code == 0
    [first] = _kb_comments(fake_github, 1)
    first_id, first_body = first.id, first.body
    issue = github_client.get_repo("octo-org/helpdesk").get_issue(1)
    issue.edit(title="Printer jams every morning",
               body=form_body(category="printing", description="The printer on floor 3 jams and shows a paper jam error."))
    run = gd(sync_desk, "github", "triage", "1", "--json")
    assert run.json["kb_comment"] == "updated"
    [second] = _kb_comments(fake_github, 1)
    assert second.id == first_id and second.body != first_body and "printing/" in second.body


def test_triage_without_a_knowledge_base_still_labels_and_says_why(gd, sync_desk, fake_github, monkeypatch):
    fake_github.seed_issue("VPN will not connect", form_body(), user="alice")
    from gitdesk.errors import GitdeskError
    import gitdesk.kb.suggest

    def broken(*args, **kwargs):
        raise GitdeskError("index is corrupt", path=".gitdesk/kb-index")

    monkeypatch.setattr(gitdesk.kb.suggest, "suggest", broken)
    run = gd(sync_desk, "github", "triage", "1")
    assert run.code == 0
    assert "no KB suggestions: the knowledge base index is unavailable: .gitdesk/kb-index: index is corrupt" in run.err
    assert "priority: high" in fake_github.issue_labels(1) and _kb_comments(fake_github, 1) == []


def test_triage_refuses_pull_requests_and_bad_numbers(gd, sync_desk, fake_github):
    fake_github.seed_pull_request("Fix typo", "body", user="alice")
    run = gd(sync_desk, "github", "triage", "1")
    assert run.code == 1 and "is a pull request" in run.err and "Traceback" not in run.err
    run = gd(sync_desk, "github", "triage", "one")
    assert run.code == 2 and "not an issue number" in run.err
    run = gd(sync_desk, "github", "triage", "99")
    assert run.code == 1 and "Not Found" in run.err


def test_triage_in_github_actions_uses_the_runners_repository_and_api_url(gd, git_repo, fake_github, monkeypatch):
    # helpdesk.yml as shipped: no github section at all (the triage workflow's situation)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/helpdesk")
    monkeypatch.setenv("GITHUB_API_URL", fake_github.base_url)
    fake_github.seed_issue("VPN will not connect", form_body(), user="alice")
    run = gd(git_repo, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert "priority: high" in fake_github.issue_labels(1)


def test_no_repository_configured_is_a_config_error(gd, git_repo):
    run = gd(git_repo, "github", "labels")
    assert run.code == 1
    assert run.err.strip() == "gitdesk: error: helpdesk.yml: github.repository: no GitHub repository: set github.repository (owner/name)"


@pytest.mark.parametrize("name", ["noslash", "a/b/c", "../etc", "own er/x"])
def test_a_malformed_repository_is_named_in_the_error(gd, git_repo, fake_github, name):
    configure(git_repo, fake_github)
    text = (git_repo / "helpdesk.yml").read_text().replace("repository: octo-org/helpdesk", f"repository: '{name}'")
    (git_repo / "helpdesk.yml").write_text(text)
    run = gd(git_repo, "github", "labels")
    assert run.code == 1 and "github.repository" in run.err and "Traceback" not in run.err


def test_triage_reopens_a_pending_ticket_the_requester_answered(gd, gh_desk, fake_github):
    fake_github.seed_issue("Outlook keeps asking for my password", form_body(category="email"), user="alice")
    assert gd(gh_desk, "ticket", "pending", "#1", "-m", "Which Outlook version do you use?").code == 0
    assert "status: pending" in fake_github.issue_labels(1)
    assert gd(gh_desk, "github", "triage", "1", "--no-kb", "--json").json["reopened"] is False
    assert "status: pending" in fake_github.issue_labels(1)  # the agent's own comment is no answer
    answer = fake_github.seed_comment(1, "Outlook 2021", user="alice")
    run = gd(gh_desk, "github", "triage", "1", "--no-kb", "--json")
    assert run.code == 0, run.err
    assert run.json["reopened"] is True and "status: pending" not in fake_github.issue_labels(1)
    shown = gd(gh_desk, "ticket", "show", "#1", "--json").json
    assert shown["status"] == "open"
    reopen = [h for h in shown["history"] if h.get("reason") == "the requester answered"]
    assert len(reopen) == 1 and reopen[0]["at"].startswith(answer.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert gd(gh_desk, "github", "triage", "1", "--no-kb", "--json").json["reopened"] is False
