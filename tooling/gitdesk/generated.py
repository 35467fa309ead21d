"""The files ``gitdesk init`` generated, and bringing them up to date (``gitdesk upgrade``).

``init`` records in ``.github/gitdesk.lock`` (JSON, committed) the gitdesk version, the inputs
that are not in ``helpdesk.yml`` (``--install``, ``--branch``, the date the starter pages carry)
and the SHA-256 of every file it wrote. ``upgrade`` renders the same files again with this
version of gitdesk and the current ``helpdesk.yml`` (name, GitHub repository), then, per file:

- unedited (its hash is the recorded one) and different from the new rendering: rewritten;
- edited by the desk: left alone; when the rendering changed since the record, a unified diff
  to apply by hand is printed (once: the run records the new rendering);
- deleted by the desk: left deleted; new in this version of gitdesk: created unless a file of
  the desk is in the way (then a diff, as for an edited file).

The lock records the hash of each file as gitdesk rendered it (what init wrote, or would have
written where the desk already had a file).

``helpdesk.yml`` is the desk's own and is never regenerated. Nothing is written by ``check``
(``--check``: exit 1 when anything is out of date).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk import __version__
from gitdesk.config import CONFIG_FILE
from gitdesk.errors import ConfigError
from gitdesk.scaffold import LOCK_FILE, LOCK_FORMAT, digest, lock_text


def read_lock(root: Path) -> dict:
    path = root / LOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no record of what gitdesk generated here: run `gitdesk init` (it keeps existing files) "
                          "to write one", path=LOCK_FILE) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"unreadable: {exc}", path=LOCK_FILE) from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT or not isinstance(data.get("files"), dict):
        raise ConfigError(f"not a format-{LOCK_FORMAT} lock written by gitdesk", path=LOCK_FILE)
    return data


@dataclass
class FileState:
    path: str
    state: str  # current, updated, added, kept, edited, blocked, removed, dropped (module docstring)
    diff: str = ""

    def to_dict(self) -> dict:
        out = {"path": self.path, "state": self.state}
        if self.diff:
            out["diff"] = self.diff
        return out


@dataclass
class UpgradeReport:
    old_version: str
    new_version: str
    files: list[FileState] = field(default_factory=list)

    @property
    def out_of_date(self) -> list[FileState]:
        """What ``--check`` fails on: files to write, and edited files the rendering differs from."""
        return [f for f in self.files if f.state in ("updated", "added", "edited", "blocked")]

    def to_dict(self) -> dict:
        return {"from": self.old_version, "to": self.new_version, "out_of_date": len(self.out_of_date),
                "files": [f.to_dict() for f in self.files if f.state != "current"]}


def _diff(rel: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{rel}", tofile=f"b/{rel}"))


def _desk_forms(root: Path, config) -> dict[str, str]:
    """The issue forms from the desk's own helpdesk.yml (its categories, not the defaults'), as
    `gitdesk github forms` writes them: a category added there reaches the forms on upgrade."""
    from gitdesk.intake.forms import forms, site_address
    from gitdesk.scaffold import FORMS_DIR

    return {FORMS_DIR + name: text for name, text in forms(config, site_url=site_address(root, config)).items()}


def upgrade(root: Path, *, check: bool = False) -> UpgradeReport:
    """Bring the generated files of the desk at ``root`` up to date; see the module docstring."""
    from gitdesk.config import load_config
    from gitdesk.languages import text as lang_text
    from gitdesk.scaffold import plan
    from gitdesk.yamlio import atomic_write

    lock = read_lock(root)
    inputs = lock.get("inputs") or {}
    config = load_config(root)
    try:
        today = _dt.date.fromisoformat(str(inputs.get("date")))
    except ValueError:
        raise ConfigError("inputs.date is not a date", path=LOCK_FILE, field="inputs.date") from None
    branch = str(inputs.get("branch") or "main")
    repository = (config.get("github") or {}).get("repository") or None
    # the name init gives a desk of that language is no name of the desk's own: as at init, each
    # language's pages then carry that language's name (not the default language's)
    name = None if config.name == lang_text("desk.init_name", config.language) else config.name
    new_files, _ = plan(repository=repository, name=name, today=today, install=inputs.get("install"),
                        languages=config.languages, branch=branch)
    new_files.pop(CONFIG_FILE, None)
    new_files.update(_desk_forms(root, config))
    recorded: dict[str, str] = lock["files"]
    report = UpgradeReport(old_version=str(lock.get("version")), new_version=__version__)
    for rel in sorted(set(new_files) | set(recorded)):
        dest = root / rel
        disk = dest.read_text(encoding="utf-8") if dest.is_file() else None
        new = new_files.get(rel)
        if new is None:
            state = "dropped"  # gitdesk no longer generates it: the desk's file now
        elif disk is None:
            state = "removed" if rel in recorded else "added"
        elif disk == new:
            state = "current"
        elif rel not in recorded:
            state = "blocked"  # a file of the desk where this version generates one
        elif digest(disk) == recorded[rel]:
            state = "updated"
        else:  # edited by the desk: news from gitdesk only when the rendering changed since the record
            state = "kept" if digest(new) == recorded[rel] else "edited"
        diff = _diff(rel, disk or "", new or "") if state in ("edited", "blocked") else ""
        report.files.append(FileState(rel, state, diff))
    if check:
        return report
    for f in report.files:
        if f.state in ("updated", "added"):
            atomic_write(root / f.path, new_files[f.path])
    # every rendering is recorded: an edited file's diff is offered once, by this run
    atomic_write(root / LOCK_FILE, lock_text(new_files, install=inputs.get("install"), branch=branch, today=today))
    return report
