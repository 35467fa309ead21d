"""``gitdesk ticket new`` on a real terminal (a pseudo-terminal): it asks for what is missing."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time

import pytest


def _expect(fd: int, text: str, timeout: float = 30.0) -> str:
    seen = b""
    end = time.monotonic() + timeout
    while text.encode() not in seen:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"never saw {text!r}; got {seen.decode(errors='replace')!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


class Terminal:
    """``gitdesk ARGS`` on a real pseudo-terminal: wait for a text, type an answer."""

    def __init__(self, exe: str, args: list[str], env: dict[str, str] | None = None):
        self.master, slave = os.openpty()
        environment = {**os.environ, "TERM": "dumb", "VISUAL": "", "EDITOR": "", **(env or {})}
        self.proc = subprocess.Popen([exe, *args], stdin=slave, stdout=slave, stderr=slave, close_fds=True, env=environment)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str) -> str:
        got = _expect(self.master, text)
        self.seen += got
        return got

    def answer(self, prompt: str, reply: str) -> str:
        got = self.expect(prompt)
        os.write(self.master, reply.encode() + b"\r")
        return got

    def finish(self) -> int:
        try:
            self.seen += _expect(self.master, "\x00never\x00", timeout=30) if self.proc.poll() is None else ""
        except AssertionError as exc:  # the terminal closed (EIO) or went quiet: what it showed is in the message
            self.seen += str(exc)
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        self.proc.kill()
        os.close(self.master)


@pytest.fixture
def terminal(gitdesk_exe):
    opened: list[Terminal] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Terminal:
        opened.append(Terminal(gitdesk_exe, list(args), env))
        return opened[-1]

    yield start
    for t in opened:
        t.close()


def _tickets(gitdesk_exe, repo) -> list[dict]:
    listed = subprocess.run([gitdesk_exe, "ticket", "list", "--all", "--json", "--repo", str(repo)], capture_output=True, text=True)
    if listed.returncode != 0:  # before `--all` existed, list showed every status
        listed = subprocess.run([gitdesk_exe, "ticket", "list", "--json", "--repo", str(repo)], capture_output=True, text=True, check=True)
    return json.loads(listed.stdout)


def _only_ticket(gitdesk_exe, repo) -> dict:
    """The one ticket of the desk, in full (``show``: the list leaves the description out)."""
    [listed] = _tickets(gitdesk_exe, repo)
    shown = subprocess.run([gitdesk_exe, "ticket", "show", listed["id"], "--json", "--repo", str(repo)], capture_output=True,
                           text=True, check=True)
    return json.loads(shown.stdout)


pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


def test_walk_in_contact_logged_in_one_command_with_prompts(git_repo, gitdesk_exe, terminal):
    t = terminal("ticket", "new", "--channel", "walk-in", "--repo", str(git_repo))
    for prompt, answer in [("Title", "Dock gives no video"), ("Requester", "Kim Park <kim@northwind.example>"),
                           ("Department", "Legal"), ("Asset", "NW-L0412"), ("Description", "Brought the dock to the IT bar"),
                           ("> ", "Tried two cables."), ("> ", ""), ("Category", "hardware/peripherals"), ("affected", "low"),
                           ("stop work", "high")]:
        t.answer(prompt, answer)
    t.answer("Open this ticket? [y/N]", "y")
    t.expect("Opened HD-")
    assert t.finish() == 0, t.seen
    ticket = _only_ticket(gitdesk_exe, git_repo)
    assert (ticket["title"], ticket["channel"], ticket["asset"], ticket["category"], ticket["priority"]) == (
        "Dock gives no video", "walk-in", "NW-L0412", "hardware/peripherals", "medium")
    assert ticket["description"] == "Brought the dock to the IT bar\nTried two cables."
    assert ticket["requester"] == {"name": "Kim Park", "email": "kim@northwind.example", "department": "Legal"}


def test_numbered_choices_listed_up_front_and_blank_priority_is_the_default_said_aloud(git_repo, gitdesk_exe, terminal):
    t = terminal("ticket", "new", "Printer jams on tray 2", "--requester", "Ana <ana@example.com>", "--repo", str(git_repo))
    t.answer("Department", "")
    shown = t.answer("[1-6 or a name", "3")  # channels, numbered before the question: 3 is chat
    assert "1) phone" in shown and "3) chat" in shown and "6) walk-in" in shown
    t.answer("Chat transcript or link", "https://chat.example/t/42")
    t.answer("> ", ".")
    shown = t.answer("blank to triage later]", "printing")  # a name works as well as a number
    assert "accounts/password" in shown and "Password reset and lockout" in shown
    shown = t.answer("blank for the desk's default]", "")
    assert "How many people are affected?" in shown and "1) low     just me" in shown and "3) high    the whole organisation" in shown
    assert "(, high, medium, low)" not in t.seen
    said = t.expect("Open this ticket?")
    assert "Priority: medium (the desk's default, sla.default_priority)" in said
    assert "About to open:" in said and "Category     printing (Printers and scanners)" in said
    os.write(t.master, b"y\r")
    t.expect("Opened HD-")
    assert t.finish() == 0, t.seen
    ticket = _only_ticket(gitdesk_exe, git_repo)
    assert (ticket["channel"], ticket["category"], ticket["priority"], ticket["description"]) == (
        "chat", "printing", "medium", "https://chat.example/t/42")


def test_a_wrong_number_is_asked_again_and_the_matrix_priority_is_said(git_repo, gitdesk_exe, terminal):
    t = terminal("ticket", "new", "VPN down for the Lisbon office", "--requester", "Rui <rui@example.com>", "--department",
                 "Sales", "--channel", "email", "--description", "All of Lisbon is off the VPN", "--repo", str(git_repo))
    t.answer("blank to triage later]", "99")
    again = t.answer("blank to triage later]", "network/vpn")
    assert "'99' is not on the list: answer a number from 1 to" in again
    t.answer("How many people are affected?", "3")
    t.answer("How soon does it stop work?", "3")
    said = t.answer("Open this ticket?", "y")
    assert "Priority: critical (impact: the whole organisation; urgency: work has stopped)" in said
    assert t.finish() == 0, t.seen
    ticket = _only_ticket(gitdesk_exe, git_repo)
    assert (ticket["impact"], ticket["urgency"], ticket["priority"], ticket["category"]) == ("high", "high", "critical", "network/vpn")


def test_description_in_the_editor_comments_dropped(git_repo, gitdesk_exe, terminal, tmp_path):
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\n# what an agent types, below the commented template\n"
                      "printf 'Outlook asks for the password every hour.\\n# not this line\\nSince Monday.\\n' >> \"$1\"\n")
    editor.chmod(0o755)
    t = terminal("ticket", "new", "Outlook keeps asking for the password", "--requester", "Lee <lee@example.com>",
                 "--department", "HR", "--channel", "email", "--category", "email", "--impact", "low", "--urgency", "medium",
                 "--repo", str(git_repo), env={"EDITOR": str(editor)})
    said = t.answer("Open this ticket?", "y")
    assert "Waiting for your editor" in said and "Outlook asks for the password every hour. (+1 more line(s))" in said
    assert t.finish() == 0, t.seen
    ticket = _only_ticket(gitdesk_exe, git_repo)
    assert ticket["description"] == "Outlook asks for the password every hour.\nSince Monday."


def test_an_empty_editor_or_a_declined_summary_writes_nothing(git_repo, gitdesk_exe, terminal, tmp_path):
    editor = tmp_path / "quit-editor"
    editor.write_text("#!/bin/sh\nexit 0\n")  # leaves only the commented template
    editor.chmod(0o755)
    args = ["ticket", "new", "Wi-Fi slow", "--requester", "Al <al@example.com>", "--department", "IT", "--channel", "email",
            "--category", "network/wifi", "--priority", "low", "--repo", str(git_repo)]
    t = terminal(*args, env={"VISUAL": str(editor)})
    assert t.finish() == 1 and "empty description: no ticket opened" in t.seen, t.seen
    t = terminal(*args, "--description", "Slow since the move")
    t.answer("Open this ticket? [y/N]", "")  # Enter is no
    assert t.finish() == 1 and "not opened: nothing was written" in t.seen, t.seen
    assert _tickets(gitdesk_exe, git_repo) == []
    assert not (git_repo / "tickets").exists() or not any((git_repo / "tickets").rglob("*.yml"))


def test_yes_skips_the_confirmation(git_repo, gitdesk_exe, terminal):
    t = terminal("ticket", "new", "New starter laptop", "--requester", "Mo <mo@example.com>", "--department", "Ops",
                 "--channel", "web", "--category", "onboarding", "--description", "Starts Monday", "--priority", "low",
                 "--yes", "--repo", str(git_repo))
    assert t.finish() == 0 and "Opened HD-" in t.seen and "Open this ticket?" not in t.seen, t.seen


def test_questions_in_the_desks_language(tmp_path, gitdesk_exe, terminal):
    from tests.support.desk import PROJECT, init_repo

    config = (PROJECT / "helpdesk.yml").read_text(encoding="utf-8").replace("languages: [en, es, pt]", "languages: [es, en]")
    repo = init_repo(tmp_path / "desk", config_text=config)
    t = terminal("ticket", "new", "Impresora atascada", "--requester", "Eva <eva@example.com>", "--department", "Compras",
                 "--channel", "email", "--category", "printing", "--description", "Bandeja 2", "--repo", str(repo))
    shown = t.answer("¿A cuántas personas afecta?", "")
    said = t.answer("¿Abrir esta incidencia?", "s")
    assert "solo a mí" in shown + said and "Prioridad: medium (la predeterminada del servicio, sla.default_priority)" in said
    t.finish()


def test_piped_new_never_prompts(git_repo, gitdesk_exe):
    piped = subprocess.run([gitdesk_exe, "ticket", "new", "Piped ticket", "--requester", "Pat <pat@example.com>",
                            "--repo", str(git_repo)], input="", capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0 and piped.stdout.startswith("Opened HD-") and "?" not in piped.stdout, piped
    missing = subprocess.run([gitdesk_exe, "ticket", "new", "--repo", str(git_repo)], input="", capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "missing TITLE and --requester (or run on a terminal to be asked)" in missing.stderr
    ticket = _only_ticket(gitdesk_exe, git_repo)
    assert ticket["priority"] is None  # the piped path is unchanged: no priority unless given


def test_unknown_channel_is_refused_before_any_prompt(run_cli):
    result = run_cli("ticket", "new", "x", "--requester", "y", "--channel", "carrier-pigeon")
    assert result.exit_code == 2 and "unknown channel 'carrier-pigeon'" in result.output
