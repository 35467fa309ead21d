"""Two `gitdesk import csv` runs of one export at once (real processes): the events are written
once, neither run fails on the other's files, and a run that cannot get the lock exits 75."""

from __future__ import annotations

import json

from tests.support.importers import MAPPING_TICKETS, TICKETS_CSV, event_files, write_text

from tests.support.desk import HeldLock, gitdesk_processes


def test_two_imports_at_once_write_each_event_once(git_repo, tmp_path):
    rows = TICKETS_CSV.splitlines(keepends=True)
    many = rows[0] + "".join(line.replace("T-", f"R{n}-", 1) if line[:2] == "T-" else line for n in range(40) for line in rows[1:])
    csv_file, mapping = write_text(tmp_path / "export.csv", many), write_text(tmp_path / "map.yaml", MAPPING_TICKETS)
    command = ["import", "csv", str(csv_file), "--mapping", str(mapping), "--json", "--wait", "120"]
    runs = gitdesk_processes(git_repo, command, command)
    assert [r.returncode for r in runs] == [1, 1], [r.stderr[-500:] for r in runs]  # 1: some rows are bad on purpose
    reports = [json.loads(r.stdout) for r in runs]
    written = sorted(r["events_written"] for r in reports)
    assert written[0] == 0 and written[1] == len(event_files(git_repo)) > 100
    assert "refusing to overwrite" not in "".join(r.stderr for r in runs)


def test_an_import_that_cannot_get_the_lock_exits_75(git_repo, tmp_path):
    csv_file, mapping = write_text(tmp_path / "export.csv", TICKETS_CSV), write_text(tmp_path / "map.yaml", MAPPING_TICKETS)
    with HeldLock(git_repo):
        [busy] = gitdesk_processes(git_repo, ["import", "csv", str(csv_file), "--mapping", str(mapping), "--wait", "0"])
        [dry] = gitdesk_processes(git_repo, ["import", "csv", str(csv_file), "--mapping", str(mapping), "--dry-run"])
    assert busy.returncode == 75 and "holds the desk lock" in busy.stderr and event_files(git_repo) == []
    assert dry.returncode == 1 and "would write" in dry.stdout
