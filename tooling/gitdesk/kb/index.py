"""The persistent, incremental Whoosh index of the KB, under ``.gitdesk/kb-index/`` (gitignored).

A manifest records each indexed file's mtime, size and SHA-256. An update stats every page,
hashes only those whose mtime or size moved (or that were written too close to the last update
to trust the clock, as git does), and rewrites only the documents whose content changed; pages
gone from disk are deleted. A different language, analyzer version or a damaged index means a
full rebuild. The index is a cache: deleting the folder is always safe.

Each page is analysed in its own language (``x.es.md`` Spanish, ``x.pt.md`` Portuguese, any other
page the desk's default language, :func:`gitdesk.languages.page_language`): the schema has one
set of text fields per language (``title_es``...), a page fills only its own, and a query is
analysed once per language. ``base`` names the original page, so the translations of an article
are one article in several languages.

Analysis (the same for indexing and queries): words, lower-case, the language's stop words,
then :class:`StemFoldFilter`: the Snowball stem with accents folded *after* stemming (the
Spanish/Portuguese stemmers need the accents), plus the stem of the folded word when it differs,
so "contrasena" and "contraseña", "configuracao" and "configuração" meet.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.config import Config
from gitdesk.errors import GitdeskError, ValidationError
from gitdesk.kb import kb_dir
from gitdesk.kb.article import read_article, scan_pages
from gitdesk.yamlio import atomic_write

INDEX_DIR = Path(".gitdesk") / "kb-index"
MANIFEST = "manifest.json"
ANALYZER_VERSION = 2
SCHEMA_VERSION = 3  # 2: no positions (phrase=False); 3: text fields per language, base, lang
LANGUAGES = ("en", "es", "pt")
#: Field boosts (BM25F): the title matters most, then tags and summary, then the body.
BOOSTS = {"title": 4.0, "tags": 2.5, "summary": 2.0, "body": 1.0}
SEARCH_FIELDS = tuple(BOOSTS)


def field_name(name: str, language: str) -> str:
    """The schema field holding ``name`` (title, tags, summary, body) of pages in ``language``."""
    return f"{name}_{language}"
#: Pages not indexed: tag listing and section landing pages (they only list other articles).
SKIP_NAMES = ("index.md",)
SKIP_PAGES = ("tags.md",)
_RACY_NS = 2_000_000_000  # files modified within 2 s of the last update are re-hashed


class SearchIndexError(GitdeskError):
    """The index could not be read or written."""


def fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=8)
def _stemmer(lang: str):
    from whoosh.lang import stemmer_for_language

    return stemmer_for_language(lang)


@functools.lru_cache(maxsize=100_000)
def stem_forms(lang: str, word: str) -> tuple[str, ...]:
    """The indexed forms of a lower-cased word: its stem folded, and the stem of the folded word
    when that differs. Cached: Snowball is slow and words repeat (indexing and snippets)."""
    stem = _stemmer(lang)
    first = fold(stem(word))
    folded = fold(word)
    if folded != word:
        second = fold(stem(folded))
        if second != first:
            return first, second
    return (first,)


@functools.lru_cache(maxsize=16)
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words, accented and folded."""
    from whoosh.lang import stopwords_for_language

    stops = set(stopwords_for_language(language) or ())
    return frozenset(stops | {fold(w) for w in stops})


def analyzer(language: str, *, extra_stops: frozenset[str] = frozenset()):
    """The analyzer for ``language`` (en, es, pt); ``extra_stops`` adds another language's stop
    words (a Spanish query searched in English fields must not look for "no")."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

    if language not in LANGUAGES:
        raise ValidationError(f"unsupported language {language!r} (use {', '.join(LANGUAGES)})", field="language")
    stops = stop_words(language) | extra_stops
    return RegexTokenizer(r"\w+(?:[.'’]\w+)*") | LowercaseFilter() | StopFilter(stoplist=frozenset(stops), minsize=1) | _stem_fold_filter_class()(language)


def _stem_fold_filter_class():
    """The Whoosh filter class, created on first use so importing this module stays light."""
    cached = globals().get("StemFoldFilter")
    if cached is not None:
        return cached
    from whoosh.analysis import Filter

    class StemFoldFilter(Filter):
        """Stem, then fold accents; also emit the stem of the folded word when it differs."""

        is_morph = True

        def __init__(self, lang: str):
            self.lang = lang

        def __eq__(self, other):
            return type(other) is type(self) and other.lang == self.lang

        def __call__(self, tokens):
            lang = self.lang
            for t in tokens:
                if t.stopped or not t.text:
                    yield t
                    continue
                for form in stem_forms(lang, t.text):
                    t.text = form
                    yield t

    StemFoldFilter.__module__ = __name__
    StemFoldFilter.__qualname__ = "StemFoldFilter"
    globals()["StemFoldFilter"] = StemFoldFilter
    return StemFoldFilter


def __getattr__(name: str):  # PEP 562: unpickling a stored schema finds the class here
    if name == "StemFoldFilter":
        return _stem_fold_filter_class()
    raise AttributeError(name)


def make_schema():
    """One set of analysed text fields per supported language; a page fills its own set."""
    from whoosh.fields import ID, TEXT, Schema

    fields = {"path": ID(stored=True, unique=True), "base": ID(stored=True), "lang": ID(stored=True),
              "category": ID(stored=True), "type": ID(stored=True)}
    for lang in LANGUAGES:
        ana = analyzer(lang)
        for name, boost in BOOSTS.items():
            fields[field_name(name, lang)] = TEXT(analyzer=ana, stored=True, field_boost=boost, phrase=False)
    return Schema(**fields)


@dataclass
class UpdateStats:
    """What an update did. ``reindexed`` lists added and changed pages (kb-relative paths)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: bool = False
    total: int = 0

    @property
    def reindexed(self) -> list[str]:
        return sorted(self.added + self.changed)

    def as_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "removed": self.removed, "unchanged": self.unchanged, "rebuilt": self.rebuilt, "total": self.total}


def index_dir(root: Path) -> Path:
    return Path(root) / INDEX_DIR


def indexable(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name not in SKIP_NAMES and rel not in SKIP_PAGES


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _config_digest(config: Config) -> str:
    """What placeholders render from: a change re-indexes the pages that hold placeholders."""
    keys = ("site", "sla", "priorities", "channels", "github", "mail", "name")
    return hashlib.sha256(json.dumps({k: config.get(k) for k in keys}, sort_keys=True, default=str).encode()).hexdigest()


class KBIndex:
    """Open (creating or repairing as needed) and update the index of one repository's KB."""

    def __init__(self, root: Path, config: Config):
        self.root = Path(root)
        self.config = config
        self.language = config.get("language") or "en"
        if self.language not in LANGUAGES:
            raise ValidationError(f"unsupported language {self.language!r} (use {', '.join(LANGUAGES)})", path="helpdesk.yml", field="language")
        self.kb_root = kb_dir(self.root, config)
        self.dir = index_dir(self.root)
        self.max_bytes = int((config.get("limits") or {}).get("max_file_bytes") or 1024 * 1024)
        self._ix = None

    # -- manifest --------------------------------------------------------------------------------
    def _expected_header(self) -> dict:
        return {"schema": SCHEMA_VERSION, "analyzer": ANALYZER_VERSION, "language": self.language}

    def _load_manifest(self) -> dict | None:
        try:
            data = json.loads((self.dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self._expected_header().items()):
            return None
        if not isinstance(data.get("files"), dict):
            return None
        return data

    def _save_manifest(self, files: dict, config_digest: str) -> None:
        data = {**self._expected_header(), "config": config_digest, "written_ns": time.time_ns(), "files": files}
        atomic_write(self.dir / MANIFEST, json.dumps(data, sort_keys=True))

    # -- index -----------------------------------------------------------------------------------
    def _create(self):
        from whoosh import index as windex

        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        (self.dir / ".gitignore").write_text("# derived cache of kb/, rebuilt on demand\n*\n", encoding="utf-8")
        return windex.create_in(str(self.dir), make_schema())

    def _open_existing(self):
        from whoosh import index as windex

        try:
            if windex.exists_in(str(self.dir)):
                return windex.open_dir(str(self.dir))
        except Exception:  # noqa: BLE001 - any damage (truncated TOC, unpicklable schema): rebuild
            return None
        return None

    def _document(self, path: Path, rel: str) -> dict | None:
        try:
            page = read_article(path, self.kb_root, max_bytes=self.max_bytes)
        except ValidationError:
            return None  # `kb check` reports it; an unreadable page is simply not searchable
        from gitdesk.kb.article import markdown_to_text
        from gitdesk.languages import page_language, split_suffix

        lang = page_language(rel, self.language)
        meta = page.meta or {}
        raw_tags = meta.get("tags")
        tags = raw_tags if isinstance(raw_tags, list) else []
        body = page.body
        if page.placeholders:
            body = _render_placeholders(self.root, self.config, rel, page.title, body, lang)
        return {
            "path": rel,
            "base": split_suffix(rel)[0],
            "lang": lang,
            field_name("title", lang): page.title,
            field_name("tags", lang): " ".join(str(t) for t in tags),
            field_name("summary", lang): str(meta.get("summary") or ""),
            field_name("body", lang): markdown_to_text(body),
            "category": str(meta.get("category") or ""),
            "type": str(meta.get("type") or ""),
            "_placeholders": bool(page.placeholders),
            "_markdown": body,  # for the section vectors; not indexed
        }

    def update(self) -> UpdateStats:
        """Bring the index in line with kb/ and return what changed (one process at a time)."""
        try:
            with self._update_lock():
                return self._update()
        except OSError as exc:
            raise SearchIndexError(f"cannot write the search index: {exc.strerror or exc}", path=str(self.dir)) from None

    @contextlib.contextmanager
    def _update_lock(self):
        """An exclusive lock next to the index folder (which a rebuild deletes), so two
        ``kb search`` started together do not both create or rewrite the index."""
        lock_path = self.dir.parent / (self.dir.name + ".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: Whoosh's own writer lock still applies
            yield
            return
        with open(lock_path, "a+") as fh:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SearchIndexError("the search index is being updated by another process", path=str(self.dir)) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _update(self) -> UpdateStats:
        stats = UpdateStats()
        manifest = self._load_manifest()
        ix = self._open_existing() if manifest is not None else None
        if ix is None:
            ix = self._create()
            manifest = None
            stats.rebuilt = True
        old_files: dict = dict(manifest["files"]) if manifest else {}
        digest = _config_digest(self.config)
        config_changed = manifest.get("config") != digest if manifest else False
        written_ns = int(manifest.get("written_ns", 0)) if manifest else 0
        new_files: dict = {}
        todo: list[tuple[str, Path, str]] = []
        for rel, path_str, st in scan_pages(self.kb_root):
            if not indexable(rel):
                continue
            path = Path(path_str)
            entry = old_files.get(rel)
            racy = st.st_mtime_ns >= written_ns - _RACY_NS
            stale_placeholders = config_changed and entry and entry.get("placeholders")
            if entry and entry["mtime_ns"] == st.st_mtime_ns and entry["size"] == st.st_size and not racy and not stale_placeholders:
                new_files[rel] = entry
                stats.unchanged += 1
                continue
            sha = _sha256(path)
            if entry and entry["sha256"] == sha and not stale_placeholders:
                new_files[rel] = {**entry, "mtime_ns": st.st_mtime_ns, "size": st.st_size}
                stats.unchanged += 1
                continue
            todo.append((rel, path, sha))
            new_files[rel] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "sha256": sha, "placeholders": False}
            (stats.changed if entry else stats.added).append(rel)
        stats.removed = sorted(set(old_files) - set(new_files))
        if todo or stats.removed:
            writer = self._writer(ix)
            try:
                for rel in stats.removed:
                    writer.delete_by_term("path", rel)
                for rel, path, _ in todo:
                    doc = self._document(path, rel)
                    if doc is None:
                        writer.delete_by_term("path", rel)
                        new_files[rel]["sha256"] = ""  # retry next time
                        continue
                    new_files[rel]["placeholders"] = doc.pop("_placeholders")
                    doc.pop("_markdown")
                    if stats.rebuilt:  # a fresh index holds no old copy to find and delete
                        writer.add_document(**doc)
                    else:  # update, even for pages new to the manifest: a crash between the
                        writer.update_document(**doc)  # index commit and the manifest write may have left one
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
        if todo or stats.removed or stats.rebuilt or manifest is None or new_files != old_files or config_changed:
            self._save_manifest(new_files, digest)
        stats.total = len(new_files)
        self._ix = ix
        self._files, self._digest = new_files, digest
        return stats

    def update_vectors(self, model, *, sections: bool = True, progress=None):
        """Bring the article vectors in line with the index just updated: the manifest's content
        hashes say which pages to (re-)embed. The page rows (``kb-vectors.bin``) and the
        per-section rows (``kb-sections.bin``) are kept apart: ``sections=False`` (the site's
        related articles) embeds only the page rows, six times cheaper on a cold desk."""
        from gitdesk.kb import vectors
        from gitdesk.kb.embedding import split_sections

        if getattr(self, "_files", None) is None:
            self.update()
        wanted = {rel: e["sha256"] + (":" + self._digest if e.get("placeholders") else "")
                  for rel, e in self._files.items() if e.get("sha256")}
        docs: dict[str, dict | None] = {}

        def doc_of(rel: str):
            if rel not in docs:
                docs[rel] = self._document(self.kb_root / rel, rel)
            return docs[rel]

        def page_text(rel: str):
            doc = doc_of(rel)
            return None if doc is None else vectors.page_text(doc, doc["lang"])

        def section_texts(rel: str):
            doc = doc_of(rel)
            if doc is None:
                return None
            return vectors.article_texts(doc, doc["lang"], split_sections(doc["_markdown"]))[1:]

        try:
            with self._update_lock():  # processes started together embed once, not each
                pages, stats = vectors.update(vectors.vectors_path(self.root), model, wanted, page_text, progress=progress)
                if not sections:
                    return pages, stats
                done = stats["passages"]  # one progress count across both files
                parts, more = vectors.update(vectors.sections_path(self.root), model, wanted, section_texts,
                                             progress=progress and (lambda d, t: progress(done + d, done + t)))
        except OSError as exc:
            raise SearchIndexError(f"cannot write the article vectors: {exc.strerror or exc}", path=str(vectors.VECTORS_FILE)) from None
        stats = {"embedded": max(stats["embedded"], more["embedded"]), "passages": stats["passages"] + more["passages"],
                 "rebuilt": stats["rebuilt"] or more["rebuilt"], "removed": stats["removed"]}
        return vectors.combine(pages, parts), stats

    def _writer(self, ix):
        from whoosh.index import LockError

        deadline = time.monotonic() + 30
        while True:
            try:
                return ix.writer()
            except LockError:
                if time.monotonic() > deadline:
                    raise SearchIndexError("the search index is locked by another process (delete .gitdesk/kb-index if none is running)", path=str(self.dir)) from None
                time.sleep(0.1)

    def open(self, *, update: bool = True):
        """The Whoosh index, updated first unless ``update`` is False."""
        if update or self._ix is None:
            if update:
                self.update()
            else:
                self._ix = self._open_existing()
                if self._ix is None:
                    self.update()
        return self._ix

    def rebuild(self) -> UpdateStats:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        return self.update()

    def doc_count(self) -> int:
        return self.open(update=False).doc_count()


def _render_placeholders(root: Path, config: Config, rel: str, title: str, body: str, language: str) -> str:
    """Index what the site shows: placeholders rendered from helpdesk.yml (hours, channels...)."""
    import re

    from gitdesk.kb.placeholders import PageInfo, SiteContext, get_placeholder

    ctx = SiteContext(root=Path(root), config=config, language=language, extra={"today": _dt.date.today()})
    info = PageInfo(src_uri=rel, title=title)

    def sub(m):
        fn = get_placeholder(m.group(1))
        try:
            return fn(ctx, info) if fn else ""
        except GitdeskError:
            return ""

    return re.sub(r"<!--\s*gitdesk:([A-Za-z0-9_-]+)\s*-->", sub, body)

