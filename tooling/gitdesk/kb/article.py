"""One KB page read from disk: front matter, body, headings (with slugs) and links, with lines.

The parser follows Python-Markdown/MkDocs closely enough for checking: front matter is the
``---`` block MkDocs reads, headings are ATX (``#``) or setext lines outside fenced code, slugs
are computed like the ``toc`` extension (accents dropped, punctuation removed, ``_1`` for
repeats, ``{#id}`` from ``attr_list``), and links include inline links, images, reference
definitions, autolinks and raw HTML ``href``/``src``. Every item keeps its 1-based file line so
``gitdesk kb check`` can point at it.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gitdesk.errors import ValidationError
from gitdesk.yamlio import DEFAULT_MAX_BYTES, _NoAliasLoader

FRONT_MATTER_RE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_ATX_RE = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?P<text>(?:[ \t].*?)?|[^#\s].*?)[ \t]*#*[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ATTR_ID_RE = re.compile(r"\s*\{:?\s*[^}]*?#(?P<id>[\w-]+)[^}]*\}\s*$")
_ATTR_ANY_RE = re.compile(r"\s*\{:?[^}]*\}\s*$")
_INLINE_LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
    r"\(\s*(?:<(?P<angle>[^>]*)>|(?P<url>(?:[^\s()\\]|\\.|\([^\s)]*\))*))(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REF_USE_RE = re.compile(r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.)+)\]\s?\[(?P<ref>[^\]]*)\]")
_REF_DEF_RE = re.compile(r"^ {0,3}\[(?P<ref>[^\]]+)\]:[ \t]*<?(?P<url>[^\s>]*)>?(?:[ \t]+.*)?$")
_AUTOLINK_RE = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_HTML_TAG_RE = re.compile(r"<(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_HTML_ATTR_RE = re.compile(r"(?P<name>[^\s\"'>/=]+)(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'=<>`]+)))?")
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_PLACEHOLDER_RE = re.compile(r"<!--\s*gitdesk:(?P<name>[A-Za-z0-9_-]+)\s*-->")


class _FrontMatterLoader(_NoAliasLoader):
    """Safe, no aliases, and dates kept as text: the schema checks them (``2026-02-30`` is then
    a field error on its own line, not a YAML failure of the whole block)."""


_NO_TIMESTAMPS = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _NoAliasLoader.yaml_implicit_resolvers.items()
}
_FrontMatterLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
_FastFrontMatterLoader: type
if hasattr(yaml, "CSafeLoader"):
    class _CFrontMatterLoader(yaml.CSafeLoader):  # ten times faster; used when there can be no alias
        pass

    _CFrontMatterLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
    _FastFrontMatterLoader = _CFrontMatterLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FastFrontMatterLoader = _FrontMatterLoader


def load_front_matter(text: str, *, path: str) -> object:
    """Parse front-matter YAML; raise :class:`ValidationError` with a 1-based block line."""
    try:
        loader = _FrontMatterLoader if ("&" in text or "*" in text) else _FastFrontMatterLoader
        return yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader subclasses
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ValidationError(f"malformed YAML: {where}{problem}", path=path) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ValidationError(f"malformed YAML: {exc}", path=path) from None


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    slug: str


@dataclass(frozen=True)
class Link:
    """A reference from the page to something else; ``kind`` says which Markdown form."""

    target: str
    line: int
    kind: str  # inline | image | reference | definition | autolink | html
    text: str = ""
    attr: str = ""  # for html links: the attribute (href, src...)

    @property
    def is_image(self) -> bool:
        return self.kind == "image" or (self.kind == "html" and self.attr == "src")


@dataclass
class Article:
    """A parsed page. ``meta`` is None when there is no front matter; ``meta_error`` when bad."""

    path: Path
    rel: str
    text: str
    meta: dict | None
    meta_error: ValidationError | None
    meta_lines: dict[str, int]
    body: str
    body_line: int
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    placeholders: list[tuple[str, int]] = field(default_factory=list)
    code_lines: frozenset[int] = frozenset()

    @property
    def title(self) -> str:
        """Front-matter title, else the first H1, else the file name."""
        if self.meta and isinstance(self.meta.get("title"), str) and self.meta["title"].strip():
            return self.meta["title"].strip()
        for h in self.headings:
            if h.level == 1:
                return h.text
        return self.path.stem.replace("-", " ").capitalize()

    @property
    def slugs(self) -> set[str]:
        return {h.slug for h in self.headings}

    def meta_line(self, key: str) -> int:
        """File line of a front-matter key (1 when unknown)."""
        return self.meta_lines.get(key, 1)

    def get(self, key: str, default: Any = None) -> Any:
        return (self.meta or {}).get(key, default)

    def plain_text(self) -> str:
        """The body as searchable text: Markdown punctuation and link targets removed."""
        return markdown_to_text(self.body)


# -- slugs --------------------------------------------------------------------------------------

def slugify(text: str, separator: str = "-") -> str:
    """The ``toc`` extension's default slug: ASCII-folded, punctuation dropped, lower-case."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{re.escape(separator)}\s]+", separator, value)


def heading_plain(text: str) -> str:
    """Heading text as the rendered element's text content (links, emphasis and code stripped)."""
    text = _ATTR_ANY_RE.sub("", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"!?\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"`+", "", text)
    text = re.sub(r"(\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w))", "", text)
    import html

    return html.unescape(text).strip()


def _unique(slug: str, seen: set[str]) -> str:
    if slug and slug not in seen:
        seen.add(slug)
        return slug
    n = 1
    while f"{slug}_{n}" in seen:
        n += 1
    out = f"{slug}_{n}"
    seen.add(out)
    return out


# -- parsing ------------------------------------------------------------------------------------

def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """``(yaml_text or None, body, body_first_line)`` the way MkDocs splits a page."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return None, text.lstrip("\ufeff"), 1
    yaml_text = match.group(1) or ""
    body = text[match.end():]
    return yaml_text, body, text[: match.end()].count("\n") + 1


def _normalise_meta(value: Any) -> Any:
    """Dates become ISO strings so the JSON Schema can check them like any other string."""
    if isinstance(value, dict):
        return {str(k): _normalise_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_meta(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _meta_key_lines(yaml_text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, line in enumerate(yaml_text.splitlines(), start=2):  # line 1 is the opening ---
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m and m.group(1) not in out:
            out[m.group(1)] = i
    return out


def _fenced_lines(lines: list[str]) -> set[int]:
    """0-based indexes of lines inside closed fenced code blocks (fences included).

    An unclosed fence is not code for Python-Markdown (the text renders as Markdown), so it is
    not treated as code here either.
    """
    code: set[int] = set()
    i = 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
            fence = m.group("fence")
            close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
            for j in range(i + 1, len(lines)):
                if close.match(lines[j]):
                    code.update(range(i, j + 1))
                    i = j
                    break
        i += 1
    return code


def strip_code_spans(line: str) -> str:
    """Inline code renders escaped: blank it out (keeping columns) before looking for links."""
    if "`" not in line:
        return line
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def html_attrs(attr_text: str) -> list[tuple[str, str | None]]:
    out = []
    for m in _HTML_ATTR_RE.finditer(attr_text):
        value = m.group("dq") if m.group("dq") is not None else m.group("sq") if m.group("sq") is not None else m.group("bare")
        out.append((m.group("name").lower(), value))
    return out


def iter_html_tags(text: str):
    """``(name, [(attr, value)], start_offset)`` for every start tag in ``text``."""
    for m in _HTML_TAG_RE.finditer(text):
        yield m.group("name").lower(), html_attrs(m.group("attrs")), m.start()


def _front_matter(yaml_text: str, rel: str) -> tuple[dict | None, ValidationError | None]:
    """The front matter as a mapping, or the error that stops it being one (lines counted in the file)."""
    try:
        data = load_front_matter(yaml_text, path=rel)
    except ValidationError as exc:
        msg = exc.message
        m = re.search(r"line (\d+), column (\d+)", msg)
        line = int(m.group(1)) + 1 if m else 1
        if m:
            msg = msg.replace(m.group(0), f"line {line}, column {m.group(2)}")
        return None, ValidationError(msg, path=rel, field=str(line))
    if data is None:
        data = {}
    if isinstance(data, dict):
        return _normalise_meta(data), None
    return None, ValidationError("front matter must be a mapping of keys to values", path=rel, field="2")


def _line_links(scan: str, lineno: int, links: list[Link], definitions: dict[str, str]) -> None:
    """Inline links and images, reference definitions and autolinks of one line (code spans removed)."""
    for m in (_INLINE_LINK_RE.finditer(scan) if "](" in scan else ()):
        target = m.group("angle") if m.group("angle") is not None else (m.group("url") or "")
        links.append(Link(target, lineno, "image" if m.group("bang") else "inline", m.group("text")))
    d = _REF_DEF_RE.match(scan) if "]:" in scan else None
    if d:
        definitions[d.group("ref").strip().lower()] = d.group("url")
        links.append(Link(d.group("url"), lineno, "definition", d.group("ref")))
    for m in (_AUTOLINK_RE.finditer(scan) if "<" in scan else ()):
        links.append(Link(m.group("url"), lineno, "autolink"))


def _reference_links(lines: list[str], code: set[int], body_line: int, definitions: dict[str, str]) -> list[Link]:
    """``[text][ref]`` uses of the definitions (which need every definition first)."""
    out: list[Link] = []
    for idx, raw in enumerate(lines if definitions else ()):
        if idx in code or "]" not in raw:
            continue
        scan = strip_code_spans(raw)
        for m in _REF_USE_RE.finditer(scan):
            ref = (m.group("ref") or m.group("text")).strip().lower()
            if ref in definitions:
                out.append(Link(definitions[ref], body_line + idx, "image" if m.group("bang") else "reference", m.group("text")))
    return out


def _html_links(lines: list[str], code: set[int], body: str, body_line: int) -> list[Link]:
    """``href`` and ``src`` of raw HTML outside code (a tag may span lines)."""
    out: list[Link] = []
    masked = "\n".join("" if i in code else strip_code_spans(line) for i, line in enumerate(lines)) if "<" in body else ""
    for name, attrs, start in iter_html_tags(masked):
        for attr, value in attrs:
            if attr in ("href", "src") and value is not None:
                out.append(Link(value.strip(), body_line + masked.count("\n", 0, start), "html", name, attr))
    return out


def parse_text(text: str, *, path: Path, rel: str) -> Article:
    """Parse a page's text (no I/O)."""
    yaml_text, body, body_line = split_front_matter(text)
    meta: dict | None = None
    meta_error: ValidationError | None = None
    meta_lines: dict[str, int] = {}
    if yaml_text is not None:
        meta_lines = _meta_key_lines(yaml_text)
        meta, meta_error = _front_matter(yaml_text, rel)
    lines = body.split("\n")
    code = _fenced_lines(lines)
    headings: list[Heading] = []
    links: list[Link] = []
    placeholders: list[tuple[str, int]] = []
    seen_slugs: set[str] = set()
    definitions: dict[str, str] = {}
    prev_text_line: int | None = None
    for idx, raw in enumerate(lines):
        lineno = body_line + idx
        if idx in code:
            prev_text_line = None
            continue
        if "<!--" in raw:
            for m in _PLACEHOLDER_RE.finditer(raw):
                placeholders.append((m.group("name"), lineno))
        first = raw.lstrip(" ")[:1]  # cheap guards: most lines are plain prose
        setext = _SETEXT_RE.match(raw) if first in ("=", "-") else None
        if setext and prev_text_line is not None:
            level = 1 if raw.strip().startswith("=") else 2
            headings.append(_make_heading(level, lines[prev_text_line].strip(), body_line + prev_text_line, seen_slugs))
            prev_text_line = None
            continue
        atx = _ATX_RE.match(raw) if first == "#" else None
        if atx:
            headings.append(_make_heading(len(atx.group("hashes")), atx.group("text").strip(), lineno, seen_slugs))
            prev_text_line = None
        else:
            prev_text_line = idx if raw.strip() and not raw.startswith(("    ", "\t")) else None
        _line_links(strip_code_spans(raw), lineno, links, definitions)
    links += _reference_links(lines, code, body_line, definitions)
    links += _html_links(lines, code, body, body_line)
    return Article(
        path=path, rel=rel, text=text, meta=meta, meta_error=meta_error, meta_lines=meta_lines,
        body=body, body_line=body_line, headings=headings, links=links, placeholders=placeholders,
        code_lines=frozenset(body_line + i for i in code),
    )


def _make_heading(level: int, raw_text: str, line: int, seen: set[str]) -> Heading:
    explicit = _ATTR_ID_RE.search(raw_text)
    text = heading_plain(raw_text)
    slug = explicit.group("id") if explicit else slugify(text)
    return Heading(level, text, line, _unique(slug, seen))


def read_article(path: Path, kb_root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read and parse one page; raise :class:`ValidationError` if it is too big or not UTF-8."""
    from gitdesk.yamlio import read_text

    rel = path.relative_to(kb_root).as_posix()
    text = read_text(path, max_bytes=max_bytes, display=rel)
    return parse_text(text.replace("\r\n", "\n"), path=path, rel=rel)


def iter_pages(kb_root: Path):
    """Every ``.md`` file under the KB, sorted, skipping hidden files and folders."""
    if not kb_root.is_dir():
        return
    for path in sorted(kb_root.rglob("*.md")):
        rel = path.relative_to(kb_root)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file():
            yield path


def scan_pages(kb_root: Path) -> list[tuple[str, str, os.stat_result]]:
    """``(rel, path, stat)`` of every page, like :func:`iter_pages` but with ``os.scandir``:
    the index checks thousands of files before every search, and pathlib costs more than stat."""
    out: list[tuple[str, str, os.stat_result]] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, prefix + entry.name + "/")
            elif entry.name.endswith(".md") and entry.is_file():
                out.append((prefix + entry.name, entry.path, entry.stat()))

    if Path(kb_root).is_dir():
        walk(str(kb_root), "")
    out.sort()
    return out


# -- plain text for the index -------------------------------------------------------------------

def markdown_to_text(body: str) -> str:
    """Readable text from Markdown: link text kept, URLs, HTML and markup dropped."""
    text = re.sub(r"^ {0,3}\[[^\]]+\]:.*$", "", body, flags=re.M)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<[^>\n]+>", " ", text)
    text = re.sub(r"^\s*(?:[`~]{3,}.*|!!!.*|\?\?\?.*|#{1,6}\s*|[-*+]\s+|\d+[.)]\s+|>\s?)", "", text, flags=re.M)
    text = re.sub(r"[*_`|]+", " ", text)
    text = re.sub(r"\{\s*[:#.][^}]*\}", " ", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
