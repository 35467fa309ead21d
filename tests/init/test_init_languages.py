"""`gitdesk init --language es|pt|en` and `--languages es,pt,en`: the desk's starter knowledge base,
pages, issue forms and e-mail templates in its language(s), passing every check as written."""

from __future__ import annotations

import pytest
import yaml

from gitdesk.config import load_config
from gitdesk.kb import is_article
from gitdesk.kb.lint import GUIDE_SECTIONS
from gitdesk.languages import split_suffix
from tests.support.init import assert_checks_pass, run

HOME_TITLE = {"en": "# IT Help Desk", "es": "# Servicio de ayuda informática", "pt": "# Central de ajuda de TI"}
FORM_QUESTION = {"en": "How many people are affected?", "es": "¿A cuántas personas afecta?", "pt": "Quantas pessoas são afetadas?"}
MAIL_WORD = {"en": "request", "es": "solicitud", "pt": "pedido"}


def articles(root, language: str, default: str) -> list[str]:
    """The starter articles of ``language`` (user-facing, not the agents' handbook)."""
    out = []
    for path in sorted((root / "kb").rglob("*.md")):
        rel = path.relative_to(root / "kb").as_posix()
        if rel.startswith("agents/") or not is_article(rel):
            continue
        if (split_suffix(rel)[1] or default) == language:
            out.append(rel)
    return out


@pytest.mark.parametrize("args, languages", [
    (["--language", "en"], ["en"]), (["--language", "es-ES"], ["es"]), (["--language", "pt-BR"], ["pt"]),
    (["--languages", "es,pt,en"], ["es", "pt", "en"]),
], ids=["en", "es", "pt", "es-pt-en"])
def test_a_desk_in_its_languages_passes_every_check_as_written(exe, tmp_path, args, languages):
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), "--github", "acme/helpdesk", *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    config = load_config(root)
    assert config.languages == languages and config.language == languages[0]
    default = languages[0]
    assert_checks_pass(exe, root)  # gitdesk check, gitdesk kb check, strict gitdesk site build
    strict = run(exe, "kb", "check", "--strict", cwd=root)
    assert strict.returncode == 0, strict.stdout + strict.stderr  # nothing missing in any language
    check = run(exe, "check", cwd=root)
    assert "is the example phone number of the defaults" in check.stderr  # published only after a warning
    for lang in languages:
        suffix = "" if lang == default else f".{lang}"
        mine = articles(root, lang, default)
        assert len(mine) >= 10, f"{lang}: {mine}"
        home = (root / "kb" / f"index{suffix}.md").read_text(encoding="utf-8")
        assert home.startswith(HOME_TITLE[lang] + "\n")
        guides = [p for p in mine if "type: guide" in (root / "kb" / p).read_text(encoding="utf-8")]
        assert guides and all(f"## {GUIDE_SECTIONS[lang][0]}\n" in (root / "kb" / p).read_text(encoding="utf-8") for p in guides)
        form = (root / ".github" / "ISSUE_TEMPLATE" / f"support-request{suffix}.yml").read_text(encoding="utf-8")
        labels = [f["attributes"]["label"] for f in yaml.safe_load(form)["body"] if f["type"] != "markdown"]
        assert FORM_QUESTION[lang] in labels
    # the e-mail notifications speak the desk's default language
    from gitdesk.intake.templates import load

    opened = load(root, config, "mail", "opened")
    assert opened.language == default and opened.display.endswith(f"opened.{default}.txt")
    assert MAIL_WORD[default] in (opened.subject.template + opened.body.template).lower()


def test_translations_link_to_pages_of_their_own_language(tmp_path):
    from gitdesk.scaffold import scaffold

    root = scaffold(tmp_path / "desk", languages=["pt", "es"]).root
    text = (root / "kb" / "accounts" / "account-locked.es.md").read_text(encoding="utf-8")
    assert "related: [accounts/reset-password.es.md, accounts/password-faq.es.md, email/outlook-not-syncing.es.md]" in text
    assert "(reset-password.es.md)" in text and "(reset-password.md)" not in text
    home = (root / "kb" / "index.es.md").read_text(encoding="utf-8")
    assert "(get-help.es.md)" in home and "agents/" not in home
    assert "(accounts/index.es.md)" in home or "<!-- gitdesk:categories -->" in home  # the site's cards, when it has them
    assert "agents/index.md" in (root / "kb" / "index.md").read_text(encoding="utf-8")  # the default language's home only
    yml = (root / "helpdesk.yml").read_text(encoding="utf-8")
    assert "\nlanguage: pt\n" in yml and "\nlanguages: [pt, es]\n" in yml and 'name: "Central de ajuda de TI"' in yml


@pytest.mark.parametrize("args, message", [
    (["--language", "fr"], "--language: unsupported language 'fr' (supported: en, es, pt;"),
    (["--languages", "es,xx"], "--languages[1]: unsupported language 'xx' (supported: en, es, pt;"),
    (["--language", "es", "--languages", "pt"], "give --language or --languages, not both"),
])
def test_bad_languages_are_one_line_errors_that_write_nothing(exe, tmp_path, args, message):
    root = tmp_path / "desk"
    proc = run(exe, "init", str(root), *args, cwd=tmp_path)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not root.exists()


def test_every_languages_forms_validate_against_githubs_schema(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from gitdesk.scaffold import scaffold

    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        pytest.fail("check-jsonschema is not installed (it is in the test extra)")
    root = scaffold(tmp_path / "desk", repository="acme/helpdesk", languages=["pt", "es", "en"]).root
    folder = root / ".github" / "ISSUE_TEMPLATE"
    forms = sorted(str(p) for p in folder.glob("*.yml") if p.name != "config.yml")
    assert [Path(f).name for f in forms] == ["kb-correction.en.yml", "kb-correction.es.yml", "kb-correction.yml",
                                              "support-request.en.yml", "support-request.es.yml", "support-request.yml"]
    for schema, files in (("vendor.github-issue-forms", forms), ("vendor.github-issue-config", [str(folder / "config.yml")])):
        proc = subprocess.run([checker, "--builtin-schema", schema, *files], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    about = yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))["contact_links"][0]
    assert about["name"] == "Site de autoatendimento" and about["url"] == "https://acme.github.io/helpdesk/"
