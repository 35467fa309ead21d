"""`languages:` and the older `language:` in helpdesk.yml: regional tags, the default, errors."""

from __future__ import annotations

import pytest

from gitdesk.config import build_config
from gitdesk.errors import ConfigError
from gitdesk.languages import normalise, split_suffix, text, translated_rel


@pytest.mark.parametrize(("user", "default", "languages"), [
    ({}, "en", ["en"]),
    ({"language": "pt-BR"}, "pt", ["pt"]),
    ({"languages": ["es-419", "pt-PT", "en-GB"]}, "es", ["es", "pt", "en"]),
    ({"languages": ["en", "es", "pt"], "language": "pt"}, "pt", ["pt", "en", "es"]),  # names the default
    ({"languages": ["es", "es-ES", "pt"]}, "es", ["es", "pt"]),
])
def test_languages_and_the_default(user, default, languages):
    config = build_config(user)
    assert (config.language, config.languages) == (default, languages)


@pytest.mark.parametrize(("user", "field"), [
    ({"languages": ["en", "fr"]}, "languages[1]"),
    ({"language": "de"}, "language"),
    ({"languages": ["en", "es"], "language": "pt"}, "language"),
    ({"languages": []}, "languages"),
])
def test_a_language_gitdesk_does_not_speak_is_one_line_naming_the_field(user, field):
    with pytest.raises(ConfigError) as caught:
        build_config(user)
    line = caught.value.line()
    assert "\n" not in line and f"helpdesk.yml: {field}:" in line


def test_translation_file_names_and_texts():
    assert split_suffix("accounts/reset-password.es.md") == ("accounts/reset-password.md", "es")
    assert split_suffix("accounts/notes.de.md") == ("accounts/notes.de.md", None)  # not a language of ours
    assert translated_rel("accounts/reset-password.md", "pt", "en") == "accounts/reset-password.pt.md"
    assert translated_rel("accounts/reset-password.md", "en", "en") == "accounts/reset-password.md"
    assert normalise("PT_br") == "pt"
    assert text("common.language_name", "es") == "Español" and text("common.language_name", "pt-BR") == "Português"
    with pytest.raises(KeyError):
        text("common.no_such_key", "en")
