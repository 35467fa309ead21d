"""Does a page carry markup that could run script? Checked in the source and in rendered HTML.

Python-Markdown passes raw HTML through and does not sanitise URLs, so ``<script>``,
``<iframe>``, ``onload=`` (also through ``attr_list``'s ``{ onclick=... }``), ``javascript:``
links (inline, reference-style, autolinks, raw ``href``) and ``data:`` URLs of HTML/SVG would all
reach the published site. URLs are normalised the way browsers read them (entities decoded,
control characters and whitespace dropped, case folded, percent-escapes decoded) so
``J&#97;va&#x09;script:`` is caught too. Forms and inputs are refused as well (a help site must
not collect passwords, least of all for another host), except the disabled checkboxes and radio
buttons that task lists and tabs render. The same :func:`scan_html` guards the MkDocs build.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

#: Elements that run script, embed other documents, or rewrite where links and forms go.
DANGEROUS_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
    "portal", "fencedframe", "noscript", "template", "link",
})
#: Attributes whose value is a URL the browser may load or navigate to.
URL_ATTRS = frozenset({
    "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
    "lowsrc", "dynsrc", "codebase", "cite", "ping", "srcset", "manifest", "icon", "longdesc",
})
#: Elements that collect what a reader types (a fake sign-in form on the help site is phishing).
FORM_TAGS = frozenset({"form", "input", "textarea", "select", "button", "keygen", "datalist"})
#: Inputs that Markdown extensions render and that collect nothing: task-list and tab controls.
INERT_INPUT_TYPES = frozenset({"checkbox", "radio"})
#: Attributes that name where a form sends its data.
FORM_TARGET_ATTRS = frozenset({"action", "formaction"})
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "mocha:")
SAFE_DATA_PREFIXES = ("data:image/png", "data:image/jpeg", "data:image/jpg", "data:image/gif", "data:image/webp", "data:image/avif")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")


@dataclass(frozen=True)
class Finding:
    """One unsafe construct: ``key`` identifies it (for de-duplication), ``message`` explains."""

    key: str
    message: str
    needle: str  # text to look for in the source to find the line


def normalise_url(value: str) -> str:
    """The URL as a browser would see its scheme: decoded, no whitespace/control chars, lower."""
    text = value or ""
    for _ in range(3):  # nested encodings: &amp;#106; -> &#106; -> j
        decoded = html.unescape(text)
        decoded = unquote(decoded)
        if decoded == text:
            break
        text = decoded
    return _CONTROL_RE.sub("", text).lower()


def url_problem(value: str) -> str | None:
    """Why this URL could run script, or None."""
    url = normalise_url(value)
    for scheme in SCRIPT_SCHEMES:
        if url.startswith(scheme):
            return f"{scheme} URL runs script"
    if url.startswith("data:") and not url.startswith(SAFE_DATA_PREFIXES):
        kind = url[5:].split(",", 1)[0].split(";", 1)[0] or "text/plain"
        return f"data: URL of {kind} can carry script (only raster images are allowed)"
    return None


def attribute_findings(tag: str, attrs: list[tuple[str, str | None]]) -> list[Finding]:
    """Unsafe parts of one element: the element itself, event handlers, script URLs."""
    out: list[Finding] = []
    if tag in DANGEROUS_TAGS:
        out.append(Finding(f"tag:{tag}", f"<{tag}> element is not allowed (it can run script or load other pages)", f"<{tag}"))
    out.extend(form_findings(tag, attrs))
    for name, value in attrs:
        name = (name or "").lower()
        if name in FORM_TARGET_ATTRS and value is not None and is_off_site(value):
            out.append(Finding(f"attr:{name}", f"{name}= sends form data to another host ({value.strip()[:60]})", name))
        elif name.startswith("on") and len(name) > 2:
            out.append(Finding(f"attr:{name}", f"{name}= event handler attribute runs script", name))
        elif name == "srcdoc":
            out.append(Finding("attr:srcdoc", "srcdoc= embeds a document that can run script", name))
        elif name == "style" and value and re.search(r"expression\s*\(|javascript:|url\s*\(\s*['\"]?\s*(?:javascript|vbscript|data):", normalise_url(value)):
            out.append(Finding("attr:style", "style= with a script URL or expression()", name))
        elif name in URL_ATTRS and value is not None:
            candidates = [value] if name != "srcset" else [part.strip().split(" ")[0] for part in value.split(",")]
            for candidate in candidates:
                problem = url_problem(candidate)
                if problem:
                    scheme = normalise_url(candidate).split(":", 1)[0]
                    out.append(Finding(f"url:{scheme}", f"{name}= {problem}", scheme))
    return out


def is_off_site(value: str) -> bool:
    """An absolute or protocol-relative URL (``https://x``, ``//x``): a host other than the site."""
    if url_problem(value):  # a script URL is reported as such
        return False
    url = normalise_url(value)
    return url.startswith("//") or bool(re.match(r"^[a-z][a-z0-9+.\-]*:", url))


def form_findings(tag: str, attrs: list[tuple[str, str | None]]) -> list[Finding]:
    """A form or an input that collects what a reader types."""
    if tag not in FORM_TAGS:
        return []
    if tag == "input":
        kind = next(((v or "").strip().lower() for k, v in attrs if (k or "").lower() == "type"), "text")
        if kind in INERT_INPUT_TYPES:
            return []
    return [Finding(f"tag:{tag}", f"<{tag}> element is not allowed (the site must not collect what readers type)", f"<{tag}")]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []

    def handle_starttag(self, tag, attrs):
        self.findings.extend(attribute_findings(tag.lower(), attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def scan_html(text: str) -> list[Finding]:
    """Every unsafe element, attribute or URL in rendered HTML."""
    parser = _Collector()
    parser.feed(text)
    parser.close()
    return parser.findings
