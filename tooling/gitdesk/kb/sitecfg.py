"""What ``kb check`` needs from ``mkdocs.yml``: Markdown extensions, ``nav`` and ``not_in_nav``.

``mkdocs.yml`` may hold tags the safe loader does not know (``!ENV``, ``!!python/name:``); they
are read as None here, since only plain keys matter. Rendering uses the same extensions as the
site so the safety check sees what MkDocs will publish.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MKDOCS_FILE = "mkdocs.yml"
#: MkDocs always adds these three.
BASE_EXTENSIONS = ("toc", "tables", "fenced_code")


class _TolerantLoader(yaml.SafeLoader):
    pass


def _unknown(loader, tag_suffix, node):  # noqa: ARG001 - PyYAML multi-constructor signature
    return None


_TolerantLoader.add_multi_constructor("!", _unknown)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown)


@dataclass
class SiteSettings:
    extensions: list[str] = field(default_factory=lambda: list(BASE_EXTENSIONS))
    extension_configs: dict[str, dict] = field(default_factory=dict)
    nav: list[str] | None = None  # pages named in an explicit nav, or None for the automatic nav
    not_in_nav: list[str] = field(default_factory=list)
    docs_dir: str = "kb"

    def excluded_from_nav(self, rel: str) -> bool:
        if self.nav is not None:
            return rel not in self.nav
        return any(_gitignore_match(rel, pattern) for pattern in self.not_in_nav)


def _gitignore_match(rel: str, pattern: str) -> bool:
    pattern = pattern.strip()
    if not pattern or pattern.startswith("#"):
        return False
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if anchored or "/" in pattern:
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")
    return any(fnmatch.fnmatch(part, pattern) for part in rel.split("/"))


def _nav_pages(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, str):
        if node.endswith(".md"):
            out.append(node)
    elif isinstance(node, list):
        for item in node:
            out.extend(_nav_pages(item))
    elif isinstance(node, dict):
        for value in node.values():
            out.extend(_nav_pages(value))
    return out


def load_site_settings(root: Path) -> SiteSettings:
    """Settings from ``mkdocs.yml`` at ``root``; defaults when there is none or it is unreadable."""
    path = Path(root, MKDOCS_FILE)
    settings = SiteSettings()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return settings
    if not isinstance(data, dict):
        return settings
    settings.docs_dir = str(data.get("docs_dir") or "docs")
    for item in data.get("markdown_extensions") or []:
        conf: Any
        if isinstance(item, str):
            name, conf = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, conf = next(iter(item.items()))
            conf = conf if isinstance(conf, dict) else {}
        else:
            continue
        if name not in settings.extensions:
            settings.extensions.append(name)
        if conf:
            settings.extension_configs[name] = {k: v for k, v in conf.items() if v is not None}
    if data.get("nav") is not None:
        settings.nav = _nav_pages(data["nav"])
    nin = data.get("not_in_nav")
    if isinstance(nin, str):
        settings.not_in_nav = nin.splitlines()
    return settings


def make_renderer(settings: SiteSettings):
    """A function Markdown text -> HTML using the site's extensions (unloadable ones dropped)."""
    import markdown  # deferred: only `kb check` renders

    extensions = list(settings.extensions)
    configs = dict(settings.extension_configs)
    while True:
        try:
            md = markdown.Markdown(extensions=extensions, extension_configs={k: v for k, v in configs.items() if k in extensions})
            break
        except Exception as exc:  # noqa: BLE001 - an extension that cannot load: drop it, keep checking
            bad = next((e for e in extensions if e in str(exc)), None)
            if bad is None or bad in BASE_EXTENSIONS:
                extensions = list(BASE_EXTENSIONS)
                configs = {}
                md = markdown.Markdown(extensions=extensions)
                break
            extensions.remove(bad)

    def render(text: str) -> str:
        md.reset()
        return md.convert(text)

    return render
