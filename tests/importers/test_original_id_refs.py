"""Tickets named by the id they had elsewhere: an import's original id (``T-5``,
``INC0000045``) and a GitHub issue number (``#3``), through every command that takes a ticket."""

from __future__ import annotations

import json

from tests.support.importers import MAPPING_TICKETS, TICKETS_CSV, run_import, tickets_by_external_id, write_text


def _import(run_cli, tmp_path, csv_text=TICKETS_CSV):
    mapping = MAPPING_TICKETS.replace("channel: {map: {Phone: phone, E-mail: email, Web form: web}}",
                                      "channel: {map: {Phone: phone, E-mail: email, Web form: web}, default: walk-in}")
    code, report, err = run_import(run_cli, str(write_text(tmp_path / "export.csv", csv_text)),
                                   "--mapping", str(write_text(tmp_path / "map.yaml", mapping)))
    assert report is not None, err


def test_an_imported_ticket_is_found_by_its_original_id_everywhere(run_cli, git_repo, tmp_path):
    _import(run_cli, tmp_path, TICKETS_CSV.replace("T-2,", "INC0000045,"))
    by_original = tickets_by_external_id(git_repo)
    for original in ("T-5", "t-5", "INC0000045", "inc0000045"):
        shown = run_cli("ticket", "show", original, "--json")
        assert shown.exit_code == 0, shown.output
        assert shown.stdout and '"id"' in shown.stdout
        assert json.loads(shown.stdout)["id"] == by_original[original.upper()]["id"]
    text = run_cli("ticket", "show", "T-5")
    assert text.exit_code == 0 and "Fax machine" in text.stdout
    # commands that change a ticket resolve it the same way
    assert run_cli("ticket", "comment", "T-5", "Which fax model?", "--json").exit_code == 0
    assert run_cli("ticket", "assign", "INC0000045", "Ana Lima <ana@example.com>", "--json").exit_code == 0
    assert run_cli("ticket", "link", "T-5", "--related", "INC0000045", "--json").exit_code == 0
    t5 = json.loads(run_cli("ticket", "show", "T-5", "--json").stdout)
    assert [c["body"] for c in t5["comments"]][-1] == "Which fax model?"
    assert t5["related"] == [by_original["INC0000045"]["id"]]
    assert json.loads(run_cli("ticket", "show", "INC0000045", "--json").stdout)["assignee"] == "Ana Lima <ana@example.com>"
    # an id that names nothing is still a one-line "not found"
    missing = run_cli("ticket", "show", "T-99")
    assert missing.exit_code != 0 and "'T-99'" in missing.stderr and missing.stderr.count("\n") == 1


def test_an_original_id_shared_by_two_imports_lists_both(run_cli, git_repo, tmp_path):
    _import(run_cli, tmp_path)
    other = MAPPING_TICKETS.replace("source: acme-desk", "source: old-desk")
    (tmp_path / "b").mkdir()
    run_import(run_cli, str(write_text(tmp_path / "b" / "export.csv", TICKETS_CSV)), "--mapping", str(write_text(tmp_path / "b" / "map.yaml", other)))
    shown = run_cli("ticket", "show", "T-1")
    assert shown.exit_code != 0
    line = shown.stderr.strip()
    assert "\n" not in line and "matches several tickets" in line
    assert "(acme-desk T-1)" in line and "(old-desk T-1)" in line
