"""Hostile exports and broken mappings: reported with file, line or key; nothing half-written."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from tests.support.importers import event_files, run_import, store_for, tickets_by_external_id, tree, write_text

from gitdesk.model.event import MAX_TEXT

MAPPING = ("source: hostile\nmode: tickets\nmissing: [\"?\"]\n"
           "columns: {id: id, title: title, description: body, created: opened, assignee: agent}\n")
HEADER = "id,title,body,opened,agent\n"


def _import(run_cli, tmp_path, body: bytes | str, mapping: str = MAPPING):
    csv_file = tmp_path / "hostile.csv"
    csv_file.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    map_file = write_text(tmp_path / "hostile.yaml", mapping)
    return (*run_import(run_cli, str(csv_file), "--mapping", str(map_file)), csv_file)


# YAML-looking and spreadsheet-formula cells must come back as the exact same text
TRICKY = [
    "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@IMPORTXML(x)", "yes", "no", "null", "~", "2026-01-01",
    "12:30", "0x1F", "1e3", "- item", "key: value", "{a: 1}", "[1, 2]", "*alias", "&anchor x", "!!python/object:os.system",
    "'quoted'", "# not a comment", "%TAG ! x", "tab\there", "ünïcödé ✓ 中文", "<script>alert(1)</script>",
]


def test_formulas_and_yaml_lookalikes_are_kept_as_plain_text(run_cli, git_repo, tmp_path):
    rows = "".join(f'{i},"{v.replace(chr(34), chr(34) * 2)}","{v}\r\nsecond line",2026-11-02T10:00:00Z,"{v}"\n'
                   for i, v in enumerate(TRICKY))
    code, report, _, _ = _import(run_cli, tmp_path, HEADER + rows)
    assert code == 0, report
    tickets = tickets_by_external_id(git_repo)
    for i, value in enumerate(TRICKY):
        t = tickets[str(i)]
        assert t["title"] == " ".join(value.split())  # titles are one line
        assert t["description"] == f"{value}\r\nsecond line"  # descriptions keep their line breaks
        assert t["assignee"] == value
    assert run_cli("check").exit_code == 0


def test_huge_cells_are_kept_up_to_the_limit_and_reported_beyond_it(run_cli, git_repo, tmp_path):
    big = "é" * (MAX_TEXT - 10)  # two bytes each in UTF-8: a 400 kB event file, under the 1 MiB limit
    too_big = "x" * (MAX_TEXT + 5)
    body = HEADER + f"1,big,{big},2026-11-02T10:00:00Z,?\n2,too big,{too_big},2026-11-02T10:00:00Z,?\n3,after,,2026-11-02T10:00:00Z,?\n"
    code, report, _, _ = _import(run_cli, tmp_path, body)
    assert code == 1
    assert report["skipped"] == [{"line": 3, "kind": "malformed CSV",
                                  "reason": f"malformed CSV: a cell is longer than {MAX_TEXT} characters"}]
    tickets = tickets_by_external_id(git_repo)
    assert sorted(tickets) == ["1", "3"] and tickets["1"]["description"] == big


def test_a_title_over_300_characters_is_reported(run_cli, git_repo, tmp_path):
    code, report, _, _ = _import(run_cli, tmp_path, HEADER + f"1,{'t' * 301},,2026-11-02T10:00:00Z,?\n")
    assert code == 1 and report["skipped"][0]["reason"] == "title longer than 300 characters"
    assert event_files(git_repo) == []


def test_control_characters_and_undecodable_bytes_are_refused_per_row(run_cli, git_repo, tmp_path):
    body = (HEADER + "1,\x1b[31mred title,,2026-11-02T10:00:00Z,?\n").encode() + \
        b"2,caf\xe9 latin-1,,2026-11-02T10:00:00Z,?\n" + "3,fine,,2026-11-02T10:00:00Z,Ana\x00\n".encode() + \
        "4,fine,,2026-11-02T10:00:00Z,?\n".encode()
    code, report, _, _ = _import(run_cli, tmp_path, body)
    assert code == 1
    assert [(s["line"], s["reason"]) for s in report["skipped"]] == [
        (2, "column title: control character U+001B"),
        (3, "column title: bytes that are not valid text in the file's encoding"),
        (4, "column agent: control character U+0000"),
    ]
    assert sorted(tickets_by_external_id(git_repo)) == ["4"]


def test_malformed_csv_is_reported_and_the_next_row_still_imports(run_cli, git_repo, tmp_path):
    body = HEADER + '1,"bad"quote,,2026-11-02T10:00:00Z,?\n2,ok,,2026-11-02T10:00:00Z,?\n3,"never closed,,2026-11-02T10:00:00Z,?\n'
    code, report, _, _ = _import(run_cli, tmp_path, body)
    assert code == 1
    assert [(s["line"], s["kind"]) for s in report["skipped"]] == [(2, "malformed CSV"), (4, "malformed CSV")]
    assert "',' expected after '\"'" in report["skipped"][0]["reason"]
    assert sorted(tickets_by_external_id(git_repo)) == ["2"]


def test_hostile_ids_cannot_reach_paths(run_cli, git_repo, tmp_path):
    body = HEADER + "../../etc/passwd,a,,2026-11-02T10:00:00Z,?\n/abs,b,,2026-11-02T10:00:00Z,?\n" + \
        f"{'9' * 201},c,,2026-11-02T10:00:00Z,?\n"
    code, report, _, _ = _import(run_cli, tmp_path, body)
    assert report["skipped"] == [{"line": 4, "kind": "bad id", "reason": "ticket id longer than 200 characters"}]
    files = event_files(git_repo)
    assert len(files) == 2 and all(p.parent.parent == git_repo / "tickets" for p in files)
    assert sorted(tickets_by_external_id(git_repo)) == ["../../etc/passwd", "/abs"]


@pytest.mark.parametrize("mapping, field, message", [
    (MAPPING.replace("title: title", "title: Subject"), "columns.title", "column 'Subject' is not in the header"),
    (MAPPING + "values:\n  status: {map: {Open: opened}}\n", "values.status", "no column for it"),
    (MAPPING.replace("agent}", "agent, status: body}") + "values:\n  status: {map: {Open: opened}}\n",
     "values.status.map.Open", "unknown status 'opened' (known: new, open, pending, resolved, closed)"),
    (MAPPING.replace("agent}", "agent, channel: body}") + "values:\n  channel: {map: {yes: phone}}\n",
     "values.channel.map", "key True is not text: quote it"),
    (MAPPING + "colour: blue\n", "colour", "unknown key 'colour'"),
    (MAPPING.replace("mode: tickets", "mode: rows"), "mode", "'rows' is not one of ['tickets', 'audit']"),
    (MAPPING + "dates: {format: \"%d/%m/%Y\", timezone: Mars/Olympus}\n", "dates.timezone", "unknown time zone"),
    (MAPPING + "dates: {format: \"DD/MM/YYYY\"}\n", "dates.format", "not a strftime format"),
    (MAPPING.replace("mode: tickets", "mode: audit"), "columns.updated", "audit mode needs"),
    (MAPPING + "tags: [{column: agent, prefix: \"a/b\"}]\n", "tags[0].prefix", "not a tag"),
    ("- just\n- a list\n", "(top level)", "a mapping must be a YAML mapping"),
])
def test_mapping_mistakes_name_the_file_and_key_and_write_nothing(run_cli, git_repo, tmp_path, mapping, field, message):
    before = tree(git_repo)
    csv_file = write_text(tmp_path / "ok.csv", HEADER + "1,a,,2026-11-02T10:00:00Z,?\n")
    map_file = write_text(tmp_path / "bad.yaml", mapping)
    result = run_cli("import", "csv", str(csv_file), "--mapping", str(map_file))
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"gitdesk: error: {map_file}: {field}: "), line
    assert message in line and "Traceback" not in result.stderr
    assert tree(git_repo) == before


def test_missing_file_and_unknown_mapping_name_are_usage_errors(run_cli, tmp_path):
    map_file = write_text(tmp_path / "m.yaml", MAPPING)
    result = run_cli("import", "csv", str(tmp_path / "nope.csv"), "--mapping", str(map_file))
    assert result.exit_code == 2 and result.stderr.strip() == f"gitdesk: error: {tmp_path / 'nope.csv'}: FILE: file not found"
    result = run_cli("import", "csv", str(tmp_path / "nope.csv"), "--mapping", "no-such-mapping")
    assert result.exit_code == 2 and "not the name of a shipped mapping (shipped: servicenow-incident-log)" in result.stderr


def test_an_empty_file_and_a_corrupt_gzip_are_errors(run_cli, git_repo, tmp_path):
    code, report, stderr, csv_file = _import(run_cli, tmp_path, b"")
    assert code == 1 and stderr.strip() == f"gitdesk: error: {csv_file}: the file is empty (no header line)"
    import gzip

    data = gzip.compress((HEADER + "1,a,,2026-11-02T10:00:00Z,?\n" * 2000).encode())
    code, report, stderr, csv_file = _import(run_cli, tmp_path, data[: len(data) // 2])
    assert code == 1 and "corrupt or truncated gzip data" in stderr
    assert event_files(git_repo) == []  # nothing is written before the whole file has been read


def test_imports_write_without_fsync_each_and_flush_once(git_repo, tmp_path, monkeypatch):
    import gitdesk.importers.csv as importer
    import gitdesk.yamlio as yamlio

    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(yamlio.os, "fsync", lambda fd: (calls.__setitem__("fsync", calls["fsync"] + 1), real_fsync(fd))[1])
    monkeypatch.setattr(importer.os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    csv_file = write_text(tmp_path / "many.csv", HEADER + "".join(f"{i},t{i},,2026-11-02T10:00:00Z,?\n" for i in range(30)))
    store, config = store_for(git_repo)
    report = importer.import_csv(store.repo, config, csv_file, write_text(tmp_path / "m.yaml", MAPPING), store=store)
    assert report.events_written == 30 and calls == {"fsync": 0, "sync": 1}
    report = importer.import_csv(store.repo, config, csv_file, write_text(tmp_path / "m.yaml", MAPPING), store=store)
    assert report.events_written == 0 and calls == {"fsync": 0, "sync": 1}  # nothing new: no flush needed
    from gitdesk.operations import Desk

    Desk(store, config, "Ana").new(title="written by hand")  # ordinary writes still fsync
    assert calls["fsync"] == 1


def test_progress_is_shown_on_a_terminal_only(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "p.csv", HEADER + "".join(f"{i},t{i},,2026-11-02T10:00:00Z,?\n" for i in range(3000)))
    map_file = write_text(tmp_path / "m.yaml", MAPPING)
    result = run_cli("import", "csv", str(csv_file), "--mapping", str(map_file))
    assert result.exit_code == 0 and "Writing events" not in result.stderr + result.stdout
    # the real console script with stderr on a pseudo-terminal
    other = tmp_path / "tty-desk"
    other.mkdir()
    (other / "helpdesk.yml").write_text((git_repo / "helpdesk.yml").read_text())
    exe = os.path.join(os.path.dirname(sys.executable), "gitdesk")
    leader, follower = pty.openpty()
    proc = subprocess.run([exe, "import", "csv", str(csv_file), "--mapping", str(map_file), "--repo", str(other)],
                          stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, timeout=300)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"Writing events" in shown and b"Reading rows" in shown
    assert b"3,000 rows read, 0 skipped" in proc.stdout


def test_a_row_without_any_time_is_skipped_not_a_crash(run_cli, git_repo, tmp_path):
    # tickets mode: a row whose creation cell is empty used to stop the import with an internal error
    body = HEADER + "1,no time,,?,?\n2,ok,,2026-11-02T10:00:00Z,?\n"
    code, report, _, _ = _import(run_cli, tmp_path, body)
    assert code == 1
    assert [(s["line"], s["kind"]) for s in report["skipped"]] == [(2, "no time")]
    assert "column opened: no creation time" in report["skipped"][0]["reason"]
    assert sorted(tickets_by_external_id(git_repo)) == ["2"]
