"""The shipped JSON Schemas carry a stable `$id` per version (the file in gitdesk's repository at
the version's tag), and `gitdesk init` points editors at the config schema's."""

from __future__ import annotations

import json

import pytest

from gitdesk import __version__
from gitdesk.config import package_file
from gitdesk.project import REPOSITORY, SCHEMAS_PATH, schema_url
from gitdesk.scaffold import helpdesk_yml
from tests.support.desk import PROJECT

SCHEMAS = sorted(p.name for p in package_file("schemas").glob("*.json"))


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_id_is_its_file_at_this_versions_tag(name):
    schema = json.loads(package_file("schemas", name).read_text(encoding="utf-8"))
    assert schema["$id"] == schema_url(name), f"{name}: set $id to {schema_url(name)} (after a version bump too)"
    assert (PROJECT / SCHEMAS_PATH / name).is_file()  # the address names a file that exists at the tag
    assert f"/{REPOSITORY}/v{__version__}/" in schema["$id"]


def test_ids_change_with_the_version_only():
    assert schema_url("config.schema.json", "0.2.0").replace("v0.2.0", f"v{__version__}") == schema_url("config.schema.json")
    assert len({schema_url(n) for n in SCHEMAS}) == len(SCHEMAS)


def test_init_writes_the_editor_modeline_first():
    first, second = helpdesk_yml(repository=None, name=None).splitlines()[:2]
    assert first == f"# yaml-language-server: $schema={schema_url('config.schema.json')}"
    assert second.startswith("# helpdesk.yml")
