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


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_walk_in_contact_logged_in_one_command_with_prompts(git_repo, gitdesk_exe):
    master, slave = os.openpty()
    proc = subprocess.Popen([gitdesk_exe, "ticket", "new", "--channel", "walk-in", "--repo", str(git_repo)],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True, env={**os.environ, "TERM": "dumb"})
    os.close(slave)
    try:
        for prompt, answer in [("Title", "Dock gives no video"), ("Requester", "Kim Park <kim@northwind.example>"),
                               ("Department", "Legal"), ("Asset", "NW-L0412"), ("Description", "Brought the dock to the IT bar"),
                               ("Category", "hardware/peripherals"), ("Impact", "low"), ("Urgency", "high")]:
            _expect(master, prompt)
            os.write(master, answer.encode() + b"\r")
        out = _expect(master, "Opened HD-")
        assert proc.wait(timeout=30) == 0, out
    finally:
        proc.kill()
        os.close(master)
    listed = subprocess.run([gitdesk_exe, "ticket", "list", "--json", "--repo", str(git_repo)], capture_output=True, text=True, check=True)
    [t] = json.loads(listed.stdout)
    assert (t["title"], t["channel"], t["asset"], t["category"], t["priority"]) == (
        "Dock gives no video", "walk-in", "NW-L0412", "hardware/peripherals", "medium")
    assert t["requester"] == {"name": "Kim Park", "email": "kim@northwind.example", "department": "Legal"}


def test_unknown_channel_is_refused_before_any_prompt(run_cli):
    result = run_cli("ticket", "new", "x", "--requester", "y", "--channel", "carrier-pigeon")
    assert result.exit_code == 2 and "unknown channel 'carrier-pigeon'" in result.output
