"""`gitdesk upgrade`: the files init generated, brought up to date from this version of gitdesk
and the current helpdesk.yml, never overwriting what the desk edited."""

from __future__ import annotations

import json

from gitdesk import __version__
from gitdesk.generated import LOCK_FILE, digest
from tests.support.init import run

OLD_KB = "# kb.yml as an older gitdesk wrote it\nname: KB\n"


def lock(root) -> dict:
    return json.loads((root / LOCK_FILE).read_text(encoding="utf-8"))


def write_lock(root, data: dict) -> None:
    (root / LOCK_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def states(proc) -> dict[str, str]:
    return {f["path"]: f["state"] for f in json.loads(proc.stdout)["files"]}


def test_init_records_what_it_generated_and_a_fresh_desk_is_up_to_date(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), "--github", "acme/helpdesk", "--branch", "trunk", cwd=tmp_path).returncode == 0
    data = lock(root)
    assert data["version"] == __version__ and data["inputs"]["branch"] == "trunk" and data["inputs"]["install"] is None
    assert "helpdesk.yml" not in data["files"] and LOCK_FILE not in data["files"]
    for rel, sha in data["files"].items():
        assert digest((root / rel).read_text(encoding="utf-8")) == sha, rel
    proc = run(exe, "upgrade", "--check", cwd=root)
    assert proc.returncode == 0 and "up to date" in proc.stdout, proc.stdout + proc.stderr


def test_unedited_files_are_rewritten_edited_ones_get_a_diff(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), "--github", "acme/helpdesk", cwd=tmp_path).returncode == 0
    new_kb = (root / ".github/workflows/kb.yml").read_text(encoding="utf-8")
    data = lock(root)
    # as an older gitdesk left it: kb.yml in its old form, notify.yml not generated yet
    (root / ".github/workflows/kb.yml").write_text(OLD_KB, encoding="utf-8")
    data["files"][".github/workflows/kb.yml"] = digest(OLD_KB)
    (root / ".github/workflows/notify.yml").unlink()
    del data["files"][".github/workflows/notify.yml"]
    data["version"] = "0.0.9"
    write_lock(root, data)
    # the desk edited its home page and removed the metrics workflow; then renamed itself
    home = (root / "kb/index.md").read_text(encoding="utf-8")
    (root / "kb/index.md").write_text(home + "\nOur own words.\n", encoding="utf-8")
    (root / ".github/workflows/metrics.yml").unlink()
    config = (root / "helpdesk.yml").read_text(encoding="utf-8")
    (root / "helpdesk.yml").write_text(config.replace("name: IT Help Desk", 'name: "Acme IT"', 1), encoding="utf-8")

    proc = run(exe, "upgrade", "--check", "--json", cwd=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert states(proc) == {".github/workflows/kb.yml": "updated", ".github/workflows/notify.yml": "added",
                            "kb/index.md": "edited", ".github/workflows/metrics.yml": "removed"}
    assert (root / ".github/workflows/kb.yml").read_text(encoding="utf-8") == OLD_KB  # --check writes nothing

    proc = run(exe, "upgrade", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (root / ".github/workflows/kb.yml").read_text(encoding="utf-8") == new_kb
    assert (root / ".github/workflows/notify.yml").is_file()
    assert not (root / ".github/workflows/metrics.yml").exists()
    assert (root / "kb/index.md").read_text(encoding="utf-8").endswith("Our own words.\n")  # left alone
    assert "kb/index.md: edited here: apply by hand" in proc.stdout
    assert "-# IT Help Desk\n+# Acme IT\n" in proc.stdout  # the diff to apply
    assert lock(root)["version"] == __version__

    again = run(exe, "upgrade", "--check", cwd=root)
    assert again.returncode == 0, again.stdout  # the diff was offered; nothing new since


def test_a_desk_file_in_the_way_of_a_new_one_is_kept(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), cwd=tmp_path).returncode == 0
    data = lock(root)
    del data["files"][".github/workflows/intake.yml"]
    write_lock(root, data)
    (root / ".github/workflows/intake.yml").write_text("name: our own intake\n", encoding="utf-8")
    proc = run(exe, "upgrade", "--json", cwd=root)
    assert proc.returncode == 0 and states(proc) == {".github/workflows/intake.yml": "blocked"}
    assert (root / ".github/workflows/intake.yml").read_text(encoding="utf-8") == "name: our own intake\n"


def test_without_a_lock_upgrade_says_what_to_do(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), cwd=tmp_path).returncode == 0
    (root / LOCK_FILE).unlink()
    proc = run(exe, "upgrade", "--check", cwd=root)
    assert proc.returncode != 0 and proc.stderr.startswith("gitdesk: error: .github/gitdesk.lock: no record")
    assert len(proc.stderr.strip().splitlines()) == 1
