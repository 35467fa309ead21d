"""Hostile and broken input: one line naming file and field, non-zero exit, nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from gitdesk.config import validate_against
from gitdesk.errors import ValidationError
from gitdesk.model.event import parse_event

GOOD = {
    "gitdesk": 1, "id": "01M84VB3T2QJ0K3HRJEDH7Z0TN", "ticket": "K161AEC0F2", "at": "2026-11-23T18:40:23.362450Z",
    "by": "Ana <ana@x>", "action": "new", "set": {"status": "new", "title": "VPN down", "priority": "high"},
}

BAD = [
    ({"set": {"priority": "urgent"}}, "set.priority"),
    ({"set": {"tier": "two"}}, "set.tier"),
    ({"set": {"tier": 7}}, "set.tier"),
    ({"set": {"title": ["a", "list"]}}, "set.title"),
    ({"set": {"colour": "red"}}, "set.colour"),
    ({"set": {"requester": {"name": "x", "ssn": "1"}}}, "set.requester.ssn"),
    ({"set": {"satisfaction": {"rating": 9}}}, "set.satisfaction.rating"),
    ({"set": {"duplicate_of": "../x"}}, "set.duplicate_of"),
    ({"ticket": "../../etc"}, "ticket"),
    ({"id": "not-an-id"}, "id"),
    ({"at": "yesterday"}, "at"),
    ({"action": "explode"}, "action"),
    ({"by": ""}, "by"),
    ({"gitdesk": 2}, "gitdesk"),
    ({"add": {"tags": "not-a-list"}}, "add.tags"),
    ({"comment": {"body": 42}}, "comment.body"),
    ({"set": {"problem": "../x"}}, "set.problem"),
    ({"set": {"type": 3}}, "set.type"),
    ({"spent": 0}, "spent"),
    ({"spent": "25m"}, "spent"),
    ({"spent": True}, "spent"),
]


@pytest.mark.parametrize("change,field", BAD)
def test_hand_check_and_schema_agree_on_bad_events(change, field):
    doc = {**GOOD, **change}
    with pytest.raises(ValidationError) as hand:
        parse_event(doc, path="f.yml")
    assert hand.value.field.startswith(field.split(".")[0]), hand.value.line()
    with pytest.raises(ValidationError):
        validate_against("event", doc, path="f.yml")


def test_good_event_passes_both():
    parse_event(GOOD)
    validate_against("event", GOOD, path="f.yml")
    logged = {**GOOD, "action": "log", "spent": 25, "set": {"type": "problem", "problem": "K161AEC0F3"}}
    assert parse_event(logged).spent == 25
    validate_against("event", logged, path="f.yml")


def test_unknown_status_is_refused_against_the_configuration():
    with pytest.raises(ValidationError, match="unknown status 'limbo'") as exc:
        parse_event({**GOOD, "set": {"status": "limbo"}}, path="f.yml", statuses=("new", "open"))
    assert exc.value.field == "set.status"


def _event_file(repo: Path, text: str, name: str = "K161AEC0F2.01M84VB3T2QJ0K3HRJEDH7Z0TN.yml") -> Path:
    path = repo / "tickets" / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


CASES = {
    "malformed": ("gitdesk: 1\nid: [unclosed\n", "malformed YAML"),
    "wrong type": (yaml.safe_dump({**GOOD, "set": {"tier": "high"}}), "set.tier"),
    "unknown priority": (yaml.safe_dump({**GOOD, "set": {"priority": "p0"}}), "set.priority"),
    "unknown status": (yaml.safe_dump({**GOOD, "set": {"status": "limbo"}}), "set.status"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b]\n"
                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "anchors and aliases"),
    "huge": ("title: " + "x" * 1_100_000 + "\n", "larger than the limit"),
    "not a mapping": ("- just\n- a list\n", "(top level)"),
    "binary": (None, "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_reports_one_line_and_writes_nothing(case, git_repo, gitdesk_exe):
    text, expected = CASES[case]
    path = _event_file(git_repo, text or "")
    if text is None:
        path.write_bytes(b"\xff\xfe\x00bad")
    before = sorted(p for p in git_repo.rglob("*") if ".git" not in p.parts and ".gitdesk" not in p.parts)
    for args in (["ticket", "list"], ["check"]):
        proc = subprocess.run([gitdesk_exe, *args, "--repo", str(git_repo)], capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0, (case, args, proc.stdout)
        assert "Traceback" not in proc.stderr + proc.stdout
        out = (proc.stderr if args[0] == "ticket" else proc.stdout).strip().splitlines()
        if args[0] == "ticket":
            assert len(out) == 1, out
        line = out[0]
        assert "tickets/K1/K161AEC0F2.01M84VB3T2QJ0K3HRJEDH7Z0TN.yml" in line, line
        assert expected in line or expected.split(".")[-1] in line, line
    after = sorted(p for p in git_repo.rglob("*") if ".git" not in p.parts and ".gitdesk" not in p.parts)
    assert before == after


def test_hostile_ids_on_the_command_line(run_cli, git_repo):
    for ref in ("../../etc/passwd", "K1/../..", "..", "$(rm -rf /)"):
        result = run_cli("ticket", "comment", ref, "hi")
        assert result.exit_code == 2, result.output
        assert "not a ticket id" in result.output
    assert not (git_repo / "tickets").exists()


def test_bad_helpdesk_yml(run_cli, git_repo):
    (git_repo / "helpdesk.yml").write_text("sla:\n  policies:\n    - {name: x, priority: urgent}\n")
    result = run_cli("ticket", "list")
    assert result.exit_code == 1
    assert result.output.strip() == "gitdesk: error: helpdesk.yml: sla.policies[0].priority: 'urgent' is not one of ['critical', 'high', 'medium', 'low']"
    (git_repo / "helpdesk.yml").write_text("name: [oops\n")
    result = run_cli("check")
    assert result.exit_code == 1 and "helpdesk.yml" in result.output and "malformed YAML" in result.output


def test_empty_or_missing_config_works(run_cli, git_repo):
    (git_repo / "helpdesk.yml").write_text("")
    assert run_cli("ticket", "new", "x", "--requester", "y").exit_code == 0
    (git_repo / "helpdesk.yml").unlink()
    assert run_cli("ticket", "list").exit_code == 0
