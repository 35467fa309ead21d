"""Where gitdesk itself lives, for the addresses generated files name: the setup action the
workflows use and the JSON Schemas' ``$id`` (the editor modeline of ``helpdesk.yml``).

The public address of gitdesk's repository is not settled yet: :data:`REPOSITORY` is a
placeholder to set once it is (one place; tests hold the schemas and templates to it).
"""

from __future__ import annotations

from gitdesk import __version__

REPOSITORY = "OWNER/gitdesk"
SCHEMAS_PATH = "tooling/gitdesk/schemas"


def schema_url(name: str, version: str = __version__) -> str:
    """The stable ``$id`` of a shipped schema: the file in this repository at the version's tag."""
    return f"https://raw.githubusercontent.com/{REPOSITORY}/v{version}/{SCHEMAS_PATH}/{name}"
