"""The scaffold's copies cannot drift from this repository's own files.

`gitdesk init` ships copies of the workflows, issue forms, mkdocs.yml, tags page and agents'
handbook under gitdesk/templates/init/ with a few @@TOKEN@@ values. Rendered with this
repository's values they must equal the originals byte for byte; every workflow and issue form of
the repository is either shipped or listed below with the reason it is not.
"""

from __future__ import annotations

import re

import pytest

from gitdesk.scaffold import check_install, destination, language_files, pages_url, render, template_files
from tests.support.desk import PROJECT

#: This repository's values for the template tokens.
REPO_VALUES = {
    # the repository is gitdesk itself: its workflows use the setup action of the working tree
    "GITDESK_SETUP": "./.github/actions/setup # zizmor: ignore[self-repository]",
    "BRANCH": "main",
    "SITE_URL": "https://northwind.github.io/helpdesk/",
    "SITE_ABOUT": "Guides and answers to common problems, searchable. Critical incident? Phone +44 20 7946 0000 (extension 4357), 24/7.",
    "SITE_LINK_NAME": "Self-service help site",
}
#: Files of this repository's .github/ that a new desk does not get, and why.
NOT_SHIPPED = {
    ".github/workflows/tests.yml": "runs gitdesk's own test suite (.ci/run)",
    ".github/workflows/release.yml": "publishes gitdesk itself",
    ".github/actions/setup/action.yml": "gitdesk's setup action: desks use it from gitdesk's repository",
    ".github/actions/setup/spec.sh": "part of the setup action",
    ".github/actions/setup/install.sh": "part of the setup action",
    ".github/CODEOWNERS": "names Northwind's GitHub teams",
    ".github/pull_request_template.md": "asks for gitdesk's own test run (`bash .ci/run`)",
}
#: Issue forms: generated for each desk from its helpdesk.yml (gitdesk.intake.forms), in its
#: languages; tests/workflows/test_issue_forms.py holds this repository's to the same generator.
GENERATED = {f".github/ISSUE_TEMPLATE/{form}{lang}.yml" for form in ("support-request", "kb-correction") for lang in ("", ".es", ".pt")}
REVIEWED_RE = re.compile(r"^last_reviewed: .*$", re.M)


def shipped_copies() -> dict[str, str]:
    """Destination -> template, for the files that are copies of this repository's files."""
    copies = {dest: src for dest, src in template_files().items()
              if dest.startswith((".github/", "kb/agents/")) or dest == "mkdocs.yml"}
    copies["kb/tags.md"] = language_files("en")["tags.md"]  # the English tags page
    return copies


@pytest.mark.parametrize("dest", sorted(shipped_copies()))
def test_copy_equals_the_repository_file(dest):
    src = shipped_copies()[dest]
    original = (PROJECT / dest).read_bytes()
    text = src.read_text(encoding="utf-8")
    if dest.startswith("kb/agents/"):
        # the handbook gets the scaffold's own review date; everything else is identical
        rendered = render(text, {"TODAY": "2000-01-01"})
        original_text = REVIEWED_RE.sub("last_reviewed: 2000-01-01", original.decode("utf-8"))
        assert rendered == original_text, f"{src} differs from {dest}: copy the file again"
    else:
        assert render(text, REPO_VALUES).encode("utf-8") == original, f"{src} differs from {dest}: copy the file again"


def test_every_repository_workflow_form_and_handbook_page_is_shipped_or_excused():
    shipped = set(shipped_copies())
    mine = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / ".github").rglob("*") if p.is_file()}
    mine |= {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "kb" / "agents").rglob("*") if p.is_file()}
    mine |= {"mkdocs.yml", "kb/tags.md"}
    assert mine - shipped - GENERATED == set(NOT_SHIPPED), "a new file in .github/ or kb/agents/: ship it under templates/init/ or excuse it"
    assert shipped - mine == set(), "a shipped copy whose original is gone"


def test_tokens_and_renames():
    assert destination("gitignore") == ".gitignore"
    assert destination("tickets/gitkeep") == "tickets/.gitkeep"
    assert destination("github/workflows/kb.yml") == ".github/workflows/kb.yml"
    assert destination("kb/index.md") == "kb/index.md"
    assert pages_url("acme/helpdesk") == "https://acme.github.io/helpdesk/"
    assert pages_url("Acme/acme.github.io") == "https://acme.github.io/"
    assert check_install(None).startswith("gitdesk==")
    assert check_install("git+https://example.com/acme/gitdesk@v1#egg=gitdesk") == "'git+https://example.com/acme/gitdesk@v1#egg=gitdesk'"
    with pytest.raises(Exception, match="unknown template value"):
        render("x @@NOPE@@", {})
    for dest, src in template_files().items():
        assert not any(part.startswith(".") for part in src.relative_to(src.parents[len(dest.split('/')) - 1]).parts), \
            f"{src}: template files must not start with a dot (packaging skips them); add a rename instead"
