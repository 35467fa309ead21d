""""Open a ticket" by e-mail: a prefilled message in the requester's language, and reading it back.

The site's Open a ticket page offers a ``mailto:`` link whose subject and body ask plain
questions (what happened, how many people are affected, how urgent it is, the category, the
article the reader came from). :func:`prefill` writes that message; :func:`parse` is what
``gitdesk intake email`` uses to read the answers back into the ticket's category, impact and
urgency (hence its priority, through the matrix) and the article (the ticket's ``kb`` links).

Answers are read in every supported language, whatever the desk's own: a requester may use the
English template on a Spanish desk. Accents and case never matter ("Categoria" finds
"Categoría"). An answer that is missing, unclear (two options kept) or unknown sets nothing:
the agent triages as for any other mail.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import quote

from gitdesk.config import Config
from gitdesk.languages import SUPPORTED, normalise, strings, text

_ARTICLE_RE = re.compile(r"(?<![^\s(])([^\s()]+\.md)(?=$|[\s).,;])")


def fold(value: str) -> str:
    """Case- and accent-insensitive form of ``value`` (``Categoría`` -> ``categoria``)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def category_name(config: Config, category: str, language: str) -> str:
    """The name of ``category`` in ``language``.

    A category that keeps the default's English name is shown with the shipped translation of
    that name; a name the desk chose itself is shown as written (it is in the desk's language)."""
    cat = config.categories[category]
    default_en = strings("desk", "en").get(f"category.{category}")
    if default_en is not None and cat.name == default_en:
        return text(f"desk.category.{category}", language)
    return cat.name


def level_options(config: Config, kind: str, language: str) -> list[tuple[str, str]]:
    """``(level, answer text)`` for ``impact`` or ``urgency``, in the configured order."""
    table = strings("desk", language)
    return [(level, str(table.get(f"{kind}_{level}", level))) for level in config[f"{kind}_levels"]]


def prefill(config: Config, language: str, *, category: str | None = None, article: str | None = None,
            article_title: str | None = None) -> dict:
    """Subject, body and ``mailto:`` address of a new request in ``language``.

    ``category`` is a category id of helpdesk.yml; ``article`` a knowledge-base path
    (``accounts/reset-password.es.md``), shown after ``article_title`` when one is given.
    ``mailto`` is None when the desk has no ``mail.address``."""
    lang = normalise(language, path=None, field=None)
    if category is not None and category not in config.categories:
        from gitdesk.errors import ValidationError

        raise ValidationError(f"unknown category {category!r}", field="category")

    def t(key: str, **values) -> str:
        return text(f"desk.{key}", lang, **values)

    if category:
        subject = t("mail_subject_category", category=category_name(config, category, lang))
    elif article_title:
        subject = t("mail_subject_article", article=" ".join(article_title.split()))
    else:
        subject = t("mail_subject")
    lines = [t("mail_intro"), "", t("q_what"), t("q_what_hint"), "", "", ""]
    for kind in ("impact", "urgency"):  # fewest people first; most urgent first
        answers = [answer for _, answer in level_options(config, kind, lang)]
        options = " / ".join(reversed(answers) if kind == "impact" else answers)
        lines.append(f"{t('q_' + kind)} {options}")
    lines.append(f"{t('q_category')}: {category_name(config, category, lang) if category else ''}".rstrip())
    if article:
        shown = f"{' '.join(article_title.split())} ({article})" if article_title else article
        lines.append(f"{t('q_article')}: {shown}")
    lines += ["", t("mail_readers")]
    body = "\n".join(lines) + "\n"
    address = str((config.get("mail") or {}).get("address") or "").strip()
    mailto = None
    if address:
        mailto = f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return {"subject": subject, "body": body, "mailto": mailto}


def _labels(key: str) -> list[str]:
    """The folded text of ``desk.<key>`` in every supported language, longest first."""
    found = {fold(str(strings("desk", code)[key])).strip("¿?:").strip() for code in SUPPORTED}
    return sorted((f for f in found if f), key=len, reverse=True)


_QUESTION_RE = re.compile(r"^\s*¿?(?P<label>[^?:]{1,80})[?:]\s*(?P<answer>.*)$")


def _after_label(line: str, labels: list[str]) -> str | None:
    """The answer on ``line`` when it is ``<one of labels>?`` or ``<label>:`` then the answer."""
    match = _QUESTION_RE.match(line)
    if match and fold(match.group("label")) in labels:
        return match.group("answer").strip()
    return None


def _choose(answer: str, options: dict[str, list[str]]) -> str | None:
    """The one level whose answer text the requester kept (None when none or several)."""
    kept = [fold(part) for part in answer.split("/") if part.strip()]
    if len(kept) != 1:
        return None
    part = kept[0]
    hits = {level for level, texts in options.items() for option in texts if option == part}
    if not hits:
        hits = {level for level, texts in options.items() for option in texts if option in part}
    return hits.pop() if len(hits) == 1 else None


def _site_path(config: Config, answer: str) -> str:
    """An article's address on the published site (``site.url`` + ``x.html``) -> its ``x.md``."""
    base = str((config.get("site") or {}).get("url") or "").strip().rstrip("/")
    if base.startswith(("https://", "http://")):
        answer = re.sub(re.escape(base) + r"/([^\s()#?]+)\.html(?:[#?][^\s()]*)?", r"\1.md", answer)
    return answer


def parse(config: Config, body: str) -> dict:
    """The answers of a request written from :func:`prefill`'s template, in any language.

    Returns only what was understood: ``category`` (an id), ``impact``, ``urgency`` (levels of
    helpdesk.yml) and ``article`` (a knowledge-base path)."""
    found: dict[str, str] = {}
    questions = {key: _labels(f"q_{key}") for key in ("impact", "urgency", "category", "article")}
    choices = {kind: {level: [fold(answer) for code in SUPPORTED for lvl, answer in level_options(config, kind, code) if lvl == level]
                      + [fold(level)] for level in config[f"{kind}_levels"]} for kind in ("impact", "urgency")}
    names: dict[str, list[str]] = {cid: [fold(cid)] + [fold(category_name(config, cid, code)) for code in SUPPORTED]
                                   for cid in config.categories}
    for line in body.split("\n"):
        line = line.strip().lstrip(">").strip()
        if not line:
            continue
        for key, labels in questions.items():
            if key in found:
                continue
            answer = _after_label(line, labels)
            if answer is None:
                continue
            value = None
            if key in choices:
                value = _choose(answer, choices[key])
            elif key == "category":
                folded = fold(answer).rstrip(".")
                hits = [cid for cid, known in names.items() if folded in known]
                value = hits[0] if len(hits) == 1 else None
            else:
                match = _ARTICLE_RE.search(_site_path(config, answer))
                rel = posixpath.normpath(match.group(1)) if match else ""
                safe = rel and not rel.startswith(("../", "/")) and rel != ".." and re.fullmatch(r"[\w./-]+", rel)
                value = rel if safe else None
            if value is not None:
                found[key] = value
            break
    return found
