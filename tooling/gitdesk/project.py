"""Addresses generated files name: where a desk's site is published (:func:`pages_url`), and
where gitdesk itself lives (the setup action the workflows use and the JSON Schemas' ``$id``,
the editor modeline of ``helpdesk.yml``).

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


def pages_url(repository: str) -> str:
    """The GitHub Pages address of ``owner/name`` (a user site when name is owner.github.io)."""
    owner, name = repository.split("/")
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{name}/"
