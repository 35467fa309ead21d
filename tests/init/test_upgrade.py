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


def _add_category(root) -> None:
    """A category added to helpdesk.yml by hand, the way a desk grows."""
    config = (root / "helpdesk.yml").read_text(encoding="utf-8")
    marker = "  - id: printing\n"
    assert marker in config
    (root / "helpdesk.yml").write_text(config.replace(marker, "  - id: facilities\n    name: Desks and meeting rooms\n" + marker, 1),
                                       encoding="utf-8")


def _form_warnings(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("warning: .github/ISSUE_TEMPLATE/")]


def test_a_category_added_to_helpdesk_yml_is_reported_until_the_forms_are_written(exe, tmp_path):
    """`gitdesk check` warns (and --strict fails) while the forms lack a configured category;
    `gitdesk upgrade --check` reports the forms out of date; `gitdesk github forms` or
    `gitdesk upgrade` writes them and both are quiet again."""
    for fix in (("github", "forms"), ("upgrade",)):
        root = tmp_path / fix[0]
        assert run(exe, "init", str(root), "--github", "acme/helpdesk", "--languages", "en,es",
                   cwd=tmp_path).returncode == 0
        clean = run(exe, "check", cwd=root)
        assert clean.returncode == 0 and _form_warnings(clean) == [], clean.stderr
        _add_category(root)

        proc = run(exe, "check", cwd=root)
        assert proc.returncode == 0, proc.stdout + proc.stderr  # a warning, not a problem
        assert sorted(_form_warnings(proc)) == [
            "warning: .github/ISSUE_TEMPLATE/support-request.es.yml: category: the form's categories differ from "
            "helpdesk.yml (missing 'Desks and meeting rooms'): run `gitdesk github forms` (or `gitdesk upgrade`)",
            "warning: .github/ISSUE_TEMPLATE/support-request.yml: category: the form's categories differ from "
            "helpdesk.yml (missing 'Desks and meeting rooms'): run `gitdesk github forms` (or `gitdesk upgrade`)",
        ], proc.stderr
        strict = run(exe, "check", "--strict", "--json", cwd=root)
        assert strict.returncode == 1
        assert {(p["path"], p["field"]) for p in json.loads(strict.stdout)["problems"] if p["path"] != "helpdesk.yml"} == {
            (".github/ISSUE_TEMPLATE/support-request.yml", "category"),
            (".github/ISSUE_TEMPLATE/support-request.es.yml", "category")}
        stale = run(exe, "upgrade", "--check", "--json", cwd=root)
        assert stale.returncode == 1, stale.stdout
        assert states(stale) == {".github/ISSUE_TEMPLATE/support-request.yml": "updated",
                                 ".github/ISSUE_TEMPLATE/support-request.es.yml": "updated"}

        assert run(exe, *fix, cwd=root).returncode == 0
        assert "- Desks and meeting rooms\n" in (root / ".github/ISSUE_TEMPLATE/support-request.yml").read_text(encoding="utf-8")
        after = run(exe, "check", cwd=root)
        assert after.returncode == 0 and _form_warnings(after) == [], after.stdout + after.stderr
        strict = run(exe, "check", "--strict", "--json", cwd=root)  # the example contacts are left
        assert [p["path"] for p in json.loads(strict.stdout)["problems"]] == ["helpdesk.yml"] * 4, strict.stdout
        again = run(exe, "upgrade", "--check", cwd=root)
        assert again.returncode == 0, again.stdout
        assert run(exe, "github", "forms", "--check", cwd=root).returncode == 0


def test_a_desk_without_issue_forms_is_not_asked_for_them(exe, tmp_path):
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), cwd=tmp_path).returncode == 0
    for form in (root / ".github/ISSUE_TEMPLATE").glob("*.yml"):
        form.unlink()
    _add_category(root)
    proc = run(exe, "check", cwd=root)
    assert proc.returncode == 0 and _form_warnings(proc) == [], proc.stdout + proc.stderr


def test_a_fresh_desk_in_several_languages_is_up_to_date(exe, tmp_path):
    """Each language's home page keeps its own language's desk name (upgrade once rendered the
    Spanish home page of an English-first desk with the English name, and --check failed)."""
    root = tmp_path / "desk"
    assert run(exe, "init", str(root), "--github", "acme/helpdesk", "--languages", "en,es", cwd=tmp_path).returncode == 0
    proc = run(exe, "upgrade", "--check", cwd=root)
    assert proc.returncode == 0, proc.stdout
