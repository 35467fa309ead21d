"""The desk's languages: the one home for language codes and for how a page names its language.

Languages are data, not branches in code: this module only knows which codes gitdesk ships
text for, how regional tags map onto them, and the file-name convention of translations. The
text itself lives in the package's data files, one per language.

Translations sit beside their original with the language as a second suffix:
``kb/accounts/reset-password.md`` (the desk's default language) and
``kb/accounts/reset-password.es.md``, ``kb/accounts/reset-password.pt.md``. A link inside a
translation names the translated file (``account-locked.es.md``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .errors import ConfigError

#: Codes gitdesk ships text, stemmers and search for, in the order they are listed to users.
SUPPORTED: tuple[str, ...] = ("en", "es", "pt")

#: Human names, in the language itself (what a language switcher shows).
NATIVE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "pt": "Português"}

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))*$")
_SUFFIX = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2})\.md$")


def normalise(tag: object, *, path: str | None = "helpdesk.yml", field: str | None = "languages") -> str:
    """``es-ES``, ``es_419``, ``pt-BR``, ``PT`` -> the supported code (``es``, ``pt``).

    An unknown or malformed code is a :class:`ConfigError` that lists the supported ones."""
    text = str(tag).strip() if isinstance(tag, str) else ""
    m = _TAG.match(text)
    code = m.group(1).lower() if m else ""
    if code not in SUPPORTED:
        raise ConfigError(
            f"unsupported language {tag!r} (supported: {', '.join(SUPPORTED)}; "
            "regional tags such as es-ES, es-419, pt-BR and pt-PT are accepted)",
            path=path, field=field)
    return code


def normalise_list(tags: object, *, path: str | None = "helpdesk.yml", field: str = "languages") -> list[str]:
    """A list of tags -> distinct supported codes in order (the first is the default)."""
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    if not isinstance(tags, (list, tuple)) or not tags:
        raise ConfigError("must be a non-empty list of language codes", path=path, field=field)
    out: list[str] = []
    for i, tag in enumerate(tags):
        code = normalise(tag, path=path, field=f"{field}[{i}]")
        if code not in out:
            out.append(code)
    return out


def split_suffix(rel: str) -> tuple[str, str | None]:
    """``accounts/reset-password.es.md`` -> (``accounts/reset-password.md``, ``es``).

    A page without a supported language suffix returns ``(rel, None)``: it is in the desk's
    default language."""
    m = _SUFFIX.match(rel)
    if m and m.group("lang") in SUPPORTED:
        return m.group("base") + ".md", m.group("lang")
    return rel, None


def page_language(rel: str, default: str) -> str:
    """The language a page is written in: its suffix, else the desk's default language."""
    return split_suffix(rel)[1] or default


def translated_rel(base_rel: str, language: str, default: str) -> str:
    """Where the ``language`` version of the default-language page ``base_rel`` lives."""
    if language == default:
        return base_rel
    stem = base_rel[:-3] if base_rel.endswith(".md") else base_rel
    return f"{stem}.{language}.md"


# -- the text of a key in a language ------------------------------------------------------------
#
# Everything a requester reads that is not an article (page headings, table captions, form
# questions, mail subjects) lives in ``gitdesk/data/lang/<code>/<area>.yml``: one file per area
# (``site.yml``, ``desk.yml``...) so that features add keys without touching each other's files.
# A key is ``area.name`` (``site.open_ticket``); ``text`` falls back to English for a key a
# language lacks, and a key missing everywhere is a programming error (KeyError), not a blank.


@functools.cache
def _area(code: str, area: str) -> dict:
    from importlib import resources

    from .yamlio import load_yaml_text

    # not config.package_file: the configuration imports this module
    path = Path(str(resources.files("gitdesk") / "data" / "lang" / code / f"{area}.yml"))
    if not path.is_file():
        return {}
    data = load_yaml_text(path.read_text(encoding="utf-8"), path=f"gitdesk/data/lang/{code}/{area}.yml")
    return data if isinstance(data, dict) else {}


def strings(area: str, language: str) -> dict:
    """Every key of ``area`` in ``language``, English filling the gaps."""
    merged = dict(_area("en", area))
    merged.update(_area(normalise(language, path=None, field=None), area))
    return merged


def text(key: str, language: str, **values: object) -> str:
    """The text of ``area.name`` in ``language`` (English when missing), ``{name}`` filled in."""
    area, _, name = key.partition(".")
    table = strings(area, language)
    if name not in table:
        raise KeyError(f"no text for {key!r} in gitdesk/data/lang/*/{area}.yml")
    value = str(table[name])
    return value.format(**values) if values else value
