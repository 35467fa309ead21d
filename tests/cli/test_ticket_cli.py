"""``gitdesk ticket ...`` through CliRunner, against a real git repository."""

from __future__ import annotations

import json
import subprocess

from tests.support.desk import git


def _new(run_cli, *extra):
    result = run_cli("ticket", "new", "VPN drops every 10 minutes", "--requester", "Sam Reed <sam@example.com>",
                     "--department", "Finance", "--category", "network/vpn", "--impact", "medium", "--urgency", "high",
                     "--channel", "phone", "--asset", "LT-0412", "--tag", "vpn", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_new_derives_priority_and_records_who_and_when(run_cli):
    t = _new(run_cli)
    assert t["priority"] == "high"  # medium impact x high urgency
    assert t["status"] == "new" and t["tier"] == 1 and t["team"] == "service-desk"
    assert t["requester"] == {"name": "Sam Reed", "email": "sam@example.com", "department": "Finance"}
    assert t["created_by"] == "Ana Lima <ana.lima@northwind.example>"  # git's user
    assert t["created_at"].endswith("Z")


def test_full_life_cycle(run_cli, git_repo):
    tid = _new(run_cli)["id"]
    ref = tid[:5]
    steps = [
        (["ticket", "assign", ref, "--me"], lambda t: t["assignee"].startswith("Ana Lima") and t["status"] == "open"),
        (["ticket", "comment", ref, "Can you try the wired network?"], lambda t: t["comment_count"] == 1),
        (["ticket", "comment", ref, "--internal", "Known issue on AP-3"], lambda t: t["comments"][-1]["public"] is False),
        (["ticket", "set", ref, "asset=LT-0999", "requester.department=Sales", "--tag", "wifi", "--untag", "vpn"],
         lambda t: t["asset"] == "LT-0999" and t["tags"] == ["wifi"] and t["requester"]["department"] == "Sales"),
        (["ticket", "escalate", ref, "--reason", "needs network team"], lambda t: t["tier"] == 2 and t["team"] == "desktop"),
        (["ticket", "pending", ref, "-m", "Please send the VPN log"], lambda t: t["status"] == "pending"),
        (["ticket", "comment", ref, "Log attached", "--as", "Sam Reed <sam@example.com>"], lambda t: t["status"] == "open"),
        (["ticket", "link", ref, "--kb", "network/vpn-troubleshooting.md"], lambda t: t["kb"] == ["network/vpn-troubleshooting.md"]),
        (["ticket", "resolve", ref, "-m", "Updated the VPN client"], lambda t: t["status"] == "resolved" and t["resolved_at"]),
        (["ticket", "rate", ref, "5", "--comment", "Quick", "--as", "sam@example.com"], lambda t: t["satisfaction"] == {"rating": 5, "comment": "Quick"}),
        (["ticket", "reopen", ref, "--reason", "Dropped again"], lambda t: t["status"] == "open" and t["reopen_count"] == 1),
        (["ticket", "close", ref], lambda t: t["status"] == "closed"),
    ]
    for args, check in steps:
        result = run_cli(*args, "--json")
        assert result.exit_code == 0, (args, result.output)
        assert check(json.loads(result.output)), (args, result.output)
    shown = json.loads(run_cli("ticket", "show", ref, "--json").output)
    assert [h["action"] for h in shown["history"]] == [
        "new", "assign", "comment", "comment", "set", "escalate", "pending", "comment", "link", "resolve", "rate", "reopen", "close"]
    assert shown["history"][7]["by"] == "Sam Reed <sam@example.com>"
    text = run_cli("ticket", "show", ref).output
    assert "VPN drops every 10 minutes" in text and "[internal]" in text and "reason: needs network team" in text


def test_refused_transitions_and_values(run_cli):
    ref = _new(run_cli)["id"]
    result = run_cli("ticket", "reopen", ref)
    assert result.exit_code == 1 and "not resolved or closed" in result.output
    run_cli("ticket", "close", ref)
    result = run_cli("ticket", "pending", ref)
    assert result.exit_code == 1 and "cannot go from closed to pending" in result.output
    result = run_cli("ticket", "set", ref, "category=nonsense", "--force")  # closed: --force reaches the value check
    assert result.exit_code == 1 and "unknown category 'nonsense'" in result.output
    result = run_cli("ticket", "set", ref, "colour=red", "--force")
    assert result.exit_code == 2
    result = run_cli("ticket", "new", "x")
    assert result.exit_code == 2 and "missing --requester" in result.output


def test_merge_links_both_tickets(run_cli):
    a = _new(run_cli)["id"]
    b = _new(run_cli)["id"]
    result = run_cli("ticket", "merge", b, "--into", a, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["duplicates"] == [b]
    dup = json.loads(run_cli("ticket", "show", b, "--json").output)
    assert dup["duplicate_of"] == a and dup["status"] == "closed"


def test_list_filters_sorts_and_prints(run_cli):
    ids = []
    for title, prio, cat, req in [("Printer jam", "low", "printing", "Ann <ann@x>"), ("Server down", "critical", "network", "Bob <bob@x>"),
                                  ("Mailbox full", "medium", "email", "Cy <cy@x>")]:
        out = run_cli("ticket", "new", title, "-r", req, "-p", prio, "-c", cat, "--channel", "email", "--json")
        ids.append(json.loads(out.output)["id"])
    run_cli("ticket", "resolve", ids[0])
    listed = lambda *a: [t["title"] for t in json.loads(run_cli("ticket", "list", "--json", *a).output)]  # noqa: E731
    # open tickets by default, most urgent first; --all and --status reach the others
    assert listed() == ["Server down", "Mailbox full"]
    assert listed("--all", "--sort", "created") == ["Printer jam", "Server down", "Mailbox full"]
    assert listed("--all", "--sort", "priority") == ["Server down", "Mailbox full", "Printer jam"]
    assert listed("--open") == ["Server down", "Mailbox full"]
    assert listed("--status", "resolved") == ["Printer jam"]
    assert listed("--requester", "bob@") == ["Server down"]
    assert listed("--category", "network") == ["Server down"]
    assert listed("--all", "--priority", "low", "--priority", "medium") == ["Mailbox full", "Printer jam"]
    assert listed("--since", "2000-01-01", "--until", "2000-01-02") == []
    assert listed("--all", "--sort", "created", "--reverse", "-n", "1") == ["Mailbox full"]
    assert listed("--reverse", "-n", "1") == ["Mailbox full"]  # the least urgent open ticket
    table = run_cli("ticket", "list").output.splitlines()
    assert table[0].split() == ["ID", "PRIORITY", "STATUS", "SLA", "TIER", "CATEGORY", "ASSIGNEE", "UPDATED", "TITLE"]
    assert len(table) == 4
    assert run_cli("ticket", "list", "--since", "yesterday").exit_code == 2


def test_commit_makes_the_audit_trail(run_cli, git_repo):
    tid = _new(run_cli, "--commit")["id"]
    run_cli("ticket", "escalate", tid, "--reason", "needs network team", "--commit")
    log = git(git_repo, "log", "--format=%s").splitlines()
    assert log[0] == f"HD-{tid}: escalate (tier 2; team desktop; assignee cleared; status open): needs network team"
    assert log[1] == f'HD-{tid}: new "VPN drops every 10 minutes" (priority high; category network/vpn; channel phone)'
    assert git(git_repo, "status", "--porcelain", "--", "tickets") == ""


def test_every_command_has_help_with_examples(run_cli):
    from gitdesk.cli.ticket import ticket

    expected = {"new", "list", "show", "comment", "assign", "escalate", "set", "pending", "resolve", "close", "reopen", "rate", "link", "merge"}
    assert expected <= set(ticket.commands)
    for name in sorted(expected):
        result = run_cli("ticket", name, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.output, name
    assert run_cli("--help").exit_code == 0


def test_console_script_and_python_m(git_repo, gitdesk_exe):
    import sys

    from gitdesk import __version__

    out = subprocess.run([gitdesk_exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"gitdesk {__version__}"
    out = subprocess.run([sys.executable, "-m", "gitdesk", "ticket", "new", "From python -m", "-r", "x@y", "--json"],
                         cwd=git_repo, capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["title"] == "From python -m"
    listed = subprocess.run([gitdesk_exe, "ticket", "list", "--json"], cwd=git_repo / "tickets", capture_output=True, text=True, check=True).stdout
    assert [t["title"] for t in json.loads(listed)] == ["From python -m"]  # found by walking up


def test_help_imports_nothing_heavy():
    import sys

    code = ("import sys; from gitdesk.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('github', 'whoosh', 'mkdocs', 'jsonschema', 'yaml') if m in sys.modules]\n"
            "print('HEAVY=' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "HEAVY="


def test_terminal_escapes_in_ticket_text_are_neutralised(run_cli):
    evil = "Printer \x1b[2J\x1b]0;pwned\x07 broken"
    t = json.loads(run_cli("ticket", "new", "x", "-r", "y", "-d", f"line1\n{evil}", "--json").output)
    run_cli("ticket", "comment", t["id"], evil)
    run_cli("ticket", "set", t["id"], f"title={evil}")
    for args in (["ticket", "show", t["id"]], ["ticket", "list"]):
        out = run_cli(*args).output
        assert "\x1b" not in out and "\x07" not in out, args
        assert "Printer ?[2J" in out
    # JSON keeps the text exactly (it is escaped by JSON itself)
    assert json.loads(run_cli("ticket", "show", t["id"], "--json").output)["comments"][0]["body"] == evil


def test_similar_lists_the_closest_open_tickets_and_new_warns_of_a_duplicate(run_cli, git_repo):
    cfg = git_repo / "helpdesk.yml"
    cfg.write_text(cfg.read_text() + "\nkb:\n  search:\n    mode: lexical\n")  # word counts: no model needed
    a = _new(run_cli)["id"]
    printer = json.loads(run_cli("ticket", "new", "Printer on floor 2 jams every morning", "-r", "Ann <ann@x>", "--json").output)["id"]
    result = run_cli("ticket", "new", "VPN drops every 10 minutes", "-r", "Bo <bo@x>", "--channel", "phone")
    assert result.exit_code == 0
    assert "possible duplicate of HD-" + a in result.stderr and f"--into {a[:6]}" in result.stderr
    assert result.stderr.count("possible duplicate") == 1
    b = result.stdout.split()[1].removeprefix("HD-").rstrip(":")
    out = json.loads(run_cli("ticket", "similar", b, "--json").output)
    assert out["mode"] == "lexical" and out["similar"][0]["id"] == a and out["similar"][0]["score"] > 0.9
    assert out["similar"][0]["ref"] == "HD-" + a and out["id"].startswith(b) and out["ref"] == "HD-" + out["id"]
    assert [m["id"] for m in out["similar"]][-1] == printer and all(not m["id"].startswith(b) for m in out["similar"])
    lines = run_cli("ticket", "similar", b).output.splitlines()
    assert lines[0].split()[1:] == ["HD-" + a[:6], "VPN", "drops", "every", "10", "minutes"]
    run_cli("ticket", "merge", b, "--into", a)
    assert "possible duplicate" not in run_cli("ticket", "new", "Printer on floor 3 is out of toner", "-r", "Cy <cy@x>").stderr
