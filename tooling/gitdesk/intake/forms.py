"""The GitHub issue forms of a desk, one per language, and reading their answers back.

A requester sees plain questions in their language ("How many people are affected?" with
"Only me" / "My team or a few people" / ...), categories by their names, and a note saying who
can read the issue. The field ids stay the contract with ``gitdesk github triage`` (``category``,
``impact``, ``urgency``, ``description``...); the headings GitHub renders (``### <label>``) and
the chosen options are read back in every supported language by :func:`headings` and
:func:`read_choice`, so an issue opened from the Spanish form is triaged like an English one.

The forms are generated from helpdesk.yml and ``data/lang/<code>/desk.yml`` (languages are
data): ``gitdesk init`` writes them, and this repository's own ``.github/ISSUE_TEMPLATE/`` is
the output for its own helpdesk.yml (tests hold it to that). The default language's form is
``support-request.yml``; the others ``support-request.<code>.yml``.
"""

from __future__ import annotations

import functools

from gitdesk.config import Config
from gitdesk.languages import SUPPORTED, normalise, strings, text
from gitdesk.requestmail import category_name, fold, level_options

SUPPORT = "support-request"
CORRECTION = "kb-correction"
#: Field id -> desk.yml key of its label, per form (the order is the order on the form).
SUPPORT_FIELDS = {"description": "form_what_label", "category": "form_category_label", "impact": "form_impact_label",
                  "urgency": "form_urgency_label", "steps_tried": "form_steps_label", "asset": "form_device_label",
                  "department": "form_department_label", "article": "form_from_article_label"}
CORRECTION_FIELDS = {"article": "form_article_label", "problem": "form_problem_label",
                     "correction": "form_correction_label", "evidence": "form_evidence_label"}
PROBLEMS = ("wrong", "outdated", "unclear", "missing_step", "broken_link", "other")


def form_file(form: str, language: str, default: str) -> str:
    """``support-request.yml`` in the default language, ``support-request.es.yml`` otherwise."""
    return f"{form}.yml" if language == default else f"{form}.{language}.yml"


def _dump(comment: list[str], data: dict) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        """Multi-line text as a literal block (``value: |``), as a person would write it."""

    def text_block(dumper, value: str):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text_block)
    head = "".join(f"# {line}".rstrip() + "\n" for line in comment)
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
    return head + body


def _contract(fields: dict[str, str], lang: str) -> list[str]:
    width = max(len(fid) for fid in fields)
    return [f"  {fid.ljust(width)} -> ### {text('desk.' + key, lang)}" for fid, key in fields.items()]


def category_options(config: Config, language: str) -> list[str]:
    return [category_name(config, cid, language) for cid in config.category_ids()]


def support_form(config: Config, language: str, *, site_url: str = "") -> str:
    """The "Ask for help" issue form in ``language`` (YAML text, with its contract comment)."""
    lang = normalise(language, path=None, field=None)

    def t(key: str, **values) -> str:
        return text(f"desk.{key}", lang, **values)

    intro = [t("form_search_first", site=site_url) if site_url else None, t("form_readers")]
    impact = [answer for _, answer in level_options(config, "impact", lang)][::-1]  # fewest people first
    urgency = [answer for _, answer in level_options(config, "urgency", lang)]
    body: list[dict] = [{"type": "markdown", "attributes": {"value": "\n\n".join(p for p in intro if p) + "\n"}}]
    body.append(_field("textarea", "description", t("form_what_label"), t("form_what_description"), required=True,
                       placeholder=t("form_what_placeholder")))
    body.append(_field("dropdown", "category", t("form_category_label"), None, required=True,
                       options=category_options(config, lang)))
    body.append(_field("dropdown", "impact", t("form_impact_label"), None, required=True, options=impact))
    body.append(_field("dropdown", "urgency", t("form_urgency_label"), None, required=True, options=urgency))
    body.append(_field("textarea", "steps_tried", t("form_steps_label"), t("form_steps_description")))
    body.append(_field("input", "asset", t("form_device_label"), t("form_device_description")))
    body.append(_field("input", "department", t("form_department_label"), t("form_department_description")))
    body.append(_field("input", "article", t("form_from_article_label"), t("form_from_article_description"),
                       placeholder="https://"))
    comment = [f"{t('form_request_name')} ({lang}): the issue form requesters fill in to open a ticket.",
               "Generated from helpdesk.yml and gitdesk/data/lang/*/desk.yml: after changing categories, run `gitdesk github forms`.",
               "",
               "Contract with `gitdesk github triage`: GitHub renders every field as \"### <label>\", a blank",
               "line, then the value (\"_No response_\" when empty); triage reads these headings and the options",
               "(category names, plain answers) in every language back into ids. Field ids and headings:",
               *_contract(SUPPORT_FIELDS, lang),
               f"Links from the site prefill the article: ?template={form_file(SUPPORT, lang, config.language)}&article=URL."]
    data = {"name": t("form_request_name"), "description": t("form_request_description"), "body": body}
    return _dump(comment, data)


def correction_form(config: Config, language: str) -> str:
    """The "Suggest a correction to an article" issue form in ``language``."""
    lang = normalise(language, path=None, field=None)

    def t(key: str, **values) -> str:
        return text(f"desk.{key}", lang, **values)

    body = [{"type": "markdown", "attributes": {"value": f"{t('form_correction_intro')}\n\n{t('form_readers')}\n"}},
            _field("input", "article", t("form_article_label"), t("form_article_description"), required=True, placeholder="https://"),
            _field("dropdown", "problem", t("form_problem_label"), None, required=True,
                   options=[t(f"problem_{p}") for p in PROBLEMS]),
            _field("textarea", "correction", t("form_correction_label"), t("form_correction_what_description"), required=True),
            _field("textarea", "evidence", t("form_evidence_label"), t("form_evidence_description"))]
    comment = [f"{t('form_correction_name')} ({lang}): report a help article that is wrong, out of date or unclear.",
               "Generated by gitdesk from gitdesk/data/lang/*/desk.yml. Field ids and the headings they render:",
               *_contract(CORRECTION_FIELDS, lang)]
    data = {"name": t("form_correction_name"), "description": t("form_correction_description"),
            "labels": ["kb-correction"], "body": body}
    return _dump(comment, data)


def _field(kind: str, fid: str, label: str, description: str | None, *, required: bool = False,
           placeholder: str | None = None, options: list[str] | None = None) -> dict:
    attributes: dict = {"label": label}
    if description:
        attributes["description"] = description
    if placeholder:
        attributes["placeholder"] = placeholder
    if options is not None:
        attributes["options"] = options
    return {"type": kind, "id": fid, "attributes": attributes, "validations": {"required": required}}


def forms(config: Config, *, site_url: str = "") -> dict[str, str]:
    """Every form of the desk, ``{file name under .github/ISSUE_TEMPLATE/: YAML text}``."""
    out: dict[str, str] = {}
    for lang in config.languages:
        out[form_file(SUPPORT, lang, config.language)] = support_form(config, lang, site_url=site_url)
        out[form_file(CORRECTION, lang, config.language)] = correction_form(config, lang)
    return out


# -- reading the answers back ---------------------------------------------------------------------

@functools.cache
def headings() -> dict[str, str]:
    """Every shipped heading of the support form in every language (casefolded) -> field id."""
    out: dict[str, str] = {}
    for code in SUPPORTED:
        table = strings("desk", code)
        for fid, key in SUPPORT_FIELDS.items():  # a correction's body stays its description
            out.setdefault(" ".join(str(table[key]).split()).casefold(), fid)
    return out


def read_choice(config: Config, kind: str, value: str | None) -> str | None:
    """The id behind a dropdown answer: the id itself, or its name or plain answer in any
    supported language (case and accents ignored). None when unknown."""
    if value is None or not value.strip():
        return None
    wanted = fold(value)
    if kind == "category":
        for cid in config.category_ids():
            if wanted == fold(cid) or any(wanted == fold(category_name(config, cid, code)) for code in SUPPORTED):
                return cid
        return None
    choices = config.channels if kind == "channel" else config[f"{kind}_levels"]
    for choice in choices:
        if wanted == fold(str(choice)):
            return choice
    if kind in ("impact", "urgency"):
        for code in SUPPORTED:
            for level, answer in level_options(config, kind, code):
                if wanted == fold(answer):
                    return level
    return None


# -- keeping a repository's forms in step with helpdesk.yml -----------------------------------------

def site_address(root, config: Config) -> str:
    """The self-service site the forms point to: ``site.url``, else the address the issue
    config already links to, else the GitHub Pages address of ``github.repository``."""
    from pathlib import Path

    url = str((config.get("site") or {}).get("url") or "").strip()
    if url:
        return url
    issue_config = Path(root, ".github", "ISSUE_TEMPLATE", "config.yml")
    if issue_config.is_file():
        from gitdesk.yamlio import load_yaml_file

        try:
            links = (load_yaml_file(issue_config, display=".github/ISSUE_TEMPLATE/config.yml") or {}).get("contact_links") or []
            url = str(links[0].get("url") or "") if links and isinstance(links[0], dict) else ""
        except Exception:  # noqa: BLE001 - a broken config.yml only loses the link
            url = ""
        if url.startswith(("https://", "http://")):
            return url
    repository = str((config.get("github") or {}).get("repository") or "").strip()
    if repository:
        from gitdesk.project import pages_url

        return pages_url(repository)
    return ""


def sync_forms(root, config: Config, *, write: bool = True) -> dict[str, str]:
    """Write (or, with ``write=False``, only compare) the forms under ``.github/ISSUE_TEMPLATE/``;
    returns ``{file: "created" | "updated"}`` for those that differ from what helpdesk.yml gives."""
    from pathlib import Path

    from gitdesk.yamlio import atomic_write

    folder = Path(root, ".github", "ISSUE_TEMPLATE")
    changed: dict[str, str] = {}
    for name, body in forms(config, site_url=site_address(root, config)).items():
        path = folder / name
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == body:
            continue
        changed[name] = "updated" if old is not None else "created"
        if write:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, body)
    return changed


@functools.cache
def _headings_by_language() -> dict[str, frozenset[str]]:
    return {code: frozenset(" ".join(str(strings("desk", code)[key]).split()).casefold() for key in SUPPORT_FIELDS.values())
            for code in SUPPORTED}


def form_language(body: str | None) -> str | None:
    """The language of the form an issue body was written from (by its ``### `` headings), or
    None when no shipped form's headings are there (or two languages tie)."""
    import re

    found = {" ".join(h.split()).casefold() for h in re.findall(r"(?m)^###\s+(.+?)\s*$", body or "")}
    scores = {code: len(found & heads) for code, heads in _headings_by_language().items()}
    best = max(scores.values())
    winners = [code for code, score in scores.items() if score == best]
    return winners[0] if best and len(winners) == 1 else None


def _options(text: str | None, field_id: str) -> list[str] | None:
    """The options of a form's dropdown ``field_id`` (None when the form or field is not there)."""
    import yaml

    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    body = data.get("body") if isinstance(data, dict) else None
    for item in body if isinstance(body, list) else []:
        if isinstance(item, dict) and item.get("id") == field_id:
            return list((item.get("attributes") or {}).get("options") or [])
    return None


def check_forms(repo, config: Config):
    """``gitdesk check`` (a warning): a desk whose issue forms exist but no longer match
    helpdesk.yml (a category added, renamed or removed; a language added) opens issues the
    triage cannot read back. Desks without forms (not on GitHub) are not asked to have them."""
    from pathlib import Path

    from gitdesk.checker import Problem

    folder = Path(repo.root, ".github", "ISSUE_TEMPLATE")
    if not any(folder.glob(f"{SUPPORT}*.yml")):
        return
    fix = "run `gitdesk github forms` (or `gitdesk upgrade`)"
    wanted = forms(config, site_url=site_address(repo.root, config))
    for name, how in sync_forms(repo.root, config, write=False).items():
        rel = f".github/ISSUE_TEMPLATE/{name}"
        if how == "created":
            yield Problem(rel, None, f"missing for a language of helpdesk.yml: {fix}", warning=True)
            continue
        old = _options((folder / name).read_text(encoding="utf-8"), "category")
        new = _options(wanted[name], "category")
        if old is not None and new is not None and old != new:
            gone, extra = [c for c in new if c not in old], [c for c in old if c not in new]
            what = "; ".join(p for p in (f"missing {', '.join(map(repr, gone))}" if gone else "",
                                         f"not in helpdesk.yml {', '.join(map(repr, extra))}" if extra else "") if p)
            yield Problem(rel, "category", f"the form's categories differ from helpdesk.yml ({what or 'order'}): {fix}",
                          warning=True)
        else:
            yield Problem(rel, None, f"differs from what helpdesk.yml and this gitdesk generate: {fix}", warning=True)

