"""``gitdesk problem resolve / suggest / known-error`` and the requester's language in notifications."""

from __future__ import annotations

import json

from tests.support.desk import git


def _new(run_cli, title, *extra):
    result = run_cli("ticket", "new", title, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _mail_problem(run_cli, n=3):
    problem = _new(run_cli, "Mail server drops connections", "--requester", "Ana Lima <ana.lima@northwind.example>",
                   "--type", "problem")
    incidents = [_new(run_cli, f"Outlook disconnected from the server ({n})", "-d", "Outlook says disconnected, mail not arriving",
                      "--requester", f"User {n} <u{n}@example.com>", "--asset", "SRV-MAIL1", "--category", "email")
                 for n in range(n)]
    return problem, incidents


def _show(run_cli, ref):
    return json.loads(run_cli("ticket", "show", ref, "--json").output)


def test_resolve_problem_with_its_incidents_is_one_commit_one_message_each(run_cli, git_repo):
    problem, incidents = _mail_problem(run_cli)
    assert run_cli("ticket", "link", *incidents, "--problem", problem).exit_code == 0
    assert run_cli("ticket", "close", incidents[2]).exit_code == 0  # closed already: left alone
    assert run_cli("ticket", "set", incidents[0], "requester.language=es").exit_code == 0
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "setup")
    result = run_cli("problem", "resolve", problem, "-m", "Renewed the certificate.", "--incidents", "--commit")
    assert result.exit_code == 0, result.output
    assert git(git_repo, "status", "--porcelain") == ""
    assert len(git(git_repo, "log", "--format=%H", "HEAD~1..HEAD").split()) == 1  # one recorded step
    body = git(git_repo, "log", "-1", "--format=%B")
    assert f"HD-{problem}: resolve" in body and f"HD-{incidents[0]}: resolve" in body and f"HD-{incidents[1]}: resolve" in body
    assert f"HD-{incidents[2]}" not in body
    spanish = _show(run_cli, incidents[0])
    assert spanish["status"] == "resolved"
    assert spanish["comments"][-1]["body"].startswith("La causa era un problema más amplio que ya está solucionado: Mail server drops connections.")
    english = _show(run_cli, incidents[1])
    assert english["comments"][-1]["body"].startswith("This was caused by a wider problem that is now fixed")
    # the notifier mails each requester their resolution, in their language
    from gitdesk.config import load_config
    from gitdesk.intake.notify import plan
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    config = load_config(git_repo)
    notes = {n.to_email: n for n, _ in plan(open_store(Repo(git_repo), config), config, git_repo) if n.kind == "resolved"}
    assert set(notes) >= {"u0@example.com", "u1@example.com"}
    assert notes["u0@example.com"].body.startswith("Hola, User:")
    assert notes["u1@example.com"].body.startswith("Hello User,")


def test_resolve_without_incidents_offers_them_and_refusals_change_nothing(run_cli, git_repo):
    problem, incidents = _mail_problem(run_cli, 2)
    assert run_cli("ticket", "link", *incidents, "--problem", problem).exit_code == 0
    result = run_cli("problem", "resolve", problem, "--dry-run", "--incidents", "--json")
    assert json.loads(result.output)["resolved"] == [problem, *incidents]
    assert _show(run_cli, problem)["status"] == "new"
    result = run_cli("problem", "resolve", problem)
    assert result.exit_code == 0 and "2 open incident(s) left open: add --incidents" in result.output
    assert [_show(run_cli, t)["status"] for t in incidents] == ["new", "new"]
    # not a problem
    result = run_cli("problem", "resolve", incidents[0])
    assert result.exit_code == 2 and "is of type incident, not a problem" in result.output
    # a workflow that forbids pending -> resolved: checked for every ticket before any change
    text = (git_repo / "helpdesk.yml").read_text() + "\ntransitions:\n  new: [open, pending, resolved, closed]\n  open: [pending, resolved, closed]\n  pending: [open, closed]\n  resolved: [open, closed]\n  closed: [open]\n"
    (git_repo / "helpdesk.yml").write_text(text)
    problem2, more = _mail_problem(run_cli, 2)
    assert run_cli("ticket", "link", *more, "--problem", problem2).exit_code == 0
    assert run_cli("ticket", "pending", more[1]).exit_code == 0
    result = run_cli("problem", "resolve", problem2, "--incidents")
    assert result.exit_code == 1 and f"HD-{more[1]}: cannot go from pending to resolved; nothing changed" in result.output
    assert [_show(run_cli, t)["status"] for t in (problem2, more[0])] == ["new", "new"]


def test_suggest_proposes_problems_with_the_evidence(run_cli):
    _, incidents = _mail_problem(run_cli, 3)
    _new(run_cli, "Printer out of toner", "--requester", "p@example.com", "--asset", "SRV-MAIL1", "--category", "printing")
    _new(run_cli, "Password expired", "--requester", "q@example.com", "--asset", "SRV-MAIL1", "--category", "email")
    result = run_cli("problem", "suggest", "--min", "2", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 1
    group = found[0]
    assert group["asset"] == "SRV-MAIL1" and group["category"] == "email" and group["count"] == 3
    assert sorted(i["id"] for i in group["incidents"]) == sorted(incidents)
    assert {"outlook", "disconnected"} <= set(group["shared_words"])
    text = run_cli("problem", "suggest", "--min", "2").output
    assert "shared words:" in text and "--type problem" in text
    # once linked to a problem they are no longer proposed
    problem = _new(run_cli, "Mail", "--requester", "a@example.com", "--type", "problem")
    run_cli("ticket", "link", *incidents, "--problem", problem)
    assert json.loads(run_cli("problem", "suggest", "--min", "2", "--json").output) == []
    assert run_cli("problem", "suggest", "--since", "yesterday-ish").exit_code != 0


def test_known_error_article_is_linked_and_suggested_for_tickets_like_it(run_cli, git_repo):
    (git_repo / "helpdesk.yml").write_text((git_repo / "helpdesk.yml").read_text() + "\nlanguages: [en, es]\n")
    problem, incidents = _mail_problem(run_cli, 2)
    assert run_cli("ticket", "link", *incidents, "--problem", problem).exit_code == 0
    result = run_cli("problem", "known-error", problem, "--workaround", "Use webmail until the fix.",
                     "--translation", "es=Use el correo web hasta que se solucione.", "--commit")
    assert result.exit_code == 0, result.output
    rel = f"email/known-error-{problem.lower()}.md"
    english = (git_repo / "kb" / rel).read_text()
    spanish = (git_repo / "kb" / rel.replace(".md", ".es.md")).read_text()
    assert "## Fix\n\nUse webmail until the fix." in english and "type: guide" in english
    assert "## Solución\n\nUse el correo web hasta que se solucione." in spanish
    committed = git(git_repo, "show", "--name-only", "--format=%s", "HEAD").split()
    assert f"kb/{rel}" in committed and f"kb/{rel.replace('.md', '.es.md')}" in committed
    assert any(name.startswith(f"tickets/{problem[:2]}/{problem}.") for name in committed)  # one step
    assert _show(run_cli, problem)["kb"] == [rel]
    newcomer = _new(run_cli, "Outlook disconnected this morning", "--requester", "z@example.com", "--asset", "SRV-MAIL1", "--category", "email")
    known = _show(run_cli, newcomer)["known_errors"]
    assert known[0]["problem"] == problem and known[0]["kb"] == [rel]
    assert f"Known error:    {rel}" in run_cli("ticket", "show", newcomer).output
    told = run_cli("ticket", "new", "Outlook disconnected again", "--requester", "y@example.com", "--asset", "SRV-MAIL1",
                   "--category", "email")
    assert told.exit_code == 0 and f"known error: {rel} (problem HD-{problem}" in told.stderr  # said when it is opened
    unrelated = _new(run_cli, "Keyboard missing keys", "--requester", "k@example.com", "--category", "hardware")
    assert "known_errors" not in _show(run_cli, unrelated)
    result = run_cli("problem", "known-error", problem, "--workaround", "x", "--translation", "pt=y")
    assert result.exit_code == 2 and "'pt' is not one of the desk's languages" in result.output
