"""The KB's article categories, for the knowledge-gap figure.

Only the front matter's ``category`` is read (with the KB module's own front-matter splitter and
the package's safe YAML loader), so this stays fast on a large KB. Pages without front matter
(section indexes) have no category. A page whose front matter cannot be read is an error naming
the file: a gap reported because an article was unreadable would be a wrong figure.
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.errors import ValidationError


def kb_dir(root: Path, config) -> Path:
    return Path(root) / ((config.get("kb") or {}).get("dir") or "kb")


def kb_categories(root: Path, config) -> list[str]:
    """Sorted distinct ``category`` values of the KB's articles (empty when there is no KB)."""
    from gitdesk.kb.article import iter_pages, split_front_matter
    from gitdesk.yamlio import load_yaml_text, read_text

    base = kb_dir(root, config)
    max_bytes = int((config.get("limits") or {}).get("max_file_bytes") or 1048576)
    found: set[str] = set()
    for path in iter_pages(base):
        display = f"{base.name}/{path.relative_to(base).as_posix()}"
        text = read_text(path, max_bytes=max_bytes, display=display)
        yaml_text, _, _ = split_front_matter(text.replace("\r\n", "\n"))
        if yaml_text is None:
            continue
        meta = load_yaml_text(yaml_text, path=display, max_bytes=max_bytes)
        if meta is None:
            continue
        if not isinstance(meta, dict):
            raise ValidationError("front matter must be a mapping of keys to values", path=display, field="(front matter)")
        category = meta.get("category")
        if category is None:
            continue
        if not isinstance(category, str) or not category.strip():
            raise ValidationError(f"expected a category id, got {category!r}"[:120], path=display, field="category")
        found.add(category.strip())
    return sorted(found)
