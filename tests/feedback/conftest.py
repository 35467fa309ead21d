"""A help desk with the sample KB (the project's kb/ and helpdesk.yml) in a real git repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.desk import PROJECT, git, init_repo


def make_feedback_desk(path: Path, extra_config: str = "") -> Path:
    root = init_repo(path)
    shutil.copytree(PROJECT / "kb", root / "kb")
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    if extra_config:
        with (root / "helpdesk.yml").open("a", encoding="utf-8") as fh:
            fh.write(extra_config)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "kb")
    return root


@pytest.fixture
def fdesk(tmp_path: Path) -> Path:
    return make_feedback_desk(tmp_path / "desk")
