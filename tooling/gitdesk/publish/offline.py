"""Keep the built site free of requests to other hosts, and prove it by scanning the output.

Material's bundle loads two scripts from unpkg.com on demand: the ResizeObserver polyfill (only
on browsers without ResizeObserver) and Mermaid (only for diagrams, which this site does not
enable). :func:`localise_theme_scripts` points both at local files after the build; the
offline plugin's own unpkg polyfill is avoided by listing the bundled iframe-worker shim in
``extra.polyfills`` (done by the gitdesk plugin).

:func:`scan_site` lists every reference in the built HTML, CSS and JavaScript that would make
the browser contact another host: resource attributes (``src``, ``<link href>``, ``srcset``,
``poster``...), CSS ``url()``/``@import``, and http(s) URL literals in scripts. Links a reader
clicks (``<a href>``) are navigation, not requests, and are not reported. The few URL strings in
Material's scripts that are never requested are allowed by :data:`ALLOWED`, each with its reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

#: Hosts that are XML namespace names, never fetched.
NAMESPACE_HOSTS = ("www.w3.org",)
#: (substring of the URL, reason): URL strings in shipped scripts that are not requests.
ALLOWED: tuple[tuple[str, str], ...] = (
    ("https://bit.ly/2s3ChXG", "text of a console warning in Material's search worker"),
)
#: Requests Material makes only when mkdocs.yml sets repo_url (the repository widget).
REPO_WIDGET_HOSTS = ("api.github.com", "${e}")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")

UNPKG_RESIZE = '"https://unpkg.com/resize-observer-polyfill"'
UNPKG_MERMAID = '"https://unpkg.com/mermaid@'
ASSET_DIR = "assets/gitdesk"

_URL_IN_CODE_RE = re.compile(r"(?:https?:)?//[A-Za-z0-9$\{][^\s\"'`)<>\\,;]*")
_ABS_URL_RE = re.compile(r"https?://[^\s\"'`)<>\\]+", re.I)
_CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)(?P<url>[^'\")]+)\1\s*\)|@import\s+(['\"])(?P<imp>[^'\"]+)\3", re.I)
_BLOCK_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
# In scripts only comments that start a line or are license headers (/*! and /**) are dropped:
# a "/*" inside a string ("*/*") must not hide the code after it from the scan.
_JS_COMMENT_RE = re.compile(r"(?:^[ \t]*/\*.*?\*/|/\*[!*].*?\*/|^[ \t]*//[^\n]*)", re.S | re.M)
_NON_LOADING_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "help", "bookmark", "external", "nofollow", "noopener", "noreferrer", "search", "tag", "me"}


@dataclass(frozen=True)
class ExternalRef:
    file: str
    url: str
    where: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.url}"


def is_external(url: str) -> bool:
    """Does this URL name another host? (relative paths, data:, blob: and 127.0.0.1 do not)."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    if not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
        return False
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "ws", "wss", "ftp"):
        return False
    host = urlsplit(url).hostname or ""
    return host not in LOCAL_HOSTS and f"[{host}]" not in LOCAL_HOSTS


def localise_theme_scripts(site_dir: Path) -> list[str]:
    """Point Material's on-demand unpkg scripts at local files; return what was rewritten."""
    done: list[str] = []
    for bundle in sorted((site_dir / "assets" / "javascripts").glob("bundle.*.js")):
        text = bundle.read_text(encoding="utf-8")
        new = text.replace(UNPKG_RESIZE, f'new URL("{ASSET_DIR}/resize-observer-polyfill.js",__md_scope).href')
        new = re.sub(re.escape(UNPKG_MERMAID) + r'[^"]*"', f'new URL("{ASSET_DIR}/no-mermaid.js",__md_scope).href', new)
        if new != text:
            bundle.write_text(new, encoding="utf-8")
            done.append(bundle.name)
    return done


class _HtmlRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self.has_repo_widget = False
        self._in: str | None = None
        self.inline: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if a.get("data-md-component") == "source":
            self.has_repo_widget = True
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if a.get("href") and not (rels and rels <= _NON_LOADING_RELS):
                self.refs.append((f"<link rel={a.get('rel', '')}>", a["href"]))
        for attr in ("src", "poster", "data", "background", "lowsrc", "dynsrc", "formaction", "manifest"):
            if a.get(attr):
                self.refs.append((f"<{tag} {attr}>", a[attr]))
        for attr in ("srcset", "imagesrcset"):
            for part in (a.get(attr) or "").split(","):
                if part.strip():
                    self.refs.append((f"<{tag} {attr}>", part.strip().split()[0]))
        if tag in ("image", "use", "feimage") and (href := a.get("href") or a.get("xlink:href")):
            self.refs.append((f"<{tag} href>", href))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            m = re.search(r"url\s*=\s*(\S+)", a.get("content", ""), re.I)
            if m:
                self.refs.append(("<meta refresh>", m.group(1).strip("'\"")))
        if a.get("style"):
            for ref in css_refs(a["style"]):
                self.refs.append((f"<{tag} style>", ref))
        if tag in ("script", "style"):
            self._in = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline.append((self._in, data))


_PARSED: dict[bytes, _HtmlRefs] = {}
_PARSED_MAX = 20_000  # pages remembered across builds in one process (a few MB of references)


def _parse_page(path: Path) -> _HtmlRefs:
    """A page's references, parsed once per distinct content: ``serve`` rebuilds the whole site
    after each edit, but most pages come out byte for byte the same, and parsing is the cost."""
    import hashlib

    text = path.read_text(encoding="utf-8", errors="replace")
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    parser = _PARSED.get(key)
    if parser is None:
        parser = _HtmlRefs()
        parser.feed(text)
        parser.close()
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parser
    return parser


def css_refs(text: str) -> list[str]:
    text = _BLOCK_COMMENT_RE.sub("", text)
    out = []
    for m in _CSS_URL_RE.finditer(text):
        out.append((m.group("url") or m.group("imp") or "").strip())
    return out


def js_urls(text: str) -> list[str]:
    """http(s) URL literals in script text, outside comments (license headers and the like)."""
    text = _JS_COMMENT_RE.sub("", text)
    return [m.group(0) for m in _ABS_URL_RE.finditer(text)]


def _allowed(url: str, repo_widget: bool) -> bool:
    host = urlsplit(url).hostname or ""
    if host in NAMESPACE_HOSTS:
        return True
    if any(sub in url for sub, _ in ALLOWED):
        return True
    if not repo_widget and (host in REPO_WIDGET_HOSTS or url.startswith("https://${")):
        return True
    return False


def _local_target(site_dir: Path, page: Path, url: str) -> Path | None:
    """The file in the site a relative URL in ``page`` points at, if any."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    if not url or is_external(url) or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("/"):
        return None
    target = (page.parent / url).resolve()
    try:
        target.relative_to(site_dir.resolve())
    except ValueError:
        return None
    return target if target.is_file() else None


def loaded_files(site_dir: Path) -> list[Path]:
    """Scripts and stylesheets the site's pages load: referenced from HTML, the search worker
    named in Material's ``__config``, and the lunr files that worker imports for the index's
    languages (``lunr.stemmer.support``, ``lunr.LANG``, ``lunr.multi``; the Thai and Japanese
    segmenters only for those languages)."""
    site_dir = Path(site_dir).resolve()
    found: set[Path] = set()
    langs: set[str] = set()
    index = site_dir / "search" / "search_index.json"
    if index.is_file():
        try:
            langs = set(json.loads(index.read_text(encoding="utf-8")).get("config", {}).get("lang") or [])
        except ValueError:
            langs = set()
    for page in sorted(site_dir.rglob("*.html")):
        parser = _parse_page(page)
        for _, url in parser.refs:
            target = _local_target(site_dir, page, url)
            if target and target.suffix in (".js", ".css", ".mjs"):
                found.add(target)
        for kind, data in parser.inline:
            if kind == "script" and '"search"' in data:
                try:
                    worker = json.loads(data).get("search")
                except ValueError:
                    worker = None
                target = _local_target(site_dir, site_dir / "index.html", worker) if worker else None
                if target:
                    found.add(target)
                    lunr = target.parent.parent / "lunr"
                    names = ["min/lunr.stemmer.support.min.js"] + [f"min/lunr.{lang}.min.js" for lang in langs if lang != "en"]
                    if len(langs) > 1:
                        names.append("min/lunr.multi.min.js")
                    if "ja" in langs:
                        names.append("tinyseg.js")
                    if "th" in langs:
                        names.append("wordcut.js")
                    found.update(p for p in (lunr / n for n in names) if p.is_file())
    for script in [p for p in found if p.suffix == ".js"]:  # scripts a script loads on demand
        for m in re.finditer(r"[\"'`](assets/[A-Za-z0-9_./-]+\.js)[\"'`]", script.read_text(encoding="utf-8", errors="replace")):
            target = site_dir / m.group(1)
            if target.is_file():
                found.add(target.resolve())
    return sorted(found)


def scan_site(site_dir: Path) -> list[ExternalRef]:
    """Every reference in the built site that would contact another host (empty = offline).

    All HTML pages are scanned; scripts and stylesheets are scanned when a page loads them
    (:func:`loaded_files`), so unused files Material ships (the Thai segmenter...) do not count.
    """
    site_dir = Path(site_dir).resolve()
    found: list[ExternalRef] = []
    repo_widget = False
    for path in sorted(site_dir.rglob("*.html")):
        parser = _parse_page(path)
        repo_widget = repo_widget or parser.has_repo_widget
        rel = path.relative_to(site_dir).as_posix()
        for where, url in parser.refs:
            if is_external(url):
                found.append(ExternalRef(rel, url, where))
        for kind, data in parser.inline:
            urls = css_refs(data) if kind == "style" else js_urls(data)
            for url in urls:
                if is_external(url) and not _allowed(url, False):
                    found.append(ExternalRef(rel, url, f"inline <{kind}>"))
    for path in loaded_files(site_dir):
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = css_refs(text) if path.suffix == ".css" else js_urls(text)
        for url in urls:
            if is_external(url) and not _allowed(url, repo_widget):
                found.append(ExternalRef(rel, url, "css url()" if path.suffix == ".css" else "script"))
    return found
