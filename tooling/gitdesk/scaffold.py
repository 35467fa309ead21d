"""``gitdesk init``: a working help desk in a new or existing folder.

What it writes comes from the package, never from the network: ``helpdesk.yml`` is the commented
defaults (:func:`gitdesk.config.defaults_text`, every key with its default) with the name and
the GitHub repository filled in; everything else is under ``templates/init/`` (the starter KB,
the agents' handbook, ``mkdocs.yml``, ``.gitignore``, ``tickets/.gitkeep``, the workflows and
the issue forms). Template files are named without a leading dot (``gitignore``, ``github/``)
so packaging and git treat them as ordinary files; :data:`RENAMES` maps them to their place.

The workflows, issue forms, ``mkdocs.yml`` and handbook are copies of this repository's own
files with a few ``@@TOKEN@@`` values (what pip installs, the site's address, the review date);
``tests/init`` renders them with this repository's values and requires byte-for-byte equality,
so the copies cannot drift from the originals.

Safety: nothing is written until every file is rendered and every destination checked; an
existing file is never replaced unless ``force`` is set (it is listed as skipped); a destination
that is a folder (or anything but a regular file or link) is an error; files are written
atomically. The result passes ``gitdesk check``, ``gitdesk kb check`` and a strict site build.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from gitdesk import __version__
from gitdesk.config import CONFIG_FILE, defaults_text, package_file
from gitdesk.errors import ConfigError, RepoError, UsageError, ValidationError
from gitdesk.project import REPOSITORY, pages_url, schema_url

TEMPLATE_DIR = ("templates", "init")
#: Template folders written once per language (``pages/<code>/``, ``starter/<code>/``), not as they are.
LANGUAGE_TEMPLATES = ("pages/", "starter/")
#: Forms written from helpdesk.yml by :mod:`gitdesk.intake.forms`, in every language of the desk.
FORMS_DIR = ".github/ISSUE_TEMPLATE/"
#: Template paths (relative to templates/init) whose destination differs.
RENAMES = {"gitignore": ".gitignore", "tickets/gitkeep": "tickets/.gitkeep", "github/": ".github/"}
#: Written only when a GitHub repository is known (it links to the site on GitHub Pages; it
#: syncs the desk's tickets with that repository's issues).
NEEDS_REPOSITORY = (".github/ISSUE_TEMPLATE/config.yml", ".github/workflows/sync.yml")
NEEDS_REPOSITORY_WHY = {
    None: "it links to the site on GitHub Pages: run `gitdesk init --github OWNER/NAME` to add it",
    ".github/workflows/sync.yml": "it syncs tickets with a GitHub repository's issues: run `gitdesk init --github OWNER/NAME` to add it",
}
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TOKEN_RE = re.compile(r"@@([A-Z_]+)@@")
_SPEC_RE = re.compile(r"^[A-Za-z0-9._=<>!~@:/+\[\],#%?&-]{1,300}$")
_BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
#: Where gitdesk's own repository (and its setup action) lives on GitHub (gitdesk.project).
ACTION_REPOSITORY = REPOSITORY
SETUP_ACTION = ".github/actions/setup"
DEFAULT_ABOUT = "Guides and answers to common problems, searchable. Urgent? The Get help page says how to reach us."


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_written: dict[str, str] = field(default_factory=dict)  # path -> why
    notes: list[str] = field(default_factory=list)
    git_initialised: bool = False
    branch: str = "main"  # the branch the workflows run on
    next_steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"root": str(self.root), "created": self.created, "overwritten": self.overwritten, "skipped": self.skipped,
                "not_written": self.not_written, "notes": self.notes, "git_initialised": self.git_initialised, "branch": self.branch, "next_steps": self.next_steps}


def check_repository(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("https://github.com/"):
        value = value[len("https://github.com/"):].rstrip("/").removesuffix(".git")
    if not _REPO_RE.match(value) or value.split("/")[1] in (".", ".."):
        raise UsageError(f"not an OWNER/NAME GitHub repository: {value!r}", field="--github")
    return value


def check_name(value: str | None) -> str | None:
    if value is None:
        return None
    if re.search(r"[\x00-\x1f\x7f\u2028\u2029]", value) or not value.strip() or len(value) > 120:
        raise UsageError("must be one line of 1 to 120 characters", field="--name")
    return " ".join(value.split())


def check_install(value: str | None) -> str:
    """What the workflows ``pip install`` (default: this version of gitdesk), shell-quoted."""
    import shlex

    spec = f"gitdesk=={__version__}" if value is None else value.strip()
    if not _SPEC_RE.match(spec):
        raise UsageError(f"not a pip requirement or URL without spaces: {value!r}", field="--install")
    return shlex.quote(spec)


def setup_step(install: str | None) -> str:
    """What follows ``uses:`` in a generated workflow's "Set up gitdesk" step.

    gitdesk's setup action at this version's tag installs gitdesk from its own copy of the
    repository, so upgrading a desk is changing that tag; ``install`` (``--install SPEC``)
    makes the action pip-install SPEC instead.
    """
    # a release tag rather than a commit SHA, so that an upgrade is one edit (zizmor asks for SHAs)
    ref = f"{ACTION_REPOSITORY}/{SETUP_ACTION}@v{__version__} # zizmor: ignore[unpinned-uses]"
    if install is None:
        return ref
    check_install(install)
    return f"{ref}\n        with:\n          install: {json.dumps(install.strip())}"  # no quotes or spaces: see _SPEC_RE


@overload
def check_branch(value: str) -> str: ...
@overload
def check_branch(value: None) -> None: ...
@overload
def check_branch(value: str | None) -> str | None: ...
def check_branch(value: str | None) -> str | None:
    """A branch name fit for a workflow's ``branches:`` list and a ``refs/heads/`` comparison."""
    if value is None:
        return None
    value = value.strip().removeprefix("refs/heads/")
    if (not _BRANCH_RE.match(value) or value.startswith(("-", "/", ".")) or value.endswith(("/", ".", ".lock"))
            or ".." in value or "//" in value):
        raise UsageError(f"not a branch name: {value!r}", field="--branch")
    return value


def detect_branch(root: Path) -> str:
    """The branch the workflows run on: the remote's default branch (``origin/HEAD``), else the
    branch checked out (born or not), else git's ``init.defaultBranch``, else ``main``."""
    from gitdesk.repo import run_git

    where = next(p for p in (root, *root.parents) if p.is_dir())

    def git_line(*args: str) -> str:
        proc = run_git(where, *args, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    remote = git_line("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote.startswith("origin/"):
        return remote[len("origin/"):]
    if _git_toplevel(where) is not None:
        current = git_line("symbolic-ref", "--quiet", "--short", "HEAD")
        if current:
            return current
    return git_line("config", "--get", "init.defaultBranch") or "main"


def template_values(*, repository: str | None, name: str | None, today: _dt.date, install: str | None = None,
                    branch: str = "main") -> dict[str, str]:
    """The ``@@TOKEN@@`` values for a new desk."""
    return {
        "NAME": _md_escape(name or "IT Help Desk"),  # used in Markdown only (the home page's title)
        "TODAY": today.isoformat(),
        "GITDESK_SETUP": setup_step(install),
        "BRANCH": branch,
        "SITE_URL": pages_url(repository) if repository else "",
        "SITE_ABOUT": DEFAULT_ABOUT,
    }


def check_languages(language: str | None, languages: str | None) -> list[str]:
    """``--language es`` or ``--languages es,pt,en`` -> codes, the default first (English alone by default)."""
    from gitdesk.languages import normalise, normalise_list

    if language and languages:
        raise UsageError("give --language or --languages, not both", field="--languages")
    if languages is not None:
        return normalise_list(languages, path=None, field="--languages")
    return [normalise(language or "en", path=None, field="--language")]


def _md_escape(text: str) -> str:
    from gitdesk.kb.placeholders.content import md_escape

    return md_escape(text)


def render(text: str, values: dict[str, str], *, where: str = "template") -> str:
    """Replace every ``@@TOKEN@@``; an unknown token is a packaging bug, reported as such."""

    def sub(m: re.Match) -> str:
        if m.group(1) not in values:
            raise ConfigError(f"unknown template value @@{m.group(1)}@@", path=where)
        return values[m.group(1)]

    return _TOKEN_RE.sub(sub, text)


def destination(rel: str) -> str:
    """Where a template file (path relative to templates/init) lands in the new desk."""
    for src, dest in RENAMES.items():
        if rel == src or (src.endswith("/") and rel.startswith(src)):
            return dest + rel[len(src):] if src.endswith("/") else dest
    return rel


def template_files() -> dict[str, Path]:
    """Destination path -> template file, for every file under templates/init."""
    base = package_file(*TEMPLATE_DIR)
    out = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix()
        if rel.startswith(LANGUAGE_TEMPLATES):
            continue
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith((".pyc", ".pyo")):
            out[destination(rel)] = path
    return out


def language_files(language: str) -> dict[str, Path]:
    """``kb/``-relative path -> template, for the root pages (``pages/<code>/``) and the starter
    articles (``starter/<code>/``) of ``language``; every language has the same paths."""
    base = package_file(*TEMPLATE_DIR)
    out: dict[str, Path] = {}
    for folder in (base / "pages" / language, base / "starter" / language):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.md")):
                out[path.relative_to(folder).as_posix()] = path
    return out


_LINK_RE = re.compile(r"(\]\(\s*<?|^\s*\[[^\]\n]+\]:\s*<?)([^)\s>#?]+\.md)(?=[#?)\s>]|$)", re.M)


def localise_links(text: str, language: str, here: str, exists) -> str:
    """Links and ``related:`` entries of a page written for its own language folder, pointed at
    the ``x.<language>.md`` translations beside the originals (only where ``exists(base_rel)``)."""
    import posixpath

    def target(rel_link: str, base_dir: str) -> str:
        if "://" in rel_link or rel_link.startswith("/"):
            return rel_link
        resolved = posixpath.normpath(posixpath.join(base_dir, rel_link))
        if not exists(resolved):
            return rel_link
        return rel_link[:-3] + f".{language}.md"

    head, body = "", text
    if text.startswith("---\n") and "\n---\n" in text[4:]:
        end = text.index("\n---\n", 4) + 5
        head, body = text[:end], text[end:]
        head = re.sub(r"(?m)^(related:.*)$", lambda m: re.sub(r"[\w./-]+\.md", lambda link: target(link.group(0), ""), m.group(1)), head)
        head = re.sub(r"(?m)^(\s+-\s+)([\w./-]+\.md)\s*$", lambda m: m.group(1) + target(m.group(2), ""), head)
    body = _LINK_RE.sub(lambda m: m.group(1) + target(m.group(2), here), body)
    return head + body


def helpdesk_yml(*, repository: str | None, name: str | None, languages: list[str] | None = None) -> str:
    """The commented defaults, with ``name`` (and ``site.title``), ``github.repository`` and the
    languages set; a desk in another language than English gets that language's name, hours and
    walk-in place (examples still: ``gitdesk check`` warns until they are the desk's own)."""
    from gitdesk.languages import text as lang_text

    text = modeline() + defaults_text()
    languages = languages or ["en"]
    default = languages[0]
    if default != "en":
        name = name or lang_text("desk.init_name", default)
        text = _replace_once(text, r"^language: .*$", f"language: {default}", "language")
        text = _replace_once(text, r"^(  hours: ).*$", rf"\g<1>{_escape_group(json.dumps(lang_text('desk.init_hours', default), ensure_ascii=False))}", "site.hours")
        text = _replace_once(text, r"^(    walk-in: ).*$", rf"\g<1>{_escape_group(json.dumps(lang_text('desk.init_walk_in', default), ensure_ascii=False))}", "site.contacts.walk-in")
    if len(languages) > 1:
        text = _replace_once(text, r"^languages: .*$", f"languages: [{', '.join(languages)}]", "languages")
    if name:
        text = _replace_once(text, r"^name: .*$", f"name: {json.dumps(name, ensure_ascii=False)}", "name")
        text = _replace_once(text, r"^(  title: ).*$", rf"\g<1>{_escape_group(json.dumps(name, ensure_ascii=False))}", "site.title")
    if repository:
        text = _replace_once(text, r'^(  repository: )"".*$', rf'\g<1>{repository}', "github.repository")
    return text


def modeline() -> str:
    """``# yaml-language-server: $schema=...``: the config schema's ``$id`` (this version's)."""
    return f"# yaml-language-server: $schema={schema_url('config.schema.json')}\n"


def _escape_group(text: str) -> str:
    return text.replace("\\", "\\\\")


def _replace_once(text: str, pattern: str, replacement: str, key: str) -> str:
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    if count != 1:
        raise ConfigError(f"cannot find the {key} key in the shipped defaults", path="gitdesk/data/defaults.yml", field=key)
    return new


def plan(*, repository: str | None = None, name: str | None = None, today: _dt.date | None = None,
         install: str | None = None, languages: list[str] | None = None,
         branch: str = "main") -> tuple[dict[str, str], dict[str, str]]:
    """Every file of a new desk as ``{path: text}``, and the files left out with the reason."""
    values = template_values(repository=repository, name=name, today=today or _dt.date.today(), install=install,
                             branch=branch)
    files: dict[str, str] = {CONFIG_FILE: helpdesk_yml(repository=repository, name=name)}
    left_out: dict[str, str] = {}
    values.update(language_values(languages or ["en"], name))
    for dest, src in template_files().items():
        if dest in NEEDS_REPOSITORY and not repository:
            left_out[dest] = NEEDS_REPOSITORY_WHY.get(dest, NEEDS_REPOSITORY_WHY[None])
            continue
        files[dest] = render(src.read_text(encoding="utf-8"), values, where=f"gitdesk/templates/init/{src.name}")
    files.update(language_plan(languages or ["en"], values, repository=repository, name=name))
    return files, left_out


def language_values(languages: list[str], name: str | None) -> dict[str, str]:
    """The tokens that speak the desk's default language (the home page's title, the issue
    config's link to the site)."""
    from gitdesk.languages import text

    default = languages[0]
    return {"NAME": _md_escape(name or text("desk.init_name", default)),
            "SITE_ABOUT": text("desk.form_contact_link_site_about", default),
            "SITE_LINK_NAME": text("desk.form_contact_link_site", default)}


def language_plan(languages: list[str], values: dict[str, str], *, repository: str | None, name: str | None) -> dict[str, str]:
    """The files of a new desk that depend on its languages: ``helpdesk.yml`` with them, the
    root pages and starter articles of each (the default language's as ``kb/x.md``, the others
    as ``kb/x.<code>.md`` with their links and ``related:`` pointed at their own language), and
    an issue form per language (:mod:`gitdesk.intake.forms`)."""
    from gitdesk.config import build_config
    from gitdesk.intake.forms import forms
    from gitdesk.languages import translated_rel
    from gitdesk.yamlio import load_yaml_text

    default = languages[0]
    config_text = helpdesk_yml(repository=repository, name=name, languages=languages)
    files: dict[str, str] = {CONFIG_FILE: config_text}
    for language in languages:
        pages = language_files(language)
        if not pages:
            raise ConfigError(f"no starter pages for {language}", path="gitdesk/templates/init/pages")
        mine = {**values, **page_values(language, pages, name=name, default=language == default)}
        for rel, src in pages.items():
            text = render(src.read_text(encoding="utf-8"), mine, where="gitdesk/templates/init/" + src.as_posix().rsplit("/templates/init/", 1)[-1])
            if language != default:
                text = localise_links(text, language, rel.rpartition("/")[0], lambda base, pages=pages: base in pages)
            files["kb/" + translated_rel(rel, language, default)] = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    config = build_config(load_yaml_text(config_text, path=CONFIG_FILE) or {})
    for form_name, text in forms(config, site_url=values["SITE_URL"]).items():
        files[FORMS_DIR + form_name] = text
    return files


def page_values(language: str, pages: dict[str, Path], *, name: str | None, default: bool) -> dict[str, str]:
    """The home page's tokens in ``language``: the help-centre blocks the site knows how to
    render (search box, category cards, urgent notice), else plain Markdown that says the same."""
    from gitdesk.kb.placeholders import placeholder_names
    from gitdesk.languages import text

    known = set(placeholder_names())

    def block(marker: str, fallback: str) -> str:
        return f"<!-- gitdesk:{marker} -->" if marker in known else fallback

    topics = []
    for rel, src in pages.items():
        if rel.count("/") == 1 and rel.endswith("/index.md"):
            title = next((line[2:].strip() for line in src.read_text(encoding="utf-8").splitlines() if line.startswith("# ")), rel)
            topics.append(f"- [{title}]({rel})")
    urgent = f'!!! tip "{text("desk.home_urgent_title", language)}"\n    {text("desk.home_urgent_text", language)}'
    agents = f"\n## {text('desk.home_agents_heading', language)}\n\n{text('desk.home_agents_text', language)}\n" if default else ""
    return {
        "NAME": _md_escape(name or text("desk.init_name", language)),
        "SEARCH_BOX": block("search-box", ""),
        "URGENT": block("urgent", urgent),
        "TOPICS": block("categories", "\n".join(topics)),
        "AGENTS": agents,
    }


def _git_toplevel(path: Path) -> Path | None:
    from gitdesk.repo import run_git

    proc = run_git(path, "rev-parse", "--show-toplevel", check=False)
    return Path(proc.stdout.strip()).resolve() if proc.returncode == 0 and proc.stdout.strip() else None


def scaffold(target: str | Path, *, repository: str | None = None, name: str | None = None, force: bool = False,
             today: _dt.date | None = None, install: str | None = None, languages: list[str] | None = None,
             branch: str | None = None) -> InitResult:
    """Create (or complete) a help desk in ``target``; see the module docstring.

    ``branch``: the branch the workflows run on (default: :func:`detect_branch`); a new
    repository is created on it."""
    from gitdesk.repo import run_git
    from gitdesk.yamlio import atomic_write

    repository = check_repository(repository)
    name = check_name(name)
    root = Path(target).expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError("exists and is not a folder", path=str(root))
    branch = check_branch(branch) or check_branch(detect_branch(root.resolve()))
    today = today or _dt.date.today()
    files, left_out = plan(repository=repository, name=name, today=today, install=install, languages=languages,
                           branch=branch)
    files.update(lock_file(files, install=install, branch=branch, today=today))
    root_abs = root.resolve()
    problems = []
    for rel in files:
        dest = root_abs / rel
        for parent in list(reversed(Path(rel).parents))[1:]:
            if (root_abs / parent).exists() and not (root_abs / parent).is_dir():
                problems.append(f"{parent.as_posix()} is a file, but {rel} must go inside it as a folder")
        if dest.exists() and not dest.is_symlink() and not dest.is_file():
            problems.append(f"{rel} exists and is not a file")
    if problems:
        raise UsageError(problems[0], path=str(root))
    root_abs.mkdir(parents=True, exist_ok=True)
    result = InitResult(root=root_abs, not_written=left_out)
    toplevel = _git_toplevel(root_abs)
    if toplevel is None:
        proc = run_git(root_abs, "init", "-q", f"--initial-branch={branch}", check=False)
        if proc.returncode != 0:
            raise RepoError(f"git init failed: {(proc.stderr or proc.stdout).strip().splitlines()[:1]}", path=str(root_abs))
        result.git_initialised = True
    elif toplevel != root_abs:
        result.notes.append(f"this folder is inside the git repository {toplevel}: GitHub reads workflows and issue forms "
                            "only from .github/ at a repository's top level")
    for rel, text in files.items():
        dest = root_abs / rel
        existed = dest.exists() or dest.is_symlink()
        if existed and not force:
            result.skipped.append(rel)
            continue
        try:
            atomic_write(dest, text, exclusive=not existed)
        except ValidationError:  # created by someone else since we looked: theirs stays
            result.skipped.append(rel)
            continue
        (result.overwritten if existed else result.created).append(rel)
    result.branch = branch
    result.next_steps = next_steps(root_abs, repository, branch)
    return result


LOCK_FILE = ".github/gitdesk.lock"
LOCK_FORMAT = 1


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_text(files: dict[str, str], *, install: str | None, branch: str, today: _dt.date) -> str:
    """The lock for ``files`` (path -> text as written); helpdesk.yml is not listed."""
    data = {
        "format": LOCK_FORMAT,
        "generator": "gitdesk init / gitdesk upgrade: do not edit; commit it",
        "version": __version__,
        "inputs": {"install": install, "branch": branch, "date": today.isoformat()},
        "files": {rel: digest(text) for rel, text in sorted(files.items()) if rel != CONFIG_FILE},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def lock_file(files: dict[str, str], *, install: str | None, branch: str, today: _dt.date) -> dict[str, str]:
    """``.github/gitdesk.lock``: what init generated, for ``gitdesk upgrade`` (:mod:`gitdesk.generated`)."""
    return {LOCK_FILE: lock_text(files, install=install.strip() if install else None, branch=branch, today=today)}


def next_steps(root: Path, repository: str | None, branch: str = "main") -> list[str]:
    here = Path.cwd().resolve()
    go = "" if root == here else f"cd {_shell_quote(str(root))} && "
    steps = [
        f"Make it yours: edit helpdesk.yml (name, teams and agents, hours, SLA targets) and the starter articles in kb/, "
        f"then check both: {go}gitdesk check && gitdesk kb check",
        f"See the self-service site: {go}gitdesk serve   (then open http://127.0.0.1:8000/)",
    ]
    if repository:
        steps.append(f"Publish: {go}git add -A && git commit -m \"Start the help desk\" && git push -u "
                     f"https://github.com/{repository}.git HEAD:{branch}; then in the repository's Settings > Pages choose "
                     f"\"GitHub Actions\" so the site appears at {pages_url(repository)}")
    else:
        steps.append(f"Keep it: {go}git add -A && git commit -m \"Start the help desk\"; then open your first ticket: "
                     "gitdesk ticket new \"Printer on floor 2 is offline\" --impact low --urgency medium")
    return steps


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
